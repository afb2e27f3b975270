"""What the mixtures of counts share: columns independent given the component,
statistics that are masses and sums, and a log-density linear in the row.

The Bernoulli, binomial and Poisson models (one file each) build on
:class:`CountMixture`. Rows with missing values take the pass of
:mod:`engine.models.counts_gaps`, where a missing entry is left out.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.gaps import has_gaps
from engine.models import counts_gaps, features
from engine.models.base import (
    EMPTY_MASS,
    ChunkResult,
    MixtureModel,
    PreparedChunk,
    ScriptCode,
    Stats,
)
from engine.models.features import linear_chunk_pass
from engine.params import Params

if TYPE_CHECKING:
    from engine.data import ColumnSummary

# A probability or rate of exactly zero is a legitimate maximum-likelihood value
# (no row of a component has a success in that column). Its log is clipped to
# log(tiny) so that 0 * log(0) in a matrix product gives 0, not NaN; a row that
# contradicts such a component gets a log-density below -700 instead of -inf.
LOG_TINY = float(np.log(np.finfo(np.float64).tiny))
def clipped_log(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(values), LOG_TINY)


def clipped_log1m(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.maximum(np.log1p(-values), LOG_TINY)


def log_factorial(counts: np.ndarray) -> np.ndarray:
    """``log(counts!)`` elementwise, for non-negative integer ``counts``."""
    counts = np.asarray(counts)
    if counts.size == 0:
        return np.zeros(counts.shape)
    top = int(counts.max())
    if top <= 1_000_000:
        table = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, top + 1)))))
        return table[counts.astype(np.int64)]
    values, inverse = np.unique(counts, return_inverse=True)
    logs = np.array([math.lgamma(v + 1.0) for v in values])
    return logs[inverse].reshape(counts.shape)


def check_counts(
    X: np.ndarray, first_row: int, feature_names: Sequence[str], what: str
) -> None:
    """Refuse the first value of ``X`` that is not a non-negative whole number."""
    # A missing value (NaN) is no count, and no bad one either.
    bad = ((X < 0) | (X != np.round(X))) & ~np.isnan(X)
    if np.any(bad):
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"the {what} model needs non-negative whole-number counts, but column "
            f"{feature_names[col]!r} has {X[row, col]:g} in row {first_row + row + 1}; choose a "
            "Gaussian model for measurements"
        )


#: What the scripts of the count models share (emio.snippet): the same clipped log and
#: log-factorials as above, and the refusal of rows that are not counts.
SCRIPT_HELPERS = '''\
# A probability or rate of exactly zero is a legitimate estimate; its log is clipped
# so that 0 * log(0) gives 0, as in EM Studio.
LOG_TINY = float(np.log(np.finfo(np.float64).tiny))


def clipped_log(values):
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(values), LOG_TINY)


def check_counts(X):
    if np.any(X < 0) or np.any(X != np.round(X)):
        sys.exit("error: this model needs non-negative whole-number counts")


def log_factorial(counts):
    """log(counts!) elementwise, for non-negative whole-number counts."""
    counts = np.asarray(counts)
    if counts.size == 0:
        return np.zeros(counts.shape)
    top = int(counts.max())
    if top <= 1_000_000:
        table = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, top + 1)))))
        return table[counts.astype(np.int64)]
    return np.vectorize(lambda v: math.lgamma(v + 1.0))(counts)
'''


def script(log_prob_source: str, **fields: object) -> ScriptCode:
    """A count model's script: :data:`SCRIPT_HELPERS`, then its ``log_prob``."""
    return ScriptCode(f"{SCRIPT_HELPERS}\n\n{log_prob_source}", imports=("math",), **fields)


