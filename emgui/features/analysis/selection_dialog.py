"""Analyse > Choose K and Model: fit every (model, K) cell and compare BIC, AIC and ICL.

The sweep runs on a worker thread; cells appear in the chart and the table as
they finish, with a progress bar and an estimate of the time left. Clicking a
marker or double-clicking a row fits that cell again (same options and seed,
so the same fit bit for bit, now with its trace) and shows it in the main window.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from functools import partial

import numpy as np
from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QRadioButton, QSplitter, QVBoxLayout

from emgui import dialogs
from emgui.features.analysis.criterion_chart import CRITERION_LABELS, CriterionChart
from emgui.features.analysis.dialog_base import AnalysisDialog, results_view
from emgui.features.analysis.shown_fit import show_fit_in_window
from emgui.features.analysis.sweep_controls import DEFAULT_K_RANGE, DEFAULT_N_INIT, SweepControls
from emgui.features.analysis.sweep_table import SORT_ROLE, SweepTableModel
from emgui.runs.worker import GeneratorWorker
from emgui.shell.host import Host
from emgui.views import declared
from engine import FitOptions, Snapshot
from engine.selection import (
    CRITERIA,
    Cell,
    ModelSpec,
    best_cell,
    default_specs,
    iterate_sweep,
    parse_k_range,
    seconds_left,
)


def sweep_with_options(
    X: np.ndarray,
    specs: Sequence[ModelSpec],
    ks: Sequence[int],
    base: FitOptions,
    option_values: Mapping[str, object],
    feature_names: list[str],
) -> Generator[Snapshot | Cell, None, list[Cell]]:
    """:func:`engine.selection.iterate_sweep` of each line with ``base``'s loop options and
    the option values the settings hold for that line's model (a binomial's trials while
    the settings show a Gaussian): each cell is the fit the settings would run."""
    cells: list[Cell] = []
    for spec in specs:
        options = base.replace(
            model=spec.model, **declared.option_values_for(spec.model, option_values)
        )
        cells += yield from iterate_sweep(X, [spec], ks, options, feature_names)
    return cells


class ModelSelectionDialog(AnalysisDialog):
    """A non-modal window over the main window: the sweep's controls, chart and table."""

    cell_added = Signal(object)
    """A :class:`engine.selection.Cell` just arrived from the sweep."""
    sweep_finished = Signal(object)
    """Every cell of the sweep (a list of :class:`engine.selection.Cell`)."""
    sweep_cancelled = Signal()
    """The sweep was stopped before its end (its finished cells stay shown)."""
    sweep_failed = Signal(str)
    """The sweep stopped on an error (the message)."""
    cell_opened = Signal(object)
    """The :class:`engine.selection.Cell` now shown in the main window."""

    def __init__(self, host: Host) -> None:
        super().__init__(host, "Choose K and Model", (960, 860), "cells")
        self._replay_cell: Cell | None = None
        self._plan: list[tuple[ModelSpec, int]] = []
        self._choose_defaults = True
        self._build()
        self._restore_settings()
        self._connect()

    # --- construction -------------------------------------------------------------------

    def _build(self) -> None:
        self.controls = SweepControls()
        # The controls' widgets, under the names callers and tests know them by.
        self.k_edit, self.n_init_spin = self.controls.k_edit, self.controls.n_init_spin
        self.model_boxes = self.controls.model_boxes
        self.criterion_group = self.controls.criterion_group
        self.criterion_buttons = self.controls.criterion_buttons
        self.preset_buttons, self.hc_box = self.controls.preset_buttons, self.controls.hc_box

        self.chart = CriterionChart()
        self.table_model = SweepTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.table_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table_view = results_view(
            self.proxy,
            "Click a column header to sort; double-click a row to open that fit in the main "
            "window.",
        )
        self._unsort()
        self.table_view.setAlternatingRowColors(True)
        self.table_view.horizontalHeader().setStretchLastSection(True)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.table_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([460, 240])
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.open_button = QPushButton("Open in main window")
        self.open_button.setToolTip("Show the selected cell's fit, with its trace, in the "
                                    "main window.")
        self.open_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.controls)
        layout.addWidget(self.run_bar)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._set_summary()

    def _connect(self) -> None:
        self.run_bar.run_requested.connect(self.run)
        self.run_bar.cancel_requested.connect(self.cancel)
        self.criterion_group.buttonToggled.connect(self._on_criterion_group_button_toggled)
        self.chart.cell_clicked.connect(self.open_cell)
        self.table_view.doubleClicked.connect(self._on_table_view_double_clicked)
        self.table_view.selectionModel().selectionChanged.connect(
            self._on_table_selection_changed)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self._document.data_changed.connect(self._on_document_data_changed)
        self._document.options_changed.connect(self._on_document_options_changed)
        self._document.model_problems_changed.connect(self._on_document_options_changed)

    # --- reading the controls -----------------------------------------------------------

    @property
    def criterion(self) -> str:
        return self.controls.criterion

    def set_criterion(self, criterion: str) -> None:
        self.controls.set_criterion(criterion)

    def checked_specs(self) -> list[ModelSpec]:
        return self.controls.checked_specs()

    def set_checked_specs(self, specs: list[ModelSpec]) -> None:
        self.controls.set_checked_specs(specs)

    @property
    def cells(self) -> list[Cell]:
        """The cells shown, in the order they finished."""
        return self.table_model.cells

    def best(self) -> Cell | None:
        """The best cell by the chosen criterion, passing over collapsed ones."""
        return best_cell(self.cells, self.criterion, skip_collapsed=True)

    # --- commands -------------------------------------------------------------------------

    def run(self) -> None:
        """Start a sweep with the controls' choices on the window's data."""
        if self._document.table is None:
            dialogs.show_error(self, "open some data first (File > Open or Open Sample)")
            return
        try:
            ks = parse_k_range(self.k_edit.text())
        except ValueError as exc:
            dialogs.show_error(self, str(exc))
            return
        specs = self.checked_specs()
        if not specs:
            dialogs.show_error(self, "tick at least one model to compare")
            return
        self.stop()
        document = self._document
        # Held parameters need explicit starts, which a sweep has not; each cell starts afresh.
        base = document.options.replace(fixed=frozenset(), **self.controls.start_options())
        self._take_data()
        self._plan = [(spec, k) for spec in specs for k in ks]
        self.table_model.clear()
        self.chart.start(specs, ks)
        self._unsort()
        worker = GeneratorWorker(
            partial(sweep_with_options, self._X, specs, ks, base, document.option_values,
                    self._feature_names),
            report=Cell,
        )
        self._start_run(worker)
        self.run_bar.set_running(len(self._plan))
        self._set_summary()
        self._save_settings()
        self._launch(worker)

    def progress_text(self, verb: str) -> str:
        return f"{verb} after {len(self.cells)} of {len(self._plan)} cells."

    def open_cell(self, cell: Cell) -> None:
        """Fit ``cell`` again with its trace and show it in the main window."""
        if cell.result is None:
            self.run_bar.set_busy_text(f"{cell.spec.title}, K={cell.n_components} "
                                       f"could not be fitted: {cell.error}")
            return
        if self._data_changed("the data have changed since this sweep; run it again to open "
                              "its fits"):
            return
        self._replay_cell = cell
        self._replay(cell.result.options,
                     f"Opening {cell.spec.title}, K={cell.n_components}…")

    # --- worker signals ---------------------------------------------------------------------

    def _on_run_worker_yielded(self, cell: Cell) -> None:
        if self.sender() is not self._run_worker:
            return
        self.table_model.add_cell(cell)
        self.chart.add_cell(cell)
        self._show_best()
        done = len(self.cells)
        self.run_bar.set_progress(done, seconds_left(self.cells, self._plan[done:]))
        self.cell_added.emit(cell)

    def _on_run_worker_finished(self, cells: list[Cell]) -> None:
        if not self._run_ended():
            return
        failed = sum(cell.result is None for cell in cells)
        seconds = self._seconds()
        note = f"; {failed} could not be fitted (hover over them for why)" if failed else ""
        self.run_bar.set_idle(f"Done: {len(cells)} cells in {seconds:.1f} s{note}.")
        self._set_summary()
        self.sweep_finished.emit(cells)

    def _on_run_worker_failed(self, message: str, details: str) -> None:
        if not self._run_ended():
            return
        self.run_bar.set_idle("The sweep stopped on an error.")
        self._set_summary()
        self.sweep_failed.emit(message)
        dialogs.show_error(self, message, details)

    def _on_run_worker_cancelled(self) -> None:
        if not self._run_ended():
            return
        self.run_bar.set_idle(self.progress_text("Cancelled"))
        self._set_summary()
        self.sweep_cancelled.emit()

    def _on_replay_worker_finished(self, outcome: tuple) -> None:
        if not self._replay_ended():
            return
        cell = self._replay_cell
        result, snapshots = outcome
        show_fit_in_window(
            self._host, result, snapshots,
            note=f"Choose K and Model: {cell.spec.title}, K={cell.n_components}",
        )
        self.run_bar.set_busy_text(f"Showing {cell.spec.title}, "
                                   f"K={cell.n_components} in the main window.")
        self.cell_opened.emit(cell)

    # --- widget signals ---------------------------------------------------------------------

    def _on_criterion_group_button_toggled(self, button: QRadioButton, checked: bool) -> None:
        if not checked:
            return
        self.chart.set_criterion(self.criterion)
        self._show_best()
        self._save_settings()

    def _on_table_view_double_clicked(self, index) -> None:
        self.open_cell(self.table_model.cell_at(self.proxy.mapToSource(index).row()))

    def _on_table_selection_changed(self) -> None:
        self.open_button.setEnabled(bool(self.table_view.selectionModel().selectedRows()))

    def _on_open_button_clicked(self) -> None:
        rows = self.table_view.selectionModel().selectedRows()
        if rows:
            self._on_table_view_double_clicked(rows[0])

    def _on_document_data_changed(self, name: str) -> None:
        self._choose_defaults = True
        if self.isVisible():
            self.refresh_models()

    def _on_document_options_changed(self, options: object) -> None:
        if self.isVisible():
            self.refresh_models()

    # --- helpers -----------------------------------------------------------------------------

    def refresh_models(self) -> None:
        """Offer only the models the window's data suit; say why the others do not."""
        table = self._document.table
        self.run_bar.run_button.setEnabled(table is not None and not self.is_running)
        if table is None:
            self.summary_label.setText("Open some data first (File > Open or Open Sample).")
            return
        reasons = self.reasons()
        self.controls.show_reasons(reasons)
        if self._choose_defaults and not self.checked_specs():
            defaults = [s for s in default_specs() if reasons[s] is None] or [
                s for s in self.model_boxes if reasons[s] is None]
            model = self._document.options.model
            own = [s for s in self.model_boxes if s.model == model]
            if own and not declared.in_default_sweep(model) and reasons[own[0]] is None:
                defaults = own
            for spec in defaults:
                self.model_boxes[spec].setChecked(True)
        self._choose_defaults = False
        self._set_summary()

    def reasons(self) -> dict[ModelSpec, str | None]:
        """Why each line cannot be swept on the window's data (``None``: it can): the
        data checks the window made, and any option the model needs that is not set."""
        document = self._document
        values = document.option_values
        reasons: dict[ModelSpec, str | None] = {}
        for spec in self.model_boxes:
            why = document.model_problem(spec.model)
            if why is None:
                options = FitOptions(model=spec.model,
                                     **declared.option_values_for(spec.model, values))
                missing = declared.missing_options(options)
                if missing:
                    why = (f"the {declared.title(spec.model)} model needs "
                           f"{missing[0].title.lower()}; set it in the Settings panel first")
            reasons[spec] = why
        return reasons

    def _unsort(self) -> None:
        """Rows in the order the cells finish, until the user sorts by a column."""
        self.table_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)

    def _show_best(self) -> None:
        best = self.best()
        self.table_model.set_best(best)
        self.chart.set_best(best)
        self._set_summary()

    def _set_summary(self) -> None:
        best = self.best()
        if best is None:
            self.summary_label.setText(
                "Each cell is fitted with the Settings panel's options (tolerance, "
                "regularisation, seed) and the starts chosen here. Lower scores are better.")
            return
        name = CRITERION_LABELS[self.criterion]
        label = f"{best.spec.title}, K = {best.n_components}"
        so_far = " so far" if self.is_running else ""
        collapsed = sum(bool(c.collapsed) for c in self.cells)
        note = (f" Hollow markers: {collapsed} cell(s) where a component collapsed onto "
                "repeated values; never chosen as best." if collapsed else "")
        self.summary_label.setText(
            f"<b>Best by {name}{so_far}: {label}</b> ({name} {best.score(self.criterion):.2f}). "
            f"Click a marker or double-click a row to open that fit in the main window.{note}")

    def _save_settings(self) -> None:
        settings = self._host.settings
        settings.setValue("selection/k_range", self.k_edit.text())
        settings.setValue("selection/models", [s.label for s in self.checked_specs()])
        settings.setValue("selection/n_init", self.n_init_spin.value())
        settings.setValue("selection/hc_first", self.hc_box.isChecked())
        settings.setValue("selection/criterion", self.criterion)

    def _restore_settings(self) -> None:
        settings = self._host.settings
        self.k_edit.setText(settings.value("selection/k_range", DEFAULT_K_RANGE, type=str))
        self.n_init_spin.setValue(settings.value("selection/n_init", DEFAULT_N_INIT, type=int))
        self.hc_box.setChecked(settings.value("selection/hc_first", True, type=bool))
        criterion = settings.value("selection/criterion", "bic", type=str)
        self.set_criterion(criterion if criterion in CRITERIA else "bic")
        labels = settings.value("selection/models", [], type=list)
        self.set_checked_specs([s for s in self.model_boxes if s.label in labels])

    def _show_stopped(self) -> None:
        self._set_summary()

    # --- Qt overrides ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh_models()
