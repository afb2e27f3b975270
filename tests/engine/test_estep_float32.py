"""The single-precision E-step's shortcuts give the reference responsibilities.

float32 holds exponentials only down to about e**-87: exponents are clamped
before ``exp`` (subnormal numbers are slow), and rows far below a Gaussian
pass's ceiling are normalised again about their own maximum, all at once when a
sample of the chunk's rows says many are. No test here measures a time.
"""

from __future__ import annotations

import numpy as np
import pytest

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
    # Every other row so far below the ceiling that even float64 loses it: without the
    # sampled shortcut, which only single precision takes, half the chunk is low, and the
    # whole chunk is recomputed once.
    weighted = far_rows(np.arange(0, 640, 2))[0]
    weighted[::2] -= 500.0
    ceiling = float(weighted.max()) + 2.0
    below = (weighted - ceiling).T.copy()
    recomputed: list[int] = []

    def recompute(columns: object) -> np.ndarray:
        recomputed.append(below[:, columns].shape[1])
        return below[:, columns]

    summary, resp = normalise_under_ceiling(below.copy(), ceiling, recompute)
    assert recomputed == [640]
    log_norm, log_resp = normalise(weighted)
    np.testing.assert_allclose(resp, np.exp(log_resp).T, rtol=1e-12, atol=1e-300)
    assert summary.log_likelihood == pytest.approx(log_norm.sum(), rel=1e-12)


def never_recompute(columns: object) -> np.ndarray:
    raise AssertionError(f"no row is low here, yet {columns} were recomputed")


def test_the_clamp_raises_only_single_exponents_below_the_lowest() -> None:
    # Exponents under the ceiling (components by rows), each row's best well above the
    # lowest, so no row is recomputed: float32 responsibilities are those of exponents
    # raised to -80 (no subnormal exponentials), float64's those of the exponents.
    exponents = np.array([
        [-200.0, -80.5, -79.0, 0.0, -1e30],
        [-90.0, -80.0, -79.5, -3.0, -100.0],
        [-1.0, -3.0, -2.0, -3.0, -2.0],
    ])

    def softmax(columns: np.ndarray) -> np.ndarray:
        return np.exp(columns) / np.exp(columns).sum(axis=0)

    _, single = normalise_under_ceiling(exponents.astype(np.float32), 0.0, never_recompute)
    np.testing.assert_allclose(single, softmax(np.maximum(exponents, -80.0)), rtol=1e-6, atol=0)
    _, double = normalise_under_ceiling(exponents.copy(), 0.0, never_recompute)
    np.testing.assert_allclose(double, softmax(exponents), rtol=1e-12, atol=0)
