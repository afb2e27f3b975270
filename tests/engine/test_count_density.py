"""Count-model log-probabilities against scipy.stats (Bernoulli, binomial, Poisson)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import binom, poisson

from engine.models import build_model
from engine.params import Params


def scipy_log_prob(X: np.ndarray, logpmf: Callable[[np.ndarray, int], np.ndarray]) -> np.ndarray:
    """Sum over columns of the per-column log-pmf, for each component."""
    return np.stack([logpmf(X, k).sum(axis=1) for k in range(2)], axis=1)


@pytest.mark.parametrize("trials", [1, 7, (3, 20, 1000)])
def test_binomial_log_prob_equals_scipy(trials: int | tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    n = np.broadcast_to(np.asarray(trials), (3,))
    probs = np.array([[0.1, 0.5, 0.93], [0.7, 0.02, 0.4]])
    X = rng.binomial(n, probs[rng.integers(2, size=40)]).astype(float)
    model = build_model("bernoulli" if trials == 1 else "binomial", {"trials": trials})

    log_prob = model.log_prob(X, Params(weights=[0.5, 0.5], probs=probs))

    expected = scipy_log_prob(X, lambda X, k: binom.logpmf(X, n, probs[k]))
    np.testing.assert_allclose(log_prob, expected, rtol=1e-10, atol=1e-10)


def test_poisson_log_prob_equals_scipy_including_huge_counts() -> None:
    rng = np.random.default_rng(1)
    rates = np.array([[0.3, 12.0, 2.5e6], [4.0, 0.05, 2.4e6]])
    X = rng.poisson(rates[rng.integers(2, size=40)]).astype(float)
    assert X.max() > 1_000_000  # exercises the lgamma path of log_factorial
    model = build_model("poisson")

    log_prob = model.log_prob(X, Params(weights=[0.5, 0.5], rates=rates))

    expected = scipy_log_prob(X, lambda X, k: poisson.logpmf(X, rates[k]))
    np.testing.assert_allclose(log_prob, expected, rtol=1e-10, atol=1e-8)


def test_probabilities_of_exactly_zero_and_one() -> None:
    # A component that never succeeds in column 1 and always in column 2.
    X = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    model = build_model("bernoulli")
    log_prob = model.log_prob(X, Params(weights=[0.5, 0.5], probs=[[0.0, 1.0], [0.5, 0.5]]))

    assert log_prob[0, 0] == 0.0  # probability one, exactly
    np.testing.assert_allclose(log_prob[:, 1], 2 * np.log(0.5), rtol=1e-15)
    # Rows that contradict the first component get a tiny but finite probability.
    assert np.all(np.isfinite(log_prob)) and np.all(log_prob[1:, 0] < -700)
