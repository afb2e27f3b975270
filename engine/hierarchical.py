"""A deterministic start: hierarchical agglomeration of rows, as mclust's ``hc``.

Every row starts as its own cluster; the two clusters whose merging raises the
classification likelihood's cost least are merged, again and again. Under a
spherical Gaussian model with one variance (mclust's "EII" agglomeration)
that cost is Ward's: ``n_i n_j / (n_i + n_j) |c_i - c_j|^2``. The rows are first
whitened by their principal components (mclust's default ``hcUse = "SVD"``),
so the tree — and any partition cut from it — is the same whatever the units
of the columns, and there is nothing random in it.

The nearest-neighbour chain finds the same merges as the greedy rule, in
O(n^2) time and O(n) extra memory beyond the distances; on more than
:data:`HC_MAX_ROWS` rows it runs on that many evenly spaced rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The agglomeration runs on at most this many rows (evenly spaced through the data):
#: its cost grows as the square of the rows.
HC_MAX_ROWS = 2000


def hc_rows(n_samples: int) -> np.ndarray:
    """The rows the agglomeration uses: all of them, or :data:`HC_MAX_ROWS` evenly spaced."""
    if n_samples <= HC_MAX_ROWS:
        return np.arange(n_samples)
    return np.unique(np.linspace(0, n_samples - 1, HC_MAX_ROWS).round().astype(np.int64))


def whiten(X: np.ndarray) -> np.ndarray:
    """``X`` centred and rotated onto its principal components, each scaled to unit
    variance; directions without variance are dropped."""
    centred = X - X.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    keep = singular > singular.max() * X.shape[0] * np.finfo(np.float64).eps if singular.size else []
    if not np.any(keep):
        return np.zeros((X.shape[0], 1))
    scores = centred @ vt[keep].T
    return scores / (singular[keep] / np.sqrt(X.shape[0]))


@dataclass(frozen=True, eq=False)
class Tree:
    """The merges of an agglomeration, in the order of their cost.

    ``merges[i] = (a, b)`` joins the clusters holding rows ``a`` and ``b`` (any
    row of each); cutting the tree after ``n - K`` merges leaves K clusters.
    """

    n_rows: int
    merges: np.ndarray  # (n_rows - 1, 2) int64
    costs: np.ndarray  # (n_rows - 1,)

    def partition(self, n_clusters: int) -> np.ndarray:
        """Labels 0..K-1 of the rows cut into ``n_clusters`` clusters, numbered by
        their first row."""
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


def hc_tree(X: np.ndarray) -> Tree:
    """The deterministic agglomeration of the rows :func:`hc_rows` picks from ``X``,
    in whitened coordinates (whatever the units of the columns)."""
    return ward_tree(whiten(X))
