"""The chunk pass of k-means: one shared spherical variance, so one squared norm per row.

A spherical Gaussian's log-density is linear in ``[z; 1; |z|^2]`` (``z = x -
shift``): ``-|z - m|^2 / (2 s) = (z.m - |m|^2 / 2 - |z|^2 / 2) / s``. The chunk
is prepared once per fit in that layout, ``(n_features + 2, n_rows)``, so a
pass is one product for every distance (``D + 2`` terms, where the diagonal
Gaussian's features take ``2 D + 1`` and are built again each pass), the most
probable component (under the hard E-step, the nearest mean), and one product
of the responsibilities with the same rows for every statistic the M-step
needs: the mass, the sums of ``z`` and of ``|z|^2`` per component. The
moments about the old means come out summed over the columns, shape (K,),
which is all k-means' one variance and its inertia use.

In single precision, where the expanded form would lose digits (components
far from the data's centre in their own standard deviations), the Gaussian's
whitened pass runs on the ``[z; 1]`` rows instead (its moments have shape
(K, D); :class:`~engine.models.kmeans.KMeansModel` takes both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.estep import responsibilities_in_place
from engine.models import features, gaussian_maths, gaussian_pass
from engine.models.base import ChunkResult, PreparedChunk, Stats
from engine.models.features import MANY_TERMS, linear_chunk_pass, pieced_product
from engine.params import Params


#: A chunk's K x n scores are kept to about this many values (640 KB in float64),
#: rows to at most :data:`engine.models.features.MAX_CHUNK_ROWS`: a pass reads
#: the scores several times, and with 16384 rows of 1e6 x 10, K = 10 they no
#: longer stayed in the core's cache (a pass 25-35% slower than with 8192 rows
#: on one thread), while few components gain from the longest chunks.
SCORE_VALUES = 81_920


#: With many columns, the product of the responsibilities with the rows is taken
#: about this many responsibilities (K x rows) at a time. OpenBLAS multiplies K = 10
#: rows by a thousand columns three times faster than by 2048 or more (1e6 x 50,
#: K = 10: 222 against 666 us a chunk of 8192 rows, one thread); with K = 3 pieces
#: of 4096 rows are as fast as any.
SUM_VALUES = 12_288


def sum_rows(n_components: int, n_terms: int, n_rows: int) -> int:
    """Rows per piece of the statistics' product: all of them with few terms."""
    if n_terms < MANY_TERMS:
        return n_rows
    return max(256, SUM_VALUES // n_components // 256 * 256)


def chunk_rows(n_components: int, n_features: int, itemsize: int = 8) -> int:
    fitting = max(1024, SCORE_VALUES // n_components)
    return min(fitting, features.chunk_rows(n_features + 2, n_components, itemsize))


def prepare_chunk(rows: np.ndarray, shift: np.ndarray, dtype: np.dtype) -> PreparedChunk:
    """``[x - shift; 1; |x - shift|^2]``, shape (n_features + 2, n_rows), in ``dtype``;
    the squared norms are summed in float64."""
    n_rows, n_features = rows.shape
    values = np.empty((n_features + 2, n_rows), dtype=dtype)
    centred = rows - shift
    values[:n_features] = centred.T
    values[n_features] = 1.0
    values[n_features + 1] = np.einsum("ij,ij->i", centred, centred)
    return PreparedChunk(values, n_rows)


@dataclass(frozen=True, eq=False)
class NormsPlan:
    """``coef @ [z; 1; |z|^2] + ceiling`` is each component's weighted log-density."""

    coef: np.ndarray  # (K, D + 2), the data's dtype
    coef_error: np.ndarray | None  # coef less the float64 coefficients, when they differ
    ceiling: float
    offsets: np.ndarray  # (K, D): means minus shift
    shift: np.ndarray  # (D,)


def pass_plan(
    params: Params, shift: np.ndarray, dtype: np.dtype, extent: np.ndarray | None
) -> NormsPlan | gaussian_pass.WhitenedPlan:
    """The pass for k-means ``params``: the norms, unless the spherical Gaussian's own
    choice (:func:`engine.models.gaussian_pass.pass_plan`) is the whitened pass."""
    chosen = gaussian_pass.pass_plan(params, shift, dtype, "spherical", extent)
    if isinstance(chosen, gaussian_pass.WhitenedPlan):
        return chosen
    n_components, n_features = params.means.shape
    offsets = params.means - shift
    precision = np.square(params.precisions_chol)  # (K,), one per component
    factors = params.precisions_chol[:, None, None] * np.eye(n_features)
    peaks = gaussian_maths.peaks(params, factors)
    ceiling = float(peaks.max())
    coef = np.empty((n_components, n_features + 2))
    coef[:, :n_features] = precision[:, None] * offsets
    coef[:, n_features] = (
        peaks - ceiling - 0.5 * precision * np.einsum("ki,ki->k", offsets, offsets)
    )
    coef[:, n_features + 1] = -0.5 * precision
    rounded = coef.astype(dtype)
    error = None if rounded.dtype == coef.dtype else rounded - coef
    return NormsPlan(rounded, error, ceiling, offsets, shift)


def chunk_pass(
    rows: np.ndarray, plan: NormsPlan | gaussian_pass.WhitenedPlan, hard: bool, details: bool
) -> ChunkResult:
    if isinstance(plan, gaussian_pass.WhitenedPlan):
        return gaussian_pass.chunk_pass(rows[:-1], plan, hard, details)
    if plan.coef_error is not None:
        normalised, sums = linear_chunk_pass(
            rows, plan.coef, hard, details, plan.ceiling, plan.coef_error
        )
    else:
        normalised, resp = responsibilities_in_place(
            pieced_product(plan.coef, rows), hard, details, plan.ceiling,
            lambda columns: plan.coef @ rows[:, columns],
        )
        sums = _weighted_sums(resp, rows)
    return ChunkResult(
        normalised.log_likelihood, normalised.classification, normalised.entropy,
        {"sums": sums}, normalised.labels if details else None,
    )


def _weighted_sums(resp: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``resp @ rows.T`` (K, D + 2) in pieces of :func:`sum_rows` rows (float64)."""
    n_components, n_rows = resp.shape
    step = sum_rows(n_components, rows.shape[0], n_rows)
    total = resp[:, :step] @ rows[:, :step].T
    for start in range(step, n_rows, step):
        piece = slice(start, start + step)
        total += resp[:, piece] @ rows[:, piece].T
    return total


def pass_stats(raw: Stats, plan: NormsPlan | gaussian_pass.WhitenedPlan) -> Stats:
    """Mass, sums and the moments about the old means summed over the columns (K,)."""
    if isinstance(plan, gaussian_pass.WhitenedPlan):
        return gaussian_pass.pass_stats(raw, plan)
    sums = raw["sums"]
    n_features = plan.shift.shape[0]
    sz, nk, squares = sums[:, :n_features], sums[:, n_features], sums[:, n_features + 1]
    m = plan.offsets
    eps = np.finfo(plan.coef.dtype).eps
    sxx = squares - 2.0 * np.einsum("ki,ki->k", m, sz) + nk * np.einsum("ki,ki->k", m, m)
    # Less than the rounding of the sums it came from: rows on the mean itself.
    sxx[sxx <= gaussian_maths.ROUNDING_SLACK * eps * squares] = 0.0
    return {"nk": nk, "sx": sz + nk[:, None] * plan.shift, "sxx": sxx}
