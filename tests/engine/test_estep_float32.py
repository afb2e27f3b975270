"""The single-precision E-step's shortcuts give the reference responsibilities.

float32 holds exponentials only down to about e**-87: exponents are clamped
before ``exp`` (subnormal numbers are slow), and rows far below a Gaussian
pass's ceiling are normalised again about their own maximum, all at once when a
sample of the chunk's rows says many are. No test here measures a time.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import estep
from engine.estep import normalise, normalise_under_ceiling


def far_rows(rows: np.ndarray, n_rows: int = 640, seed: int = 2) -> tuple[np.ndarray, float]:
    """Log-densities (n_rows, 4) with ``rows`` some hundred log-units below the others,
    and a ceiling above them all."""
    rng = np.random.default_rng(seed)
    weighted = rng.normal(scale=3.0, size=(n_rows, 4)) - 5.0
    weighted[rows] -= 100.0
    return weighted, float(weighted.max()) + 2.0


def under_ceiling(weighted: np.ndarray, ceiling: float) -> tuple[object, np.ndarray, list[int]]:
    below = (weighted - ceiling).T.astype(np.float32)
    recomputed: list[int] = []

    def recompute(columns: object) -> np.ndarray:
        recomputed.append(below[:, columns].shape[1])
        return below[:, columns]

    summary, resp = normalise_under_ceiling(below.copy(), ceiling, recompute)
    return summary, resp, recomputed


def assert_reference(weighted: np.ndarray, summary: object, resp: np.ndarray) -> None:
    single = weighted.astype(np.float32).astype(np.float64)
    log_norm, log_resp = normalise(single)
    np.testing.assert_allclose(resp, np.exp(log_resp).T, rtol=1e-5, atol=1e-8)
    assert summary.log_likelihood == pytest.approx(log_norm.sum(), rel=1e-6)


def test_a_chunk_whose_sample_is_mostly_low_is_normalised_without_recomputing() -> None:
    weighted, ceiling = far_rows(np.arange(0, 640, 2))  # every other row, row 0 among them
    summary, resp, recomputed = under_ceiling(weighted, ceiling)
    assert recomputed == []
    assert_reference(weighted, summary, resp)


def test_low_rows_the_sample_misses_are_recomputed() -> None:
    # Rows 1..9 only: every sampled row (0, 64, ...) is high, so the chunk takes the
    # ceiling and its nine low rows are normalised again on their own.
    weighted, ceiling = far_rows(np.arange(1, 10))
    summary, resp, recomputed = under_ceiling(weighted, ceiling)
    assert recomputed == [9]
    assert_reference(weighted, summary, resp)


def test_float64_never_takes_the_sampled_shortcut() -> None:
    weighted, ceiling = far_rows(np.arange(0, 640, 2))
    below = (weighted - ceiling).T.copy()
    assert not estep._mostly_low(below, estep._SMALLEST_TOTAL[below.dtype])
    assert estep._mostly_low(below.astype(np.float32), estep._SMALLEST_TOTAL[np.dtype(np.float32)])


def test_the_clamp_raises_only_exponents_below_the_lowest() -> None:
    exponents = np.array([[-200.0, -80.5, -79.0, 0.0, -1e30], [-1.0, -90.0, -80.0, -3.0, 2.0]])
    single = exponents.astype(np.float32)
    estep._keep_normal(single)
    expected = np.maximum(exponents, -80.0).astype(np.float32)
    np.testing.assert_array_equal(single, expected)
    double = exponents.copy()
    estep._keep_normal(double)
    np.testing.assert_array_equal(double, exponents)
