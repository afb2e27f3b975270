"""Poisson mixtures: each column a count with its own rate per component."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.estep import finite_log_weights
from engine.gaps import has_gaps
from engine.models import counts
from engine.models.base import ParamSpec
from engine.models.counts import CountMixture, check_counts, clipped_log, column_mass, log_factorial
from engine.models.registry import register
from engine.params import Params


_SCRIPT_LOG_PROB = '''\
def log_prob(X, doc, p):
    """Log-probability of every row under every component, shape (n_samples, n_components)."""
    rates = p["rates"]
    check_counts(X)
    return X @ clipped_log(rates).T - rates.sum(axis=1) - log_factorial(X).sum(axis=1)[:, None]
'''


@register
class PoissonModel(CountMixture):
    """Each column a count with a Poisson rate per component."""

    name = "poisson"
    title = "Poisson"
    summary = (
        "Each column is a count; within a component every column has its own Poisson rate, "
        "independently of the others."
    )
    param = "rates"
    menu_order = 50
    script = counts.script(_SCRIPT_LOG_PROB)

    @property
    def param_specs(self) -> tuple[ParamSpec, ...]:
        return (ParamSpec("rates", "rate", ("K", "D"), "rate"),)

    def check_chunk(self, rows: np.ndarray, first_row: int, feature_names: Sequence[str]) -> None:
        check_counts(rows, first_row, feature_names, self.name)

    def check_params(self, params: Params, n_features: int) -> None:
        super().check_params(params, n_features)
        if np.any(params.rates < 0):
            raise ValueError("Poisson rates must not be negative")

    def log_prob(self, X: np.ndarray, params: Params) -> np.ndarray:
        if has_gaps(X):
            return self._gap_log_prob(X, params)
        rates = params.rates
        return (
            X @ clipped_log(rates).T
            - rates.sum(axis=1)
            - log_factorial(X).sum(axis=1)[:, None]
        )

    def _row_constant(self, X: np.ndarray) -> np.ndarray:
        return -log_factorial(X).sum(axis=1)

    def _coefficients(self, params: Params) -> np.ndarray:
        rates = params.rates
        return np.column_stack(
            [clipped_log(rates), finite_log_weights(params.weights) - rates.sum(axis=1)]
        )

    def _column_terms(self, params: Params) -> tuple[np.ndarray, np.ndarray]:
        return clipped_log(params.rates), -params.rates

    def _column_means(self, params: Params) -> np.ndarray:
        return params.rates

    def _estimate(self, sx: np.ndarray, nk: np.ndarray) -> np.ndarray:
        return sx / column_mass(nk)
