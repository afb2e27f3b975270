"""Gaussian mixtures on rows with missing values: the exact EM of Ghahramani and Jordan (1994).

For a row with observed columns O and missing columns M, and a component with
mean ``m`` and covariance ``S``:

* E-step: the row's density is the marginal of its observed values,
  ``N(x_O; m_O, S_OO)``; responsibilities and the log-likelihood are those of
  the observed data.
* M-step: for each component, the row's missing values are replaced by their
  conditional mean given the observed ones,
  ``x^_M = m_M + S_MO S_OO^-1 (x_O - m_O)``, and their conditional covariance
  ``C = S_MM - S_MO S_OO^-1 S_OM`` is added to the component's scatter (the term
  that "impute, then fit" leaves out). Each covariance structure
  (:mod:`engine.models.covariance`) estimates from these expected scatters as it
  does from complete ones, with the regularisation's pseudo-scatter added as
  before, so every structure, old or new, fits rows with gaps unchanged.

What depends on a pattern alone is computed once per pattern and component in a
pass (:mod:`engine.models.gaussian_patterns`), from one Cholesky factor ``L`` of the covariance
with the observed columns first: ``L_OO`` is the factor of ``S_OO`` (its inverse
gives the observed block's precision and, from its diagonal, the log-determinant),
``L_MO L_OO^-1 = S_MO S_OO^-1`` is the regression of the missing values on the
observed ones, and ``L_MM L_MM^T = C``. No covariance is inverted, and no
determinant is taken.

The pass works like the fused one (:mod:`engine.models.gaussian_pass`): under a
pattern's factors a row's log-density is linear in the features
``[z; 1; z_i z_j]`` of ``z = x - shift`` (zero where a value is missing), so the
rows of one pattern take one matrix product for the E-step and one more, with
their responsibilities, for the sums; the expected moments follow from those
sums, pattern by pattern. The patterns of the whole data set are listed once per
fit (:class:`engine.gaps.PatternTable`), so their factors are computed once per
pass and the chunks hand back their sums per pattern, which become expected
moments once per pass too; with more patterns than :data:`TABLE_VALUES` allows
(many columns), each chunk does both for its own patterns. Rows with gaps are
always computed in float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.estep import NonFiniteRow, finite_log_weights, responsibilities_in_place
from engine.gaps import PatternRows, PatternTable
from engine.models.base import CHUNK_VALUES, ChunkResult, PreparedChunk, Stats
from engine.models.gaussian_patterns import (
    Factors,
    expected_stats,
    features,
    full_covariances,
    log_densities,
    n_terms,
    own_sums,
    pattern_factors,
    pattern_sums,
)
from engine.params import Params

if TYPE_CHECKING:
    from engine.data import DataSource

#: A chunk of rows with gaps holds about this many feature values (32 MB): larger
#: than the complete pass's, as each chunk costs a product per pattern it holds.
GAP_CHUNK_VALUES = 16 * CHUNK_VALUES
#: The patterns of a data set are listed once per fit while they and their
#: features take at most this many values (all 1023 patterns of 10 columns do).
TABLE_VALUES = 2**18


def chunk_rows(n_components: int, n_features: int) -> int:
    """Rows per chunk of data with gaps: features, log-densities and responsibilities
    within :data:`GAP_CHUNK_VALUES`."""
    return GAP_CHUNK_VALUES // (n_terms(n_features) + 2 * n_components)


def centre(rows: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The shift of data with gaps: each column's median over the values ``rows`` hold,
    or the middle of its range (``low`` to ``high``) when they hold none."""
    middle = 0.5 * (low + high)
    out = np.empty(rows.shape[1])
    for j in range(rows.shape[1]):
        values = rows[:, j][~np.isnan(rows[:, j])]
        out[j] = np.median(values) if values.size else middle[j]
    return out


@dataclass(frozen=True, eq=False)
class GapDataPlan:
    """What every chunk's preparation needs: the shift, and the data's patterns (``None``
    when there are too many to list)."""

    shift: np.ndarray
    table: PatternTable | None


def data_plan(
    source: DataSource, centre_rows: np.ndarray, low: np.ndarray, high: np.ndarray
) -> GapDataPlan:
    """The shift (:func:`centre` of the rows ``centre_rows``) and every pattern of ``source``."""
    limit = TABLE_VALUES // n_terms(source.n_features)
    table = PatternTable.of(
        (block for _, block in source.blocks()), source.n_features, limit
    )
    return GapDataPlan(centre(source.take(centre_rows), low, high), table)


# --- the pass ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GapChunk:
    """A chunk of data with gaps as the pass reads it: its rows grouped by pattern,
    ``z = x - shift`` of the kept rows in that order (zero at gaps), (D, n_kept), and
    its patterns' positions in the data's table (``None`` without a table)."""

    rows: PatternRows
    z: np.ndarray
    index: np.ndarray | None


@dataclass(frozen=True, eq=False)
class GapPlan:
    """What a pass over data with gaps derives from the parameters, once."""

    covariances: np.ndarray  # (K, D, D)
    log_weights: np.ndarray  # (K,), finite
    means: np.ndarray  # (K, D)
    offsets: np.ndarray  # (K, D): means minus shift
    diagonal: bool  # statistics of diagonal covariances: keep only the variances
    empty_label: int  # the label of a row without values: the component of largest weight
    table: PatternTable | None
    factors: Factors | None  # of every pattern of the table


