"""Mixtures of counts on rows with missing values: a missing entry is left out.

Within a component the columns of a Bernoulli, binomial or Poisson mixture are
independent, so the density of a row's observed values is the product over
those columns alone, and the M-step's estimate of a column's probability or
rate takes only the rows where that column has a value (``sum r x`` over
``sum r`` there, times the trials for a binomial). That is the exact EM for
values missing at random. (For a Gaussian with a full covariance, leaving
entries out of the sums would bias it; see :mod:`engine.models.gaussian_gaps`.)

The pass reads ``[x; o; 1]``: the row with its gaps set to 0, its indicators
``o`` of observed columns, and a one. A row's weighted log-density is linear in
them (``x @ A_k + o @ b_k + log w_k``, with the terms of the row alone, its
log-factorials, counted over its observed entries and set aside), so one matrix
product gives the E-step and one more every sum, among them ``nkd``: each
component's responsibility mass over the rows where a column has a value. Rows
with gaps are computed in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.estep import NonFiniteRow, finite_log_weights
from engine.models.base import ChunkResult, PreparedChunk, Stats
from engine.models.features import linear_chunk_pass


@dataclass(frozen=True, eq=False)
class CountGapChunk:
    """``[x; o; 1]`` of the rows that have a value, (2 D + 1, n_kept), and where they are."""

    values: np.ndarray
    kept: np.ndarray  # (n_kept,) positions in the chunk
    n_rows: int


@dataclass(frozen=True, eq=False)
class CountGapPlan:
    coef: np.ndarray  # (K, 2 D + 1)
    empty_label: int  # the label of a row without values: the component of largest weight


def zero_filled(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` with each missing value set to 0, and where values are observed."""
    observed = ~np.isnan(rows)
    return np.where(observed, rows, 0.0), observed


def prepare_chunk(
    rows: np.ndarray, row_constant: Callable[[np.ndarray], np.ndarray]
) -> PreparedChunk:
    """The chunk's ``[x; o; 1]`` and the sum of its rows' own terms (``row_constant`` of
    the zero-filled rows: a gap, as a count of 0, adds nothing to a log-factorial)."""
    filled, observed = zero_filled(rows)
    kept = np.flatnonzero(observed.any(axis=1))
    n_features = rows.shape[1]
    values = np.empty((2 * n_features + 1, kept.size))
    values[:n_features] = filled[kept].T
    values[n_features : 2 * n_features] = observed[kept].T
    values[-1] = 1.0
    constant = float(row_constant(filled[kept]).sum())
    return PreparedChunk(CountGapChunk(values, kept, rows.shape[0]), rows.shape[0], constant)


def coefficients(linear: np.ndarray, per_column: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``[A; b; log w]`` per component: a row's log-density is ``x @ A + o @ b`` (plus
    its own terms) under columns' terms ``linear`` and ``per_column`` (K, D)."""
    return np.column_stack([linear, per_column, finite_log_weights(weights)])


def pass_plan(linear: np.ndarray, per_column: np.ndarray, weights: np.ndarray) -> CountGapPlan:
    return CountGapPlan(coefficients(linear, per_column, weights), int(np.argmax(weights)))


def chunk_pass(chunk: CountGapChunk, plan: CountGapPlan, hard: bool, details: bool) -> ChunkResult:
    if chunk.kept.size == 0:
        labels = np.full(chunk.n_rows, plan.empty_label, dtype=np.int64) if details else None
        return ChunkResult(0.0, 0.0, 0.0, {"sums": np.zeros(plan.coef.shape)}, labels)
    try:
        normalised, sums = linear_chunk_pass(chunk.values, plan.coef, hard, details)
    except NonFiniteRow as exc:
        raise NonFiniteRow(int(chunk.kept[exc.row])) from None
    labels = None
    if details:
        labels = np.full(chunk.n_rows, plan.empty_label, dtype=np.int64)
        labels[chunk.kept] = normalised.labels
    return ChunkResult(
        normalised.log_likelihood, normalised.classification, normalised.entropy,
        {"sums": sums}, labels,
    )


def pass_stats(sums: Stats) -> Stats:
    """``nk``, ``sx`` (sums of the observed counts) and ``nkd`` from the summed ``[x; o; 1]``."""
    total = sums["sums"]
    n_features = (total.shape[1] - 1) // 2
    return {
        "nk": total[:, -1], "sx": total[:, :n_features], "nkd": total[:, n_features:-1]
    }


def log_prob(
    X: np.ndarray,
    linear: np.ndarray,
    per_column: np.ndarray,
    row_constant: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """Log-probability of each row's observed counts under each component, shape
    (n_samples, K); 0 for a row without values."""
    filled, observed = zero_filled(X)
    observed = observed.astype(np.float64)
    return filled @ linear.T + observed @ per_column.T + row_constant(filled)[:, None]


def suff_stats(X: np.ndarray, resp: np.ndarray) -> Stats:
    """``nk``, ``sx`` and ``nkd`` of rows ``X`` with responsibilities ``resp``; rows
    without values are left out."""
    filled, observed = zero_filled(X)
    resp = np.where(observed.any(axis=1)[:, None], resp, 0.0)
    observed = observed.astype(np.float64)
    return {"nk": resp.sum(axis=0), "sx": resp.T @ filled, "nkd": resp.T @ observed}


def impute(X: np.ndarray, column_means: np.ndarray) -> np.ndarray:
    """Rows ``X`` under each component with each gap replaced by the component's mean
    count in its column, ``column_means`` (K, D); shape (n_samples, K, D)."""
    missing = np.isnan(X)
    return np.where(missing[:, None, :], column_means[None], X[:, None, :])
