"""Fitting in standard units, reported in the original ones (issue 19 point 2)."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.standardize import (
    column_scaling,
    fit_standardized,
    iterate_standardized,
    rescale_params,
    scales_differ,
)

SCALE = np.array([1000.0, 0.01, 3.0])
SHIFT = np.array([5000.0, -2.0, 10.0])


def _data(seed: int = 0, n: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [3.0, 1.0, -1.0], [-1.0, 4.0, 2.0]])
    z = centres[rng.integers(0, 3, n)] + rng.normal(size=(n, 3)) @ np.diag([1.0, 0.7, 1.2])
    return z * SCALE + SHIFT


def _start(X: np.ndarray, options: engine.FitOptions) -> engine.Params:
    """A start in the original units, by a short plain fit."""
    return engine.fit(X, options.replace(max_iter=2)).params


@pytest.mark.parametrize("covariance_type", ["full", "diag", "tied"])
def test_a_unit_free_model_fits_the_same_in_standard_units(covariance_type: str) -> None:
    X = _data()
    options = engine.FitOptions(n_components=3, covariance_type=covariance_type, seed=0,
                                tol=1e-10, max_iter=300)
    options = options.replace(init=_start(X, options))
    plain = engine.fit(X, options)
    scaled = fit_standardized(X, options)
    assert scaled.options == options
    assert scaled.log_likelihood == pytest.approx(plain.log_likelihood, rel=1e-9)
    np.testing.assert_array_equal(scaled.labels, plain.labels)
    for name in ("means", "covariances"):
        np.testing.assert_allclose(scaled.params[name], plain.params[name], rtol=1e-6,
                                   atol=1e-9 * np.abs(plain.params[name]).max())
    np.testing.assert_allclose(scaled.params.weights, plain.params.weights, rtol=1e-7)


def test_the_log_likelihood_is_that_of_the_original_columns() -> None:
    X = _data(1)
    options = engine.FitOptions(n_components=3, covariance_type="VEV", seed=1, max_iter=50)
    result = fit_standardized(X, options)
    # The likelihood shift, -N sum(log s), makes it the original data's under the
    # parameters reported; VEV is not unit-free, so only this and not the fit is shared.
    log_norm, _ = engine.predict_log_resp(X, result.params, options)
    assert result.log_likelihood == pytest.approx(float(log_norm.sum()), rel=1e-10)
    assert result.history[-1] == result.log_likelihood
    scaling = column_scaling(X)
    assert scaling.log_det == pytest.approx(np.sum(np.log(X.std(axis=0))))


def test_rescaling_there_and_back_is_the_identity() -> None:
    X = _data(2)
    options = engine.FitOptions(n_components=3, covariance_type="full", seed=2, max_iter=3)
    params = engine.fit(X, options).params
    scaling = column_scaling(X)
    there = rescale_params(params, options, scaling, to_original=False)
    np.testing.assert_allclose(there["means"], (params["means"] - X.mean(0)) / X.std(0))
    back = rescale_params(there, options, scaling)
    np.testing.assert_allclose(back["covariances"], params["covariances"], rtol=1e-12)


@pytest.mark.parametrize("options, message", [
    (engine.FitOptions(model="kmeans", n_components=2), "one spread per component"),
    (engine.FitOptions(n_components=2, covariance_type="spherical"), r"the VVI \(diag\) covariance"),
    (engine.FitOptions(model="poisson", n_components=2), "counts or yes/no"),
])
def test_models_that_cannot_be_reported_in_original_units_are_refused(options, message) -> None:
    with pytest.raises(ValueError, match=message):
        fit_standardized(np.abs(_data(3)), options)


def test_a_constant_column_is_named() -> None:
    X = _data(4)
    X[:, 1] = 7.0
    with pytest.raises(ValueError, match="y has no spread"):
        column_scaling(X, ["x", "y", "z"])


def test_scales_that_differ_by_orders_of_magnitude_are_noticed() -> None:
    X = _data(5)
    assert scales_differ(X)
    assert not scales_differ(column_scaling(X).apply(X))
    assert not scales_differ(X[:, :1])


def test_every_snapshot_of_a_run_is_reported_in_the_original_units() -> None:
    X = _data(6)
    options = engine.FitOptions(n_components=3, covariance_type="full", seed=3, max_iter=8,
                                tol=0.0)
    options = options.replace(init=_start(X, options))
    plain = list(engine.iterate(X, options))
    scaled = list(iterate_standardized(X, options))
    assert len(plain) == len(scaled) == 9
    for a, b in zip(plain, scaled):
        assert b.log_likelihood == pytest.approx(a.log_likelihood, rel=1e-9)
        np.testing.assert_allclose(b.params["means"], a.params["means"], rtol=1e-7)
