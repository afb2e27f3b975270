"""What every mixture model supplies to the one EM loop.

A model knows only its maths: the log-density of each row under each component,
the additive sufficient statistics of a chunk of rows given responsibilities,
the M-step from those statistics, and its number of free parameters. The loop
in :mod:`engine.em` owns restarts, iteration, convergence and history.

Sufficient statistics are dictionaries of arrays that add across chunks, so the
E-step and the statistics of the M-step run in one pass over the data, chunk by
chunk, without ever holding responsibilities for all rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection

import numpy as np

from engine.params import Params

Stats = dict[str, np.ndarray]

#: Added to each component's responsibility mass, as scikit-learn does, so an
#: empty component gives finite (if meaningless) parameters instead of 0/0.
EMPTY_MASS = 10 * np.finfo(np.float64).eps


class MixtureModel(ABC):
    """Base class for the maths of one kind of mixture.

    Subclasses set :attr:`name` and :attr:`fixable` (the parameter names that
    may be held fixed) and implement the abstract methods.
    """

    name: str = ""
    fixable: tuple[str, ...] = ()
    #: Parameter names whose arrays hold one row per component.
    component_params: tuple[str, ...] = ()

    @property
    def covariance_type(self) -> str | None:
        return None

    def check_data(self, X: np.ndarray, feature_names: list[str]) -> None:
        """Raise ``ValueError`` when ``X`` cannot come from this model."""

    @abstractmethod
    def log_prob(self, X: np.ndarray, params: Params) -> np.ndarray:
        """Log-density of each row under each component, without the weights.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """

    @abstractmethod
    def suff_stats(self, X: np.ndarray, resp: np.ndarray, params: Params) -> Stats:
        """Additive statistics of rows ``X`` with responsibilities ``resp``.

        ``params`` are the parameters the responsibilities came from; models
        use their means as a shift so second moments keep their precision.
        Every model returns at least ``nk``, the summed responsibilities.
        """

    @abstractmethod
    def m_step(
        self, stats: Stats, params: Params, fixed: Collection[str], n_samples: int
    ) -> Params:
        """New parameters from statistics summed over all rows.

        ``params`` are the parameters the statistics were computed under; the
        names in ``fixed`` keep their values from ``params``, and the others
        are estimated given them (a covariance about held means, say). May
        raise :class:`engine.errors.SingularComponent`.
        """

    @abstractmethod
    def n_free_parameters(
        self, n_components: int, n_features: int, fixed: Collection[str]
    ) -> int:
        """Number of free parameters, not counting held-fixed ones."""

    def prepare(self, params: Params) -> Params:
        """Add derived arrays (for example precision factors) to ``params``."""
        return params

    def check_params(self, params: Params, n_features: int) -> None:
        """Raise ``ValueError`` when ``params`` do not fit this model and data."""

    def metrics(self, stats: Stats) -> dict[str, float]:
        """Extra per-pass figures (for example the k-means inertia)."""
        return {}

    def smooth_initial(self, params: Params, X: np.ndarray) -> Params:
        """Adjust parameters estimated from a hard initial partition."""
        return params
