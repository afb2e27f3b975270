"""Fits that must stay right at the edges: columns of wildly different magnitudes,
components on a handful of rows, values near the top of floating point."""

from __future__ import annotations

import numpy as np
import pytest

import engine


def never_falls(history: tuple[float, ...], rel: float = 1e-9) -> bool:
    h = np.asarray(history)
    return bool(np.all(np.diff(h) >= -rel * np.maximum(1.0, np.abs(h[:-1]))))


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_a_code_column_of_1e8_does_not_swamp_the_other_columns(covariance_type: str) -> None:
    # Two groups told apart by a code column (1e8 or 2e8) and a measurement: each
    # group's variance of the measurement must be its own, not the code's rounding.
    rng = np.random.default_rng(0)
    codes = rng.choice([1e8, 2e8], 300)
    X = np.column_stack([codes, rng.normal(size=300) * np.where(codes > 1.5e8, 2.0, 1.0)])
    result = engine.fit(X, engine.FitOptions(n_components=2, covariance_type=covariance_type, seed=1))
    assert never_falls(result.history)
    if covariance_type in ("full", "diag"):
        for k in range(2):
            rows = X[np.isclose(X[:, 0], result.params.means[k, 0])]
            assert len(rows) > 100  # each component is one code group
            variance = result.params.covariances[k]
            variance = variance[1, 1] if covariance_type == "full" else variance[1]
            regularisation = 1e-6 * X[:, 1].var()
            assert variance == pytest.approx(rows[:, 1].var() + regularisation, rel=1e-9)
