"""Starting parameters: a partition of the rows, then the model's own M-step.

``kmeans++`` or ``random`` seeds are picked from :func:`engine.data.start_sample`
(every row for data of up to 100 000 rows); then every row is given wholly to
its nearest seed in one pass over all rows, and the model's M-step estimates
every parameter from that partition. (scikit-learn's ``k-means++``
initialisation instead gives each component only its seed row, so its first
covariances are the regularisation alone.) ``hc`` cuts a deterministic
hierarchical agglomeration (:mod:`engine.hierarchical`) into K clusters; for a
covariance structure that mclust updates its own way (VVE, EEV), a fit from ``hc``
also starts from that partition settled by mclust's iteration (:mod:`engine.settle`),
and keeps the better of the two.

For a model whose fits do not depend on the columns' units
(:attr:`engine.models.base.MixtureModel.unit_free`), distances are measured in
each column's standard deviations, so the start does not depend on them either.
Explicit starting parameters are checked against the model instead.

With missing values (:mod:`engine.gaps`), seeds are picked among the sample's
complete rows when there are enough, a row's distance to a seed is taken over
its observed columns, a row without values joins no seed, and the M-step of the
partition fills each gap from the row's seed (a Gaussian's seeds have each
column's variance, the columns independent). ``hc`` agglomerates the rows with
each gap filled by its column's mean.
"""

from __future__ import annotations

import numpy as np

from engine import gaps
from engine.backends import Passes, sum_in_order
from engine.data import DataSource
from engine.errors import FitError, SingularComponent
from engine.hierarchical import Tree, hc_rows, hc_tree
from engine.models.base import MixtureModel, Stats
from engine.options import FitOptions
from engine.params import Params
from engine.settle import Estimate, settled_params

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
    """Index of the nearest seed for every row, shape (n_samples,); with gaps, as
    :func:`engine.gaps.nearest_seed` (-1 for a row without values)."""
    if gaps.has_gaps(X):
        return gaps.nearest_seed(X, seeds)
    distances = np.stack([_squared_distances(X, seed) for seed in seeds], axis=1)
    return np.argmin(distances, axis=1)


def partition_stats(
    rows: np.ndarray, model: MixtureModel, seeds: np.ndarray, shift: Params, unit: np.ndarray
) -> Stats:
    """The statistics of ``rows``, each given wholly to its nearest seed, distances
    measured in ``unit`` (per column)."""
    resp = np.zeros((rows.shape[0], seeds.shape[0]))
    labels = nearest_seed(rows / unit, seeds / unit)
    joined = labels >= 0
    resp[np.flatnonzero(joined), labels[joined]] = 1.0
    return model.suff_stats(rows, resp, shift)


def distance_unit(model: MixtureModel, spread: np.ndarray) -> np.ndarray:
    """What distances between rows are measured in: each column's standard deviation
    (``spread``) for a model whose fits do not depend on units, else the units themselves."""
    if not model.unit_free:
        return np.ones_like(spread)
    return np.where(spread > 0, spread, 1.0)


def seeded_params(
    model: MixtureModel,
    passes: Passes,
    sample: np.ndarray,
    n_components: int,
    method: str,
    rng: np.random.Generator,
    chunk_size: int,
    unit: np.ndarray | None = None,
) -> Params:
    """Parameters estimated from the partition of all rows around seeds that
    ``method`` (``kmeans++`` or ``random``) picks among the rows of ``sample``,
    distances measured in ``unit`` (per column; the data's own by default)."""
    unit = np.ones(sample.shape[1]) if unit is None else unit
    sample = gaps.seed_candidates(sample, n_components)
    seeds = sample[_SEEDERS[method](sample / unit, n_components, rng)]
    return partitioned_params(model, passes, seeds, unit, chunk_size)


def partitioned_params(
    model: MixtureModel, passes: Passes, seeds: np.ndarray, unit: np.ndarray, chunk_size: int
) -> Params:
    """Parameters estimated from every row given wholly to its nearest of ``seeds``."""
    n_components = seeds.shape[0]
    shift = Params(np.full(n_components, 1.0 / n_components), means=seeds)
    stats = passes.sum_rows(partition_stats, (model, seeds, shift, unit), chunk_size)
    return _estimated(model, stats, shift, passes.n_samples)


def _estimated(model: MixtureModel, stats: Stats, shift: Params, n_samples: int) -> Params:
    try:
        params = model.m_step(stats, shift, (), n_samples)
    except SingularComponent as exc:
        # A seed's component holds every row nearest to it, not just the seed row.
        weight = float(stats["nk"][exc.component])
        raise SingularComponent(exc.component, weight, exc.column) from None
    overall = {name: value.sum(axis=0, keepdims=True) for name, value in stats.items()}
    return model.prepare(model.smooth_initial(params, overall))


