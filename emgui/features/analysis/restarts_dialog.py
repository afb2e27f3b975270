"""Analyse > Explore Restarts: run R starts of the current settings and compare them.

Every start's curve is drawn as it ends, with the spread of the final values
and a table of starts. Picking a start shows it in the main window; its
components are matched (Hungarian, on means or probabilities or rates) to the
best start's, so a colour means the same component whichever start is shown.
The views are in :mod:`~emgui.features.analysis.restarts_views`, the words in
:mod:`~emgui.features.analysis.restarts_text`.
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
)

import engine
from emgui import dialogs
from emgui.features.analysis.dialog_base import AnalysisDialog, results_view
from emgui.features.analysis.generators import StartTrace, start_traces
from emgui.features.analysis.restarts_views import (
    SORT_ROLE,
    FinalsStrip,
    StartCurves,
    StartRow,
    StartsTableModel,
)
from emgui.features.analysis.restarts_text import setting_text, summary_text
from emgui.features.analysis.shown_fit import show_fit_in_window
from emgui.runs.worker import GeneratorWorker
from emgui.shell.host import Host
from emgui.views.engine_bridge import permuted
from engine.selection import (
    matched_result,
    result_snapshots,
    single_start_options,
    spread_tolerance,
)

DEFAULT_STARTS = 20


#: The starts table's least width: a few columns, the rest scrolled to.
TABLE_MIN_WIDTH = 300


class RestartsDialog(AnalysisDialog):
    """A non-modal window over the main window for one setting's many starts."""

    start_added = Signal(int)
    """The restart index of a start that has just ended."""
    run_finished = Signal(object)
    """The :class:`engine.FitResult` (the best start) of a run that went to its end."""
    run_cancelled = Signal()
    """The run was stopped; the starts that ended stay shown."""
    start_opened = Signal(int)
    """The restart index now shown in the main window."""

    def __init__(self, host: Host) -> None:
        super().__init__(host, "Explore Restarts", (1120, 740), "starts")
        self._replay_restart = -1
        self._options: engine.FitOptions | None = None
        self._traces: dict[int, StartTrace] = {}
        self._rows: dict[int, StartRow] = {}
        self._result: engine.FitResult | None = None
        self._selected: int | None = None
        self._build()
        self._connect()

    # --- construction -------------------------------------------------------------------

    def _build(self) -> None:
        self.setting_label = QLabel()
        self.setting_label.setWordWrap(True)
        self.starts_spin = QSpinBox()
        self.starts_spin.setRange(2, 500)
        self.starts_spin.setValue(self._host.settings.value(
            "restarts/starts", DEFAULT_STARTS, type=int))
        self.starts_spin.setToolTip("How many starts to run. Each has its own random seeds, "
                                    "spawned from the Settings panel's seed.")
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
        self.table_view = results_view(
            self.proxy,
            "Click a start to highlight it; double-click to show it in the main window.",
        )
        self.proxy.sort(-1)
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
        # The table may scroll sideways on a small screen; the plots keep more than half.
        self.table_view.setMinimumWidth(TABLE_MIN_WIDTH)
        plots_width = max(self.width() * 600 // 1120, self.width() - 520)
        body.setSizes([plots_width, self.width() - plots_width])

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
        self._document.options_changed.connect(self._on_document_options_changed)
        self._document.init_mode_changed.connect(self._on_document_init_mode_changed)

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
        return self._document.options.replace(n_init=self.starts_spin.value())

    # --- commands -------------------------------------------------------------------------

    def run(self) -> None:
        """Run the starts of the current settings on the window's data."""
        if self._document.table is None:
            dialogs.show_error(self, "open some data first (File > Open or Open Sample)")
            return
        self.stop()
        self._take_data()
        self._options = options = self._planned_options()
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
        worker = GeneratorWorker(
            partial(start_traces, self._X, options, self._feature_names), report=StartTrace
        )
        self._start_run(worker)
        self._host.settings.setValue("restarts/starts", options.n_init)
        self.run_bar.set_running(options.n_init)
        self._update_setting_label()
        self._update_summary()
        self._launch(worker)

    def progress_text(self, verb: str) -> str:
        return f"{verb} after {len(self._rows)} of {self._n_starts()} starts."

    def _n_starts(self) -> int:
        """Starts asked for, or run: from the hierarchical start, VVE and EEV fits may add
        a settled start of their own after those asked for."""
        return max(self._options.n_init, len(self._rows))

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
        if self._data_changed("the data have changed since these starts ran; run them again "
                              "to open one"):
            return
        self.select_start(restart)
        result = self._result
        if result is not None and restart == result.restart:
            snapshots = result_snapshots(self._traces[restart].snapshots, result)
            self._show(restart, result, snapshots)
            return
        options = single_start_options(self._options, self._traces[restart].snapshots[0])
        self._replay_restart = restart
        self._replay(options, f"Opening start {restart + 1}…")

    def _show(self, restart: int, result: engine.FitResult, snapshots: list) -> None:
        show_fit_in_window(
            self._host, result, snapshots, options=self._options,
            note=f"Explore Restarts: start {restart + 1} of {max(self._n_starts(), restart + 1)}",
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

    def _on_run_worker_yielded(self, trace: StartTrace) -> None:
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
        per_start = self._seconds() / done
        self.run_bar.set_progress(done, per_start * max(0, self._options.n_init - done))
        self.start_added.emit(trace.restart)

    def _on_run_worker_finished(self, result: engine.FitResult) -> None:
        if not self._run_ended():
            return
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
        self.run_bar.set_idle(f"Done: {len(self._rows)} starts in {self._seconds():.1f} s.")
        self.select_start(result.restart)
        self.run_finished.emit(result)

    def _on_run_worker_failed(self, message: str, details: str) -> None:
        if not self._run_ended():
            return
        self.run_bar.set_idle("The run stopped on an error.")
        dialogs.show_error(self, message, details)

    def _on_run_worker_cancelled(self) -> None:
        if not self._run_ended():
            return
        self.run_bar.set_idle(self.progress_text("Cancelled"))
        self.run_cancelled.emit()

    def _on_replay_worker_finished(self, outcome: tuple) -> None:
        if not self._replay_ended():
            return
        result, snapshots = outcome
        restart = self._replay_restart
        reference, reference_order = self._reference()
        matched, match = matched_result(result, reference, reference_order)
        self._show(restart, matched, [
            dataclasses.replace(s, params=permuted(s.params, result.options, match))
            for s in snapshots
        ])

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

    def _on_document_options_changed(self, options: object) -> None:
        if self.isVisible() and not self.is_running:
            self._update_setting_label()

    def _on_document_init_mode_changed(self, mode: str) -> None:
        self._on_document_options_changed(self._document.options)

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
        self.setting_label.setText(setting_text(
            self._planned_options(), self._options, self.is_running, self.init_is_explicit()))

    def init_is_explicit(self) -> bool:
        return self._document.init_mode not in ("kmeans++", "random")

    def _update_summary(self) -> None:
        rows = self.rows
        tolerance = self._tolerance() if rows else 0.0
        self.summary_label.setText(summary_text([row.final for row in rows], tolerance))

    # --- Qt overrides ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self.is_running:
            self._update_setting_label()
