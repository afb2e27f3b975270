"""The EM Studio window: lays out the views and wires them to the document; the features' host.

State lives in the :class:`~emgui.shell.document.Document`, runs in the
:class:`~emgui.runs.fit_controller.FitController`, drawing in the
:class:`~emgui.shell.fit_display.FitDisplay` and the views, opening data in
the :class:`~emgui.shell.data_opener.DataOpener`. This module composes them,
connects their signals and offers features a
:class:`~emgui.shell.window_host.WindowHost`; :mod:`emgui.app` installs the
features with it, never the window itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

import engine
from emgui import dialogs
from emgui.runs.fit_controller import FitController
from emgui.runs.registry import ThreadRegistry, application_registry
from emgui.shell import options_store
from emgui.shell import window_layout as layout
from emgui.shell.compute_section import ComputeBinding
from emgui.shell.data_checks import DataChecks
from emgui.shell.data_opener import DataOpener
from emgui.shell.document import Document, RunState
from emgui.shell.file_commands import FileCommands
from emgui.shell.fit_display import FitDisplay
from emgui.shell.palette import PaletteFollower
from emgui.shell.placing import MeanPlacing
from emgui.shell.player import IterationPlayer
from emgui.shell.recent_files import RecentFiles
from emgui.shell.results_pane import ResultsPane
from emgui.shell.run_actions import RunActions
from emgui.shell.screen_fit import available_area, clamp_to_screen, fitting_size
from emgui.shell.settings_binding import SettingsBinding
from emgui.shell.settings_panel import SettingsPanel
from emgui.shell.window_host import WindowHost
from emgui.shell.window_menus import build_menus
from emgui.views import declared

MAX_DELAY_S = 1.0
DEFAULT_SIZE = (1320, 840)
#: How long a passing word (a warning, a file gone) stays over the status line.
NOTE_MS = 12_000


class MainWindow(QMainWindow):
    """The main window. ``settings`` is where choices persist (tests pass a temporary one)."""

    def __init__(self, settings: QSettings, threads: ThreadRegistry | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._threads = threads if threads is not None else application_registry()
        self.setWindowTitle("EM Studio")
        self.setAcceptDrops(True)
        # The controller listens to the document first: other data stop a run before anyone
        # else hears of them.
        self.document = Document(self)
        self.controller = FitController(self.document, self._threads, self)
        # Next: which models suit new data is known before the views choose how to show them.
        self.checks = DataChecks(self.document, self._threads, self)
        self.display = FitDisplay(self.document, self)
        self.settings_panel = SettingsPanel()
        self._binding = SettingsBinding(self.settings_panel, self.document, self)
        self.views = self.display.views
        self.likelihood_plot = self.display.likelihood_plot
        self.params_table = self.display.params_table
        self.iteration_slider = self.display.slider
        self.iteration_label = self.display.position_label
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.description_label.setContentsMargins(4, 4, 4, 4)
        self.run_actions = RunActions(self)
        self._placing = MeanPlacing(self.document, self.views, self)
        self._closing = False
        self._status_is_problem = False
        self._loaded_message = ""
        self._build_layout()
        self._build_menus()
        self._build_status_bar()
        self.recent = RecentFiles(self.recent_menu, settings, self)
        self.opener = DataOpener(self.document, self.recent, settings, self._threads, self)
        self._files = FileCommands(self._menus, self.opener, self.recent, settings, self)
        self.compute = ComputeBinding(self.settings_panel.compute, settings, self.controller, self)
        #: What features see of this window (emgui.app installs them with it).
        self.host = WindowHost(self, self._threads)
        self._palette = PaletteFollower(self)
        self.views.view_made.connect(self._palette.follow)
        self._connect()
        self._restore_settings()
        self.recent.refresh()
        self._update_actions()

    # --- construction -------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.views.empty.setWordWrap(True)  # its sentence would set the plots' least width
        self.player = IterationPlayer(self.iteration_slider, self.iteration_label)
        self.setCentralWidget(layout.central_splitter(self.views, self.likelihood_plot, self.player))
        self.settings_dock = layout.settings_dock(self, self.settings_panel, self.description_label)
        self.params_dock = layout.params_dock(self, self.params_table)
        self.results_pane = ResultsPane(self.document, self.settings)
        self.results_dock = layout.results_dock(self, self.results_pane, self.params_dock)
        self.run_toolbar, self.speed_slider = layout.run_toolbar(self, self.run_actions)

    def _build_menus(self) -> None:
        self._menus = menus = build_menus(self, self.run_actions, self.player.keys.actions)
        self.file_menu, self.recent_menu, self.sample_menu = menus.file, menus.recent, menus.sample
        self.run_menu, self.view_menu, self.panels_menu = menus.run, menus.view, menus.panels
        self.analyse_menu, self.help_menu = menus.analyse, menus.help
        self.open_action, self.quit_action = menus.open_action, menus.quit_action
        self.uncertainty_action = menus.uncertainty_action
        for dock in (self.settings_dock, self.params_dock, self.results_dock):
            self.panels_menu.addAction(dock.toggleViewAction())

    def _build_status_bar(self) -> None:
        parts = layout.status_parts(self.statusBar())
        self.status_label, self.task_bar, self.load_progress = (
            parts.label, parts.task_bar, parts.load_progress
        )

    def _connect(self) -> None:
        self.quit_action.triggered.connect(self.close)
        self._files.note.connect(self.show_note)
        self.results_pane.note.connect(self.show_note)
        self.uncertainty_action.toggled.connect(self._on_uncertainty_action_toggled)
        self.run_actions.run.triggered.connect(self._on_run_action_triggered)
        self.run_actions.pause.triggered.connect(self._on_pause_action_triggered)
        self.run_actions.step.triggered.connect(self._on_step_action_triggered)
        self.run_actions.stop.triggered.connect(self._on_stop_action_triggered)
        self.run_actions.reset.triggered.connect(self._on_reset_action_triggered)
        self.speed_slider.valueChanged.connect(self._on_speed_slider_value_changed)
        self.opener.busy_changed.connect(self._on_opener_busy_changed)
        # What they say goes on the status line as it is.
        for status in (self.opener.status, self._placing.status, self.display.status_changed):
            status.connect(self.set_status)
        self.display.warnings_changed.connect(self._on_display_warnings_changed)
        self.display.borrowed_changed.connect(self._on_display_borrowed_changed)
        self.controller.run_finished.connect(self._on_controller_run_finished)
        self.controller.run_failed.connect(self._on_controller_run_failed)
        self.controller.run_cancelled.connect(self._on_controller_run_cancelled)
        self.checks.model_replaced.connect(self._on_checks_model_replaced)
        document = self.document
        document.data_changed.connect(self._on_document_data_changed)
        document.options_changed.connect(self._on_document_options_changed)
        document.columns_changed.connect(self._on_document_columns_changed)
        document.uncertainty_changed.connect(self._on_document_uncertainty_changed)
        document.run_state_changed.connect(self._on_document_run_state_changed)
        document.model_problems_changed.connect(self._on_document_model_problems_changed)
        self._threads.thread_forgotten.connect(self._on_threads_thread_forgotten)

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window_state")
        if state is not None:
            self.restoreState(state)
        options = options_store.saved_options(self.settings)
        if options is not None:
            self.document.set_options(options)

    def show_with_default_size(self) -> None:
        """Show the window: the first time at a size that fits the screen, afterwards as it
        was left; either way clamped to the screen's available area."""
        first = self.settings.value("geometry") is None
        self.show()
        if first:
            # After show(): the window knows its screen only once it is shown.
            self.resize(fitting_size(QSize(*DEFAULT_SIZE), available_area(self)))
        clamp_to_screen(self)
        if first:
            layout.first_widths(self, self.settings_dock, self.results_dock)

    # --- opening data -------------------------------------------------------------------

    def open_file(self, path: str | Path, ask: bool = True) -> bool:
        """Open a data file as File > Open does (see :meth:`DataOpener.open_file`)."""
        return self.opener.open_file(path, ask)

    def open_sample(self, sample_id: str) -> bool:
        return self.opener.open_sample(sample_id)

    def recent_files(self) -> list[str]:
        return self.recent.files()

    def _show_data(self) -> None:
        """The data alone, as the settings in force show them."""
        if self.document.table is None:
            return
        problem = self.display.show_data()
        if problem:
            model = declared.title(self.document.options.model)
            self.set_status(f"These data do not suit the {model} model: {problem}.", problem=True)
        elif self._status_is_problem:
            self.set_status(self._loaded_message)
        self._placing.show()

    # --- running ------------------------------------------------------------------------

    def run(self, paused: bool = False) -> None:
        """Start a fit with the settings in force (stopping any current one)."""
        document = self.document
        if document.table is None:
            return
        options = self.host.next_start()
        if options is None:
            return
        missing = declared.missing_options(options)
        if missing:
            spec = missing[0]
            dialogs.show_error(
                self, f"the {declared.title(options.model)} model needs {spec.title.lower()}: "
                f"type it in the Settings panel ({spec.help})"
            )
            return
        self.display.begin_run()
        options_store.save_options(self.settings, document.options)
        self.controller.start(
            document.table.data, options, document.table.columns, paused=paused
        )
        self.display.release()

    def step(self) -> None:
        if self.document.run_state is RunState.PAUSED:
            self.controller.step()
        elif not self.host.take_step():
            self.run(paused=True)

    def stop(self) -> None:
        self.controller.stop()

    def show_snapshot(self, index: int) -> None:
        """Draw the document's snapshot at ``index`` in every view."""
        self.display.show_snapshot(index)

    def set_status(self, text: str, problem: bool = False) -> None:
        """Say ``text`` on the status line until something else is said; a ``problem``
        goes when the settings change (it would be about settings no longer in force)."""
        self.status_label.setText(text)
        self._status_is_problem = problem

    def show_note(self, text: str, milliseconds: int = NOTE_MS) -> None:
        """Say ``text`` for a while over the status line (a warning, a file gone)."""
        self.statusBar().showMessage(text, milliseconds)

    def _update_actions(self) -> None:
        document = self.document
        self.run_actions.update(
            document.run_state, document.table is not None, held=self.display.is_borrowed
        )

    def reset(self) -> None:
        """Stop any run, let go of the fit and show the data alone."""
        self.controller.clear()
        self.display.release()
        self.display.reset_trace()
        self._show_data()
        self.set_status("Reset: the data alone, ready to run.")
        self._update_actions()

    # --- the document ---------------------------------------------------------------------

    def _on_document_data_changed(self, name: str) -> None:
        document = self.document
        sample = document.sample
        self.display.release()
        self.description_label.setText(
            "" if sample is None else f"<b>{sample.title}</b><br>{sample.description}"
        )
        self._show_data()
        self.display.reset_trace()
        self.setWindowTitle(f"EM Studio — {name}")
        rows, cols = document.table.data.shape
        notes = "; ".join(document.table.notes)
        self._loaded_message = f"Loaded {name}: {rows:,} rows × {cols} columns. {notes}".strip()
        self.set_status(self._loaded_message)
        self._update_actions()

    def _on_document_options_changed(self, options: engine.FitOptions) -> None:
        document = self.document
        if self._status_is_problem:
            # Said about the settings before this change: it no longer holds.
            self.set_status(self._loaded_message)
        if document.table is not None and not document.is_running:
            if not self.display.is_borrowed and (
                document.shown_snapshot() is None or self.display.view_for(options) != self.views.kind
            ):
                self._show_data()
            self._placing.update()

    def _on_document_model_problems_changed(self, problems: dict) -> None:
        document = self.document
        if document.table is not None and not document.is_running and not self.display.is_borrowed:
            if document.shown_snapshot() is None:
                self._show_data()

    def _on_checks_model_replaced(self, text: str) -> None:
        self.show_note(text)

    def _on_document_columns_changed(self, x: int, y: int) -> None:
        if self.document.table is not None:
            self.display.show_columns()
            self.document.set_placed(())

    def _on_document_uncertainty_changed(self, show: bool) -> None:
        self.uncertainty_action.setChecked(show)
        self.views.set_show_uncertainty(show)

    def _on_document_run_state_changed(self, state: RunState) -> None:
        self._update_actions()

    # --- the runs -------------------------------------------------------------------------

    def _on_controller_run_finished(self, result: engine.FitResult) -> None:
        self.display.show_finished(result)
        if result.messages:
            self.show_note("Warning: " + " ".join(result.messages))

    def _on_controller_run_failed(self, message: str, details: str) -> None:
        self.display.stop_following()
        self.set_status(f"The fit stopped: {message}", problem=True)
        dialogs.show_error(self, message, details)

    def _on_controller_run_cancelled(self) -> None:
        self.display.show_cancelled()
        self.set_status(f"Stopped. {self.status_label.text()}")

    def _on_threads_thread_forgotten(self, remaining: int) -> None:
        if self._closing and not self._threads.busy(owner=self):
            self.close()

    # --- the window's own widgets ---------------------------------------------------------

    def _on_display_warnings_changed(self, text: str) -> None:
        self.status_label.setToolTip(text)

    def _on_display_borrowed_changed(self, borrowed: bool) -> None:
        self._update_actions()

    def _on_opener_busy_changed(self, busy: bool) -> None:
        self.load_progress.setVisible(busy)

    def _on_uncertainty_action_toggled(self, checked: bool) -> None:
        self.document.set_show_uncertainty(checked)

    def _on_run_action_triggered(self) -> None:
        self.run()

    def _on_pause_action_triggered(self, checked: bool) -> None:
        if checked:
            self.controller.pause()
        else:
            self.controller.resume()

    def _on_step_action_triggered(self) -> None:
        self.step()

    def _on_stop_action_triggered(self) -> None:
        self.stop()

    def _on_reset_action_triggered(self) -> None:
        self.reset()

    def _on_speed_slider_value_changed(self, value: int) -> None:
        fraction = 1.0 - value / self.speed_slider.maximum()
        self.controller.set_delay(MAX_DELAY_S * fraction**2)

    # --- drag and drop, closing -----------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        self._files.drag_enter(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        self._files.drop(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        # Tasks under way end now for the person: nothing they finish is shown any more.
        self.task_bar.cancel_all()
        if self._threads.busy(owner=self):
            # Destroying a running QThread aborts the process: stop every thread of this
            # window (fits, sweeps, restarts, reads), then close again when they have ended.
            self._closing = True
            self.controller.stop()
            self._threads.request_stop(owner=self)
            event.ignore()
            return
        self._closing = False
        self.display.stop_following()
        layout.close_own_windows(self)  # their places were saved above
        event.accept()