def hc_params(
    model: MixtureModel,
    passes: Passes,
    source: DataSource,
    n_components: int,
    tree: Tree,
    unit: np.ndarray,
    chunk_size: int,
) -> Params:
    """Parameters estimated from the hierarchical agglomeration ``tree`` of the rows
    :func:`engine.hierarchical.hc_rows` picks, cut into K clusters: from the clusters
    themselves when they hold every row, else from every row given to the nearest
    cluster mean (in ``unit``)."""
    rows = hc_rows(source.n_samples)
    labels = tree.partition(n_components)
    X = source.take(rows)
    filled = gaps.fill_column_means(X)
    if rows.size < source.n_samples:
        seeds = np.stack([filled[labels == k].mean(axis=0) for k in range(n_components)])
        return partitioned_params(model, passes, seeds, unit, chunk_size)
    resp = np.zeros((X.shape[0], n_components))
    resp[np.arange(X.shape[0]), labels] = 1.0
    counts = resp.sum(axis=0)
    # Equal weights, as a partition around seeds starts: a model that does not
    # estimate its weights (k-means) keeps them.
    equal = np.full(n_components, 1.0 / n_components)
    start = model.partition_start(n_components, X.shape[1])
    shift = Params(equal, means=(resp.T @ filled) / counts[:, None], **start)
    return _estimated(model, model.suff_stats(X, resp, shift), shift, source.n_samples)


def settling_estimate(model: MixtureModel) -> Estimate | None:
    """The update mclust settles a partition with, where it is not the model's own
    M-step: its covariance structure's ``settling_estimate`` (VVE's, EEV's), else ``None``."""
    return getattr(getattr(model, "structure", None), "settling_estimate", None)


def settled_hc_params(
    model: MixtureModel, source: DataSource, n_components: int, tree: Tree
) -> Params | None:
    """A second ``hc`` start for a model whose covariance structure mclust updates
    its own way (a ``settling_estimate``, as VVE's and EEV's): the same partition as
    :func:`hc_params`, settled by mclust's iteration (:func:`engine.settle.settled_params`)
    on the rows the agglomeration used. ``None`` for every other model, for K = 1
    or one column (where the update is EM's), for a partition the structure's
    ``settles`` turns down, and where mclust's iteration stops without a fit."""
    estimate = settling_estimate(model)
    if estimate is None or n_components < 2 or source.n_features < 2:
        return None
    labels = tree.partition(n_components)
    settles = getattr(model.structure, "settles", None)  # every partition unless it says
    counts = np.bincount(labels, minlength=n_components)
    if settles is not None and not settles(counts, source.n_features):
        return None
    X = gaps.fill_column_means(source.take(hc_rows(source.n_samples)))
    resp = np.zeros((X.shape[0], n_components))
    resp[np.arange(X.shape[0]), labels] = 1.0
    params = settled_params(X, resp, estimate)
    if params is None:
        return None
    try:
        return model.prepare(params)
    except SingularComponent:
        return None


def agglomerate(source: DataSource) -> Tree:
    """The hierarchical agglomeration of ``source``'s rows for :func:`hc_params`,
    computed once per source (a sweep fits many cells to the same rows)."""
    tree = getattr(source, "_hc_tree", None)
    if tree is None:
        tree = hc_tree(gaps.fill_column_means(source.take(hc_rows(source.n_samples))))
        source._hc_tree = tree
    return tree


def explicit_params(model: MixtureModel, options: FitOptions, n_features: int) -> Params:
    """``options.init``, checked against the model and K and prepared for the passes."""
    return checked_params(model, options.init, n_features, options.n_components)  # type: ignore[arg-type]


def checked_params(
    model: MixtureModel, params: Params, n_features: int, n_components: int | None = None
) -> Params:
    """Parameters given from outside (a file, a person) checked against the model —
    shapes, weights, valid covariances — and prepared for the passes; ``ValueError``
    says what is wrong and how to fix it."""
    k = params.n_components
    if n_components is not None and k != n_components:
        raise ValueError(
            f"the starting parameters have {k} components but K is {n_components}; "
            "make them agree"
        )
    weights = params.weights
    if weights.shape != (k,) or np.any(weights < 0) or not np.isclose(weights.sum(), 1.0, atol=1e-6):
        raise ValueError("the weights must be K non-negative numbers that sum to 1; fix them")
    model.check_params(params, n_features)
    try:
        prepared = model.prepare(params)
    except SingularComponent as exc:
        raise FitError(
            f"the covariance of component {exc.component + 1} is not positive definite: give "
            "a symmetric matrix with positive variances whose correlations lie between -1 "
            "and 1"
        ) from None
    model.check_given(prepared)
    return prepared
