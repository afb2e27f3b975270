"""What a mixture model is: its declaration, and the maths it gives the one EM loop.

A model is one file. Its class declares what it is — name, title, the
parameter arrays with their shapes and which may be held fixed, its options
(the binomial's trials, the Gaussian's covariance type), what data it accepts
and which views suit it — and implements its maths: the log-density of each row
under each component, the additive sufficient statistics of a chunk of rows
given responsibilities, the M-step from those statistics, and its number of
free parameters. The loop in :mod:`engine.loop` owns restarts, iteration,
convergence and history; the file formats, the settings panel, the parameters
table and the model-selection dialog read the declaration instead of naming
models. A module in :mod:`engine.models` that defines a subclass with a
``name`` registers it (:mod:`engine.models.registry`). The declaration's parts
are in :mod:`engine.models.specs`, the chunk types and the plain pass in
:mod:`engine.models.chunks`; both are importable from here.

Sufficient statistics are dictionaries of arrays that add across chunks, so the
E-step and the statistics of the M-step run in one pass over the data, chunk by
chunk, without ever holding responsibilities for all rows. A pass goes through
hooks whose plain defaults are built from :meth:`MixtureModel.log_prob` and
:meth:`MixtureModel.suff_stats`, and which a model may override with fused,
faster arithmetic that gives the same numbers: :meth:`~MixtureModel.data_plan`
(what every chunk's preparation needs, once per fit), :meth:`~MixtureModel.prepare_chunk`
(a chunk of rows in the layout and dtype the pass wants), :meth:`~MixtureModel.pass_plan`
(what the pass derives from the parameters, once per pass), :meth:`~MixtureModel.chunk_pass`
(E-step and additive sums of one chunk) and :meth:`~MixtureModel.pass_stats`
(the M-step's statistics from the sums of all chunks).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from engine.models.chunks import (
    CHUNK_VALUES,
    ChunkResult,
    PreparedChunk,
    Stats,
    plain_chunk_pass,
)
from engine.models.specs import WEIGHTS, OptionSpec, ParamSpec, ScriptCode
from engine.params import Params

if TYPE_CHECKING:
    from engine.data import ColumnSummary, DataSource

#: Added to each component's responsibility mass, as scikit-learn does, so an
#: empty component gives finite (if meaningless) parameters instead of 0/0.
EMPTY_MASS = 10 * np.finfo(np.float64).eps


class MixtureModel(ABC):
    """Base class of one kind of mixture: its declaration and its maths.

    Subclasses set the class attributes below, implement the abstract methods,
    and take their options (:attr:`option_specs`) as keyword arguments.
    """

    #: The key in files and on the command line; a subclass with a name registers itself.
    name: ClassVar[str] = ""
    #: What menus and tables call it.
    title: ClassVar[str] = ""
    #: What it assumes, in a sentence or two (help text, tooltips).
    summary: ClassVar[str] = ""
    #: Its options, beside the loop's own.
    option_specs: ClassVar[tuple[OptionSpec, ...]] = ()
    #: What data it accepts: ``measurements``, ``counts`` or ``binary``.
    data_kind: ClassVar[str] = "measurements"
    #: The views that can draw it, best first: ``scatter``, ``histogram``, ``discrete``.
    views: ClassVar[tuple[str, ...]] = ()
    #: Whether it fits rows with missing values (NaN) itself: the scan then lets
    #: them through, its passes and its plain maths (``log_prob``, ``suff_stats``)
    #: take rows with gaps, and :meth:`impute_components` fills them in.
    handles_missing: ClassVar[bool] = False
    #: The E-step a person should start with.
    default_e_step: ClassVar[str] = "soft"
    #: The per-pass figure a trace shows instead of the log-likelihood, if any.
    trace_metric: ClassVar[str | None] = None
    #: Where menus list it.
    menu_order: ClassVar[int] = 100
    #: The option whose values make the model's variants, each a line of a
    #: model-selection sweep (a Gaussian's covariance type), if any.
    variant_option: ClassVar[str | None] = None
    #: Whether a sweep includes it unless told otherwise.
    in_default_sweep: ClassVar[bool] = False
    #: What a fit's summary calls it; "<title> mixture" unless a class says otherwise.
    report_title: ClassVar[str] = ""
    #: Values per data column that documents write for their readers though the
    #: model takes no option for them, by key (the Bernoulli's one trial per column).
    column_constants: ClassVar[Mapping[str, object]] = MappingProxyType({})
    #: Its part of the NumPy-only script that applies parameters to new rows, if any.
    script: ClassVar[ScriptCode | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "report_title" not in cls.__dict__:
            cls.report_title = f"{cls.title} mixture"

    @classmethod
    def variants(cls) -> tuple[str, ...]:
        """The values of :attr:`variant_option`, in menu order."""
        return ()

    @classmethod
    def default_variants(cls) -> tuple[str, ...]:
        """The variants a sweep that includes the model tries unless told otherwise:
        all of them, unless a model says less."""
        return cls.variants()

    @property
    @abstractmethod
    def param_specs(self) -> tuple[ParamSpec, ...]:
        """The model's parameter arrays, weights excepted, in the order files list them."""

    @property
    def unit_free(self) -> bool:
        """Whether a fit is the same whatever each column's units (changing a column's
        units changes only the parameters' units): then starts measure distances in
        each column's standard deviations, so they do not depend on units either."""
        return False

    @property
    def array_specs(self) -> tuple[ParamSpec, ...]:
        """Every array of the parameters, the weights first: what documents hold."""
        return (WEIGHTS, *self.param_specs)

    @property
    def key_param(self) -> str:
        """The array that tells components apart (means, probabilities, rates): it
        orders components and matches them across fits."""
        return self.param_specs[0].name

    @property
    def fixable(self) -> tuple[str, ...]:
        """Names of the parameters a fit may hold fixed."""
        specs = (WEIGHTS, *self.param_specs) if self.weights_fixable else self.param_specs
        return tuple(spec.name for spec in specs if spec.fixable)

    #: Whether the weights are estimated (and so may be held); k-means keeps them equal.
    weights_fixable: ClassVar[bool] = True

    def options(self) -> dict[str, object]:
        """This model's option values, by name."""
        return {spec.name: getattr(self, spec.name) for spec in self.option_specs}

    @property
    def shape_detail(self) -> str:
        """Words that explain the shapes in an error message (`` with 'full' covariance``)."""
        return ""

    def adapt(self, summary: ColumnSummary, reg_covar: float) -> MixtureModel:
        """Take what the model needs from the data's summary (a fit's regularisation
        scale); returns the model itself by default."""
        return self

    # --- data ---------------------------------------------------------------------------

    def check_chunk(self, rows: np.ndarray, first_row: int, feature_names: Sequence[str]) -> None:
        """Raise ``ValueError`` naming the first row (counting from 1) that cannot come
        from this model; ``first_row`` is the chunk's first row from 0."""

    def check_summary(self, summary: ColumnSummary, feature_names: Sequence[str]) -> None:
        """Raise ``ValueError`` when the columns as a whole cannot be fitted (a
        Gaussian column with a single value, say)."""

    # --- the maths ----------------------------------------------------------------------

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

    def n_free_parameters(
        self, n_components: int, n_features: int, fixed: Collection[str]
    ) -> int:
        """Number of free parameters, not counting held-fixed ones: by default the
        weights (K - 1) and every value of every declared array."""
        count = 0 if "weights" in fixed or not self.weights_fixable else n_components - 1
        return count + sum(
            spec.size(n_components, n_features)
            for spec in self.param_specs
            if spec.name not in fixed
        )

    def prepare(self, params: Params) -> Params:
        """``params`` as the passes use them: shared arrays marked, derived arrays
        (for example precision factors) added."""
        shared = {spec.name for spec in self.param_specs if not spec.per_component}
        return params.with_shared(shared)

    def check_params(self, params: Params, n_features: int) -> None:
        """Raise ``ValueError`` when ``params`` do not have this model's arrays in its shapes."""
        k = params.n_components
        for spec in self.param_specs:
            value = params.get(spec.name)
            if value is None:
                raise ValueError(f"the {self.title} model needs {spec.name}; none were given")
            expected = spec.shape_for(k, n_features)
            if value.shape != expected:
                raise ValueError(
                    f"{spec.name} have shape {value.shape} but {k} components{self.shape_detail} "
                    f"on {n_features} columns need {expected}"
                )

    def check_given(self, params: Params) -> None:
        """Raise ``ValueError`` when prepared ``params`` given from outside (a file, a
        person) would take this data beyond what floating point holds; nothing by default."""

    def round_off(self, params: Params, n_samples: int) -> float:
        """How far the objective can move under ``params`` from the rounding of the
        parameters themselves (beyond the relative round-off of its sums); a fall of
        the objective within it is not a fault of EM."""
        return 0.0

    def singular_cause(
        self,
        error: Exception,
        summary: ColumnSummary,
        feature_names: Sequence[str],
        reg_covar: float,
        weight: float | None = None,
        n_components: int = 1,
    ) -> str | None:
        """What to tell a person when a component became singular
        (:class:`engine.errors.SingularComponent` ``error``), where the model knows
        more than "it collapsed"; ``None`` for the general advice. ``weight`` is the
        component's weight in rows, when known, and ``n_components`` the fit's K."""
        return None

    def penalised(self, reg_covar: float) -> bool:
        """Whether :meth:`log_prior` is more than 0 with this regularisation, so what
        EM climbs is not the log-likelihood alone."""
        return False

    def log_prior(self, params: Params, n_samples: int) -> float:
        """The log of the prior the M-step's regularisation stands for (0 without
        one): EM climbs the log-likelihood plus this, the objective a trace shows."""
        return 0.0

    def collapsed_components(
        self, params: Params, column_variance: np.ndarray, reg_covar: float, factor: float = 2.0
    ) -> tuple[int, ...]:
        """Components held up by the regularisation alone (sitting on rows that share
        a value): a spurious optimum whose likelihood can win on BIC. None by default."""
        return ()

    def metrics(self, stats: Stats) -> dict[str, float]:
        """Extra per-pass figures (for example the k-means inertia)."""
        return {}

    def partition_start(self, n_components: int, n_features: int) -> dict[str, np.ndarray]:
        """Arrays an M-step from a hard partition starts from where it climbs (an
        iterative M-step's previous values); none by default."""
        return {}

    def smooth_initial(self, params: Params, overall: Stats) -> Params:
        """Adjust parameters estimated from a hard initial partition; ``overall`` are
        the statistics of all rows as one component."""
        return params

    # --- teaching: what the responsibilities table writes out ------------------------

    def order_terms(self, X: np.ndarray) -> np.ndarray | None:
        """The part of each row's log-density that is the same under every component
        and that a textbook leaves out (the binomial's count of orders, log C(n, x)),
        shape (n_samples,); ``None`` (nothing) by default."""
        return None

    def expected_counts(self, X: np.ndarray, resp: np.ndarray) -> dict[str, np.ndarray]:
        """What each row gives each component in the M-step, each of shape
        (n_samples, n_components, n_features): by default ``sums`` (``r x``), whose
        totals divided by ``sum_n r`` make the new mean or rate."""
        return {"sums": resp[:, :, None] * X[:, None, :]}

    def impute_components(self, X: np.ndarray, params: Params) -> np.ndarray:
        """Rows ``X`` (NaN where a value is missing) with each missing value replaced by
        its expectation given the row's observed values, under each component.

        Returns
        -------
        ndarray of shape (n_samples, n_components, n_features)
            Observed values as they are; a row without values holds what each
            component expects of any row.

        Raises
        ------
        ValueError
            For a model that does not fit rows with gaps.
        """
        raise ValueError(f"the {self.title} model cannot fill in missing values")

    def start_from_locations(self, locations: np.ndarray, X: np.ndarray) -> Params:
        """Starting parameters with component locations ``locations`` (K, D) and the
        spread of the rows ``X`` (or a sample of them): for starts placed by hand.
        Models without locations raise ``ValueError``."""
        raise ValueError(f"the {self.title} model cannot start from points placed by hand")

    # --- the pass -----------------------------------------------------------------------

    def chunk_rows(self, n_components: int, n_features: int, itemsize: int = 8) -> int:
        """Rows per chunk the pass runs best with, for data of ``itemsize`` bytes
        a value: by default about :data:`CHUNK_VALUES` temporaries, in either
        precision."""
        return CHUNK_VALUES // (n_components * (n_features + 4) + 2 * n_features)

    def data_plan(self, source: DataSource) -> Any:
        """What preparing any chunk needs to know of the data as a whole (for example a
        centre to subtract), computed once per fit; by default nothing."""
        return None

    def prepare_chunk(self, rows: np.ndarray, data_plan: Any, dtype: np.dtype) -> PreparedChunk:
        """A chunk of rows (float64, rows by columns) as the pass reads it; by default
        the rows themselves in ``dtype``."""
        return PreparedChunk(np.asarray(rows, dtype=dtype), rows.shape[0])

    def pass_plan(self, params: Params, data_plan: Any, dtype: np.dtype) -> Any:
        """What a pass derives from ``params`` once for all its chunks; by default ``params``."""
        return params

    def chunk_pass(self, chunk: np.ndarray, plan: Any, hard: bool, details: bool) -> ChunkResult:
        """E-step and sufficient statistics of one prepared chunk.

        The default works from :meth:`log_prob` and :meth:`suff_stats` and is
        the reference the fused overrides must agree with.

        Parameters
        ----------
        chunk : ndarray
            :attr:`PreparedChunk.values`.
        plan : object
            From :meth:`pass_plan`.
        hard : bool
            Statistics from the one-hot responsibilities of the most probable
            component (classification EM) instead of the posterior.
        details : bool
            Also compute the classification likelihood, the entropy and the
            most probable component of each row.

        Raises
        ------
        engine.estep.NonFiniteRow
            When a row's log-density is not finite (the row counts from the chunk's start).
        """
        return plain_chunk_pass(self.log_prob, self.suff_stats, chunk, plan, hard, details)

    def pass_stats(self, sums: Stats, plan: Any) -> Stats:
        """The statistics :meth:`m_step` takes, from :meth:`chunk_pass`'s statistics summed
        over all chunks. A fused pass may return raw sums (cheaper per chunk) and
        convert them here, once per pass; by default they are already the statistics."""
        return sums
