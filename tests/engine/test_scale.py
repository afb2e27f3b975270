"""Fits do not depend on the data's units: reg_covar is relative to each column's variance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import load_iris

import engine

SCALES = [1e-6, 1e-3, 1e3]
VARIANTS = [
    ("gaussian", "full"),
    ("gaussian", "tied"),
    ("gaussian", "diag"),
    ("gaussian", "spherical"),
    ("kmeans", "full"),
]


@pytest.fixture(scope="module", params=["faithful", "iris"])
def data(request: pytest.FixtureRequest) -> np.ndarray:
    if request.param == "iris":
        return load_iris().data
    return request.getfixturevalue("faithful")


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_scaled_data_gives_the_same_fit(
    data: np.ndarray, scale: float, model: str, covariance_type: str
) -> None:
    options = engine.FitOptions(
        model=model, n_components=3, covariance_type=covariance_type, n_init=2, seed=8
    )
    base = engine.fit(data, options)
    scaled = engine.fit(data * scale, options)

    n_samples, n_features = data.shape
    np.testing.assert_array_equal(scaled.labels, base.labels)
    assert scaled.n_iter == base.n_iter
    # Densities scale by c^-D per row.
    shift = -n_samples * n_features * math.log(scale)
    assert scaled.log_likelihood == pytest.approx(base.log_likelihood + shift, rel=1e-9)
    np.testing.assert_allclose(scaled.params.weights, base.params.weights, rtol=1e-9)
    np.testing.assert_allclose(scaled.params.means, base.params.means * scale, rtol=1e-9)
    np.testing.assert_allclose(
        scaled.params.covariances,
        base.params.covariances * scale**2,
        rtol=1e-8,
        atol=1e-9 * np.abs(base.params.covariances).max() * scale**2,
    )


def test_regularisation_is_relative_not_absolute() -> None:
    # One row per component: the covariance is the regularisation alone, so it must
    # be reg_covar times each column's variance.
    X = np.array([[0.0, 0.0], [1.0, 10.0], [2.0, 40.0]])
    options = engine.FitOptions(
        n_components=3,
        covariance_type="diag",
        init=engine.Params(weights=np.full(3, 1 / 3), means=X, covariances=np.full((3, 2), 1e-8)),
        reg_covar=1e-3,
        max_iter=1,
    )
    result = engine.fit(X, options)
    np.testing.assert_allclose(
        result.params.covariances, np.tile(1e-3 * X.var(axis=0), (3, 1)), rtol=1e-9
    )
