"""A deterministic start: model-based hierarchical agglomeration of rows, as mclust's ``hc``.

Every row starts as its own cluster; the two clusters whose merging costs the classification
likelihood least are merged, again and again. The cost is mclust's for its
default agglomeration, the unconstrained Gaussian ("VVV"; Fraley 1998,
*Algorithms for model-based Gaussian hierarchical clustering*): a cluster of n
rows with scatter matrix W scores

    n log( |W / n| + beta (tr W + alpha) / n ),

which is the VVV classification likelihood's ``n log |W / n|`` kept finite for
clusters with fewer rows than columns (and for flat ones) by the trace term;
``beta = 1`` and ``alpha`` is the data's total variance per value,
``tr W(X) / (n p)``. A merge costs the merged cluster's score less its parts'.
The rows are first transformed as mclust 6 does by default (``hcUse = "SVD"``):
standardised, rotated onto their principal axes and divided by the square root
of each axis's singular value. The tree - and any partition cut from it - is
the same whatever the units of the columns, and there is nothing random in it.

Merges are found greedily, with every cluster's cheapest partner kept so that
a merge recomputes only the costs of the new cluster (the cost is not
reducible, so the nearest-neighbour chain of Ward's agglomeration would find
other merges): O(n^2) memory and about O(n^2 p^3) time. On more than
:data:`HC_MAX_ROWS` rows it runs on that many evenly spaced rows. With no more
rows than columns, mclust agglomerates by Ward's criterion instead
(its "EII"), and so does :func:`hc_tree`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The agglomeration runs on at most this many rows (evenly spaced through the data):
#: its cost grows as the square of the rows. mclust's ``subset`` default is the same.
HC_MAX_ROWS = 2000


def hc_rows(n_samples: int) -> np.ndarray:
    """The rows the agglomeration uses: all of them, or :data:`HC_MAX_ROWS` evenly spaced."""
    if n_samples <= HC_MAX_ROWS:
        return np.arange(n_samples)
    return np.unique(np.linspace(0, n_samples - 1, HC_MAX_ROWS).round().astype(np.int64))


def svd_scores(X: np.ndarray) -> np.ndarray:
    """``X`` as mclust's ``hcUse = "SVD"`` transforms it: each column centred and scaled
    to unit standard deviation, the result rotated onto its right singular vectors
    and each axis divided by the square root of its singular value. Columns without
    spread, and axes without a singular value, are dropped."""
    n_rows = X.shape[0]
    centred = X - X.mean(axis=0)
    spread = np.sqrt((centred**2).sum(axis=0) / max(n_rows - 1, 1))
    kept = spread > 0
    if not np.any(kept):
        return np.zeros((n_rows, 1))
    standard = centred[:, kept] / spread[kept]
    _, singular, vt = np.linalg.svd(standard, full_matrices=False)
    axes = singular > singular.max() * max(standard.shape) * np.finfo(np.float64).eps
    return (standard @ vt[axes].T) / np.sqrt(singular[axes])


@dataclass(frozen=True, eq=False)
class Tree:
    """The merges of an agglomeration, in the order they are made.

    ``merges[i] = (a, b)`` joins the clusters holding rows ``a`` and ``b`` (any
    row of each); cutting the tree after ``n - K`` merges leaves K clusters.
    """

    n_rows: int
    merges: np.ndarray  # (n_rows - 1, 2) int64
    costs: np.ndarray  # (n_rows - 1,)

    def partition(self, n_clusters: int) -> np.ndarray:
        """Labels 0..K-1 of the rows cut into ``n_clusters`` clusters, numbered by
        their first row (computed once per K: a sweep cuts every K for many models)."""
        cuts = self.__dict__.setdefault("_cuts", {})
        if n_clusters not in cuts:
            labels = self._cut(n_clusters)
            labels.setflags(write=False)
            cuts[n_clusters] = labels
        return cuts[n_clusters]

    def _cut(self, n_clusters: int) -> np.ndarray:
        parent = np.arange(self.n_rows)

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for a, b in self.merges[: self.n_rows - n_clusters]:
            ra, rb = root(int(a)), root(int(b))
            parent[max(ra, rb)] = min(ra, rb)
        roots = np.array([root(i) for i in range(self.n_rows)])
        _, labels = np.unique(roots, return_inverse=True)
        return labels


def ward_tree(X: np.ndarray) -> Tree:
    """Ward's agglomeration of the rows of ``X`` (n, d) by the nearest-neighbour chain."""
    n = X.shape[0]
    if n == 1:
        return Tree(1, np.empty((0, 2), dtype=np.int64), np.empty(0))
    sizes = np.ones(n)
    sq = np.einsum("ij,ij->i", X, X)
    # Ward's cost between singletons: half the squared distance.
    cost = 0.5 * (sq[:, None] + sq[None, :] - 2.0 * (X @ X.T))
    np.maximum(cost, 0.0, out=cost)
    np.fill_diagonal(cost, np.inf)
    active = np.ones(n, dtype=bool)
    # Each cluster is named by a row it holds; merges record those rows.
    merges: list[tuple[int, int]] = []
    costs: list[float] = []
    chain: list[int] = []
    while len(merges) < n - 1:
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        a = chain[-1]
        row = np.where(active, cost[a], np.inf)
        row[a] = np.inf
        b = int(np.argmin(row))
        # Ties are settled towards the previous link, so the chain cannot cycle.
        if len(chain) > 1 and row[chain[-2]] <= row[b]:
            b = chain[-2]
        if len(chain) > 1 and b == chain[-2]:
            chain.pop()
            chain.pop()
            merges.append((min(a, b), max(a, b)))
            costs.append(float(cost[a, b]))
            keep, gone = min(a, b), max(a, b)
            na, nb = sizes[keep], sizes[gone]
            # Lance-Williams update of Ward's cost to every other cluster.
            total = na + nb + sizes
            updated = ((na + sizes) * cost[keep] + (nb + sizes) * cost[gone] - sizes * cost[keep, gone]) / total
            cost[keep, :] = updated
            cost[:, keep] = updated
            cost[keep, keep] = np.inf
            cost[gone, :] = np.inf
            cost[:, gone] = np.inf
            sizes[keep] = na + nb
            active[gone] = False
        else:
            chain.append(b)
    order = np.argsort(np.asarray(costs), kind="stable")
    return Tree(n, np.asarray(merges, dtype=np.int64)[order], np.asarray(costs)[order])