class CountMixture(MixtureModel):
    """Shared M-step for mixtures whose statistics are masses and sums."""

    data_kind = "counts"
    views = ("discrete",)
    handles_missing = True
    #: The name of the per-component parameter array (probs or rates).
    param: str = ""
    #: Whether the data adapted to have missing values (the pass of
    #: :mod:`engine.models.counts_gaps`).
    with_gaps: bool = False

    def adapt(self, summary: ColumnSummary, reg_covar: float) -> CountMixture:
        model = type(self).__new__(type(self))
        model.__dict__.update(self.__dict__)
        model.with_gaps = summary.has_gaps
        return model

    def suff_stats(self, X: np.ndarray, resp: np.ndarray, params: Params) -> Stats:
        if has_gaps(X):
            return counts_gaps.suff_stats(X, resp)
        return {"nk": resp.sum(axis=0), "sx": resp.T @ X}

    def _column_terms(self, params: Params) -> tuple[np.ndarray, np.ndarray]:
        """``(A, b)``, each (K, D): a row's log-density is ``sum_d x_d A_kd + b_kd`` over its
        observed columns, plus its own terms (:meth:`_row_constant`)."""
        raise NotImplementedError

    def _column_means(self, params: Params) -> np.ndarray:
        """Each component's expected count in each column, shape (K, D)."""
        raise NotImplementedError

    def _gap_log_prob(self, X: np.ndarray, params: Params) -> np.ndarray:
        """:meth:`log_prob` of rows with gaps: their observed entries alone."""
        return counts_gaps.log_prob(X, *self._column_terms(params), self._row_constant)

    def impute_components(self, X: np.ndarray, params: Params) -> np.ndarray:
        """Each gap filled with the component's expected count in its column (the
        columns are independent within a component, so the observed ones say nothing
        more about it)."""
        return counts_gaps.impute(X, self._column_means(params))

    # The fused pass: log-densities are linear in [x; 1] once the terms that
    # depend on the row alone (log-factorials) are set aside, summed once per fit.

    def _row_constant(self, X: np.ndarray) -> np.ndarray:
        """The terms of each row's log-density that no parameter touches, shape (n_samples,)."""
        raise NotImplementedError

    def _coefficients(self, params: Params) -> np.ndarray:
        """``coef`` with ``coef @ [x; 1]`` the weighted log-density less the row constant."""
        raise NotImplementedError

    def chunk_rows(self, n_components: int, n_features: int, itemsize: int = 8) -> int:
        if self.with_gaps:
            return features.chunk_rows(2 * n_features + 1, n_components)
        return features.chunk_rows(n_features + 1, n_components, itemsize)

    def prepare_chunk(self, rows: np.ndarray, data_plan: Any, dtype: np.dtype) -> PreparedChunk:
        """``[x; 1]``, shape (n_features + 1, n_rows), with the rows' log-factorial terms."""
        if self.with_gaps:
            return counts_gaps.prepare_chunk(rows, self._row_constant)
        values = np.empty((rows.shape[1] + 1, rows.shape[0]), dtype=dtype)
        values[:-1] = rows.T
        values[-1] = 1.0
        return PreparedChunk(values, rows.shape[0], float(self._row_constant(rows).sum()))

    def pass_plan(
        self, params: Params, data_plan: Any, dtype: np.dtype
    ) -> tuple[np.ndarray, np.ndarray | None] | counts_gaps.CountGapPlan:
        if self.with_gaps:
            return counts_gaps.pass_plan(*self._column_terms(params), params.weights)
        exact = self._coefficients(params)
        rounded = exact.astype(dtype)
        return rounded, None if rounded.dtype == exact.dtype else rounded - exact

    def chunk_pass(self, chunk: np.ndarray, plan: Any, hard: bool, details: bool) -> ChunkResult:
        if self.with_gaps:
            return counts_gaps.chunk_pass(chunk, plan, hard, details)
        coef, coef_error = plan
        normalised, sums = linear_chunk_pass(chunk, coef, hard, details, coef_error=coef_error)
        return ChunkResult(
            normalised.log_likelihood, normalised.classification, normalised.entropy,
            {"sums": sums}, normalised.labels if details else None,
        )

    def pass_stats(self, sums: Stats, plan: object) -> Stats:
        if self.with_gaps:
            return counts_gaps.pass_stats(sums)
        return {"nk": sums["sums"][:, -1], "sx": sums["sums"][:, :-1]}

    def _estimate(self, sx: np.ndarray, nk: np.ndarray) -> np.ndarray:
        """The parameter from the sums ``sx`` (K, D) and the responsibility masses they
        were taken over: ``nk`` (K,), or with gaps one per column (K, D)."""
        raise NotImplementedError

    def m_step(
        self, stats: Stats, params: Params, fixed: Collection[str], n_samples: int
    ) -> Params:
        nk = stats["nk"] + EMPTY_MASS
        weights = params.weights if "weights" in fixed else nk / nk.sum()
        if self.param in fixed:
            value = params[self.param]
        else:
            # With gaps, a column's sums are over the rows where it has a value.
            mass = stats["nkd"] + EMPTY_MASS if "nkd" in stats else nk
            value = self._estimate(stats["sx"], mass)
        return Params(weights, **{self.param: value})

    def smooth_initial(self, params: Params, overall: Stats) -> Params:
        # A hard initial partition often gives probabilities or rates of exactly
        # zero, which EM can never move away from; start halfway to the overall value.
        mass = overall["nkd"] if "nkd" in overall else overall["nk"]
        value = 0.5 * params[self.param] + 0.5 * self._estimate(overall["sx"], mass)
        return params.replace(**{self.param: value})


def column_mass(nk: np.ndarray) -> np.ndarray:
    """Responsibility masses as one per column: ``nk`` (K,) as (K, 1), or (K, D) as it is."""
    return nk[:, None] if nk.ndim == 1 else nk


