"""A straightforward NumPy EM for Bernoulli, binomial and Poisson mixtures.

What one would write without special effort: a whole-array E-step (an
``(n_samples, n_components)`` matrix of log-densities, a logsumexp, the
responsibilities) and an M-step from them; the log-factorials, which no
parameter touches, are computed once. It is the reference the engine's
count models are timed against and must agree with.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy.special import gammaln


def _row_constant(model: str, X: np.ndarray, trials: int) -> np.ndarray:
    """The terms of each row's log-density no parameter touches (log-factorials)."""
    if model == "poisson":
        return -gammaln(X + 1).sum(axis=1)
    return (gammaln(trials + 1) - gammaln(X + 1) - gammaln(trials - X + 1)).sum(axis=1)


def _log_prob(model: str, X: np.ndarray, param: np.ndarray, trials: int) -> np.ndarray:
    """Log-densities less the row constant, shape (n_samples, n_components)."""
    if model == "poisson":
        return X @ np.log(param).T - param.sum(axis=1)
    return X @ np.log(param).T + (trials - X) @ np.log1p(-param).T


def count_em(
    model: str,
    X: np.ndarray,
    weights: np.ndarray,
    param: np.ndarray,
    trials: int,
    n_iter: int,
    on_iteration: Callable[[float], None] | None = None,
) -> float:
    """Run ``n_iter`` EM iterations; return the log-likelihood of the final parameters.

    ``on_iteration`` receives the seconds each iteration (E-step and M-step) took.
    """

    row_constant = _row_constant(model, X, trials)[:, None]

    def e_step(weights: np.ndarray, param: np.ndarray) -> tuple[float, np.ndarray]:
        weighted = _log_prob(model, X, param, trials) + row_constant + np.log(weights)
        top = weighted.max(axis=1, keepdims=True)
        log_norm = top + np.log(np.exp(weighted - top).sum(axis=1, keepdims=True))
        return float(log_norm.sum()), np.exp(weighted - log_norm)

    for _ in range(n_iter):
        started = time.perf_counter()
        _, resp = e_step(weights, param)
        nk = resp.sum(axis=0) + 10 * np.finfo(np.float64).eps
        weights = nk / nk.sum()
        param = resp.T @ X / nk[:, None]
        if model != "poisson":
            param = param / trials
        if on_iteration is not None:
            on_iteration(time.perf_counter() - started)
    log_likelihood, _ = e_step(weights, param)
    return log_likelihood
