"""The EM Studio window: composes the views and wires their signals.

Maths lives in ``engine``, threads in :class:`FitController`, drawing in the
views; this module only connects them and keeps the user's place.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QScrollArea,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

import engine
from emgui import dialogs, features, gc_guard
from emgui.data_loader import DataLoader
from emgui.fit_controller import FitController, RunState
from emgui.fit_views import FitViews
from emgui.import_dialog import ImportDialog
from emgui.run_actions import RunActions
from emgui.settings_panel import SettingsPanel
from emgui.views import LikelihoodPlot, ParamsTable
from emio import samples as sample_catalogue
from emio.tables import Table, read_table

DRAW_INTERVAL_MS = 33  # about 30 redraws a second, whatever the iteration rate
#: During a run each stage of a frame is drawn this long after the one before
#: (see ``_show_latest_in_turns``).
STAGE_DELAY_MS = 1
MAX_RECENT = 10
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".dat", ".tab", ""}
OPEN_FILTERS = ";;".join(
    (
        "Data files (*.csv *.tsv *.txt *.dat *.npy *.npz *.xlsx *.parquet)",
        "Text tables (*.csv *.tsv *.txt *.dat)",
        "NumPy arrays (*.npy *.npz)",
        "Excel workbooks (*.xlsx)",
        "Parquet files (*.parquet)",
        "All files (*)",
    )
)
MAX_DELAY_S = 1.0
#: Files larger than this are read on a background thread with a busy indicator.
BACKGROUND_LOAD_BYTES = 2_000_000
DEFAULT_SIZE = (1320, 840)


class MainWindow(QMainWindow):
    """The main window. ``settings`` is where choices persist (tests pass a temporary one)."""

    data_loaded = Signal(str)
    """The name of the data just loaded."""
    snapshot_shown = Signal(int)
    """The index of the snapshot the views now show."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gc_guard.install()  # before any fit thread can run (see emgui.gc_guard)
        self.settings = settings
        self.setWindowTitle("EM Studio")
        self.setAcceptDrops(True)
        self.controller = FitController(self)
        self.loader = DataLoader(self)
        self._loading_path = Path()
        self._loaded_message = ""
        self.table: Table | None = None
        self.data_name = ""
        self.sample: sample_catalogue.Sample | None = None
        self.placed_means: list[tuple[float, float]] = []
        self._closing = False
        self._follow_latest = True
        self._shown_index = -1
        self._dirty = False
        self._started_at = 0.0
        self._elapsed = 0.0
        #: Asked by Step before anything else; a feature that took the step returns True.
        self.step_handlers: list[Callable[[], bool]] = []
        #: Asked for starting parameters before each Run or Step; the first answer wins.
        self.start_providers: list[Callable[[engine.FitOptions], engine.Params | None]] = []

        self.settings_panel = SettingsPanel()
        self.views = FitViews()
        self.likelihood_plot = LikelihoodPlot()
        self.params_table = ParamsTable()
        self.iteration_slider = QSlider(Qt.Orientation.Horizontal)
        self.iteration_slider.setToolTip(
            "Drag to look back at any iteration already run; the plots and the table follow."
        )
        self.iteration_slider.setEnabled(False)
        self.iteration_label = QLabel("iteration –")
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.description_label.setStyleSheet("color: #333; padding: 4px;")
        self.run_actions = RunActions(self)
        self._build_layout()
        self._build_menus()
        self._build_status_bar()
        self._draw_timer = QTimer(self)
        #: The snapshot being drawn in stages during a run, and the stages still to come.
        self._live_frame: tuple[int, engine.Snapshot, list[Callable[[int], None]]] | None = None
        # A timer, not a zero-delay call: a posted call would run ahead of the paint.
        self._stage_timer = QTimer(self)
        self._stage_timer.setSingleShot(True)
        self._stage_timer.setInterval(STAGE_DELAY_MS)
        self._draw_timer.setInterval(DRAW_INTERVAL_MS)
        self._connect()
        self._restore_settings()
        for install in features.INSTALLERS:
            install(self)
        self._update_actions()

    # --- construction -------------------------------------------------------------------

    def _build_layout(self) -> None:
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.likelihood_plot)
        slider_row = QWidget()
        row = QVBoxLayout(slider_row)
        row.setContentsMargins(8, 0, 8, 4)
        row.addWidget(self.iteration_slider)
        row.addWidget(self.iteration_label)
        bottom_layout.addWidget(slider_row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.views)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.settings_panel)
        left_layout.addWidget(self.description_label)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(340)
        settings_dock = QDockWidget("Settings", self)
        settings_dock.setObjectName("settings_dock")
        settings_dock.setWidget(scroll)
        settings_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, settings_dock)
        params_dock = QDockWidget("Parameters", self)
        params_dock.setObjectName("params_dock")
        self.params_table.setMinimumWidth(300)
        params_dock.setWidget(self.params_table)
        params_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, params_dock)

        self.run_toolbar = toolbar = self.addToolBar("Run")
        toolbar.setObjectName("run_toolbar")
        for action in self.run_actions.all:
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Speed "))
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setRange(0, 20)
        self.speed_slider.setValue(20)
        self.speed_slider.setFixedWidth(140)
        self.speed_slider.setToolTip(
            "Slow the fit down to watch each iteration (left: up to one second per "
            "iteration; right: full speed)."
        )
        toolbar.addWidget(self.speed_slider)

    def _build_menus(self) -> None:
        self.file_menu = file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.setStatusTip("Open a data file (CSV, TSV, text, NPY/NPZ, XLSX, Parquet)")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.sample_menu = file_menu.addMenu("Open &Sample")
        for sample in sample_catalogue.load_catalogue():
            action = self.sample_menu.addAction(sample.title)
            action.setData(sample.id)
            action.setStatusTip(sample.description)
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.quit_action)
        self.run_menu = run_menu = self.menuBar().addMenu("&Run")
        for action in self.run_actions.all:
            run_menu.addAction(action)
        self.view_menu = view_menu = self.menuBar().addMenu("&View")
        self.uncertainty_action = QAction("Fade &uncertain points", self)
        self.uncertainty_action.setCheckable(True)
        self.uncertainty_action.setStatusTip(
            "Fade points whose cluster is unsure (largest responsibility well below 1)"
        )
        view_menu.addAction(self.uncertainty_action)
        self.analyse_menu = self.menuBar().addMenu("&Analyse")
        self._refresh_recent_menu()

    def _build_status_bar(self) -> None:
        self.status_label = QLabel("Ready")
        self.statusBar().addPermanentWidget(self.status_label, 1)
        self.load_progress = QProgressBar()
        self.load_progress.setRange(0, 0)  # busy: reading reports no progress
        self.load_progress.setMaximumWidth(160)
        self.load_progress.setVisible(False)
        self.statusBar().addPermanentWidget(self.load_progress)

    def _connect(self) -> None:
        self.open_action.triggered.connect(self._on_open_action_triggered)
        self.quit_action.triggered.connect(self.close)
        self.recent_menu.triggered.connect(self._on_recent_menu_triggered)
        self.sample_menu.triggered.connect(self._on_sample_menu_triggered)
        self.uncertainty_action.toggled.connect(self.views.set_show_uncertainty)
        self.run_actions.run.triggered.connect(self.run)
        self.run_actions.pause.triggered.connect(self._on_pause_action_triggered)
        self.run_actions.step.triggered.connect(self.step)
        self.run_actions.stop.triggered.connect(self.stop)
        self.run_actions.reset.triggered.connect(self.reset)
        self.speed_slider.valueChanged.connect(self._on_speed_slider_value_changed)
        self.loader.loaded.connect(self._on_loader_loaded)
        self.loader.failed.connect(self._on_loader_failed)
        self.loader.busy_changed.connect(self._on_loader_busy_changed)
        self.controller.snapshot_added.connect(self._on_controller_snapshot_added)
        self.controller.run_finished.connect(self._on_controller_run_finished)
        self.controller.run_failed.connect(self._on_controller_run_failed)
        self.controller.run_cancelled.connect(self._on_controller_run_cancelled)
        self.controller.state_changed.connect(self._on_controller_state_changed)
        self.controller.all_stopped.connect(self._on_controller_all_stopped)
        self.iteration_slider.valueChanged.connect(self._on_iteration_slider_value_changed)
        self.settings_panel.options_changed.connect(self._on_settings_options_changed)
        self.settings_panel.columns_changed.connect(self._on_settings_columns_changed)
        self.settings_panel.init_mode_changed.connect(self._on_settings_init_mode_changed)
        self.views.point_placed.connect(self._on_views_point_placed)
        self._draw_timer.timeout.connect(self._on_draw_timer_timeout)
        self._stage_timer.timeout.connect(self._on_stage_timer_timeout)

    def show_with_default_size(self) -> None:
        """Show the window; the first time, at a size that fits every panel."""
        self.show()
        if self.settings.value("geometry") is None:
            # After show(): a small screen would otherwise clamp the size before it is shown.
            self.resize(DEFAULT_SIZE[0], DEFAULT_SIZE[1])

    # --- loading ------------------------------------------------------------------------

    def open_file(self, path: str | Path, ask: bool = True) -> bool:
        """Open a data file; text files go through the import preview when ``ask``.

        Files above :data:`BACKGROUND_LOAD_BYTES` are read on a background
        thread (``data_loaded`` says when they arrive); smaller ones at once.
        Returns False when the user cancelled or the file could not be read.
        """
        path = Path(path)
        try:
            if ask and path.suffix.lower() in TEXT_SUFFIXES and path.is_file():
                dialog = ImportDialog(path, self)
                if dialog.exec() != ImportDialog.DialogCode.Accepted:
                    return False
                table = dialog.load()
            elif path.is_file() and path.stat().st_size > BACKGROUND_LOAD_BYTES:
                self._loading_path = path
                self.loader.load(path)
                return True
            else:
                table = read_table(path)
        except (ValueError, OSError) as exc:
            dialogs.show_error(self, f"could not open {path.name}: {exc}", repr(exc))
            return False
        self._adopt_file(path, table)
        return True

    def _adopt_file(self, path: Path, table: Table) -> None:
        self.settings.setValue("last_dir", str(path.parent))
        self._add_recent(path)
        self.sample = None
        self.description_label.setText("")
        self.settings_panel.set_sample_init_available(False)
        self.set_table(table, path.name)

    def _on_loader_loaded(self, table: Table) -> None:
        self._adopt_file(self._loading_path, table)

    def _on_loader_failed(self, message: str, details: str) -> None:
        dialogs.show_error(self, f"could not open {self._loading_path.name}: {message}", details)

    def _on_loader_busy_changed(self, busy: bool) -> None:
        self.load_progress.setVisible(busy)
        if busy:
            size = self._loading_path.stat().st_size / 1e6
            self._set_status(f"Reading {self._loading_path.name} ({size:.0f} MB)…")

    def open_sample(self, sample_id: str) -> None:
        sample = next(s for s in sample_catalogue.load_catalogue() if s.id == sample_id)
        try:
            table = read_table(sample.path)
        except (ValueError, OSError) as exc:
            dialogs.show_error(self, f"could not open the sample {sample.title}: {exc}", repr(exc))
            return
        self.sample = sample
        # Data first, then the sample's model: the views never see one without the other.
        self.set_table(table, sample.title)
        self.settings_panel.set_sample_init_available(sample.init is not None)
        self.settings_panel.set_options(
            sample.fit_options(), init_mode="sample" if sample.init is not None else None
        )
        self.description_label.setText(f"<b>{sample.title}</b><br>{sample.description}")

    def set_table(self, table: Table, name: str) -> None:
        """Show new data: any running fit stops, the fit views start afresh."""
        self.controller.stop()
        self.table = table
        self.data_name = name
        self.placed_means = []
        self.settings_panel.set_data_shape(table.data.shape[0], table.columns)
        self._show_data()
        self._reset_trace()
        self.setWindowTitle(f"EM Studio — {name}")
        rows, cols = table.data.shape
        notes = "; ".join(table.notes)
        self._loaded_message = f"Loaded {name}: {rows:,} rows × {cols} columns. {notes}".strip()
        self._set_status(self._loaded_message)
        self._update_actions()
        self.data_loaded.emit(name)

    def _show_data(self) -> None:
        if self.table is None:
            return
        options = self.settings_panel.options()
        problem = self.views.set_data(
            self.table.data, self.table.columns, options, self.settings_panel.columns()
        )
        if problem:
            self._set_status(f"These data do not suit the {options.model} model: {problem}.")
        elif self.status_label.text().startswith("These data do not suit"):
            self._set_status(self._loaded_message)
        self.views.clear_state()
        self.views.set_placed(np.array(self.placed_means).reshape(-1, 2))
        self._update_placing()

    # --- running ------------------------------------------------------------------------

    def start_options(self) -> engine.FitOptions | None:
        """The options the next Run would use (``None``: a start is missing; the user was told)."""
        return self._options_for_run()

    def _options_for_run(self) -> engine.FitOptions | None:
        options = self.settings_panel.options()
        for provide in self.start_providers:
            params = provide(options)
            if params is not None:
                return options.replace(init=params)
        mode = self.settings_panel.init_mode
        if mode == "sample" and self.sample is not None and self.sample.init is not None:
            return options.replace(init=self.sample.init_params())
        if mode == "click":
            if len(self.placed_means) < options.n_components:
                dialogs.show_error(
                    self,
                    f"click {options.n_components - len(self.placed_means)} more point(s) on "
                    "the plot to place the starting means, or choose another start",
                )
                return None
            return options.replace(init=self._placed_params(options))
        return options

    def _placed_params(self, options: engine.FitOptions) -> engine.Params:
        """Start at the clicked means, each component with the data's own spread."""
        X = self.table.data
        k = options.n_components
        means = np.tile(X.mean(axis=0), (k, 1))
        columns = list(self.settings_panel.columns())
        means[:, columns] = np.array(self.placed_means[:k])
        cov = np.atleast_2d(np.cov(X, rowvar=False))
        shapes = {
            "full": np.tile(cov, (k, 1, 1)),
            "tied": cov,
            "diag": np.tile(np.diag(cov), (k, 1)),
            "spherical": np.full(k, np.diag(cov).mean()),
        }
        covariance = options.gaussian_covariance or "spherical"
        return engine.Params(
            weights=np.full(k, 1.0 / k), means=means, covariances=shapes[covariance]
        )

    def run(self, paused: bool = False) -> None:
        """Start a fit with the settings shown (stopping any current one)."""
        if self.table is None:
            return
        options = self._options_for_run()
        if options is None:
            return
        self._reset_trace()
        self._started_at = time.perf_counter()
        self._elapsed = 0.0
        self._save_options()
        self.controller.start(self.table.data, options, self.table.columns, paused=paused)
        self._draw_timer.start()

    def step(self) -> None:
        if self.controller.state is RunState.PAUSED:
            self.controller.step()
        elif not any(handle() for handle in self.step_handlers):
            self.run(paused=True)

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        self.controller.stop()
        self._reset_trace()
        self._show_data()
        self.controller.snapshots = []
        self.controller.result = None
        self._set_status("Reset: the data alone, ready to run.")
        self._update_actions()

    def _reset_trace(self) -> None:
        self._cancel_live_frame()
        self._follow_latest = True
        self._shown_index = -1
        self._dirty = False
        self.likelihood_plot.clear()
        self.params_table.clear()
        self.iteration_slider.blockSignals(True)
        self.iteration_slider.setRange(0, 0)
        self.iteration_slider.blockSignals(False)
        self.iteration_slider.setEnabled(False)
        self.iteration_label.setText("iteration –")

    # --- drawing ------------------------------------------------------------------------

    def _trace_values(self, upto: int) -> tuple[list[float], str]:
        snapshots = self.controller.snapshots
        restart = snapshots[upto].restart
        run = [s for s in snapshots[: upto + 1] if s.restart == restart]
        if "inertia" in run[-1].metrics:
            return [s.metrics["inertia"] for s in run], "inertia"
        return [s.log_likelihood for s in run], "log-likelihood"

    def show_snapshot(self, index: int) -> None:
        """Draw the snapshot at ``index`` in every view."""
        snapshots = self.controller.snapshots
        if not snapshots or self.table is None:
            return
        index = min(max(index, 0), len(snapshots) - 1)
        self._cancel_live_frame()  # its remaining stages would draw an older snapshot
        for stage in self._frame_stages():
            stage(index)

    def _frame_stages(self) -> list[Callable[[int], None]]:
        """The parts of drawing one snapshot, each about a third of the work and paint."""
        return [self._show_views, self._show_trace, self._show_table]

    def _show_latest_in_turns(self) -> None:
        """Draw the newest snapshot during a run, one stage per turn of the event loop.

        At a million points a whole frame (views, trace, table and their paint) took
        40-90 ms while the engine's threads held both cores; in stages, the window
        handles input and timers between them.
        """
        snapshots = self.controller.snapshots
        if not snapshots or self.table is None:
            return
        index = len(snapshots) - 1
        self._live_frame = (index, snapshots[index], self._frame_stages())
        self._on_stage_timer_timeout()

    def _on_stage_timer_timeout(self) -> None:
        if self._live_frame is None:
            return
        index, snapshot, stages = self._live_frame
        snapshots = self.controller.snapshots
        # Unless the run was reset or replaced meanwhile (newer snapshots may have come).
        if index < len(snapshots) and snapshots[index] is snapshot:
            try:
                stages.pop(0)(index)
            except Exception:
                self._end_live_frame()  # live drawing goes on with the next frame
                raise
            if stages:
                self._stage_timer.start()
                return
        self._end_live_frame()

    def _end_live_frame(self) -> None:
        self._live_frame = None
        if self._draw_timer.isActive():
            # The next frame a whole interval after this one ends, not at once: frames
            # that take longer than the interval must not run back to back.
            self._draw_timer.start()

    def _cancel_live_frame(self) -> None:
        """Drop the rest of a live frame (something else is drawn instead)."""
        if self._live_frame is not None:
            # Whatever replaces it, the newest snapshot is drawn again at the next tick.
            self._dirty = True
        self._live_frame = None
        self._stage_timer.stop()

    def _show_views(self, index: int) -> None:
        self.views.show_params(self.controller.snapshots[index].params, self._current_options())

    def _show_trace(self, index: int) -> None:
        """The likelihood curve, iteration and status at snapshot ``index``."""
        snapshot = self.controller.snapshots[index]
        options = self._current_options()
        values, label = self._trace_values(index)
        self.likelihood_plot.set_history(values, label)
        self.likelihood_plot.set_current(snapshot.iteration)
        start = f"start {snapshot.restart + 1}, " if options.n_init > 1 else ""
        self.iteration_label.setText(f"{start}iteration {snapshot.iteration}")
        self._update_status(snapshot, label, values[-1])

    def _show_table(self, index: int) -> None:
        """The parameters table at snapshot ``index``: the last stage of drawing it."""
        snapshot = self.controller.snapshots[index]
        options = self._current_options()
        self.params_table.show_params(
            snapshot.params, options.model, options.gaussian_covariance, self.table.columns
        )
        self._shown_index = index
        self.snapshot_shown.emit(index)

    def show_fit(
        self,
        result: engine.FitResult | None,
        snapshots: list[engine.Snapshot],
        index: int = -1,
    ) -> None:
        """Show a fit made elsewhere (a session, a sweep cell, applied parameters)
        as if it had just run: views, trace, slider and table, at ``index``."""
        self.controller.restore(result, snapshots)
        order = None if result is None else result.order
        self.views.set_color_order(order)
        self.params_table.set_color_indices(order)
        self._elapsed = 0.0
        count = len(snapshots)
        if not count:
            self._reset_trace()
            return
        index = count - 1 if not 0 <= index < count else index
        self._follow_latest = index == count - 1
        self._sync_slider()
        self.iteration_slider.blockSignals(True)
        self.iteration_slider.setValue(index)
        self.iteration_slider.blockSignals(False)
        self.show_snapshot(index)

    def current_snapshot(self) -> engine.Snapshot | None:
        """The snapshot the views show (the newest, or the one scrubbed to)."""
        snapshots = self.controller.snapshots
        if 0 <= self._shown_index < len(snapshots):
            return snapshots[self._shown_index]
        return None

    def current_options(self) -> engine.FitOptions:
        """The options of the fit shown (or, before any fit, the settings panel's)."""
        return self._current_options()

    def _current_options(self) -> engine.FitOptions:
        result = self.controller.result
        if result is not None:
            return result.options
        return self.settings_panel.options()

    def _update_status(self, snapshot: engine.Snapshot, label: str, value: float) -> None:
        state = self.controller.state
        if self.controller.is_active:
            self._elapsed = time.perf_counter() - self._started_at
        parts = [f"iteration {snapshot.iteration}", f"{label} {value:.6g}"]
        if state is RunState.FINISHED and self.controller.result is not None:
            result = self.controller.result
            parts.append("converged" if result.converged else "not converged")
            parts.append(f"BIC {result.bic:.6g}")
        else:
            parts.append(state.value)
        parts.append(f"{self._elapsed:.2f} s")
        if self.views.is_thinned:
            shown = len(self.views.scatter.display_index)
            parts.append(f"display thinned to {shown:,} of {self.table.data.shape[0]:,} points")
        self._set_status(" · ".join(parts))

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def _on_draw_timer_timeout(self) -> None:
        if self._live_frame is not None:
            return  # the frame still being drawn restarts the interval when it is done
        if self._dirty:
            self._dirty = False
            if self._follow_latest:
                self._show_latest_in_turns()
        if not self.controller.is_active:
            self._draw_timer.stop()

    def _sync_slider(self) -> None:
        count = len(self.controller.snapshots)
        self.iteration_slider.blockSignals(True)
        self.iteration_slider.setRange(0, max(count - 1, 0))
        if self._follow_latest:
            self.iteration_slider.setValue(count - 1)
        self.iteration_slider.blockSignals(False)
        self.iteration_slider.setEnabled(count > 1)

    # --- controller signals ---------------------------------------------------------------

    def _on_controller_snapshot_added(self, index: int) -> None:
        self._dirty = True
        self._sync_slider()

    def _on_controller_run_finished(self, result: engine.FitResult) -> None:
        self._elapsed = time.perf_counter() - self._started_at
        self._follow_latest = True
        self.views.set_color_order(result.order)
        self.params_table.set_color_indices(result.order)
        self._sync_slider()
        self.show_snapshot(len(self.controller.snapshots) - 1)
        for message in result.messages:
            self.statusBar().showMessage(message, 10_000)

    def _on_controller_run_failed(self, message: str, details: str) -> None:
        self._draw_timer.stop()
        self._set_status(f"The fit stopped: {message}")
        dialogs.show_error(self, message, details)

    def _on_controller_run_cancelled(self) -> None:
        self._elapsed = time.perf_counter() - self._started_at
        if self.controller.snapshots and self._follow_latest:
            self.show_snapshot(len(self.controller.snapshots) - 1)
        self._set_status(f"Stopped. {self.status_label.text()}")

    def _on_controller_state_changed(self, state: RunState) -> None:
        if state in (RunState.RUNNING, RunState.PAUSED):
            self.views.set_color_order(None)
            self.params_table.set_color_indices(None)
        self._update_actions()

    def _on_controller_all_stopped(self) -> None:
        if self._closing:
            self.close()

    # --- widget signals -------------------------------------------------------------------

    def _on_pause_action_triggered(self, checked: bool) -> None:
        if checked:
            self.controller.pause()
        else:
            self.controller.resume()

    def _on_speed_slider_value_changed(self, value: int) -> None:
        fraction = 1.0 - value / self.speed_slider.maximum()
        self.controller.set_delay(MAX_DELAY_S * fraction**2)

    def _on_iteration_slider_value_changed(self, value: int) -> None:
        self._follow_latest = value >= self.iteration_slider.maximum()
        self.show_snapshot(value)

    def _on_settings_options_changed(self) -> None:
        if self.table is not None and not self.controller.is_active:
            kind = self.views.kind_for(self.settings_panel.model, self.table.data.shape[1])
            if kind != self.views.kind:
                self._show_data()
            self._update_placing()

    def _on_settings_columns_changed(self, x: int, y: int) -> None:
        if self.table is None:
            return
        self.placed_means = []
        self.views.set_data(self.table.data, self.table.columns, self._current_options(), (x, y))
        self.views.set_placed(np.zeros((0, 2)))
        if 0 <= self._shown_index < len(self.controller.snapshots):
            self.show_snapshot(self._shown_index)
        else:
            self.views.clear_state()

    def _on_settings_init_mode_changed(self, mode: str) -> None:
        self.placed_means = []
        self.views.set_placed(np.zeros((0, 2)))
        self._update_placing()

    def _update_placing(self) -> None:
        placing = self.settings_panel.init_mode == "click" and self.views.kind == "scatter"
        remaining = self.settings_panel.k_spin.value() - len(self.placed_means)
        self.views.set_placing(max(remaining, 0) if placing else None)
        if placing:
            self._set_status(
                f"Click {max(remaining, 0)} more point(s) on the plot to place the starting means."
                if remaining > 0
                else "Starting means placed: press Run."
            )

    def _on_views_point_placed(self, x: float, y: float) -> None:
        if len(self.placed_means) >= self.settings_panel.k_spin.value():
            self.placed_means = []
        self.placed_means.append((x, y))
        self.views.set_placed(np.array(self.placed_means))
        self._update_placing()

    def _on_open_action_triggered(self) -> None:
        start = self.settings.value("last_dir", "", type=str)
        path, _ = QFileDialog.getOpenFileName(self, "Open data", start, OPEN_FILTERS)
        if path:
            self.open_file(path)

    def _on_recent_menu_triggered(self, action: QAction) -> None:
        path = Path(action.data())
        if not path.exists():
            self._remove_recent(path)
            self.statusBar().showMessage(f"{path} is gone; removed it from the recent files.", 8000)
            return
        self.open_file(path)

    def _on_sample_menu_triggered(self, action: QAction) -> None:
        self.open_sample(action.data())

    # --- recent files and settings --------------------------------------------------------

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [], type=list)
        return [str(v) for v in value]

    def _add_recent(self, path: Path) -> None:
        path_text = str(path.resolve())
        recent = [p for p in self.recent_files() if p != path_text]
        self.settings.setValue("recent_files", ([path_text] + recent)[:MAX_RECENT])
        self._refresh_recent_menu()

    def _remove_recent(self, path: Path) -> None:
        self.settings.setValue("recent_files", [p for p in self.recent_files() if p != str(path)])
        self._refresh_recent_menu()

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        kept = [p for p in recent if Path(p).exists()]
        if len(kept) != len(recent):
            self.settings.setValue("recent_files", kept)
            self.statusBar().showMessage(
                f"{len(recent) - len(kept)} recent file(s) no longer exist; removed them.", 8000
            )
        for path in kept:
            action = self.recent_menu.addAction(Path(path).name)
            action.setData(path)
            action.setStatusTip(path)
        self.recent_menu.setEnabled(bool(kept))

    def _save_options(self) -> None:
        options = self.settings_panel.options()
        self.settings.setValue("options/model", options.model)
        self.settings.setValue("options/k", options.n_components)
        self.settings.setValue("options/covariance", options.covariance_type)
        self.settings.setValue("options/e_step", options.e_step)
        self.settings.setValue("options/n_init", options.n_init)
        self.settings.setValue("options/max_iter", options.max_iter)
        self.settings.setValue("options/tol", options.tol)
        self.settings.setValue("options/reg_covar", options.reg_covar)
        self.settings.setValue("options/seed", int(options.seed))

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window_state")
        if state is not None:
            self.restoreState(state)
        s = self.settings
        if s.contains("options/model"):
            self.settings_panel.set_options(
                engine.FitOptions(
                    model=s.value("options/model", "gaussian", type=str),
                    n_components=s.value("options/k", 3, type=int),
                    covariance_type=s.value("options/covariance", "full", type=str),
                    e_step=s.value("options/e_step", "soft", type=str),
                    n_init=s.value("options/n_init", 1, type=int),
                    max_iter=s.value("options/max_iter", 500, type=int),
                    tol=s.value("options/tol", 1e-6, type=float),
                    reg_covar=s.value("options/reg_covar", 1e-6, type=float),
                    seed=s.value("options/seed", 0, type=int),
                )
            )

    def _update_actions(self) -> None:
        self.run_actions.update(self.controller.state, self.table is not None)

    # --- drag and drop, closing -----------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            # Open after the drop returns, so a modal import dialog does not run inside it.
            path = urls[0].toLocalFile()
            QTimer.singleShot(0, lambda: self.open_file(path))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        if self.controller.threads_running:
            # Destroying a running QThread aborts the process: stop, then close again.
            self._closing = True
            self.controller.stop_all()
            event.ignore()
            return
        self._draw_timer.stop()
        self.loader.wait()
        event.accept()
