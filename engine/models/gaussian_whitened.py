"""The whitened pass of the Gaussian models: full or tied covariances with many columns.

One product gives every component's whitened residuals ``(z - m_k) P_k`` of a
chunk ``[z; 1]`` (:mod:`engine.models.gaussian_pass` lays chunks out and
chooses between this pass and the expanded one); their squares summed are the
Mahalanobis distances, and their responsibility-weighted outer products,
mapped back by each covariance's Cholesky factor, are the second moments about
the old means. k-means takes it too where its own pass would lose digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.estep import Normalised, responsibilities_in_place
from engine.models.base import Stats
from engine.models.gaussian_maths import ROUNDING_SLACK, peaks, shifted_stats
from engine.params import Params


@dataclass(frozen=True, eq=False)
class WhitenedPlan:
    """``projection @ [z; 1]`` stacks ``(z - m_k) P_k`` for every component over a
    last row of ones (the pass takes ``[z; 1]^T stacked``, the same residuals row by row); ``combine`` sums each block's squares times -1/2 and adds
    the peak log-density (:func:`~engine.models.gaussian_maths.peaks`) less the
    ceiling through that row."""

    projection: np.ndarray  # (K * D + 1, D + 1), the data's dtype
    stacked: np.ndarray  # (D + 1, K * D): the first K * D rows of projection, transposed
    combine: np.ndarray  # (K, K * D + 1), the data's dtype
    ceiling: float  # the largest peak, taken off the constants (see gaussian_maths.peaks)
    cov_chol: np.ndarray  # (K, D, D): lower Cholesky factors of the covariances
    offsets: np.ndarray  # (K, D)
    shift: np.ndarray  # (D,)
    diagonal: bool  # statistics of diagonal covariances: keep only the variances
    reach: np.ndarray  # (K,): squared whitened distance of each mean from the centre


def whitened_plan(
    params: Params, shift: np.ndarray, dtype: np.dtype, factors: np.ndarray, diagonal: bool
) -> WhitenedPlan:
    n_components, n_features = params.means.shape
    offsets = params.means - shift
    size = n_components * n_features
    projection = np.zeros((size + 1, n_features + 1))
    blocks = projection[:size].reshape(n_components, n_features, n_features + 1)
    blocks[:, :, :n_features] = factors.transpose(0, 2, 1)
    blocks[:, :, n_features] = -np.einsum("kji,kj->ki", factors, offsets)
    projection[size, n_features] = 1.0
    combine = np.zeros((n_components, size + 1))
    for k in range(n_components):
        combine[k, k * n_features : (k + 1) * n_features] = -0.5
    heights = peaks(params, factors)
    ceiling = float(heights.max())
    combine[:, size] = heights - ceiling
    # The precision factor P is the transposed inverse of the covariance's lower
    # Cholesky factor, so that factor is the transposed inverse of P (triangular, D x D).
    cov_chol = np.linalg.inv(factors).transpose(0, 2, 1)
    whitened_offsets = np.einsum("kij,ki->kj", factors, offsets)
    reach = np.einsum("kj,kj->k", whitened_offsets, whitened_offsets)
    return WhitenedPlan(
        projection.astype(dtype), np.ascontiguousarray(projection[:size].T, dtype=dtype),
        combine.astype(dtype), ceiling, cov_chol, offsets, shift, diagonal, reach,
    )


#: The projection and the squared distances go this many rows at a time, so that
#: the squares read the residuals while they are still in the core's cache (at
#: 1e6 x 50, K = 10 the residuals of a whole chunk of 1024 rows are 4 MB); the
#: product itself also runs faster on a few hundred rows (float64, one thread:
#: 46 GFLOP/s on 256 or 512 rows, 42 on 1024).
PROJECTION_ROWS = 256
#: A component's moments are taken over the rows it holds, not over all the chunk's
#: rows, while it holds at most this fraction of them: gathering its rows costs
#: about what multiplying them by the responsibilities does, so past half the
#: rows the plain product over all of them is as fast.
SPARSE_MOMENTS_FRACTION = 0.5


def whitened_chunk_pass(
    rows: np.ndarray, plan: WhitenedPlan, hard: bool, details: bool
) -> tuple[Normalised, Stats]:
    """One product gives every component's whitened residuals ``(z - m_k) P_k`` of the
    chunk, row by row, ``(n, K, D)``; their squares summed are the Mahalanobis
    distances (one product of the squares, all components at once, with -1/2s:
    component by component it took twice as long), and after the E-step their
    responsibility-weighted outer products are the moments (:func:`weighted_moments`).

    The residuals are laid out one row of the chunk after another because that
    is the layout in which OpenBLAS runs both products fastest: the projection
    ``[z; 1]^T (D + 1, K D)`` as one product (K products of D columns each ran
    20% slower), the moments as a symmetric product of a (rows, D) block with
    itself (SYRK, half the flops of a general product; 15% faster in float64 and
    30% in float32 than with the rows along the last axis).
    """
    n_rows = rows.shape[1]
    n_components, n_features = plan.offsets.shape
    size = n_components * n_features
    residuals = np.empty((n_rows, n_components, n_features), dtype=rows.dtype)
    flat = residuals.reshape(n_rows, size)
    half = np.full(n_features, -0.5, dtype=rows.dtype)
    squares = np.empty((min(n_rows, PROJECTION_ROWS), size), dtype=rows.dtype)
    distances = np.empty((n_components, n_rows), dtype=rows.dtype)  # -1/2 the squared ones
    for start in range(0, n_rows, PROJECTION_ROWS):
        block = slice(start, min(start + PROJECTION_ROWS, n_rows))
        count = block.stop - start
        np.matmul(rows[:, block].T, plan.stacked, out=flat[block])
        np.square(flat[block], out=squares[:count])
        summed = squares[:count].reshape(count * n_components, n_features) @ half
        distances[:, block] = summed.reshape(count, n_components).T
    constants = plan.combine[:, size]
    weighted = distances + constants[:, None]

    def recompute(columns: object) -> np.ndarray:
        picked = residuals[columns]
        return np.einsum("j,nkj->kn", half, np.square(picked)) + constants[:, None]

    normalised, resp = responsibilities_in_place(
        weighted, hard, details, plan.ceiling, recompute
    )
    sums = (resp @ rows.T).astype(np.float64, copy=False)
    moments = weighted_moments(residuals, resp, distances)
    return normalised, {"sums": sums, "moments": moments.astype(np.float64, copy=False)}


def weighted_moments(residuals: np.ndarray, resp: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """``sum_n r_nk w_nk w_nk^T`` for each component k, shape (K, D, D), in the
    residuals' dtype, from the whitened residuals ``w`` (n, K, D), the
    responsibilities ``r`` (K, n) and ``distances``, ``-|w|^2 / 2`` (K, n).

    Each moment is a symmetric product, ``(sqrt(r) w)^T (sqrt(r) w)``, which NumPy
    hands to BLAS's SYRK. A row adds at most ``r |w|^2`` to any entry of a
    component's moment; rows whose additions, all together, stay below the
    rounding of that moment's trace (``eps`` times the chunk's ``sum r |w|^2``)
    are left out. Where components are apart each row counts for one of them
    only, and the moments cost 1/K of the product over every row; where they
    overlap (more than :data:`SPARSE_MOMENTS_FRACTION` of the rows kept) the
    product runs over every row as before.
    """
    n_rows, n_components, n_features = residuals.shape
    dtype = residuals.dtype
    contribution = resp * distances  # -r |w|^2 / 2, each row's share of the trace
    traces = np.add.reduce(contribution, axis=1)
    # Rows adding less than eps * trace / n each add less than eps * trace together.
    bounds = traces * (np.finfo(dtype).eps / max(n_rows, 1))
    kept = contribution < bounds[:, None]
    moments = np.empty((n_components, n_features, n_features), dtype=dtype)
    root = np.sqrt(resp)
    buffer = np.empty((n_rows, n_features), dtype=dtype)
    for k in range(n_components):
        held = np.flatnonzero(kept[k])
        if held.size > SPARSE_MOMENTS_FRACTION * n_rows:
            block = np.multiply(residuals[:, k], root[k][:, None], out=buffer)
        else:
            # Indexing (5x faster here than np.take, which copies the strided slice first).
            block = residuals[held, k]
            block *= root[k, held][:, None]
        moments[k] = block.T @ block
    return moments


def whitened_stats(raw: Stats, plan: WhitenedPlan) -> Stats:
    """Whitened moments mapped back by each covariance's Cholesky factor."""
    sums, n_features = raw["sums"], plan.shift.shape[0]
    moments, nk = raw["moments"], sums[:, n_features]
    # A residual (z - m) P is computed as z P - m P, so rows at the mean leave
    # about eps |m P| of noise in it.
    eps = np.finfo(plan.projection.dtype).eps
    floor = ROUNDING_SLACK * n_features * nk * (eps**2) * np.maximum(plan.reach, 1.0)
    moments = np.where((np.trace(moments, axis1=1, axis2=2) <= floor)[:, None, None], 0.0, moments)
    sxx = plan.cov_chol @ moments @ plan.cov_chol.transpose(0, 2, 1)
    if plan.diagonal:
        sxx = np.diagonal(sxx, axis1=1, axis2=2).copy()
    return shifted_stats(sums[:, n_features], sums[:, :n_features], sxx, plan.shift)
