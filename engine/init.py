"""Starting parameters: k-means++ or random rows as seeds, then one M-step.

Both methods pick ``K`` rows of the data as seeds, give every row wholly to its
nearest seed, and estimate every parameter from that partition with the
model's own M-step. (scikit-learn's ``k-means++`` initialisation instead gives
each component only its seed row, so its first covariances are the
regularisation alone.)
"""

from __future__ import annotations

import numpy as np

from engine.errors import SingularComponent
from engine.models.base import MixtureModel
from engine.params import Params

INIT_METHODS = ("kmeans++", "random")


#: Rows at a time when distances to a point are computed (bounds the temporaries).
_BLOCK_ROWS = 65536


def _squared_distances(X: np.ndarray, point: np.ndarray) -> np.ndarray:
    out = np.empty(X.shape[0])
    for start in range(0, X.shape[0], _BLOCK_ROWS):
        diff = X[start : start + _BLOCK_ROWS] - point
        np.einsum("ij,ij->i", diff, diff, out=out[start : start + _BLOCK_ROWS])
    return out


def kmeans_plusplus(X: np.ndarray, n_clusters: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices of ``n_clusters`` seeds chosen by greedy k-means++.

    Each new seed is the best (lowest potential) of ``2 + log(K)`` candidates
    drawn with probability proportional to the squared distance to the
    nearest seed so far, as in scikit-learn's ``kmeans_plusplus``.
    """
    n_samples = X.shape[0]
    n_trials = 2 + int(np.log(n_clusters))
    chosen = [int(rng.integers(n_samples))]
    closest = _squared_distances(X, X[chosen[0]])
    for _ in range(1, n_clusters):
        potential = closest.sum()
        if potential <= 0:
            # Every row coincides with a seed: fewer distinct rows than K.
            remaining = np.setdiff1d(np.arange(n_samples), chosen)
            chosen.append(int(rng.choice(remaining)))
            continue
        targets = rng.uniform(size=n_trials) * potential
        candidates = np.minimum(np.searchsorted(np.cumsum(closest), targets), n_samples - 1)
        # One candidate at a time, so only two distance vectors are ever held.
        best_closest, best_potential, best = None, np.inf, -1
        for candidate in candidates:
            candidate_closest = np.minimum(closest, _squared_distances(X, X[candidate]))
            candidate_potential = candidate_closest.sum()
            if candidate_potential < best_potential:
                best_closest, best_potential, best = (
                    candidate_closest, candidate_potential, int(candidate)
                )
        chosen.append(best)
        closest = best_closest
    return np.array(chosen)


def random_rows(X: np.ndarray, n_clusters: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices of ``n_clusters`` distinct rows drawn uniformly."""
    return rng.choice(X.shape[0], size=n_clusters, replace=False)


_SEEDERS = {"kmeans++": kmeans_plusplus, "random": random_rows}


def nearest_seed(X: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Index of the nearest seed for every row, shape (n_samples,)."""
    distances = np.stack([_squared_distances(X, seed) for seed in seeds], axis=1)
    return np.argmin(distances, axis=1)


def initial_params(
    model: MixtureModel,
    X: np.ndarray,
    n_components: int,
    method: str,
    rng: np.random.Generator,
    chunk_size: int,
) -> Params:
    """Parameters estimated from the partition around seeds picked by ``method``."""
    if method not in _SEEDERS:
        raise ValueError(f"unknown initialisation {method!r}; choose one of {', '.join(INIT_METHODS)}")
    seeds = X[_SEEDERS[method](X, n_components, rng)]
    shift = Params(weights=np.full(n_components, 1.0 / n_components), means=seeds)
    stats = None
    for start in range(0, X.shape[0], chunk_size):
        chunk = X[start : start + chunk_size]
        resp = np.zeros((chunk.shape[0], n_components))
        resp[np.arange(chunk.shape[0]), nearest_seed(chunk, seeds)] = 1.0
        part = model.suff_stats(chunk, resp, shift)
        stats = part if stats is None else {k: stats[k] + part[k] for k in stats}
    try:
        params = model.m_step(stats, shift, (), X.shape[0])
    except SingularComponent as exc:
        # A seed's component holds every row nearest to it, not just the seed row.
        raise SingularComponent(exc.component, float(stats["nk"][exc.component])) from None
    return model.prepare(model.smooth_initial(params, X))
