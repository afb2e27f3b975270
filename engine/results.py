"""What a fit yields while it runs (:class:`Snapshot`) and returns (:class:`FitResult`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from engine import criteria
from engine.options import FitOptions
from engine.params import Params


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state after one iteration (iteration 0: the starting parameters).

    ``objective`` is what the chosen E-step climbs: the log-likelihood for
    soft EM, the classification log-likelihood (each row counted under its
    most probable component only) for hard EM.
    """

    restart: int
    iteration: int
    params: Params
    log_likelihood: float
    objective: float
    converged: bool
    metrics: Mapping[str, float] = field(default_factory=dict)
    #: Whether this state came from an extrapolation (accelerated EM) rather than a
    #: plain EM step.
    accelerated: bool = False

    def permuted(self, order: np.ndarray, covariance_type: str | None = None) -> Snapshot:
        """The same snapshot with its components listed in ``order``."""
        return dataclasses.replace(self, params=self.params.permuted(order, covariance_type))


@dataclass(frozen=True, eq=False)
class FitResult:
    """The best start of a fit, with its components in canonical order.

    ``history[i]`` is the total log-likelihood after ``i`` iterations
    (``history[0]`` at the starting parameters), so ``history[-1] ==
    log_likelihood``. ``order`` maps the order the run used to the canonical
    one: ``params == run_params.permuted(order)``. ``labels`` (each row's most
    probable component, shape (n_samples,)) is ``None`` for a fit of a streamed
    source unless :func:`engine.iterate` was asked for them.

    With missing values the log-likelihood is that of the observed values.
    ``n_samples`` counts every row (``labels`` has one per row); a row with no
    value at all is left out of the fit, and the criteria count only the
    :attr:`n_fitted` rows that have one.
    """

    options: FitOptions
    params: Params
    log_likelihood: float
    history: tuple[float, ...]
    objective_history: tuple[float, ...]
    metrics_history: Mapping[str, tuple[float, ...]]
    n_iter: int
    converged: bool
    n_samples: int
    n_features: int
    n_parameters: int
    entropy: float
    labels: np.ndarray | None
    restart: int
    restart_objectives: tuple[float, ...]
    order: np.ndarray
    messages: tuple[str, ...] = ()
    #: Components (in this result's order) held up by the regularisation alone:
    #: they sit on rows that share a value (:meth:`MixtureModel.collapsed_components`).
    collapsed: tuple[int, ...] = ()
    #: Per entry of ``history``: whether that state came from an extrapolation.
    accelerated: tuple[bool, ...] = ()
    #: Passes over the data the kept start took (E-steps, extrapolations included).
    n_passes: int = 0
    #: Rows with at least one missing value (those with none at all among them).
    n_rows_with_gaps: int = 0
    #: Values missing in all.
    n_missing_values: int = 0
    #: Rows without any value, left out of the fit.
    n_empty_rows: int = 0

    @property
    def n_fitted(self) -> int:
        """Rows the fit counts: those with at least one value."""
        return self.n_samples - self.n_empty_rows

    @property
    def bic(self) -> float:
        return criteria.bic(self.log_likelihood, self.n_parameters, self.n_fitted)

    @property
    def aic(self) -> float:
        return criteria.aic(self.log_likelihood, self.n_parameters)

    @property
    def icl(self) -> float:
        return criteria.icl(self.log_likelihood, self.n_parameters, self.n_fitted, self.entropy)

    @property
    def seed(self) -> int:
        return int(self.options.seed)
