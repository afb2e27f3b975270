"""The fused chunk pass of the Gaussian models (and of k-means).

Passes read the data centred on its column medians, one column of the data per
row of the array, with a row of ones below: ``[z; 1]``, shape
``(n_features + 1, n_samples)``, ``z = x - shift``. Densities do not change
under a shift, float32 keeps its digits for data far from the origin, and the
row of ones folds every constant into the matrix products.

This module lays chunks out, holds the first of two ways to get every
component's log-density of a chunk, and chooses between them (:func:`pass_plan`):

* features (diagonal and spherical covariances, and full or tied ones with
  few columns): the log-density is linear in ``[z; 1; z_i z_j]`` (squares only
  for diagonal covariances), so one product with a (K, terms) matrix gives all
  of them, and one product of the responsibilities with the same terms gives
  all the statistics (:mod:`engine.models.features`). Expanding the quadratic
  form about the shift costs about ``eps * s**2`` of a log-density, ``s``
  being how many standard deviations a component's mean lies from the data's
  centre: nothing in float64 on ordinary data (a component near singular costs
  more: :func:`round_off`); in float32 the whitened way is used when it would
  matter (:data:`FEATURES_MAX_ERROR`).
* whitened (full or tied with many columns; :mod:`engine.models.gaussian_whitened`):
  one product stacks the whitened residuals ``(z - m_k) P_k`` of every
  component; their squares summed per component are the Mahalanobis
  distances, and their responsibility-weighted outer products, mapped back by
  each covariance's Cholesky factor, are the second moments about the old means.

Either way the constants are taken relative to the pass's ceiling, the largest
log-weight plus log-density at a mean, which no row can exceed
(:func:`engine.estep.normalise_under_ceiling`); and second moments smaller than
the rounding of the sums they come from are set to exactly zero, as the plain
pass would find them for a component sitting on identical rows. Both return
the statistics of :meth:`engine.models.gaussian.GaussianModel.suff_stats`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.estep import Normalised
from engine.models import features
from engine.models.base import CHUNK_VALUES, ChunkResult, PreparedChunk, Stats
from engine.models.features import linear_chunk_pass
from engine.models.gaussian_maths import ROUNDING_SLACK, full_factors, peaks, shifted_stats
from engine.models.gaussian_whitened import (
    WhitenedPlan,
    whitened_chunk_pass,
    whitened_plan,
    whitened_stats,
)
from engine.params import Params

#: Full and tied covariances use features up to this many columns: beyond it
#: the D(D+1)/2 products cost more than the whitened residuals.
FEATURES_MAX_COLUMNS = 12
#: Features are used while eps * s**2 stays below this (s: the largest distance
#: of a component's mean from the data's centre, in its standard deviations):
#: in float32, s up to about 130. Each row's log-density then carries up to
#: this much rounding, but it is unbiased once the coefficients' own rounding is
#: taken off (see ``coef_error``); measured float32 log-likelihoods stay within
#: 1e-6 of float64 up to this limit and drift past 1e-5 well beyond it.
FEATURES_MAX_ERROR = 2e-3
#: Rows the centre of the data is taken from.
_CENTRE_ROWS = 10_000
_EPS = {np.dtype(np.float64): np.finfo(np.float64).eps, np.dtype(np.float32): np.finfo(np.float32).eps}
#: Whether a covariance storage's log-density has squares only (no cross products).
_SQUARE_TERMS = {"diag": True, "spherical": True, "full": False, "tied": False}


@lru_cache(maxsize=64)
def _upper_triangle(n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(n_features)``, computed once per width (every pass needs it)."""
    rows, cols = np.triu_indices(n_features)
    rows.setflags(write=False)
    cols.setflags(write=False)
    return rows, cols


@lru_cache(maxsize=64)
def _product_weights(n_features: int) -> np.ndarray:
    """Minus each upper-triangle product's weight in the quadratic form, 1/2 on the
    diagonal and 1 off it (off-diagonal products appear twice), once per width."""
    rows, cols = _upper_triangle(n_features)
    weights = -np.where(rows == cols, 0.5, 1.0)
    weights.setflags(write=False)
    return weights


def _uses_features(storage: str, n_features: int) -> bool:
    return _SQUARE_TERMS[storage] or n_features <= FEATURES_MAX_COLUMNS


def chunk_rows(storage: str, n_components: int, n_features: int, itemsize: int = 8) -> int:
    """Rows per chunk: for features as :func:`engine.models.features.chunk_rows`; for
    whitened residuals (and their squares) about ``CHUNK_VALUES`` temporaries."""
    if not _uses_features(storage, n_features):
        return CHUNK_VALUES // (2 * n_components * n_features + 3 * n_components)
    if _SQUARE_TERMS[storage]:
        terms = 2 * n_features + 1
    else:
        terms = n_features + 1 + n_features * (n_features + 1) // 2
    return features.chunk_rows(terms, n_components, itemsize)


