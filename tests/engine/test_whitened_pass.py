"""The whitened pass (full and tied covariances with many columns) against its plain maths.

The pass computes every component's whitened residuals row by row, its
distances block by block, and its moments over the rows each component holds
(leaving out rows whose additions stay below the rounding of the moment).
Here each of those is compared with the direct formula over every row, on
components that are apart (the moments skip most rows) and on components that
overlap (they take every row), and float32 fits are compared with float64 ones.
No test here measures a time.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.models import gaussian_pass, gaussian_whitened
from engine.models.gaussian import GaussianModel
from engine.models.gaussian_whitened import WhitenedPlan, weighted_moments

N_FEATURES = 20


def blobs(apart: bool, n_samples: int = 3000, seed: int = 5) -> np.ndarray:
    """Four clusters in 20 columns, far from the origin: ``apart`` (about 20 standard
    deviations between centres) or overlapping (less than one)."""
    rng = np.random.default_rng(seed)
    scale = 3.0 if apart else 0.15
    centres = rng.normal(scale=scale, size=(4, N_FEATURES)) + 40.0
    mixing = np.eye(N_FEATURES) + rng.normal(size=(4, N_FEATURES, N_FEATURES)) / 8.0
    labels = rng.integers(4, size=n_samples)
    noise = rng.normal(size=(n_samples, N_FEATURES))
    return centres[labels] + np.einsum("nd,nde->ne", noise, mixing[labels])


def plan_and_chunk(
    X: np.ndarray, covariance_type: str, dtype: type
) -> tuple[WhitenedPlan, np.ndarray, engine.Params]:
    fit_options = engine.FitOptions(
        n_components=4, covariance_type=covariance_type, max_iter=2, tol=0.0, seed=3
    )
    params = engine.fit(X, fit_options).params
    model = GaussianModel(covariance_type, np.zeros(N_FEATURES))
    params = model.prepare(params)
    shift = gaussian_pass.centre(X)
    plan = gaussian_pass.pass_plan(params, shift, np.dtype(dtype), model.storage)
    assert isinstance(plan, WhitenedPlan)
    chunk = gaussian_pass.prepare_chunk(X, shift, np.dtype(dtype)).values
    return plan, chunk, params


def direct(plan: WhitenedPlan, chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every component's whitened residuals (n, K, D) and weighted log-densities less
    the ceiling (K, n), straight from the plan's projection, in float64."""
    n_components, n_features = plan.offsets.shape
    size = n_components * n_features
    projection = plan.projection.astype(np.float64)[:size]
    residuals = (projection @ chunk.astype(np.float64)).reshape(n_components, n_features, -1)
    distances = -0.5 * np.einsum("kdn,kdn->kn", residuals, residuals)
    return residuals.transpose(2, 0, 1), distances + plan.combine[:, size, None].astype(np.float64)


