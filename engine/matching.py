"""Matching rows to columns at the least total cost: the Hungarian method, in NumPy alone.

Restarts match their components to the best start's (:mod:`engine.restarts`);
clusters are matched to known classes (:mod:`engine.agreement`). SciPy's
``linear_sum_assignment`` does the same, but SciPy is not a dependency.
"""

from __future__ import annotations

import numpy as np


def hungarian(cost: np.ndarray) -> np.ndarray:
    """Column assigned to each row of a square cost matrix, minimising the total.

    Parameters
    ----------
    cost : ndarray of shape (n, n)
        Finite costs.

    Returns
    -------
    ndarray of shape (n,)
        ``assignment[i]`` is the column of row ``i``; every column is used once.
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2 or cost.shape[0] != cost.shape[1]:
        raise ValueError(f"the cost matrix must be square, not of shape {cost.shape}")
    if not np.isfinite(cost).all():
        raise ValueError("the cost matrix must hold finite numbers only")
    n = cost.shape[0]
    # Shortest augmenting paths with potentials (Jonker-Volgenant style), 1-based.
    u = np.zeros(n + 1)
    v = np.zeros(n + 1)
    owner = np.zeros(n + 1, dtype=int)  # owner[j]: row assigned to column j
    way = np.zeros(n + 1, dtype=int)
    for row in range(1, n + 1):
        owner[0] = row
        col0 = 0
        minv = np.full(n + 1, np.inf)
        used = np.zeros(n + 1, dtype=bool)
        while True:
            used[col0] = True
            i0 = owner[col0]
            free = ~used[1:]
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            cols = np.flatnonzero(free) + 1
            better = reduced[cols - 1] < minv[cols]
            minv[cols[better]] = reduced[cols - 1][better]
            way[cols[better]] = col0
            col1 = cols[np.argmin(minv[cols])]
            delta = minv[col1]
            u[owner[used]] += delta
            v[used] -= delta
            minv[~used] -= delta
            col0 = col1
            if owner[col0] == 0:
                break
        while col0:
            col1 = way[col0]
            owner[col0] = owner[col1]
            col0 = col1
    assignment = np.empty(n, dtype=int)
    assignment[owner[1:] - 1] = np.arange(n)
    return assignment


def linear_assignment(cost: np.ndarray) -> np.ndarray:
    """Column assigned to each row of a rectangular cost matrix, minimising the total.

    With more rows than columns some rows get none; with more columns than
    rows some columns are left over.

    Parameters
    ----------
    cost : ndarray of shape (n_rows, n_cols)

    Returns
    -------
    ndarray of shape (n_rows,)
        The column of each row, or -1 for a row left without one.
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError(f"the cost matrix must be 2-D, not of shape {cost.shape}")
    n_rows, n_cols = cost.shape
    size = max(n_rows, n_cols)
    if size == 0:
        return np.empty(n_rows, dtype=int)
    # Padding with zeros: a row matched to a padding column goes without, at no cost.
    square = np.zeros((size, size))
    square[:n_rows, :n_cols] = cost
    assignment = hungarian(square)[:n_rows]
    return np.where(assignment < n_cols, assignment, -1)
