"""Shared data and reference computations for the engine tests.

Everything here is independent of the engine's own maths: partitions and
densities are computed with plain NumPy or SciPy, so tests can compare the
engine against them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

MCLUST_REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "mclust"
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


@pytest.fixture(scope="session")
def reference_data(faithful: np.ndarray) -> Callable[[str], np.ndarray]:
    """``reference_data(name)``: the rows of a data set the mclust reference tables were
    computed on (faithful, iris, or a CSV in ``tests/reference/mclust``)."""

    def load(name: str) -> np.ndarray:
        if name == "faithful":
            return faithful
        if name == "iris":
            from sklearn.datasets import load_iris

            return load_iris().data
        return np.loadtxt(MCLUST_REFERENCE / f"{name}.csv", delimiter=",", skiprows=1, ndmin=2)

    return load


@pytest.fixture(scope="session")
def blobs3d() -> np.ndarray:
    """Three seeded Gaussian clusters in 3-D, shifted far from the origin."""
    rng = np.random.default_rng(20240611)
    parts = [
        rng.multivariate_normal([0.0, 0.0, 0.0], np.eye(3), 150),
        rng.multivariate_normal(
            [4.0, 1.0, -2.0], [[0.5, 0.2, 0.0], [0.2, 0.8, 0.1], [0.0, 0.1, 0.4]], 100
        ),
        rng.multivariate_normal([1.0, 5.0, 3.0], 2.0 * np.eye(3), 120),
    ]
    return np.concatenate(parts) + 100.0


def lloyd_partition(X: np.ndarray, n_clusters: int, seed: int, n_iter: int = 20) -> np.ndarray:
    """Labels from a few plain Lloyd iterations started at seeded random rows."""
    rng = np.random.default_rng(seed)
    centres = X[rng.choice(X.shape[0], n_clusters, replace=False)]
    for _ in range(n_iter):
        labels = np.argmin(((X[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        centres = np.array([X[labels == k].mean(axis=0) for k in range(n_clusters)])
    return labels


def partition_params(
    X: np.ndarray, labels: np.ndarray, n_components: int, covariance_type: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights, means and covariances (scikit-learn shapes) of a hard partition."""
    n_samples, n_features = X.shape
    weights = np.bincount(labels, minlength=n_components) / n_samples
    means = np.array([X[labels == k].mean(axis=0) for k in range(n_components)])
    full = np.array(
        [
            np.cov(X[labels == k].T, bias=True).reshape(n_features, n_features)
            for k in range(n_components)
        ]
    )
    if covariance_type == "full":
        covariances = full
    elif covariance_type == "tied":
        covariances = np.einsum("k,kij->ij", weights, full)
    elif covariance_type == "diag":
        covariances = np.array([np.diag(c) for c in full])
    else:
        covariances = np.array([np.diag(c).mean() for c in full])
    return weights, means, covariances


def full_covariances(
    covariances: np.ndarray, covariance_type: str, n_components: int, n_features: int
) -> np.ndarray:
    """Any scikit-learn covariance shape expanded to (K, D, D)."""
    if covariance_type == "full":
        return np.asarray(covariances)
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features)).copy()
    if covariance_type == "diag":
        return np.array([np.diag(c) for c in covariances])
    return np.array([c * np.eye(n_features) for c in covariances])


def reference_log_resp(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    covariances: np.ndarray,
    covariance_type: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row log-density and log-responsibilities of a Gaussian mixture, via SciPy."""
    n_components, n_features = means.shape
    full = full_covariances(covariances, covariance_type, n_components, n_features)
    weighted = np.stack(
        [
            np.log(weights[k]) + multivariate_normal(means[k], full[k]).logpdf(X)
            for k in range(n_components)
        ],
        axis=1,
    ).reshape(X.shape[0], n_components)
    log_norm = logsumexp(weighted, axis=1)
    return log_norm, weighted - log_norm[:, None]


def match_rows(estimated: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Permutation ``p`` with ``estimated[p]`` nearest to ``truth`` row by row (Hungarian)."""
    cost = ((estimated[None, :, :] - truth[:, None, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    return cols[np.argsort(rows)]


@pytest.fixture(scope="session")
def helpers() -> type:
    """The module-level helpers above, for tests (there is no package to import from)."""

    class Helpers:
        lloyd_partition = staticmethod(lloyd_partition)
        partition_params = staticmethod(partition_params)
        full_covariances = staticmethod(full_covariances)
        reference_log_resp = staticmethod(reference_log_resp)
        match_rows = staticmethod(match_rows)

    return Helpers