def assert_within(actual: np.ndarray, expected: np.ndarray, tolerance: np.ndarray) -> None:
    error = np.abs(actual - expected)
    bound = np.broadcast_to(tolerance, error.shape)
    assert np.all(error <= bound), f"largest error {error.max():.3g}, tolerance there {bound.flat[error.argmax()]:.3g}"


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
@pytest.mark.parametrize("apart", [True, False])
@pytest.mark.parametrize("hard", [False, True])
def test_the_chunk_pass_gives_the_direct_sums(covariance_type: str, apart: bool, hard: bool) -> None:
    plan, chunk, _ = plan_and_chunk(blobs(apart), covariance_type, np.float64)
    normalised, stats = gaussian_whitened.whitened_chunk_pass(chunk, plan, hard, False)
    residuals, weighted = direct(plan, chunk)
    top = weighted.max(axis=0)
    totals = np.exp(weighted - top).sum(axis=0)
    if hard:
        resp = (weighted == top).astype(float)
        assert normalised.classification == pytest.approx(
            (top + plan.ceiling).sum(), rel=1e-13
        )
    else:
        resp = np.exp(weighted - top) / totals
    assert normalised.log_likelihood == pytest.approx(
        (top + np.log(totals) + plan.ceiling).sum(), rel=1e-13
    )
    np.testing.assert_allclose(stats["sums"], resp @ chunk.T, rtol=1e-12, atol=1e-9)
    moments = np.einsum("kn,nki,nkj->kij", resp, residuals, residuals)
    scale = np.trace(moments, axis1=1, axis2=2)[:, None, None]
    assert_within(stats["moments"], moments, 1e-13 * scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("apart", [True, False])
def test_moments_over_held_rows_equal_those_over_every_row(
    monkeypatch: pytest.MonkeyPatch, dtype: type, apart: bool
) -> None:
    plan, chunk, _ = plan_and_chunk(blobs(apart), "full", dtype)
    residuals, weighted = direct(plan, chunk)
    residuals = residuals.astype(dtype)
    resp = np.exp(weighted - weighted.max(axis=0))
    resp = (resp / resp.sum(axis=0)).astype(dtype)
    distances = -0.5 * np.einsum("nkd,nkd->kn", residuals, residuals)
    monkeypatch.setattr(gaussian_whitened, "SPARSE_MOMENTS_FRACTION", 1.0)
    held = weighted_moments(residuals, resp, distances).astype(np.float64)
    monkeypatch.setattr(gaussian_whitened, "SPARSE_MOMENTS_FRACTION", -1.0)
    every = weighted_moments(residuals, resp, distances).astype(np.float64)
    exact = np.einsum(
        "kn,nki,nkj->kij", resp.astype(np.float64), residuals.astype(np.float64),
        residuals.astype(np.float64),
    )
    scale = np.trace(exact, axis1=1, axis2=2)[:, None, None]
    rounding = 1e-13 if dtype == np.float64 else 1e-5
    assert_within(held, exact, rounding * scale)
    assert_within(every, exact, rounding * scale)
    if apart:
        # The rows left out are most of them: each row counts for one component.
        contribution = -resp * distances
        bounds = contribution.sum(axis=1) * np.finfo(dtype).eps / chunk.shape[1]
        assert (contribution > bounds[:, None]).sum() < 1.5 * chunk.shape[1]


def test_a_component_holding_no_row_gets_zero_moments() -> None:
    residuals = np.random.default_rng(1).normal(size=(50, 2, 3))
    resp = np.zeros((2, 50))
    resp[0] = 1.0
    distances = -0.5 * np.einsum("nkd,nkd->kn", residuals, residuals)
    moments = weighted_moments(residuals, resp, distances)
    np.testing.assert_allclose(moments[0], residuals[:, 0].T @ residuals[:, 0], rtol=1e-14)
    np.testing.assert_array_equal(moments[1], 0.0)


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
@pytest.mark.parametrize("apart", [True, False])
def test_float32_gives_the_float64_fit(covariance_type: str, apart: bool) -> None:
    X = blobs(apart, n_samples=6000)
    fit_options = engine.FitOptions(
        n_components=4, covariance_type=covariance_type, max_iter=8, tol=0.0, seed=3
    )
    double = engine.fit(X, fit_options)
    single = engine.fit(X, fit_options.replace(dtype="float32"))
    np.testing.assert_allclose(single.history, double.history, rtol=1e-6)
    for name, value in double.params.arrays().items():
        np.testing.assert_allclose(
            getattr(single.params, name), value, rtol=1e-3, atol=1e-4 * np.abs(value).max()
        )
    np.testing.assert_array_equal(single.labels, double.labels)


def test_the_residuals_go_through_the_cache_in_blocks_without_changing_the_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan, chunk, _ = plan_and_chunk(blobs(True), "full", np.float64)
    whole = gaussian_whitened.whitened_chunk_pass(chunk, plan, False, True)
    monkeypatch.setattr(gaussian_whitened, "PROJECTION_ROWS", 7)
    blocks = gaussian_whitened.whitened_chunk_pass(chunk, plan, False, True)
    assert blocks[0].log_likelihood == pytest.approx(whole[0].log_likelihood, rel=1e-15)
    np.testing.assert_array_equal(blocks[0].labels, whole[0].labels)
    np.testing.assert_allclose(blocks[1]["moments"], whole[1]["moments"], rtol=1e-13)
