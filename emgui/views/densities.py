"""Densities and probability mass functions the views draw (NumPy and math only)."""

from __future__ import annotations

import math

import numpy as np


def gaussian_component_densities(
    x: np.ndarray, weights: np.ndarray, means: np.ndarray, variances: np.ndarray
) -> np.ndarray:
    """Weighted 1-D Gaussian densities of each component on a grid.

    Parameters
    ----------
    x : ndarray of shape (n_points,)
    weights, means, variances : ndarray of shape (n_components,)

    Returns
    -------
    ndarray of shape (n_components, n_points)
        ``weights[k] * N(x | means[k], variances[k])``; their sum over
        components is the mixture density.
    """
    x = np.asarray(x, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64).reshape(-1, 1)
    means = np.asarray(means, dtype=np.float64).reshape(-1, 1)
    variances = np.asarray(variances, dtype=np.float64).reshape(-1, 1)
    log_density = -0.5 * ((x - means) ** 2 / variances + np.log(2.0 * np.pi * variances))
    # Far tails underflow to zero, which is what should be drawn.
    with np.errstate(under="ignore"):
        return weights * np.exp(log_density)


def _log_factorials(top: int) -> np.ndarray:
    return np.array([math.lgamma(i + 1.0) for i in range(top + 1)])


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(y)`` with ``0 * log(0) == 0``."""
    x, y = np.broadcast_arrays(x, y)
    with np.errstate(divide="ignore"):
        logs = np.log(np.where(x == 0, 1.0, y))
    return x * logs


def binomial_pmf(n_trials: int, probs: np.ndarray) -> np.ndarray:
    """Binomial probabilities of 0..n_trials successes for each success probability.

    Parameters
    ----------
    n_trials : int
    probs : ndarray of shape (n_components,)

    Returns
    -------
    ndarray of shape (n_components, n_trials + 1)
        Each row sums to one.
    """
    counts = np.arange(n_trials + 1, dtype=np.float64)
    probs = np.asarray(probs, dtype=np.float64).reshape(-1, 1)
    log_fact = _log_factorials(n_trials)
    log_choose = log_fact[n_trials] - log_fact - log_fact[::-1]
    log_pmf = log_choose + _xlogy(counts, probs) + _xlogy(n_trials - counts, 1.0 - probs)
    with np.errstate(under="ignore"):
        return np.exp(log_pmf)


def poisson_pmf(max_count: int, rates: np.ndarray) -> np.ndarray:
    """Poisson probabilities of counts 0..max_count for each rate.

    Parameters
    ----------
    max_count : int
    rates : ndarray of shape (n_components,)

    Returns
    -------
    ndarray of shape (n_components, max_count + 1)
        Truncated at ``max_count``, so rows sum to at most one.
    """
    counts = np.arange(max_count + 1, dtype=np.float64)
    rates = np.asarray(rates, dtype=np.float64).reshape(-1, 1)
    log_pmf = _xlogy(counts, rates) - rates - _log_factorials(max_count)
    with np.errstate(under="ignore"):
        return np.exp(log_pmf)
