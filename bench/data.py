"""Seeded data and starting parameters shared by both sides of a comparison."""

from __future__ import annotations

import numpy as np

#: Spread of the cluster centres, in units of the clusters' own standard deviation.
CENTRE_SCALE = 3.0


def gaussian_blobs(n_samples: int, n_features: int, n_components: int, seed: int) -> np.ndarray:
    """Overlapping Gaussian clusters with random shapes, shifted away from the origin."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=CENTRE_SCALE, size=(n_components, n_features)) + 10.0
    mixing = rng.normal(size=(n_components, n_features, n_features)) / np.sqrt(n_features)
    mixing += np.eye(n_features)
    labels = rng.integers(n_components, size=n_samples)
    X = rng.standard_normal((n_samples, n_features))
    for k in range(n_components):
        rows = labels == k
        X[rows] = X[rows] @ mixing[k] + centres[k]
    return X


def one_blob(n_samples: int, n_features: int, seed: int) -> np.ndarray:
    """A single standard Gaussian cloud, shifted from the origin. Lloyd's algorithm keeps
    moving centres through it for hundreds of iterations, so k-means runs of a few
    iterations are never cut short by convergence."""
    return np.random.default_rng(seed).standard_normal((n_samples, n_features)) + 10.0


def nearest_seed_labels(X: np.ndarray, n_components: int, seed: int) -> np.ndarray:
    """Labels of one Lloyd assignment to ``n_components`` seeded random rows."""
    rng = np.random.default_rng(seed)
    seeds = X[rng.choice(X.shape[0], n_components, replace=False)]
    best = np.full(X.shape[0], np.inf)
    labels = np.zeros(X.shape[0], dtype=np.int64)
    for k, centre in enumerate(seeds):
        distance = ((X - centre) ** 2).sum(axis=1)
        closer = distance < best
        best[closer], labels[closer] = distance[closer], k
    return labels


def gaussian_start(
    X: np.ndarray, n_components: int, covariance_type: str, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights, means and covariances (scikit-learn's shapes) of a seeded hard partition."""
    labels = nearest_seed_labels(X, n_components, seed)
    weights = np.bincount(labels, minlength=n_components) / X.shape[0]
    means = np.array([X[labels == k].mean(axis=0) for k in range(n_components)])
    if covariance_type == "full":
        covariances = np.array(
            [np.atleast_2d(np.cov(X[labels == k].T, bias=True)) for k in range(n_components)]
        )
    else:
        covariances = np.array([X[labels == k].var(axis=0) for k in range(n_components)])
    return weights, means, covariances


def kmeans_start(X: np.ndarray, n_components: int, seed: int) -> np.ndarray:
    """``n_components`` seeded random rows: both implementations start Lloyd from them."""
    rng = np.random.default_rng(seed)
    return X[rng.choice(X.shape[0], n_components, replace=False)].copy()


def counts(
    model: str, n_samples: int, n_features: int, n_components: int, seed: int, trials: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts from a seeded mixture, and seeded starting weights and parameters."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(n_components, size=n_samples)
    if model == "poisson":
        truth = rng.uniform(0.5, 8.0, size=(n_components, n_features))
        X = rng.poisson(truth[labels]).astype(np.float64)
        start = rng.uniform(0.5, 8.0, size=(n_components, n_features))
    else:
        truth = rng.uniform(0.1, 0.9, size=(n_components, n_features))
        X = rng.binomial(trials, truth[labels]).astype(np.float64)
        start = rng.uniform(0.25, 0.75, size=(n_components, n_features))
    weights = np.full(n_components, 1.0 / n_components)
    return X, weights, start