def centre_rows(n_samples: int) -> np.ndarray:
    """Which rows the centre of the data is taken from: at most :data:`_CENTRE_ROWS`,
    evenly spaced."""
    return np.arange(0, n_samples, max(1, n_samples // _CENTRE_ROWS))


def centre(rows: np.ndarray) -> np.ndarray:
    """A centre of the data that outliers cannot drag away from the bulk of it: the
    median of each column of the rows :func:`centre_rows` picks."""
    return np.median(rows, axis=0)


def prepare_chunk(rows: np.ndarray, shift: np.ndarray, dtype: np.dtype) -> PreparedChunk:
    """``[x - shift; 1]`` of a chunk, shape (n_features + 1, n_rows), in ``dtype``."""
    n_rows, n_features = rows.shape
    values = np.empty((n_features + 1, n_rows), dtype=dtype)
    np.subtract(rows.T, shift[:, None], out=values[:n_features], casting="same_kind")
    values[n_features] = 1.0
    return PreparedChunk(values, n_rows)


# --- features ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FeaturesPlan:
    """``coef @ [z; 1; second-order terms] + ceiling`` is each component's weighted
    log-density."""

    coef: np.ndarray  # (K, terms), the data's dtype; gives the log-densities minus ceiling
    coef_error: np.ndarray | None  # coef less the float64 coefficients, when they differ
    ceiling: float  # the largest peak (see gaussian_maths.peaks)
    offsets: np.ndarray  # (K, D): means minus shift
    shift: np.ndarray  # (D,)
    products: bool  # second-order terms: all products z_i z_j (i <= j), else squares


def features_plan(
    params: Params, shift: np.ndarray, dtype: np.dtype, factors: np.ndarray, products: bool
) -> FeaturesPlan:
    n_components, n_features = params.means.shape
    offsets = params.means - shift
    precisions = factors @ factors.transpose(0, 2, 1)
    linear = np.einsum("kij,kj->ki", precisions, offsets)
    if products:
        rows, cols = _upper_triangle(n_features)
        second = _product_weights(n_features) * precisions[:, rows, cols]
    else:
        second = -0.5 * np.diagonal(precisions, axis1=1, axis2=2)
    heights = peaks(params, factors)
    ceiling = float(heights.max())
    coef = np.empty((n_components, n_features + 1 + second.shape[1]))
    coef[:, :n_features] = linear
    coef[:, n_features] = heights - ceiling - 0.5 * np.einsum("ki,ki->k", linear, offsets)
    coef[:, n_features + 1 :] = second
    rounded = coef.astype(dtype, copy=False)
    error = None if rounded is coef else rounded - coef
    return FeaturesPlan(rounded, error, ceiling, offsets, shift, products)


def _features(rows: np.ndarray, plan: FeaturesPlan) -> np.ndarray:
    """``[z; 1; second-order terms]`` of a chunk ``[z; 1]``, shape (terms, n_rows)."""
    width, n_rows = rows.shape
    n_features = width - 1
    features = np.empty((plan.coef.shape[1], n_rows), dtype=rows.dtype)
    features[:width] = rows
    z = rows[:n_features]
    if not plan.products:
        np.square(z, out=features[width:])
        return features
    start = width
    for i in range(n_features):
        stop = start + n_features - i
        np.multiply(z[i], z[i:], out=features[start:stop])
        start = stop
    return features


def features_chunk_pass(
    rows: np.ndarray, plan: FeaturesPlan, hard: bool, details: bool
) -> tuple[Normalised, Stats]:
    normalised, sums = linear_chunk_pass(
        _features(rows, plan), plan.coef, hard, details, plan.ceiling, plan.coef_error
    )
    return normalised, {"sums": sums}


def _zero_rounding_noise(sxx: np.ndarray, szz: np.ndarray, slack: float) -> None:
    """Set to zero, in place, each second moment about the old means (K, D, D) that is
    no larger than the rounding of the raw sums ``szz`` it came from.

    Each entry is judged against its own columns' sums: a column of a million in
    the same component as a column of one leaves rounding of about eps * 1e12 in
    its own moments, none in the other column's. A column whose variance is
    noise gets a zero row and column, so the matrix stays positive semi-definite.
    """
    scale = np.sqrt(np.abs(szz.diagonal(0, 1, 2)))
    floor = slack * scale[:, :, None] * scale[:, None, :]
    sxx[np.abs(sxx) <= floor] = 0.0
    flat = sxx.diagonal(0, 1, 2) <= 0.0
    if flat.any():
        sxx[flat[:, :, None] | flat[:, None, :]] = 0.0


def features_stats(raw: Stats, plan: FeaturesPlan) -> Stats:
    """Moments about the old means from responsibility-weighted sums of the features."""
    sums = raw["sums"]
    n_features = plan.shift.shape[0]
    sz, nk = sums[:, :n_features], sums[:, n_features]
    second = sums[:, n_features + 1 :]
    m = plan.offsets
    eps = _EPS[plan.coef.dtype]
    if plan.products:
        upper, lower = _upper_triangle(n_features)
        szz = np.empty((m.shape[0], n_features, n_features))
        szz[:, upper, lower] = second
        szz[:, lower, upper] = second
        cross = m[:, :, None] * sz[:, None, :]
        outer = m[:, :, None] * m[:, None, :]
        sxx = szz - cross - cross.transpose(0, 2, 1) + nk[:, None, None] * outer
        _zero_rounding_noise(sxx, szz, ROUNDING_SLACK * eps)
    else:
        sxx = second - 2.0 * m * sz + nk[:, None] * m**2
        sxx[sxx <= ROUNDING_SLACK * eps * second] = 0.0
    return shifted_stats(nk, sz, sxx, plan.shift)


# --- choosing ---------------------------------------------------------------------------

def pass_plan(
    params: Params,
    shift: np.ndarray,
    dtype: np.dtype,
    storage: str,
    extent: np.ndarray | None = None,
) -> FeaturesPlan | WhitenedPlan:
    """The pass for ``params`` on data centred on ``shift`` and held in ``dtype``.

    ``extent`` (n_features,) bounds how far any row lies from ``shift`` in each
    column; with it, in float64, a component whose spread is tiny against the
    data's (a covariance near singular) takes the whitened pass, which loses far
    fewer digits there than the expanded quadratic form.
    """
    factors, lost = _expansion_loss(params, shift, dtype, storage, extent)
    if _uses_features(storage, factors.shape[-1]) and lost <= FEATURES_MAX_ERROR:
        return features_plan(params, shift, dtype, factors, products=not _SQUARE_TERMS[storage])
    return whitened_plan(params, shift, dtype, factors, _SQUARE_TERMS[storage])


def _expansion_loss(
    params: Params, shift: np.ndarray, dtype: np.dtype, storage: str, extent: np.ndarray | None
) -> tuple[np.ndarray, float]:
    """The precision factors as the passes take them, and how much of a row's
    log-density the expanded quadratic form can lose under ``params``: ``eps s**2``."""
    factors = params.precisions_chol if storage == "full" else full_factors(params, storage)
    if extent is None or np.dtype(dtype) != np.float64:
        # How many of its standard deviations each mean lies from the data's centre.
        # In float32 the rows' extent (below) is not used: there the bound is 2**29
        # times tighter and took the whitened pass (three times the flops at D = 10)
        # on ordinary data whenever one component was thin against the data's
        # range, making float32 fits 1.1 to 3.7 times slower than float64 (full,
        # 1e5 x 10, K = 3 and 10). What a row far from a component loses there is
        # eps * s**2 of a log-density near -s**2 / 2, whose responsibility is nil
        # unless every component is as far.
        spread = np.einsum("kij,ki->kj", factors, params.means - shift)
    else:
        # How many any row may: |z P| <= sum_i extent_i |P_ij| in each direction j (a
        # mean, an average of rows, lies within the same bound).
        spread = extent @ np.abs(factors)
    largest = float(np.einsum("kj,kj->k", spread, spread).max())
    return factors, _EPS[np.dtype(dtype)] * largest


def round_off(
    params: Params, storage: str, rounding: np.ndarray, extent_memo: tuple | None, n_samples: int
) -> float:
    """How much the objective can move under ``params`` from rounding alone.

    Every parameter is held to eps of its size, so a mean is only known to
    ``eps |m|``, which costs each row up to ``rounding`` (that in the component's
    standard deviations, per component) squared. And the features pass, when it is
    the one ``params`` take, loses up to ``eps s**2`` of each row's log-density: 1e-16
    on ordinary data, but up to :data:`FEATURES_MAX_ERROR` under a component near
    singular (on rows of one value, held up by a small ``reg_covar``), where a fall of
    1e-4 between two passes over the same optimum is that rounding. ``extent_memo``
    is the pass's centre and how far the rows lie from it (``None`` before a pass).
    """
    n_features = params.means.shape[1]
    total = 4.0 * n_samples * n_features * float(rounding.max()) ** 2
    if extent_memo is not None:
        shift, extent = extent_memo
        _, lost = _expansion_loss(params, shift, np.dtype(np.float64), storage, extent)
        if _uses_features(storage, n_features) and lost <= FEATURES_MAX_ERROR:
            total += n_samples * lost
    return total


_CHUNK_PASSES = {FeaturesPlan: features_chunk_pass, WhitenedPlan: whitened_chunk_pass}
_PASS_STATS = {FeaturesPlan: features_stats, WhitenedPlan: whitened_stats}


def chunk_pass(
    rows: np.ndarray, plan: FeaturesPlan | WhitenedPlan, hard: bool, details: bool
) -> ChunkResult:
    normalised, sums = _CHUNK_PASSES[type(plan)](rows, plan, hard, details)
    return ChunkResult(
        normalised.log_likelihood, normalised.classification, normalised.entropy, sums,
        normalised.labels if details else None,
    )


def pass_stats(sums: Stats, plan: FeaturesPlan | WhitenedPlan) -> Stats:
    return _PASS_STATS[type(plan)](sums, plan)