def prepare_chunk(rows: np.ndarray, plan: GapDataPlan) -> PreparedChunk:
    grouped = PatternRows.group(rows)
    index = None
    if plan.table is not None:
        index = np.array([plan.table.index[key] for key in grouped.keys], dtype=np.intp)
    return PreparedChunk(GapChunk(grouped, grouped.centred(rows, plan.shift), index), rows.shape[0])


def pass_plan(params: Params, data: GapDataPlan, storage: str, diagonal: bool) -> GapPlan:
    means = params.means
    n_components, n_features = means.shape
    covariances = full_covariances(params.covariances, storage, n_components, n_features)
    offsets = means - data.shift
    factors = None
    if data.table is not None:
        factors = pattern_factors(covariances, offsets, data.table.observed)
    return GapPlan(
        covariances, finite_log_weights(params.weights), means, offsets, diagonal,
        int(np.argmax(params.weights)), data.table, factors,
    )


def chunk_pass(chunk: GapChunk, plan: GapPlan, hard: bool, details: bool) -> ChunkResult:
    """E-step and sums of one chunk with gaps (rows without values left out): the sums
    per pattern of the table, or without one the chunk's expected statistics."""
    rows = chunk.rows
    if plan.factors is not None:
        coef = plan.factors.coef[chunk.index]
    else:
        factors = pattern_factors(plan.covariances, plan.offsets, rows.observed)
        coef = factors.coef
    terms = features(chunk.z)
    weighted = log_densities(rows, terms, coef)
    weighted += plan.log_weights[:, None]
    try:
        normalised, resp = responsibilities_in_place(weighted, hard, details)
    except NonFiniteRow as exc:
        raise NonFiniteRow(int(rows.order[exc.row])) from None
    if plan.factors is not None:
        sums = np.zeros((plan.table.n_patterns, *coef.shape[1:]))
        stats = {"pattern_sums": pattern_sums(rows, terms, resp, sums, chunk.index)}
    else:
        stats = expected_stats(
            own_sums(rows, terms, resp), factors, rows.observed, plan.means, plan.offsets,
            plan.diagonal,
        )
    labels = rows.labels(normalised.labels, plan.empty_label) if details else None
    return ChunkResult(
        normalised.log_likelihood, normalised.classification, normalised.entropy, stats, labels
    )


def pass_stats(sums: Stats, plan: GapPlan) -> Stats:
    """The expected statistics, from the sums per pattern when the chunks gave those."""
    if plan.factors is None:
        return sums
    return expected_stats(
        sums["pattern_sums"], plan.factors, plan.table.observed, plan.means, plan.offsets,
        plan.diagonal,
    )


# --- the plain maths on whole arrays -----------------------------------------------------


def _grouped(X: np.ndarray, params: Params, covariances: np.ndarray):
    """``X``'s rows grouped, their features about the mixture's mean, and their factors."""
    shift = params.weights @ params.means
    rows = PatternRows.group(X)
    factors = pattern_factors(covariances, params.means - shift, rows.observed)
    return rows, features(rows.centred(X, shift)), factors, shift


def log_prob(X: np.ndarray, params: Params, storage: str) -> np.ndarray:
    """Log-density of each row's observed values under each component, shape
    (n_samples, K); 0 (the density of nothing) for a row without values."""
    n_components, n_features = params.means.shape
    covariances = full_covariances(params.covariances, storage, n_components, n_features)
    rows, terms, factors, _ = _grouped(X, params, covariances)
    out = np.zeros((X.shape[0], n_components))
    out[rows.order] = log_densities(rows, terms, factors.coef).T
    return out


def suff_stats(
    X: np.ndarray,
    resp: np.ndarray,
    params: Params,
    storage: str,
    diagonal: bool,
    column_var: np.ndarray | None,
) -> Stats:
    """The expected statistics of rows ``X`` with responsibilities ``resp`` (n, K), as
    :func:`expected_stats` gives them; rows without values are left out.

    The missing values are filled in under ``params``; parameters without
    covariances (a start's seeds) take each column's variance ``column_var``,
    the columns independent, so a row's gaps are filled with the seed's values.
    """
    n_components, n_features = params.means.shape
    if params.covariances is not None:
        covariances = full_covariances(params.covariances, storage, n_components, n_features)
    else:
        covariances = np.broadcast_to(np.diag(column_var), (n_components, n_features, n_features))
    rows, terms, factors, shift = _grouped(X, params, covariances)
    sums = own_sums(rows, terms, np.ascontiguousarray(resp[rows.order].T))
    offsets = params.means - shift
    return expected_stats(sums, factors, rows.observed, params.means, offsets, diagonal)


def conditional_means(X: np.ndarray, params: Params, storage: str) -> np.ndarray:
    """Each row under each component with its missing values replaced by their
    conditional mean given its observed ones, shape (n_samples, K, n_features);
    observed values are kept as they are, and a row without values is each
    component's mean."""
    n_components, n_features = params.means.shape
    covariances = full_covariances(params.covariances, storage, n_components, n_features)
    rows, _, factors, shift = _grouped(X, params, covariances)
    out = np.repeat(X[:, None, :], n_components, axis=1)
    out[rows.empty] = params.means
    offsets = params.means - shift
    z = rows.centred(X, shift)
    for p, span in rows.spans:
        gaps = ~rows.observed[p]
        if not gaps.any():
            continue
        residuals = np.where(rows.observed[p], z[:, span].T[None] - offsets[:, None, :], 0.0)
        filled = params.means[:, None, :] + residuals @ np.swapaxes(factors.maps[p], -1, -2)
        block = out[rows.order[span]]
        block[:, :, gaps] = np.swapaxes(filled, 0, 1)[:, :, gaps]
        out[rows.order[span]] = block
    return out
