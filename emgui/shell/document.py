"""The document: the data, the settings in force, the fit and the iteration shown.

One :class:`Document` per window holds every piece of state the window and
its features share, and says when each changes. Each piece has one writer:

* the data: whoever opens a file, a sample or a session (:meth:`Document.set_data`);
* the settings: the Settings panel's edits, and features that show a fit or
  restore a session (:meth:`Document.set_options` and friends);
* the run state, the snapshots and the fit: the fit controller
  (:class:`emgui.runs.fit_controller.FitController`) alone;
* the iteration shown: the fit display, when it has drawn one.

Features read the document and listen to it; they never reach into the
window's widgets for any of this.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, Signal

import engine
from emio.samples import Sample
from emio.tables import Table

#: The start choices of the Settings panel: the engine's methods, then means placed by
#: clicking and the example's own starting values (explicit ones, given at Run).
INIT_MODES = (*engine.INIT_METHODS, "click", "sample")
#: The settings that belong to no data set, so they carry over to other data: how EM
#: runs. The model's own options, held parameters and explicit starts belong to the data.
LOOP_OPTIONS = (
    "e_step", "max_iter", "tol", "reg_covar", "n_init", "seed", "accelerate", "dtype",
    "n_threads", "chunk_size",
)


class RunState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE = (RunState.RUNNING, RunState.PAUSED)


class Document(QObject):
    """What a window shows: data, settings, fit, shown iteration."""

    data_changed = Signal(str)
    """The name of the data now held (the fit, columns and placed means start afresh)."""
    options_changed = Signal(object)
    """The :class:`engine.FitOptions` now in force (or another model's option values changed)."""
    model_problems_changed = Signal(object)
    """Why each model cannot fit the data held: a dict of model name to reason or ``None``."""
    init_mode_changed = Signal(str)
    """Where the next fit starts: one of :data:`INIT_MODES`."""
    columns_changed = Signal(int, int)
    """The two columns the scatter shows (indices into the data's columns)."""
    placed_changed = Signal(object)
    """The starting means placed by clicking: a tuple of ``(x, y)`` in the shown columns."""
    uncertainty_changed = Signal(bool)
    """Whether uncertain points are faded."""
    standardize_changed = Signal(bool)
    """Whether fits run in standard units (their parameters still in the original ones)."""
    run_state_changed = Signal(object)
    """The new :class:`RunState` of the fit."""
    snapshot_added = Signal(int)
    """The index of the snapshot just added by the running fit."""
    fit_changed = Signal(object)
    """The :class:`engine.FitResult` now held, or ``None``; the snapshots were replaced too."""
    shown_changed = Signal(int)
    """The index of the snapshot the views now show."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: Table | None = None
        self._name = ""
        self._sample: Sample | None = None
        self._options = engine.FitOptions()
        self._init_mode = "kmeans++"
        self._option_values: dict[str, object] = {}
        self._problems: dict[str, str | None] = {}
        self._columns = (0, 1)
        self._placed: tuple[tuple[float, float], ...] = ()
        self._show_uncertainty = False
        self._standardize = False
        self._run_state = RunState.IDLE
        self._snapshots: list[engine.Snapshot] = []
        self._result: engine.FitResult | None = None
        #: The options of the run whose snapshots are held, while it has no result.
        self._run_options: engine.FitOptions | None = None
        self._shown = -1

    # --- the data ------------------------------------------------------------------------

    @property
    def table(self) -> Table | None:
        return self._table

    @property
    def name(self) -> str:
        """What the data are called: the file's name or the sample's title."""
        return self._name

    @property
    def sample(self) -> Sample | None:
        """The bundled sample the data came from, if they did."""
        return self._sample

    def set_data(
        self,
        table: Table,
        name: str,
        sample: Sample | None = None,
        options: engine.FitOptions | None = None,
        init_mode: str | None = None,
    ) -> None:
        """Hold new data, with the settings to fit them by; the fit of the data held before
        goes with them, and so does every setting that belonged to those data.

        ``options`` (a sample's, say) are put in force with the data, before anyone
        hears of them, so no view ever draws the new data with the old settings. Without
        them, the settings in force carry over except what belongs to the old data: the
        model's options go back to their defaults, nothing is held fixed, placed means
        and an example's start are forgotten. (K is limited to the rows by the panel.)
        """
        if self._snapshots or self._result is not None:
            self.clear_fit()
        if options is None:
            held = self._options
            options = engine.FitOptions(
                model=held.model, n_components=held.n_components,
                init=held.init if isinstance(held.init, str) else "kmeans++",
                **{name: getattr(held, name) for name in LOOP_OPTIONS},
            )
            if init_mode is None:
                init_mode = self._init_mode if self._init_mode != "sample" else "kmeans++"
        if init_mode is None:
            init_mode = options.init if isinstance(options.init, str) else "kmeans++"
        if init_mode not in INIT_MODES:
            raise ValueError(f"unknown start {init_mode!r}; choose one of {INIT_MODES}")
        self._table, self._name, self._sample = table, name, sample
        self._options = options
        self._option_values = dict(options.model_options)
        self._init_mode = init_mode
        self._problems = {}
        self._columns = (0, min(1, table.n_features - 1))
        self._placed = ()
        self.data_changed.emit(name)

    @property
    def model_problems(self) -> dict[str, str | None]:
        """Why each model cannot fit the data held (``None``: it can, or nobody knows yet)."""
        return dict(self._problems)

    def model_problem(self, model: str) -> str | None:
        return self._problems.get(model)

    def set_model_problems(self, problems: Mapping[str, str | None]) -> None:
        """Record which models can fit the data held (written by the data checks)."""
        problems = dict(problems)
        if problems != self._problems:
            self._problems = problems
            self.model_problems_changed.emit(dict(problems))

    # --- the settings -------------------------------------------------------------------

    @property
    def options(self) -> engine.FitOptions:
        """The fit options in force; ``init`` is a method name (explicit starts come at Run)."""
        return self._options

    @property
    def init_mode(self) -> str:
        return self._init_mode

    @property
    def option_values(self) -> dict[str, object]:
        """The value set for every model's options, by name, whatever the model in force
        (the Settings panel keeps what was typed for a model not chosen now); the model
        in force takes its own from :attr:`options`."""
        return {**self._option_values, **self._options.model_options}

    def set_options(
        self,
        options: engine.FitOptions,
        init_mode: str | None = None,
        option_values: Mapping[str, object] | None = None,
    ) -> None:
        """Put ``options`` in force, starting as ``init_mode`` says.

        Without ``init_mode``, the start is the method ``options.init`` names
        (k-means++ for explicit starting values, which the settings cannot
        show). ``option_values`` are the values set for other models' options;
        without them those stay as they are.
        """
        if init_mode is None:
            init_mode = options.init if isinstance(options.init, str) else "kmeans++"
        if init_mode not in INIT_MODES:
            raise ValueError(f"unknown start {init_mode!r}; choose one of {INIT_MODES}")
        values = dict(self._option_values if option_values is None else option_values)
        values.update(options.model_options)
        changed = options != self._options or values != self._option_values
        self._options = options
        self._option_values = values
        if init_mode != self._init_mode:
            self._init_mode = init_mode
            self.init_mode_changed.emit(init_mode)
        if changed:
            self.options_changed.emit(options)

    @property
    def columns(self) -> tuple[int, int]:
        return self._columns

    def set_columns(self, x: int, y: int) -> None:
        if (x, y) != self._columns:
            self._columns = (x, y)
            self.columns_changed.emit(x, y)

    @property
    def placed_means(self) -> tuple[tuple[float, float], ...]:
        return self._placed

    def set_placed(self, points: Sequence[Sequence[float]]) -> None:
        placed = tuple((float(x), float(y)) for x, y in points)
        if placed != self._placed:
            self._placed = placed
            self.placed_changed.emit(placed)

    @property
    def show_uncertainty(self) -> bool:
        return self._show_uncertainty

    def set_show_uncertainty(self, show: bool) -> None:
        if bool(show) != self._show_uncertainty:
            self._show_uncertainty = bool(show)
            self.uncertainty_changed.emit(self._show_uncertainty)

    @property
    def standardize(self) -> bool:
        return self._standardize

    def set_standardize(self, on: bool) -> None:
        if bool(on) != self._standardize:
            self._standardize = bool(on)
            self.standardize_changed.emit(self._standardize)

    # --- the fit (written by the fit controller) ---------------------------------------------

    @property
    def run_state(self) -> RunState:
        return self._run_state

    @property
    def is_running(self) -> bool:
        """A run is going on (running or paused)."""
        return self._run_state in ACTIVE

    @property
    def snapshots(self) -> tuple[engine.Snapshot, ...]:
        """Every snapshot of the fit held, iteration 0 first."""
        return tuple(self._snapshots)

    @property
    def n_snapshots(self) -> int:
        return len(self._snapshots)

    def snapshot(self, index: int) -> engine.Snapshot:
        return self._snapshots[index]

    @property
    def result(self) -> engine.FitResult | None:
        """The finished fit, or ``None`` (none yet, or a run still going on)."""
        return self._result

    def fit_options(self) -> engine.FitOptions:
        """The options of the fit held: of its result, else of the run making it (settings
        changed during a paused run apply to the next run, not to the snapshots held),
        else, before any fit, those in force."""
        if self._result is not None:
            return self._result.options
        return self._run_options if self._run_options is not None else self._options

    def set_run_state(self, state: RunState) -> None:
        if state is not self._run_state:
            self._run_state = state
            self.run_state_changed.emit(state)

    def add_snapshot(self, snapshot: engine.Snapshot) -> None:
        self._snapshots.append(snapshot)
        self.snapshot_added.emit(len(self._snapshots) - 1)

    def set_fit(
        self, result: engine.FitResult | None, snapshots: Sequence[engine.Snapshot]
    ) -> None:
        """Hold ``result`` and its ``snapshots`` in place of the fit held."""
        self._snapshots = list(snapshots)
        self._result = result
        self._run_options = None
        self._shown = -1
        self.fit_changed.emit(result)

    def clear_fit(self) -> None:
        self.set_fit(None, [])

    def begin_fit(self, options: engine.FitOptions) -> None:
        """Let go of the fit held: a run with ``options`` makes the snapshots to come."""
        self.clear_fit()
        self._run_options = options

    # --- the iteration shown (written by the fit display) ----------------------------------

    @property
    def shown_index(self) -> int:
        """The index of the snapshot the views show, or -1."""
        return self._shown

    def shown_snapshot(self) -> engine.Snapshot | None:
        """The snapshot the views show (the newest, or the one scrubbed to)."""
        if 0 <= self._shown < len(self._snapshots):
            return self._snapshots[self._shown]
        return None

    def set_shown(self, index: int) -> None:
        self._shown = index
        self.shown_changed.emit(index)
