"""Analyse > Explore Restarts: run R starts of the current settings and compare them.

Every start's curve is drawn as it ends, with the spread of the final values
and a table of starts. Picking a start shows it in the main window; its
components are matched (Hungarian, on means or probabilities or rates) to the
best start's, so a colour means the same component whichever start is shown.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
)

import engine
from emgui import dialogs
from emgui.restarts_views import SORT_ROLE, FinalsStrip, StartCurves, StartRow, StartsTableModel
from emgui.selection_hooks import show_fit_in_window
from emgui.selection_progress import RunBar
from emgui.selection_threads import WorkerThreads
from emgui.selection_workers import ReplayWorker, RestartsWorker, StartTrace
from emgui.settings_panel import INIT_LABELS, MODEL_LABELS
from engine.selection import (
    final_spread,
    matched_result,
    result_snapshots,
    single_start_options,
    spread_tolerance,
)

if TYPE_CHECKING:
    from emgui.main_window import MainWindow

DEFAULT_STARTS = 20


def describe(options: engine.FitOptions) -> str:
    """``"Gaussian mixture, full covariance, K = 3, seed 0"``."""
    parts = [MODEL_LABELS.get(options.model, options.model)]
    if options.model == "gaussian":
        parts.append(f"{options.covariance_type} covariance")
    parts.append(f"K = {options.n_components}")
    if options.e_step == "hard":
        parts.append("hard E-step")
    parts.append(f"starts from {INIT_LABELS.get(options.init, options.init)}")
    parts.append(f"seed {options.seed}")
    return ", ".join(parts)


class RestartsDialog(QDialog):
    """A non-modal window over the main window for one setting's many starts."""

    start_added = Signal(int)
    """The restart index of a start that has just ended."""
    run_finished = Signal(object)
    """The :class:`engine.FitResult` (the best start) of a run that went to its end."""
    run_cancelled = Signal()
    """The run was stopped; the starts that ended stay shown."""
    start_opened = Signal(int)
    """The restart index now shown in the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Explore Restarts")
        self.setModal(False)
        self.resize(1120, 740)
        self._window = window
        self.threads = WorkerThreads(self)
        self._run_worker: RestartsWorker | None = None
        self._replay_worker: ReplayWorker | None = None
        self._replay_restart = -1
        self._options: engine.FitOptions | None = None
        self._X: np.ndarray | None = None
        self._feature_names: list[str] = []
        self._traces: dict[int, StartTrace] = {}
        self._rows: dict[int, StartRow] = {}
        self._result: engine.FitResult | None = None
        self._started_at = 0.0
        self._selected: int | None = None
        self._build()
        self._connect()

    # --- construction -------------------------------------------------------------------

    def _build(self) -> None:
        self.setting_label = QLabel()
        self.setting_label.setWordWrap(True)
        self.starts_spin = QSpinBox()
        self.starts_spin.setRange(2, 500)
        self.starts_spin.setValue(self._window.settings.value(
            "restarts/starts", DEFAULT_STARTS, type=int))
        self.starts_spin.setToolTip("How many starts to run. Each has its own random seeds, "
                                    "spawned from the Settings panel's seed.")
        self.run_bar = RunBar("starts")
        top = QHBoxLayout()
        top.addWidget(QLabel("Starts"))
        top.addWidget(self.starts_spin)
        top.addWidget(self.run_bar, 1)

        self.curves = StartCurves()
        self.strip = FinalsStrip()
        self.table_model = StartsTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.table_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table_view = QTableView()
        self.table_view.setModel(self.proxy)
        self.table_view.setSortingEnabled(True)
        self.proxy.sort(-1)
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.verticalHeader().setVisible(False)
        self.table_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table_view.setToolTip("Click a start to highlight it; double-click to show it in "
                                   "the main window.")
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.curves)
        plots.addWidget(self.strip)
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 1)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(plots)
        body.addWidget(self.table_view)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        self.table_view.setMinimumWidth(480)
        body.setSizes([600, 520])

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.open_button = QPushButton("Show in main window")
        self.open_button.setToolTip("Show the selected start, with its trace, in the main "
                                    "window; its colours match the best start's components.")
        self.open_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.setting_label)
        layout.addLayout(top)
        layout.addWidget(body, 1)
        layout.addLayout(bottom)
        self._update_setting_label()

    def _connect(self) -> None:
        self.run_bar.run_requested.connect(self.run)
        self.run_bar.cancel_requested.connect(self.cancel)
        self.curves.start_clicked.connect(self.select_start)
        self.strip.start_clicked.connect(self.select_start)
        self.table_view.selectionModel().selectionChanged.connect(
            self._on_table_selection_changed)
        self.table_view.doubleClicked.connect(self._on_table_view_double_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self._window.settings_panel.options_changed.connect(self._on_settings_options_changed)

    # --- reading ------------------------------------------------------------------------

    @property
    def rows(self) -> list[StartRow]:
        """The starts that have ended, in order."""
        return [self._rows[r] for r in sorted(self._rows)]

    @property
    def result(self) -> engine.FitResult | None:
        return self._result

    @property
    def selected(self) -> int | None:
        return self._selected

    @property
    def is_running(self) -> bool:
        return self._run_worker is not None

    def trace(self, restart: int) -> StartTrace:
        return self._traces[restart]

    def best_restart(self) -> int | None:
        if self._result is not None:
            return self._result.restart
        ended = [row for row in self._rows.values() if not row.failed]
        return max(ended, key=lambda row: row.final).restart if ended else None

    def _planned_options(self) -> engine.FitOptions:
        # The Settings panel's own start, unless it is explicit (placed or the example's):
        # then k-means++ seeds, as restarts need random starts.
        return self._window.settings_panel.options().replace(n_init=self.starts_spin.value())

    # --- commands -------------------------------------------------------------------------

    def run(self) -> None:
        """Run the starts of the current settings on the window's data."""
        table = self._window.table
        if table is None:
            dialogs.show_error(self, "open some data first (File > Open or Open Sample)")
            return
        self.stop()
        options = self._planned_options()
        self._options, self._X, self._feature_names = options, table.data, list(table.columns)
        self._traces, self._rows, self._result = {}, {}, None
        self._selected = None
        objective = "classification log-likelihood" if options.e_step == "hard" else \
            "log-likelihood"
        self.curves.clear()
        self.curves.set_label(objective)
        self.strip.set_label(f"final {objective} of each start")
        self.strip.set_starts([], 0.0)
        self.table_model.clear(options.max_iter)
        self.proxy.sort(-1)
        worker = RestartsWorker(self._X, options, self._feature_names)
        worker.start_done.connect(self._on_run_worker_start_done)
        worker.finished.connect(self._on_run_worker_finished)
        worker.failed.connect(self._on_run_worker_failed)
        worker.cancelled.connect(self._on_run_worker_cancelled)
        self._run_worker = worker
        self._started_at = time.perf_counter()
        self._window.settings.setValue("restarts/starts", options.n_init)
        self.run_bar.set_running(options.n_init)
        self._update_setting_label()
        self._update_summary()
        self.threads.start(worker)

    def cancel(self) -> None:
        if self._run_worker is not None:
            self._run_worker.request_stop()

    def stop(self) -> None:
        """Stop everything this dialog runs, without waiting (later signals are ignored)."""
        for worker in (self._run_worker, self._replay_worker):
            if worker is not None:
                worker.request_stop()
        self._run_worker = self._replay_worker = None

    def select_start(self, restart: int) -> None:
        """Highlight ``restart`` in every view."""
        if restart not in self._rows:
            return
        self._selected = restart
        self.curves.set_selected(restart)
        self.strip.set_selected(restart)
        proxy_row = self.proxy.mapFromSource(
            self.table_model.index(self.table_model.row_of(restart), 0))
        selection = self.table_view.selectionModel()
        if not selection.isRowSelected(proxy_row.row()):
            selection.select(proxy_row, QItemSelectionModel.SelectionFlag.ClearAndSelect
                             | QItemSelectionModel.SelectionFlag.Rows)
        self.open_button.setEnabled(True)

    def open_start(self, restart: int) -> None:
        """Show ``restart`` in the main window, its components matched to the best start's."""
        if restart not in self._traces or self._rows[restart].failed:
            self.run_bar.set_busy_text(f"Start {restart + 1} failed; there is no fit to show.")
            return
        table = self._window.table
        if table is None or table.data is not self._X:
            dialogs.show_error(self, "the data have changed since these starts ran; run them "
                                     "again to open one")
            return
        self.select_start(restart)
        result = self._result
        if result is not None and restart == result.restart:
            snapshots = result_snapshots(self._traces[restart].snapshots, result)
            self._show(restart, result, snapshots)
            return
        if self._replay_worker is not None:
            self._replay_worker.request_stop()
        options = single_start_options(self._options, self._traces[restart].snapshots[0])
        worker = ReplayWorker(self._X, options, self._feature_names)
        worker.finished.connect(self._on_replay_worker_finished)
        worker.failed.connect(self._on_replay_worker_failed)
        self._replay_worker, self._replay_restart = worker, restart
        self.run_bar.set_busy_text(f"Opening start {restart + 1}…")
        self.threads.start(worker)

    def _show(self, restart: int, result: engine.FitResult, snapshots: list) -> None:
        show_fit_in_window(
            self._window, result, snapshots, options=self._options,
            note=f"Explore Restarts: start {restart + 1} of {self._options.n_init}",
        )
        self.run_bar.set_busy_text(f"Showing start {restart + 1} in the main window.")
        self.start_opened.emit(restart)

    def _reference(self) -> tuple[engine.Params, np.ndarray]:
        """What every start's components are matched to: the best start's, and its order.

        Before the run has finished (or once cancelled), the best start so far, in
        the order it ran.
        """
        if self._result is not None:
            return self._result.params, self._result.order
        params = self._traces[self.best_restart()].snapshots[-1].params
        return params, np.arange(params.n_components)

    # --- worker signals ---------------------------------------------------------------------

    def _on_run_worker_start_done(self, trace: StartTrace) -> None:
        if self.sender() is not self._run_worker:
            return
        last = trace.snapshots[-1]
        # A start that neither converged nor used up max_iter was cut short by a collapse.
        failed = not last.converged and last.iteration < self._options.max_iter
        row = StartRow(trace.restart, np.array([s.objective for s in trace.snapshots]),
                       -math.inf if failed else trace.final, last.converged, trace.seconds)
        self._traces[trace.restart] = trace
        self._rows[trace.restart] = row
        self.curves.add(row)
        self.table_model.add(row)
        self._refresh_spread()
        done = len(self._rows)
        per_start = (time.perf_counter() - self._started_at) / done
        self.run_bar.set_progress(done, per_start * (self._options.n_init - done))
        self.start_added.emit(trace.restart)

    def _on_run_worker_finished(self, result: engine.FitResult) -> None:
        if self.sender() is not self._run_worker:
            return
        self._run_worker = None
        self._result = result
        # The engine knows which starts failed; trust it over the guess made on the way.
        # A start that failed before its first iteration left no snapshots at all.
        for restart, objective in enumerate(result.restart_objectives):
            if restart not in self._rows:
                self._rows[restart] = StartRow(restart, np.empty(0), -math.inf, False, 0.0)
            elif not math.isfinite(objective):
                self._rows[restart].final = -math.inf
        self.table_model.set_rows(self.rows)
        self._refresh_spread()
        seconds = time.perf_counter() - self._started_at
        self.run_bar.set_idle(f"Done: {len(self._rows)} starts in {seconds:.1f} s.")
        self.select_start(result.restart)
        self.run_finished.emit(result)

    def _on_run_worker_failed(self, message: str, details: str) -> None:
        if self.sender() is not self._run_worker:
            return
        self._run_worker = None
        self.run_bar.set_idle("The run stopped on an error.")
        dialogs.show_error(self, message, details)

    def _on_run_worker_cancelled(self) -> None:
        if self.sender() is not self._run_worker:
            return
        self._run_worker = None
        self.run_bar.set_idle(
            f"Cancelled after {len(self._rows)} of {self._options.n_init} starts.")
        self.run_cancelled.emit()

    def _on_replay_worker_finished(self, outcome: tuple) -> None:
        if self.sender() is not self._replay_worker:
            return
        self._replay_worker = None
        result, snapshots = outcome
        restart = self._replay_restart
        reference, reference_order = self._reference()
        matched, match = matched_result(result, reference, reference_order)
        covariance = result.options.gaussian_covariance
        self._show(restart, matched, [s.permuted(match, covariance) for s in snapshots])

    def _on_replay_worker_failed(self, message: str, details: str) -> None:
        if self.sender() is not self._replay_worker:
            return
        self._replay_worker = None
        dialogs.show_error(self, message, details)

    # --- widget signals -------------------------------------------------------------------

    def _on_table_selection_changed(self) -> None:
        rows = self.table_view.selectionModel().selectedRows()
        if rows:
            restart = self.table_model.row_at(self.proxy.mapToSource(rows[0]).row()).restart
            if restart != self._selected:
                self.select_start(restart)

    def _on_table_view_double_clicked(self, index) -> None:
        self.open_start(self.table_model.row_at(self.proxy.mapToSource(index).row()).restart)

    def _on_open_button_clicked(self) -> None:
        if self._selected is not None:
            self.open_start(self._selected)

    def _on_settings_options_changed(self) -> None:
        if self.isVisible() and not self.is_running:
            self._update_setting_label()

    # --- helpers -----------------------------------------------------------------------------

    def _tolerance(self) -> float:
        return spread_tolerance(self._X.shape[0], self._options.tol)

    def _refresh_spread(self) -> None:
        self.strip.set_starts(self.rows, self._tolerance())
        best = self.best_restart()
        self.curves.set_best(best)
        self.strip.set_best(best)
        self.table_model.set_best(best)
        self.strip.set_selected(self._selected)
        self._update_summary()

    def _update_setting_label(self) -> None:
        planned = describe(self._planned_options())
        if self.init_is_explicit():
            planned += (" (the Settings panel starts from given values, which cannot vary "
                        "from start to start, so these starts use k-means++ seeds)")
        shown = describe(self._options) if self._options is not None else None
        if self.is_running or shown is None:
            text = f"<b>{shown if self.is_running else planned}</b>"
        elif shown == planned.split(" (")[0]:
            text = f"<b>{shown}</b>"
        else:
            text = f"Shown: <b>{shown}</b>. Run next: <b>{planned}</b>"
        self.setting_label.setText(text + ". Change the setting in the Settings panel, "
                                          "then Run.")

    def init_is_explicit(self) -> bool:
        return self._window.settings_panel.init_mode not in ("kmeans++", "random")

    def _update_summary(self) -> None:
        rows = self.rows
        if not rows:
            self.summary_label.setText(
                "Each start begins from different random seeds and climbs to the nearest "
                "optimum; comparing where they end shows whether one run can be trusted.")
            return
        spread = final_spread([row.final for row in rows], self._tolerance())
        failed = f" · {spread.n_failed} failed" if spread.n_failed else ""
        if math.isnan(spread.best):
            self.summary_label.setText(f"Every start so far failed{failed}.")
            return
        self.summary_label.setText(
            f"best <b>{spread.best:.4f}</b> · median {spread.median:.4f} · worst "
            f"{spread.worst:.4f}{failed}<br><b>{spread.n_at_best} of {spread.n_starts}</b> "
            f"starts ended within {spread.tolerance:g} of the best.")

    # --- Qt overrides ----------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self.is_running:
            self._update_setting_label()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        # Closing (or Esc) stops the run; a spontaneous hide (minimising) does not.
        if not event.spontaneous():
            self._stop_with_note()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._stop_with_note()
        super().closeEvent(event)

    def _stop_with_note(self) -> None:
        if self._run_worker is not None:
            self.stop()
            self.run_bar.set_idle(
                f"Stopped after {len(self._rows)} of {self._options.n_init} starts.")
        else:
            self.stop()

