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
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

import engine
from emio.samples import Sample
from emio.tables import Table

#: The start choices of the Settings panel (``FitOptions.init`` holds only the first two).
INIT_MODES = ("kmeans++", "random", "click", "sample")
DEFAULT_TRIALS = 5


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
    """The :class:`engine.FitOptions` now in force (or the number of trials changed)."""
    init_mode_changed = Signal(str)
    """Where the next fit starts: one of :data:`INIT_MODES`."""
    columns_changed = Signal(int, int)
    """The two columns the scatter shows (indices into the data's columns)."""
    placed_changed = Signal(object)
    """The starting means placed by clicking: a tuple of ``(x, y)`` in the shown columns."""
    uncertainty_changed = Signal(bool)
    """Whether uncertain points are faded."""
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
        self._trials = DEFAULT_TRIALS
        self._columns = (0, 1)
        self._placed: tuple[tuple[float, float], ...] = ()
        self._show_uncertainty = False
        self._run_state = RunState.IDLE
        self._snapshots: list[engine.Snapshot] = []
        self._result: engine.FitResult | None = None
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

    def set_data(self, table: Table, name: str, sample: Sample | None = None) -> None:
        """Hold new data; the fit of the data held before goes with them."""
        if self._snapshots or self._result is not None:
            self.clear_fit()
        self._table, self._name, self._sample = table, name, sample
        self._columns = (0, min(1, table.n_features - 1))
        self._placed = ()
        self.data_changed.emit(name)

    # --- the settings -------------------------------------------------------------------

    @property
    def options(self) -> engine.FitOptions:
        """The fit options in force; ``init`` is a method name (explicit starts come at Run)."""
        return self._options

    @property
    def init_mode(self) -> str:
        return self._init_mode

    @property
    def trials(self) -> int:
        """The binomial's number of trials as set, whatever the model."""
        return self._trials

    def set_options(
        self,
        options: engine.FitOptions,
        init_mode: str | None = None,
        trials: int | None = None,
    ) -> None:
        """Put ``options`` in force, starting as ``init_mode`` says.

        Without ``init_mode``, the start is the method ``options.init`` names
        (k-means++ for explicit starting values, which the settings cannot
        show). ``trials`` defaults to the binomial's own, else stays as it is.
        """
        if init_mode is None:
            init_mode = options.init if isinstance(options.init, str) else "kmeans++"
        if init_mode not in INIT_MODES:
            raise ValueError(f"unknown start {init_mode!r}; choose one of {INIT_MODES}")
        if trials is None and options.trials is not None:
            trials = options.trials if isinstance(options.trials, int) else max(options.trials)
        changed = options != self._options or (trials is not None and trials != self._trials)
        self._options = options
        self._trials = self._trials if trials is None else int(trials)
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
        """The options of the fit held (or, before any fit, those in force)."""
        return self._result.options if self._result is not None else self._options

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
        self._shown = -1
        self.fit_changed.emit(result)

    def clear_fit(self) -> None:
        self.set_fit(None, [])

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
