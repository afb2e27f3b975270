"""Mixtures for counts: Bernoulli, binomial and Poisson components.

Every column is independent given the component. A Bernoulli mixture is the
binomial mixture with one trial per column; the three-coin model is a Bernoulli
mixture of one column.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

from engine.estep import finite_log_weights
from engine.models.base import EMPTY_MASS, ChunkResult, MixtureModel, Stats, WorkingData
from engine.models import features
from engine.models.features import linear_chunk_pass
from engine.params import Params

# A probability or rate of exactly zero is a legitimate maximum-likelihood value
# (no row of a component has a success in that column). Its log is clipped to
# log(tiny) so that 0 * log(0) in a matrix product gives 0, not NaN; a row that
# contradicts such a component gets a log-density below -700 instead of -inf.
LOG_TINY = float(np.log(np.finfo(np.float64).tiny))
#: Rows at a time when the log-factorials of the data are summed.
_BLOCK_ROWS = 65536


def _clipped_log(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(values), LOG_TINY)


def _clipped_log1m(values: np.ndarray) -> np.ndarray:
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


def _check_counts(X: np.ndarray, feature_names: list[str], what: str) -> None:
    bad = (X < 0) | (X != np.round(X))
    if np.any(bad):
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"the {what} model needs non-negative whole-number counts, but column "
            f"{feature_names[col]!r} has {X[row, col]:g} in row {row + 1}; choose a "
            "Gaussian model for measurements"
        )


def _check_shape(params: Params, name: str, n_features: int) -> np.ndarray:
    value = getattr(params, name)
    if value is None:
        raise ValueError(f"this model needs {name}; none were given")
    expected = (params.n_components, n_features)
    if value.shape != expected:
        raise ValueError(
            f"{name} have shape {value.shape} but {params.n_components} components on "
            f"{n_features} columns need {expected}"
        )
    return value


class _CountMixture(MixtureModel):
    """Shared M-step for mixtures whose statistics are masses and sums."""

    #: The name of the per-component parameter array (probs or rates).
    param: str = ""

    @property
    def component_params(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("weights", self.param)

    @property
    def fixable(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("weights", self.param)

    def suff_stats(self, X: np.ndarray, resp: np.ndarray, params: Params) -> Stats:
        return {"nk": resp.sum(axis=0), "sx": resp.T @ X}

    # The fused pass: log-densities are linear in [x; 1] once the terms that
    # depend on the row alone (log-factorials) are set aside, summed once per fit.

    def _row_constant(self, X: np.ndarray) -> np.ndarray:
        """The terms of each row's log-density that no parameter touches, shape (n_samples,)."""
        raise NotImplementedError

    def _coefficients(self, params: Params) -> np.ndarray:
        """``coef`` with ``coef @ [x; 1]`` the weighted log-density less the row constant."""
        raise NotImplementedError

    def chunk_rows(self, n_components: int, n_features: int, itemsize: int = 8) -> int:
        return features.chunk_rows(n_features + 1, n_components, itemsize)

    def working_data(self, X: np.ndarray, dtype: np.dtype) -> WorkingData:
        values = np.empty((X.shape[1] + 1, X.shape[0]), dtype=dtype)
        values[:-1] = X.T
        values[-1] = 1.0
        # In blocks: the log-factorials of all counts at once would take several
        # times the data's memory.
        constant = sum(
            float(self._row_constant(X[start : start + _BLOCK_ROWS]).sum())
            for start in range(0, X.shape[0], _BLOCK_ROWS)
        )
        return WorkingData(values, constant=constant, by_column=True)

    def pass_plan(self, params: Params, data: WorkingData) -> tuple[np.ndarray, np.ndarray | None]:
        exact = self._coefficients(params)
        rounded = exact.astype(data.values.dtype)
        return rounded, None if rounded.dtype == exact.dtype else rounded - exact

    def chunk_pass(
        self,
        rows: np.ndarray,
        plan: tuple[np.ndarray, np.ndarray | None],
        hard: bool,
        details: bool,
        labels_out: np.ndarray | None = None,
    ) -> ChunkResult:
        coef, coef_error = plan
        normalised, sums = linear_chunk_pass(
            rows, coef, hard, details, labels_out, coef_error=coef_error
        )
        return ChunkResult(
            normalised.log_likelihood, normalised.classification, normalised.entropy,
            {"sums": sums},
        )

    def pass_stats(self, sums: Stats, plan: object) -> Stats:
        return {"nk": sums["sums"][:, -1], "sx": sums["sums"][:, :-1]}

    def _estimate(self, sx: np.ndarray, nk: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def m_step(
        self, stats: Stats, params: Params, fixed: Collection[str], n_samples: int
    ) -> Params:
        nk = stats["nk"] + EMPTY_MASS
        weights = params.weights if "weights" in fixed else nk / nk.sum()
        if self.param in fixed:
            value = getattr(params, self.param)
        else:
            value = self._estimate(stats["sx"], nk)
        return Params(weights=weights, **{self.param: value})

    def n_free_parameters(self, n_components: int, n_features: int, fixed: Collection[str]) -> int:
        counts = {"weights": n_components - 1, self.param: n_components * n_features}
        return sum(count for name, count in counts.items() if name not in fixed)

    def smooth_initial(self, params: Params, X: np.ndarray) -> Params:
        # A hard initial partition often gives probabilities or rates of exactly
        # zero, which EM can never move away from; start halfway to the overall value.
        overall = self._estimate(X.sum(axis=0)[None, :], np.array([X.shape[0]], dtype=float))
        value = 0.5 * getattr(params, self.param) + 0.5 * overall
        return params.replace(**{self.param: value})


class BinomialModel(_CountMixture):
    """Each column counts successes out of ``trials`` (one number per column)."""

    name = "binomial"
    param = "probs"

    def __init__(self, trials: np.ndarray) -> None:
        trials = np.asarray(trials, dtype=np.float64)
        if np.any(trials < 1) or np.any(trials != np.round(trials)):
            raise ValueError("the number of trials must be a whole number of at least 1")
        self.trials = trials

    def check_data(self, X: np.ndarray, feature_names: list[str]) -> None:
        if self.trials.shape not in ((X.shape[1],), (1,)):
            raise ValueError(
                f"{self.trials.size} numbers of trials were given for {X.shape[1]} "
                "columns; give one number, or one per column"
            )
        _check_counts(X, feature_names, self.name)
        above = X > self.trials
        if np.any(above):
            row, col = np.argwhere(above)[0]
            trials = self.trials[col if self.trials.size > 1 else 0]
            raise ValueError(
                f"column {feature_names[col]!r} has {X[row, col]:g} successes in row "
                f"{row + 1}, more than the {trials:g} trials; raise the number of trials"
            )

    def check_params(self, params: Params, n_features: int) -> None:
        probs = _check_shape(params, "probs", n_features)
        if np.any((probs < 0) | (probs > 1)):
            raise ValueError("probabilities must lie between 0 and 1")

    def _log_comb(self, X: np.ndarray) -> np.ndarray:
        """Sum over columns of log C(trials, x), per row."""
        trials = np.broadcast_to(self.trials, X.shape)
        return (log_factorial(trials) - log_factorial(X) - log_factorial(trials - X)).sum(axis=1)

    def log_prob(self, X: np.ndarray, params: Params) -> np.ndarray:
        probs = params.probs
        return (
            X @ _clipped_log(probs).T
            + (self.trials - X) @ _clipped_log1m(probs).T
            + self._log_comb(X)[:, None]
        )

    def _row_constant(self, X: np.ndarray) -> np.ndarray:
        return self._log_comb(X)

    def _coefficients(self, params: Params) -> np.ndarray:
        log_p, log_q = _clipped_log(params.probs), _clipped_log1m(params.probs)
        trials = np.broadcast_to(self.trials, log_q.shape[1:])
        return np.column_stack(
            [log_p - log_q, log_q @ trials + finite_log_weights(params.weights)]
        )

    def _estimate(self, sx: np.ndarray, nk: np.ndarray) -> np.ndarray:
        # Sums rounded in a different order can put a probability of one an ulp above it.
        return np.minimum(sx / (nk[:, None] * self.trials), 1.0)


class BernoulliModel(BinomialModel):
    """Binary columns: a binomial mixture with one trial per column."""

    name = "bernoulli"

    def __init__(self) -> None:
        super().__init__(np.ones(1))

    def check_data(self, X: np.ndarray, feature_names: list[str]) -> None:
        bad = (X != 0) & (X != 1)
        if np.any(bad):
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"the bernoulli model needs 0/1 columns, but column {feature_names[col]!r} "
                f"has {X[row, col]:g} in row {row + 1}; choose binomial or poisson for counts"
            )

    def _log_comb(self, X: np.ndarray) -> np.ndarray:
        return np.zeros(X.shape[0])


class PoissonModel(_CountMixture):
    """Each column a count with a Poisson rate per component."""

    name = "poisson"
    param = "rates"

    def check_data(self, X: np.ndarray, feature_names: list[str]) -> None:
        _check_counts(X, feature_names, self.name)

    def check_params(self, params: Params, n_features: int) -> None:
        rates = _check_shape(params, "rates", n_features)
        if np.any(rates < 0):
            raise ValueError("Poisson rates must not be negative")

    def log_prob(self, X: np.ndarray, params: Params) -> np.ndarray:
        rates = params.rates
        return (
            X @ _clipped_log(rates).T
            - rates.sum(axis=1)
            - log_factorial(X).sum(axis=1)[:, None]
        )

    def _row_constant(self, X: np.ndarray) -> np.ndarray:
        return -log_factorial(X).sum(axis=1)

    def _coefficients(self, params: Params) -> np.ndarray:
        rates = params.rates
        return np.column_stack(
            [_clipped_log(rates), finite_log_weights(params.weights) - rates.sum(axis=1)]
        )

    def _estimate(self, sx: np.ndarray, nk: np.ndarray) -> np.ndarray:
        return sx / nk[:, None]
