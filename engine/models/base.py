"""What every mixture model supplies to the one EM loop.

A model knows only its maths: the log-density of each row under each component,
the additive sufficient statistics of a chunk of rows given responsibilities,
the M-step from those statistics, and its number of free parameters. The loop
in :mod:`engine.em` owns restarts, iteration, convergence and history.

Sufficient statistics are dictionaries of arrays that add across chunks, so the
E-step and the statistics of the M-step run in one pass over the data, chunk by
chunk, without ever holding responsibilities for all rows.

A pass goes through four methods whose plain defaults are built from
:meth:`MixtureModel.log_prob` and :meth:`MixtureModel.suff_stats`, and which a
model may override with fused, faster arithmetic that gives the same numbers:
:meth:`~MixtureModel.working_data` (the data in the layout and dtype the pass
wants, made once per fit), :meth:`~MixtureModel.pass_plan` (what the pass
derives from the parameters, once per pass), :meth:`~MixtureModel.chunk_pass`
(E-step and additive sums of one chunk) and :meth:`~MixtureModel.pass_stats`
(the M-step's statistics from the sums of all chunks).
:meth:`~MixtureModel.chunk_rows` says how many rows a chunk should hold.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.estep import NonFiniteRow, log_weights, normalise
from engine.params import Params

Stats = dict[str, np.ndarray]

#: Temporaries of one chunk hold about this many values (2 MB in float64):
#: small enough to stay in a core's cache, large enough that NumPy's cost per
#: call (a few microseconds, some dozens of calls per chunk) is amortised.
CHUNK_VALUES = 2**18

#: Added to each component's responsibility mass, as scikit-learn does, so an
#: empty component gives finite (if meaningless) parameters instead of 0/0.
EMPTY_MASS = 10 * np.finfo(np.float64).eps


@dataclass(frozen=True, eq=False)
class WorkingData:
    """The data every pass reads, in the layout and dtype the model's chunk pass wants.

    Attributes
    ----------
    values : ndarray
        The data as the model reads it, in the fit's dtype: rows by columns,
        ``(n_samples, n_columns)``, or with ``by_column`` columns by rows,
        ``(n_columns, n_samples)``, so that each column is one contiguous run
        (the fused passes work on whole columns of a chunk at a time).
    shift : ndarray of shape (n_features,) or None
        What was subtracted from every row, if anything.
    constant : float
        The part of the log-likelihood that depends on the data alone (such as
        log-factorials of counts), summed over all rows, so passes need not
        recompute it.
    by_column : bool
        Whether ``values`` holds the data columns by rows.
    """

    values: np.ndarray
    shift: np.ndarray | None = None
    constant: float = 0.0
    by_column: bool = False

    @property
    def n_samples(self) -> int:
        return int(self.values.shape[1 if self.by_column else 0])

    def chunk(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` in the same layout (a view, never a copy)."""
        return self.values[:, start:stop] if self.by_column else self.values[start:stop]


@dataclass
class ChunkResult:
    """What one chunk contributes to a pass: sums over its rows and additive statistics
    (which :meth:`MixtureModel.pass_stats` turns into the M-step's, once summed).

    ``classification`` is the sum of each row's largest ``log w_k + log p_k(x)``
    and is only computed under the hard E-step or with details; ``entropy``
    (``-sum r log r``) only with details.
    """

    log_likelihood: float
    classification: float
    entropy: float
    stats: Stats


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

    def chunk_rows(self, n_components: int, n_features: int, itemsize: int = 8) -> int:
        """Rows per chunk the pass runs best with, for data of ``itemsize`` bytes
        a value: by default about :data:`CHUNK_VALUES` temporaries, in either
        precision."""
        return CHUNK_VALUES // (n_components * (n_features + 4) + 2 * n_features)

    def working_data(self, X: np.ndarray, dtype: np.dtype) -> WorkingData:
        """The data passes read, made once per fit; by default ``X`` itself in ``dtype``."""
        return WorkingData(np.asarray(X, dtype=dtype))

    def pass_plan(self, params: Params, data: WorkingData) -> Any:
        """What a pass derives from ``params`` once for all its chunks; by default ``params``."""
        return params

    def chunk_pass(
        self,
        rows: np.ndarray,
        plan: Any,
        hard: bool,
        details: bool,
        labels_out: np.ndarray | None = None,
    ) -> ChunkResult:
        """E-step and sufficient statistics of one chunk of working rows.

        The default works from :meth:`log_prob` and :meth:`suff_stats` and is
        the reference the fused overrides must agree with.

        Parameters
        ----------
        rows : ndarray
            A chunk of :attr:`WorkingData.values` (from :meth:`WorkingData.chunk`).
        plan : object
            From :meth:`pass_plan`.
        hard : bool
            Statistics from the one-hot responsibilities of the most probable
            component (classification EM) instead of the posterior.
        details : bool
            Also compute the classification likelihood, the entropy and, into
            ``labels_out`` (shape (n_rows,)), the most probable component of each row.

        Raises
        ------
        engine.estep.NonFiniteRow
            When a row's log-density is not finite (the row counts from the chunk's start).
        """
        params: Params = plan
        weighted = self.log_prob(rows, params) + log_weights(params.weights)
        if not np.all(np.isfinite(weighted.max(axis=1))):
            raise NonFiniteRow(int(np.flatnonzero(~np.isfinite(weighted.max(axis=1)))[0]))
        log_norm, log_resp = normalise(weighted)
        # Components far from a row underflow to zero; that is the intended result.
        with np.errstate(under="ignore"):
            resp = np.exp(log_resp)
        labels = np.argmax(log_resp, axis=1)
        if labels_out is not None:
            labels_out[:] = labels
        index = np.arange(rows.shape[0])
        classification = entropy = 0.0
        if hard or details:
            classification = float((log_resp[index, labels] + log_norm).sum())
        if details:
            entropy = float(-np.where(resp > 0, resp * log_resp, 0.0).sum())
        if hard:
            resp = np.zeros_like(resp)
            resp[index, labels] = 1.0
        return ChunkResult(
            float(log_norm.sum()), classification, entropy, self.suff_stats(rows, resp, params)
        )

    def pass_stats(self, sums: Stats, plan: Any) -> Stats:
        """The statistics :meth:`m_step` takes, from :meth:`chunk_pass`'s statistics summed
        over all chunks. A fused pass may return raw sums (cheaper per chunk) and
        convert them here, once per pass; by default they are already the statistics."""
        return sums

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
