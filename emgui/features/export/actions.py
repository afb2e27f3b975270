"""Getting results out: parameters, assignments, traces, plots and summaries.

Adds to the File menu, before Quit: Apply Model to Data, the exports and the
copies. What is written is built by :mod:`emio.exports` and
:mod:`emio.snippet`; this module asks where (:class:`FileChooser`), renders
the plots (:mod:`.rendering`) and writes atomically. A failed write leaves
the previous file and everything in the window as they were.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

import engine
from emgui import dialogs
from emgui.features.export import questions
from emgui.features.export.apply_model import ModelApplier
from emgui.features.export.rendering import png_bytes, render_image, render_svg
from emgui.features.export.streamed_rows import assignments_note, streamed_assignments
from emgui.features.files import FileFeature, finished_fit, write_outputs
from emgui.runs.generators import Progress
from emgui.runs.streamed import SampledTable
from emgui.runs.task import Task
from emgui.shell.actions import make_action
from emgui.shell.host import Host
from emio import exports
from emio.tables import Table

PARAMS_FILTER = "EM Studio parameters (*.json)"
CSV_FILTER = "CSV table (*.csv)"
#: The trace's file-type choices: (format, with parameters) for each filter.
TRACE_FILTERS: dict[str, tuple[str, bool]] = {
    "CSV, log-likelihood per iteration (*.csv)": ("csv", False),
    "CSV with every iteration's parameters (*.csv)": ("csv", True),
    "JSON, log-likelihood per iteration (*.json)": ("json", False),
    "JSON with every iteration's parameters (*.json)": ("json", True),
}
#: The plot's file-type choices: scale for PNG, 0 for SVG.
PLOT_FILTERS: dict[str, int] = {
    "PNG image (*.png)": 1,
    "PNG image, 2x resolution (*.png)": 2,
    "PNG image, 3x resolution (*.png)": 3,
    "SVG drawing (*.svg)": 0,
}
#: The feature's plain actions: attribute (and object name), text, status tip, shortcut.
ACTIONS: dict[str, tuple[str, str, str | None]] = {
    "apply_model_action": (
        "Appl&y Model to Data…",
        "Load saved parameters and a data file; compute each row's component without refitting",
        None,
    ),
    "export_params_action": (
        "Export &Parameters…",
        "Write the fitted parameters as PARAMS.json; a table, arrays or a script on request",
        "Ctrl+E",
    ),
    "export_assignments_action": (
        "Export &Assignments…",
        "Write every row with its component, responsibilities and uncertainty as CSV",
        None,
    ),
    "export_trace_action": (
        "Export &Trace…",
        "Write the log-likelihood (and, on request, the parameters) of every iteration",
        None,
    ),
    "copy_params_table_action": (
        "Copy Parameters &Table", "Copy the parameters shown, tab-separated, for a spreadsheet",
        None,
    ),
    "copy_summary_action": (
        "Copy S&ummary",
        "Copy a short report of the fit: model, K, log-likelihood, BIC, AIC, ICL, sizes",
        None,
    ),
}
#: The plots that can be exported: key, menu text.
PLOTS = (("fit", "&Fit View"), ("likelihood", "&Likelihood Plot"))


def _assignments(
    table: Table, result: engine.FitResult, path: Path
) -> Generator[Progress, None, Path]:
    """Every row with its component and responsibilities, written to ``path``."""
    if isinstance(table, SampledTable):  # only a sample is held: the file's rows, streamed
        return (yield from streamed_assignments(table, result, path))
    yield Progress(0, 2, f"Computing the components of {table.n_samples:,} rows…")
    try:
        _, log_resp = engine.predict_log_resp(
            table.data, result.params, result.options, table.columns
        )
        filled = None
        if np.isnan(table.data).any():
            # Rows with gaps: their missing values as the fitted mixture expects them.
            filled = engine.impute(
                table.data, result.params, result.options, table.columns, per_component=False
            ).values
        yield Progress(1, 2, f"Writing {path.name}…")
        text = exports.assignments_csv(table, log_resp, filled)
    except ValueError as exc:
        raise ValueError(f"the assignments cannot be computed: {exc}") from None
    write_outputs([(path, text)])
    return path


class ExportActions(FileFeature):
    """The File menu's apply, export and copy actions, for one window."""

    assignments_written = Signal(str)
    """Export Assignments wrote the file at this path."""

    # Made from ACTIONS.
    apply_model_action: QAction
    export_params_action: QAction
    export_assignments_action: QAction
    export_trace_action: QAction
    copy_params_table_action: QAction
    copy_summary_action: QAction

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        parent = host.parent_widget

        for name, (text, tip, shortcut) in ACTIONS.items():
            setattr(self, name, make_action(parent, text, tip, shortcut, name=name))
        self.export_plot_menu = QMenu("Export P&lot", parent)
        self.export_plot_menu.setObjectName("export_plot_menu")
        self.copy_plot_menu = QMenu("Copy Plot &Image", parent)
        self.copy_plot_menu.setObjectName("copy_plot_menu")
        self.export_plot_actions: dict[str, QAction] = {}
        self.copy_plot_actions: dict[str, QAction] = {}
        for key, text in PLOTS:
            self.export_plot_actions[key] = self.export_plot_menu.addAction(text + "…")
            self.export_plot_actions[key].setObjectName(f"export_{key}_plot_action")
            self.export_plot_actions[key].setData(key)
            self.copy_plot_actions[key] = self.copy_plot_menu.addAction(text)
            self.copy_plot_actions[key].setObjectName(f"copy_{key}_plot_action")
            self.copy_plot_actions[key].setData(key)
        host.add_actions("file", [
            self.apply_model_action, None,
            self.export_params_action, self.export_assignments_action, self.export_trace_action,
            self.export_plot_menu, None,
            self.copy_plot_menu, self.copy_params_table_action, self.copy_summary_action, None,
        ])
        self._applier = ModelApplier(host, self._files, self)
        self._assignments_task: Task | None = None

        self.apply_model_action.triggered.connect(self._on_apply_model_action_triggered)
        self.export_params_action.triggered.connect(self._on_export_params_action_triggered)
        self.export_assignments_action.triggered.connect(
            self._on_export_assignments_action_triggered
        )
        self.export_trace_action.triggered.connect(self._on_export_trace_action_triggered)
        self.copy_params_table_action.triggered.connect(
            self._on_copy_params_table_action_triggered
        )
        self.copy_summary_action.triggered.connect(self._on_copy_summary_action_triggered)
        self.export_plot_menu.triggered.connect(self._on_export_plot_menu_triggered)
        self.copy_plot_menu.triggered.connect(self._on_copy_plot_menu_triggered)
        self._applier.applied.connect(self._on_applier_applied)
        document = self._document
        document.data_changed.connect(self._on_document_data_changed)
        document.run_state_changed.connect(self._on_document_run_state_changed)
        document.fit_changed.connect(self._on_document_fit_changed)
        document.shown_changed.connect(self._on_document_shown_changed)
        self.update_actions()

    # --- state ----------------------------------------------------------------------------

    @property
    def is_applying(self) -> bool:
        """Apply Model is under way: reading, evaluating, or about to show the result."""
        return self._applier.is_busy

    def update_actions(self) -> None:
        """Enable what has something to export."""
        document = self._document
        has_table = document.table is not None
        has_result = finished_fit(self._host) is not None and has_table
        for item in (self.export_params_action, self.export_assignments_action,
                     self.copy_summary_action):
            item.setEnabled(has_result)
        has_trace = not document.is_running and document.n_snapshots > 0
        self.export_trace_action.setEnabled(has_trace and has_table)
        self.copy_params_table_action.setEnabled(document.shown_snapshot() is not None)
        self.export_plot_menu.setEnabled(has_table)
        self.copy_plot_menu.setEnabled(has_table)

    def _on_document_data_changed(self, name: str) -> None:
        self.update_actions()

    def _on_document_run_state_changed(self, state: object) -> None:
        self.update_actions()

    def _on_document_fit_changed(self, result: object) -> None:
        self.update_actions()

    def _on_document_shown_changed(self, index: int) -> None:
        self.update_actions()

    def _need_result(self) -> engine.FitResult | None:
        """The finished fit, or ``None`` after telling the person why nothing happens."""
        result = finished_fit(self._host)
        if result is None or self._document.table is None:
            self._files.tell("Nothing to export yet: run a fit to the end first.")
            self.update_actions()
            return None
        return result

    # --- parameters, assignments, trace -----------------------------------------------------

    def _on_export_params_action_triggered(self) -> None:
        result = self._need_result()
        if result is None:
            return
        files = self._files
        chosen = files.ask_save("Export Parameters", [PARAMS_FILTER], f"{files.base_name()}_params.json")
        if chosen is None:
            return
        path = chosen[0]
        settings = self._host.settings
        remembered = {
            key: settings.value(f"export/{key}", False, type=bool) for key in questions.PARAMS_EXTRAS
        }
        extras = questions.ask_params_extras(self._host.parent_widget, path.stem, remembered)
        if extras is None:
            return
        for key, value in extras.items():
            settings.setValue(f"export/{key}", bool(value))
        try:
            outputs = exports.params_outputs(path, result, self._document.table.columns, **extras)
        except ValueError as exc:
            self._host.show_error(f"the parameters cannot be written: {exc}", repr(exc))
            return
        if files.write(outputs):
            files.wrote([p for p, _ in outputs])

    def export_assignments(self) -> bool:
        """Ask for a file and write every row with its component and responsibilities, in
        the background (a million rows take seconds); False when nothing was started."""
        result = self._need_result()
        if result is None:
            return False
        table = self._document.table
        files = self._files
        chosen = files.ask_save(
            "Export Assignments", [CSV_FILTER], f"{files.base_name()}_assignments.csv"
        )
        if chosen is None:
            return False
        task = Task(f"Writing {chosen[0].name}",
                    partial(_assignments, table, result, chosen[0]), self._host.threads, self)
        task.finished.connect(self._on_assignments_task_finished)
        task.failed.connect(self._on_assignments_task_failed)
        self._assignments_task = task
        self._host.run_task(task)
        return True

    def _on_assignments_task_finished(self, path: Path) -> None:
        if self.sender() is self._assignments_task:
            self._files.wrote([path], assignments_note(self._document.table))
            self.assignments_written.emit(str(path))

    def _on_assignments_task_failed(self, message: str, details: str) -> None:
        if self.sender() is self._assignments_task:
            self._host.show_error(message, details)

    def _on_export_assignments_action_triggered(self) -> None:
        self.export_assignments()

    def _on_export_trace_action_triggered(self) -> None:
        document, files = self._document, self._files
        snapshots = () if document.is_running else document.snapshots
        table = document.table
        if not snapshots or table is None:
            files.tell("Nothing to export yet: run a fit first.")
            return
        chosen = files.ask_save("Export Trace", list(TRACE_FILTERS), f"{files.base_name()}_trace.csv")
        if chosen is None:
            return
        path, file_filter = chosen
        kind, with_params = TRACE_FILTERS[file_filter]
        if path.suffix.lower() in (".csv", ".json") and path.suffix.lower() != f".{kind}":
            kind = path.suffix.lower()[1:]  # the typed name wins over the filter's format
        build = exports.trace_json if kind == "json" else exports.trace_csv
        try:
            text = build(list(snapshots), document.fit_options(), table.columns, with_params)
        except ValueError as exc:
            self._host.show_error(f"the trace cannot be written: {exc}", repr(exc))
            return
        if files.write([(path, text)]):
            files.wrote([path], f"{len(snapshots)} iterations")

    # --- plots and copies -------------------------------------------------------------------

    def export_plot(self, key: str) -> None:
        """Ask for a file and write plot ``key`` as PNG (1x, 2x, 3x) or SVG."""
        canvas = self._host.canvas
        kind = canvas.kind if key == "fit" else "likelihood"
        self.export_widget(canvas.plot_widget(key), kind)

    def export_widget(self, widget: QWidget | None, kind: str) -> None:
        """Ask for a file and write the plot in ``widget`` (named ``kind`` in the file name
        and title) as PNG (1x, 2x, 3x) or SVG."""
        files = self._files
        if widget is None or self._document.table is None:
            files.tell("There is no plot to export: open some data first.")
            return
        chosen = files.ask_save("Export Plot", list(PLOT_FILTERS), f"{files.base_name()}_{kind}.png")
        if chosen is None:
            return
        path, file_filter = chosen
        scale = PLOT_FILTERS[file_filter]
        if path.suffix.lower() == ".svg":
            scale = 0
        elif path.suffix.lower() == ".png" and scale == 0:
            scale = 1
        title = f"{self._document.name}: {kind}"
        try:
            if scale == 0:
                content = render_svg(widget, title)
            else:
                content = png_bytes(render_image(widget, scale))
        except ValueError as exc:
            self._host.show_error(f"the plot cannot be drawn: {exc}", repr(exc))
            return
        if files.write([(path, content)]):
            size = widget.size()
            what = "SVG" if scale == 0 else f"{size.width() * scale}x{size.height() * scale} PNG"
            files.wrote([path], what)

    def copy_plot(self, key: str) -> None:
        """Put plot ``key`` on the clipboard as an image at the screen's resolution."""
        self.copy_widget(self._host.canvas.plot_widget(key))

    def copy_widget(self, widget: QWidget | None) -> None:
        """Put the plot in ``widget`` on the clipboard as an image at the screen's resolution."""
        if widget is None or self._document.table is None:
            self._files.tell("There is no plot to copy: open some data first.")
            return
        image = render_image(widget, max(1.0, widget.devicePixelRatioF()))
        QGuiApplication.clipboard().setImage(image)
        self._files.tell("Copied the plot to the clipboard.")

    def _on_export_plot_menu_triggered(self, action: QAction) -> None:
        self.export_plot(action.data())

    def _on_copy_plot_menu_triggered(self, action: QAction) -> None:
        self.copy_plot(action.data())

    def _on_copy_params_table_action_triggered(self) -> None:
        if self._document.shown_snapshot() is None:
            self._files.tell("There are no parameters to copy yet: run a fit first.")
            return
        QGuiApplication.clipboard().setText(self._host.canvas.params_text())
        self._files.tell("Copied the parameters table (tab-separated) to the clipboard.")

    def _on_copy_summary_action_triggered(self) -> None:
        result = self._need_result()
        if result is None:
            return
        text = exports.summary_text(result, self._document.table.columns)
        QGuiApplication.clipboard().setText(text)
        self._files.tell("Copied a summary of the fit to the clipboard.")

    # --- apply a saved model ------------------------------------------------------------------

    def _on_apply_model_action_triggered(self) -> None:
        self._applier.ask_and_apply()

    def _on_applier_applied(self, rows: int, data_name: str) -> None:
        self.update_actions()
        if dialogs.ask_yes_no(
            self._host.parent_widget,
            f"Each of the {rows:,} rows of {data_name} now has a component. "
            "Export the assignments (component, responsibilities, uncertainty) as CSV now?",
        ):
            self.export_assignments()