def _cluster_scores(
    sizes: np.ndarray, scatter: np.ndarray, alpha: float, beta: float
) -> np.ndarray:
    """``n log(|W / n| + beta (tr W + alpha) / n)`` of clusters with ``sizes`` (m,) and
    scatter matrices (m, p, p); a singular W counts as determinant 0."""
    n_features = scatter.shape[-1]
    floor = np.log(beta * (np.trace(scatter, axis1=1, axis2=2) + alpha) / sizes)
    log_det = np.full(sizes.shape, -np.inf)
    wide = sizes > n_features
    if np.any(wide):
        sign, value = np.linalg.slogdet(scatter[wide] / sizes[wide, None, None])
        log_det[wide] = np.where(sign > 0, value, -np.inf)
    return sizes * np.logaddexp(log_det, floor)


def vvv_tree(X: np.ndarray, beta: float = 1.0) -> Tree:
    """The agglomeration of the rows of ``X`` (n, p) by mclust's VVV criterion (see the
    module's docstring): the cheapest merge each time.

    Clusters sit in slots 0..m-1; a merge keeps the merged cluster in the lower
    slot and moves the last slot's cluster into the upper one, and ties go to
    the pair (i < j) of largest j, then largest i, as mclust's scan settles them
    (ties are common: every pair of identical rows costs the same).
    """
    n_rows, n_features = X.shape
    if n_rows == 1:
        return Tree(1, np.empty((0, 2), dtype=np.int64), np.empty(0))
    centred = X - X.mean(axis=0)
    alpha = max(float(np.sum(centred**2)) / (n_rows * n_features), np.finfo(np.float64).eps)
    heads = np.arange(n_rows)  # a row of the cluster in each slot
    sizes = np.ones(n_rows)
    means = X.astype(np.float64)
    scatter = np.zeros((n_rows, n_features, n_features))
    scores = _cluster_scores(sizes, scatter, alpha, beta)

    def merged(i: int, others: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sizes, means and scatter matrices of slot ``i`` merged with each of ``others``."""
        total = sizes[i] + sizes[others]
        gap = means[others] - means[i]
        weight = sizes[i] * sizes[others] / total
        joined = scatter[i] + scatter[others] + weight[:, None, None] * (
            gap[:, :, None] * gap[:, None, :]
        )
        centre = means[i] + gap * (sizes[others] / total)[:, None]
        return total, centre, joined

    def merge_costs(i: int, others: np.ndarray) -> np.ndarray:
        total, _, joined = merged(i, others)
        return _cluster_scores(total, joined, alpha, beta) - scores[i] - scores[others]

    if n_features >= 2:
        # Two rows have a flat scatter (rank one) of trace |x_i - x_j|^2 / 2.
        # Differences taken directly, so identical rows are exactly 0 apart (and tie).
        gaps = np.zeros((n_rows, n_rows))
        for i in range(n_rows - 1):
            difference = X[i + 1 :] - X[i]
            gaps[i, i + 1 :] = gaps[i + 1 :, i] = np.einsum("ij,ij->i", difference, difference)
        cost = 2.0 * np.log(beta * (0.5 * gaps + alpha) / 2.0) - 2.0 * scores[0]
        np.fill_diagonal(cost, np.inf)
    else:
        cost = np.full((n_rows, n_rows), np.inf)
        for i in range(n_rows - 1):
            others = np.arange(i + 1, n_rows)
            cost[i, others] = cost[others, i] = merge_costs(i, others)
    # Each slot's cheapest partner among the slots below it, ties to the highest.
    best = np.full(n_rows, np.inf)
    partner = np.zeros(n_rows, dtype=np.int64)

    def look_again(rows: np.ndarray, live: int) -> None:
        """Each of ``rows`` finds its cheapest partner below it again."""
        below = np.where(np.arange(live) < rows[:, None], cost[rows, :live], np.inf)
        partner[rows] = live - 1 - np.argmin(below[:, ::-1], axis=1)
        best[rows] = below[np.arange(rows.size), partner[rows]]

    def offer(rows: np.ndarray, i: int) -> None:
        """Slot ``i``'s new costs offered to the slots ``rows`` above it."""
        values = cost[rows, i]
        better = (values < best[rows]) | ((values == best[rows]) & (i > partner[rows]))
        partner[rows[better]] = i
        best[rows[better]] = values[better]

    look_again(np.arange(1, n_rows), n_rows)
    merges: list[tuple[int, int]] = []
    costs: list[float] = []
    live = n_rows
    while live > 1:
        lowest = best[1:live].min()
        b = 1 + int(np.flatnonzero(best[1:live] == lowest)[-1])
        a = int(partner[b])
        merges.append((int(heads[a]), int(heads[b])))
        costs.append(float(cost[a, b]))
        total, centre, joined = merged(a, np.array([b]))
        sizes[a], means[a], scatter[a] = total[0], centre[0], joined[0]
        scores[a] = _cluster_scores(total, joined, alpha, beta)[0]
        last = live - 1
        if b != last:
            heads[b], sizes[b], means[b], scatter[b], scores[b] = (
                heads[last], sizes[last], means[last], scatter[last], scores[last]
            )
            cost[b, :live] = cost[last, :live]
            cost[:live, b] = cost[:live, last]
            cost[b, b] = np.inf
        cost[last, :] = np.inf
        cost[:, last] = np.inf
        best[last] = np.inf
        live = last
        if live == 1:
            break
        others = np.concatenate([np.arange(a), np.arange(a + 1, live)])
        cost[a, others] = cost[others, a] = merge_costs(a, others)
        slots = np.arange(live)
        stale = (slots == a) | (slots == b) | (partner[:live] == a) | (partner[:live] == b)
        stale[0] = False
        if np.any(stale):
            look_again(np.flatnonzero(stale), live)
        fresh = ~stale
        offer(slots[(slots > a) & fresh], a)
        if b < live:
            offer(slots[(slots > b) & fresh], b)
    return Tree(n_rows, np.asarray(merges, dtype=np.int64).reshape(-1, 2), np.asarray(costs))


def hc_tree(X: np.ndarray) -> Tree:
    """The deterministic agglomeration of the rows of ``X`` (already those
    :func:`hc_rows` picks), as mclust's default: in :func:`svd_scores` coordinates, by
    the VVV criterion, or by Ward's with no more rows than columns."""
    scores = svd_scores(X)
    if X.shape[0] <= X.shape[1]:
        return ward_tree(scores)
    return vvv_tree(scores)
