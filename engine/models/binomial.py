"""Binomial mixtures: each column counts successes out of a known number of trials."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.estep import finite_log_weights
from engine.gaps import has_gaps
from engine.models import counts
from engine.models.base import OptionSpec, ParamSpec
from engine.models.counts import (
    CountMixture,
    check_counts,
    clipped_log,
    clipped_log1m,
    column_mass,
    log_factorial,
)
from engine.models.registry import register
from engine.params import Params


def parse_trials(value: object) -> int | tuple[int, ...]:
    """One whole number of trials, or one per column; ``ValueError`` otherwise."""
    values = np.atleast_1d(np.asarray(value, dtype=object)).ravel()
    try:
        numbers = [int(v) for v in values]
        whole = all(float(v) == n for v, n in zip(values, numbers, strict=True))
    except (TypeError, ValueError, OverflowError):
        whole, numbers = False, []
    if not numbers or not whole or min(numbers) < 1:
        raise ValueError("the number of trials must be a whole number of at least 1")
    return numbers[0] if np.ndim(value) == 0 else tuple(numbers)


def trials_from_text(text: str) -> int | tuple[int, ...]:
    """Trials as typed: one whole number, or a comma-separated list, one per column."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(
            f"{text!r} is not a whole number (or a comma-separated list, one per column)"
        ) from None
    return values[0] if len(values) == 1 else tuple(values)


def describe_trials(value: object) -> str:
    """Trials as a summary gives them: ``5 trials``, ``[5, 8] trials``."""
    return f"{value if isinstance(value, int) else list(value)} trials"


TRIALS_OPTION = OptionSpec(
    name="trials",
    title="Trials",
    default=None,
    help="How many tries each count is out of: one number for every column, or one per column.",
    parse=parse_trials,
    required=True,
    missing="the number of trials (for example --trials 5)",
    cli_flag="--trials",
    cli_help="trials per column for binomial: one number or one per column",
    from_text=trials_from_text,
    per_column=True,
    accepts="whole numbers of at least 1",
    describe=describe_trials,
)

_SCRIPT_LOG_PROB = '''\
def log_prob(X, doc, p):
    """Log-probability of every row under every component, shape (n_samples, n_components)."""
    probs, trials = p["probs"], p["trials"]
    check_counts(X)
    with np.errstate(divide="ignore"):
        log_fail = np.maximum(np.log1p(-probs), LOG_TINY)
    log_comb = (log_factorial(np.broadcast_to(trials, X.shape)) - log_factorial(X)
                - log_factorial(trials - X)).sum(axis=1)
    return X @ clipped_log(probs).T + (trials - X) @ log_fail.T + log_comb[:, None]
'''


@register
class BinomialModel(CountMixture):
    """Each column counts successes out of ``trials`` (one number, or one per column)."""

    name = "binomial"
    title = "Binomial"
    summary = (
        "Each column counts successes out of a known number of trials; within a component "
        "every column has its own probability of success, independently of the others."
    )
    option_specs = (TRIALS_OPTION,)
    param = "probs"
    menu_order = 40
    report_title = "binomial mixture"
    script = counts.script(_SCRIPT_LOG_PROB)

    def __init__(self, trials: int | Sequence[int] = 1) -> None:
        self.trials_option = trials
        self.trials = np.atleast_1d(np.asarray(parse_trials(trials), dtype=np.float64))

    @property
    def param_specs(self) -> tuple[ParamSpec, ...]:
        return (ParamSpec("probs", "probability", ("K", "D"), "probability", column="p"),)

    def options(self) -> dict[str, object]:
        return {"trials": self.trials_option}

    def check_chunk(self, rows: np.ndarray, first_row: int, feature_names: Sequence[str]) -> None:
        if self.trials.shape not in ((rows.shape[1],), (1,)):
            raise ValueError(
                f"{self.trials.size} numbers of trials were given for {rows.shape[1]} "
                "columns; give one number, or one per column"
            )
        check_counts(rows, first_row, feature_names, self.name)
        above = rows > self.trials
        if np.any(above):
            row, col = np.argwhere(above)[0]
            trials = self.trials[col if self.trials.size > 1 else 0]
            raise ValueError(
                f"column {feature_names[col]!r} has {rows[row, col]:g} successes in row "
                f"{first_row + row + 1}, more than the {trials:g} trials; raise the number of trials"
            )

    def check_params(self, params: Params, n_features: int) -> None:
        super().check_params(params, n_features)
        if np.any((params.probs < 0) | (params.probs > 1)):
            raise ValueError("probabilities must lie between 0 and 1")

    def _log_comb(self, X: np.ndarray) -> np.ndarray:
        """Sum over columns of log C(trials, x), per row."""
        trials = np.broadcast_to(self.trials, X.shape)
        return (log_factorial(trials) - log_factorial(X) - log_factorial(trials - X)).sum(axis=1)

    def log_prob(self, X: np.ndarray, params: Params) -> np.ndarray:
        if has_gaps(X):
            return self._gap_log_prob(X, params)
        probs = params.probs
        return (
            X @ clipped_log(probs).T
            + (self.trials - X) @ clipped_log1m(probs).T
            + self._log_comb(X)[:, None]
        )

    def _row_constant(self, X: np.ndarray) -> np.ndarray:
        return self._log_comb(X)

    def order_terms(self, X: np.ndarray) -> np.ndarray:
        # The number of orders of the successes, whatever the component; the
        # Bernoulli model's is zero, but a textbook's table leaves it out either way.
        trials = np.broadcast_to(self.trials, X.shape)
        return (log_factorial(trials) - log_factorial(X) - log_factorial(trials - X)).sum(axis=1)

    def expected_counts(self, X: np.ndarray, resp: np.ndarray) -> dict[str, np.ndarray]:
        """``successes`` (``r x``) and ``failures`` (``r (n - x)``), whose totals make the
        new probability ``successes / (successes + failures)``."""
        failures = resp[:, :, None] * (np.broadcast_to(self.trials, X.shape) - X)[:, None, :]
        return {"successes": resp[:, :, None] * X[:, None, :], "failures": failures}

    def _coefficients(self, params: Params) -> np.ndarray:
        log_p, log_q = clipped_log(params.probs), clipped_log1m(params.probs)
        trials = np.broadcast_to(self.trials, log_q.shape[1:])
        return np.column_stack(
            [log_p - log_q, log_q @ trials + finite_log_weights(params.weights)]
        )

    def _column_terms(self, params: Params) -> tuple[np.ndarray, np.ndarray]:
        log_p, log_q = clipped_log(params.probs), clipped_log1m(params.probs)
        return log_p - log_q, self.trials * log_q

    def _column_means(self, params: Params) -> np.ndarray:
        return params.probs * self.trials

    def _estimate(self, sx: np.ndarray, nk: np.ndarray) -> np.ndarray:
        # Sums rounded in a different order can put a probability of one an ulp above it.
        return np.minimum(sx / (column_mass(nk) * self.trials), 1.0)
