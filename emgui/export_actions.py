"""Getting results out: parameters, assignments, traces, plots, summaries and sessions.

Adds to the File menu, before Quit: Open/Save Session, Apply Model to Data,
the exports and the copies. What is written is built by :mod:`emio.exports`,
:mod:`emio.session` and :mod:`emio.snippet`; this module asks where, renders
the plots, writes atomically through :mod:`emio.atomic` and reports every
problem through :func:`emgui.dialogs.show_error`. A failed write leaves the
previous file and everything in the window as they were.

The questions this module asks are module-level functions
(:func:`ask_params_extras`, :func:`ask_data_action`), so tests can answer them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeySequence, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGraphicsItem,
    QGraphicsView,
    QLabel,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

import engine
from emgui import dialogs
from emio import exports, params_file
from emio import session as sessions
from emio.atomic import atomic_write_bytes, atomic_write_text, describe_os_error
from emio.tables import DataError, Table, TextOptions, read_table

if TYPE_CHECKING:
    from emgui.main_window import MainWindow

PARAMS_FILTER = "EM Studio parameters (*.json)"
CSV_FILTER = "CSV table (*.csv)"
SESSION_FILTER = f"EM Studio session (*{sessions.SUFFIX});;All files (*)"
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
#: The plots that can be exported: key, menu text.
PLOTS = (("fit", "&Fit View"), ("likelihood", "&Likelihood Plot"))
#: Answers of :func:`ask_data_action`.
DATA_USE, DATA_LOCATE, DATA_CANCEL = "use", "locate", "cancel"
#: The extra files Export Parameters can write beside the JSON, with their labels.
PARAMS_EXTRAS = {
    "components": "components table for spreadsheets ({stem}_components.csv)",
    "npz": "NumPy arrays ({stem}.npz)",
    "script": "Python script that applies the parameters to new data ({stem}.py)",
}


# --------------------------------------------------------------------------- questions


class ParamsExtrasDialog(QDialog):
    """Which files to write beside PARAMS.json."""

    def __init__(self, parent: QWidget | None, stem: str, chosen: dict[str, bool]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Parameters")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Write {stem}.json, and also:"))
        self.boxes: dict[str, QCheckBox] = {}
        for key, label in PARAMS_EXTRAS.items():
            box = QCheckBox(label.format(stem=stem))
            box.setChecked(chosen.get(key, False))
            self.boxes[key] = box
            layout.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> dict[str, bool]:
        return {key: box.isChecked() for key, box in self.boxes.items()}


def ask_params_extras(
    parent: QWidget | None, stem: str, chosen: dict[str, bool]
) -> dict[str, bool] | None:
    """Ask which of :data:`PARAMS_EXTRAS` to write; ``None`` if the person cancels."""
    dialog = ParamsExtrasDialog(parent, stem, chosen)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()


def ask_data_action(parent: QWidget | None, message: str, can_use: bool) -> str:
    """Ask what to do about a session's data file that changed or is missing.

    Returns :data:`DATA_USE` (only when ``can_use``), :data:`DATA_LOCATE` or
    :data:`DATA_CANCEL`.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("EM Studio")
    box.setText(message)
    use = box.addButton("Use It As It Is", QMessageBox.ButtonRole.AcceptRole) if can_use else None
    locate = box.addButton("Locate the File…", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    if use is not None and clicked is use:
        return DATA_USE
    return DATA_LOCATE if clicked is locate else DATA_CANCEL


# --------------------------------------------------------------------------- rendering plots

_WHITE = Qt.GlobalColor.white
_RENDER_FLAGS = QWidget.RenderFlag.DrawChildren | QWidget.RenderFlag.DrawWindowBackground


@contextmanager
def _export_mode(widget: QWidget, painter: QPainter) -> Iterator[None]:
    """Draw pyqtgraph items as vectors, without hover buttons, while exporting.

    Scatter points are normally stamped from a cached bitmap, which would be a
    blurry raster in a 3x PNG and an embedded image in SVG; pyqtgraph's export
    mode draws each symbol as a path instead.
    """
    views = [widget] if isinstance(widget, pg.GraphicsView) else []
    views += widget.findChildren(pg.GraphicsView)
    items = [
        item for view in views for item in view.scene().items() if hasattr(item, "setExportMode")
    ]
    cache_modes = [view.cacheMode() for view in views]
    # Items cached as pixmaps (the axes, whose text is slow to paint) would be pasted
    # in as bitmaps too; draw them afresh as vectors while exporting.
    cached = [
        (item, item.cacheMode())
        for view in views
        for item in view.scene().items()
        if item.cacheMode() != QGraphicsItem.CacheMode.NoCache
    ]
    options = {"antialias": True, "painter": painter, "background": _WHITE}
    try:
        for view in views:
            # A cached background would be pasted in as a bitmap.
            view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        for item, _ in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        for item in items:
            item.setExportMode(True, options)
        yield
    finally:
        for item in items:
            item.setExportMode(False)
        for item, mode in cached:
            item.setCacheMode(mode)
        for view, mode in zip(views, cache_modes):
            view.setCacheMode(mode)


def _render_widget(widget: QWidget, painter: QPainter) -> None:
    # QGraphicsView.render draws the scene, hiding QWidget.render, which draws the
    # widget as it looks (frame, axes and children included).
    QWidget.render(widget, painter, QPoint(), QRegion(), _RENDER_FLAGS)


def render_image(widget: QWidget, scale: float = 1.0) -> QImage:
    """``widget`` drawn into an image ``scale`` times its size (sharp, not enlarged).

    The image's device pixel ratio is ``scale``, so lines, text and points are
    drawn at the higher resolution and keep their size relative to the plot.
    """
    if scale <= 0:
        raise ValueError(f"the scale must be positive, not {scale}")
    size = widget.size()
    image = QImage(
        round(size.width() * scale), round(size.height() * scale),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.setDevicePixelRatio(scale)
    image.fill(_WHITE)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    try:
        with _export_mode(widget, painter):
            _render_widget(widget, painter)
    finally:
        painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    """The image encoded as PNG, in memory (written afterwards, atomically)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ValueError("the image could not be encoded as PNG; try SVG instead")
    buffer.close()
    return bytes(data.data())


def render_svg(widget: QWidget, title: str = "") -> bytes:
    """``widget`` drawn as an SVG document, through Qt's ``QSvgGenerator``.

    pyqtgraph's own SVG exporter fails on current Qt; this draws the widget
    with its ordinary paint code onto an SVG device instead.
    """
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    size = widget.size()
    generator.setSize(size)
    generator.setViewBox(QRect(QPoint(0, 0), size))
    # Font sizes in points then come out as they do on screen.
    generator.setResolution(widget.logicalDpiX())
    generator.setTitle(title)
    generator.setDescription("Made with EM Studio")
    painter = QPainter(generator)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        with _export_mode(widget, painter):
            _render_widget(widget, painter)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


# --------------------------------------------------------------------------- the actions


def _suffix_of(file_filter: str) -> str:
    match = re.search(r"\(\*(\.[\w.]+)", file_filter)
    return match.group(1) if match else ""


class ExportActions(QObject):
    """The File menu's session, apply and export actions, for one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("export_actions")
        self.window = window

        def action(text: str, name: str, tip: str, shortcut: object = None) -> QAction:
            made = QAction(text, window)
            made.setObjectName(name)
            made.setStatusTip(tip)
            if shortcut is not None:
                made.setShortcut(shortcut)
            return made

        self.open_session_action = action(
            "Open Sess&ion…", "open_session_action",
            "Reopen a saved session: its data, settings, fit and every iteration",
        )
        self.save_session_action = action(
            "Save Sessio&n…", "save_session_action",
            "Save the data file's place, the settings and the fit with its trace, to reopen later",
            QKeySequence.StandardKey.Save,
        )
        self.apply_model_action = action(
            "Appl&y Model to Data…", "apply_model_action",
            "Load saved parameters and a data file; compute each row's component without refitting",
        )
        self.export_params_action = action(
            "Export &Parameters…", "export_params_action",
            "Write the fitted parameters as PARAMS.json; a table, arrays or a script on request",
            QKeySequence("Ctrl+E"),
        )
        self.export_assignments_action = action(
            "Export &Assignments…", "export_assignments_action",
            "Write every row with its component, responsibilities and uncertainty as CSV",
        )
        self.export_trace_action = action(
            "Export &Trace…", "export_trace_action",
            "Write the log-likelihood (and, on request, the parameters) of every iteration",
        )
        self.copy_params_table_action = action(
            "Copy Parameters &Table", "copy_params_table_action",
            "Copy the parameters shown, tab-separated, for a spreadsheet",
        )
        self.copy_summary_action = action(
            "Copy S&ummary", "copy_summary_action",
            "Copy a short report of the fit: model, K, log-likelihood, BIC, AIC, ICL, sizes",
        )
        self.export_plot_menu = QMenu("Export P&lot", window)
        self.export_plot_menu.setObjectName("export_plot_menu")
        self.copy_plot_menu = QMenu("Copy Plot &Image", window)
        self.copy_plot_menu.setObjectName("copy_plot_menu")
        self.export_plot_actions: dict[str, QAction] = {}
        self.copy_plot_actions: dict[str, QAction] = {}
        for key, text in PLOTS:
            self.export_plot_actions[key] = self.export_plot_menu.addAction(text + "…")
            self.export_plot_actions[key].setObjectName(f"export_{key}_plot_action")
            self.copy_plot_actions[key] = self.copy_plot_menu.addAction(text)
            self.copy_plot_actions[key].setObjectName(f"copy_{key}_plot_action")

        menu = window.file_menu
        quit_action = window.quit_action
        for item in (
            self.open_session_action, self.save_session_action, None,
            self.apply_model_action, None,
            self.export_params_action, self.export_assignments_action, self.export_trace_action,
            self.export_plot_menu, None,
            self.copy_plot_menu, self.copy_params_table_action, self.copy_summary_action, None,
        ):
            if item is None:
                menu.insertSeparator(quit_action)
            elif isinstance(item, QMenu):
                menu.insertMenu(quit_action, item)
            else:
                menu.insertAction(quit_action, item)

        self.open_session_action.triggered.connect(self._on_open_session_action_triggered)
        self.save_session_action.triggered.connect(self._on_save_session_action_triggered)
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
        for key in self.export_plot_actions:
            self.export_plot_actions[key].triggered.connect(
                lambda checked=False, key=key: self.export_plot(key)
            )
            self.copy_plot_actions[key].triggered.connect(
                lambda checked=False, key=key: self.copy_plot(key)
            )
        window.controller.run_finished.connect(self._on_controller_run_finished)
        window.controller.state_changed.connect(self._on_controller_state_changed)
        window.data_loaded.connect(self._on_window_data_loaded)
        # Reset and scrubbing send no signal of their own; the menu is checked as it opens.
        menu.aboutToShow.connect(self.update_actions)
        self.update_actions()

    # --- state ----------------------------------------------------------------------------

    def _result(self) -> engine.FitResult | None:
        controller = self.window.controller
        return None if controller.is_active else controller.result

    def _snapshots(self) -> list[engine.Snapshot]:
        controller = self.window.controller
        return [] if controller.is_active else list(controller.snapshots)

    def update_actions(self) -> None:
        """Enable what has something to export."""
        window = self.window
        has_table = window.table is not None
        has_result = self._result() is not None and has_table
        idle = not window.controller.is_active
        for item in (self.export_params_action, self.export_assignments_action,
                     self.copy_summary_action):
            item.setEnabled(has_result)
        self.export_trace_action.setEnabled(bool(self._snapshots()) and has_table)
        self.copy_params_table_action.setEnabled(window.current_snapshot() is not None)
        self.export_plot_menu.setEnabled(has_table)
        self.copy_plot_menu.setEnabled(has_table)
        self.save_session_action.setEnabled(
            has_table and idle and window.table.source is not None
        )

    def _on_controller_run_finished(self, result: engine.FitResult) -> None:
        self.update_actions()

    def _on_controller_state_changed(self, state: object) -> None:
        self.update_actions()

    def _on_window_data_loaded(self, name: str) -> None:
        self.update_actions()

    def _tell(self, text: str) -> None:
        self.window.status_label.setText(text)

    def _need_result(self) -> engine.FitResult | None:
        """The finished fit, or ``None`` after telling the person why nothing happens."""
        result = self._result()
        if result is None or self.window.table is None:
            self._tell("Nothing to export yet: run a fit to the end first.")
            self.update_actions()
            return None
        return result

    # --- files ----------------------------------------------------------------------------

    def _base_name(self) -> str:
        table = self.window.table
        if table is not None and table.source is not None:
            return Path(table.source).stem
        return "em_studio"

    def _start_dir(self) -> Path:
        settings = self.window.settings
        folder = settings.value("export/dir", "", type=str) or settings.value(
            "last_dir", "", type=str
        )
        return Path(folder) if folder else Path.home()

    def _ask_save(self, title: str, filters: Sequence[str], name: str) -> tuple[Path, str] | None:
        """A path chosen in the save dialog (with the filter's suffix if none was typed)."""
        start = self._start_dir() / name
        path_text, chosen = QFileDialog.getSaveFileName(
            self.window, title, str(start), ";;".join(filters)
        )
        if not path_text:
            return None
        path = Path(path_text)
        chosen = chosen if chosen in filters else filters[0]
        if not path.suffix:
            path = path.with_suffix(_suffix_of(chosen))
        self.window.settings.setValue("export/dir", str(path.parent))
        return path, chosen

    def _ask_open(self, title: str, filters: str, start: Path | None = None) -> Path | None:
        folder = start if start is not None else self._start_dir()
        path_text, _ = QFileDialog.getOpenFileName(self.window, title, str(folder), filters)
        return Path(path_text) if path_text else None

    def _write(self, outputs: Sequence[tuple[Path, str | bytes]]) -> bool:
        """Write each file atomically; on the first failure say which and stop.

        Everything is in memory already, so a failure loses nothing in the
        window, and the file that failed keeps its previous content.
        """
        for done, (path, content) in enumerate(outputs):
            try:
                if isinstance(content, bytes):
                    atomic_write_bytes(path, content)
                else:
                    atomic_write_text(path, content)
            except OSError as exc:
                message = describe_os_error(exc, path)
                if done:
                    names = ", ".join(p.name for p, _ in outputs[:done])
                    message += f" ({names} {'was' if done == 1 else 'were'} written)"
                dialogs.show_error(self.window, message, repr(exc))
                return False
        return True

    def _wrote(self, paths: Sequence[Path], note: str = "") -> None:
        names = ", ".join(path.name for path in paths)
        folder = paths[0].parent if paths else ""
        note = f" {note[:1].upper()}{note[1:]}." if note else ""
        self._tell(f"Wrote {names} in {folder}.{note}")

    # --- parameters, assignments, trace -----------------------------------------------------

    def _on_export_params_action_triggered(self) -> None:
        result = self._need_result()
        if result is None:
            return
        chosen = self._ask_save(
            "Export Parameters", [PARAMS_FILTER], f"{self._base_name()}_params.json"
        )
        if chosen is None:
            return
        path = chosen[0]
        settings = self.window.settings
        remembered = {
            key: settings.value(f"export/{key}", False, type=bool) for key in PARAMS_EXTRAS
        }
        extras = ask_params_extras(self.window, path.stem, remembered)
        if extras is None:
            return
        for key, value in extras.items():
            settings.setValue(f"export/{key}", bool(value))
        names = self.window.table.columns
        try:
            outputs = exports.params_outputs(path, result, names, **extras)
        except ValueError as exc:
            dialogs.show_error(self.window, f"the parameters cannot be written: {exc}", repr(exc))
            return
        if self._write(outputs):
            self._wrote([p for p, _ in outputs])

    def export_assignments(self) -> bool:
        """Ask for a file and write every row with its component and responsibilities."""
        result = self._need_result()
        if result is None:
            return False
        table = self.window.table
        try:
            _, log_resp = engine.predict_log_resp(
                table.data, result.params, result.options, table.columns
            )
            text = exports.assignments_csv(table, log_resp)
        except ValueError as exc:
            dialogs.show_error(self.window, f"the assignments cannot be computed: {exc}", repr(exc))
            return False
        chosen = self._ask_save(
            "Export Assignments", [CSV_FILTER], f"{self._base_name()}_assignments.csv"
        )
        if chosen is None or not self._write([(chosen[0], text)]):
            return False
        self._wrote([chosen[0]], exports.assignments_note(table))
        return True

    def _on_export_assignments_action_triggered(self) -> None:
        self.export_assignments()

    def _on_export_trace_action_triggered(self) -> None:
        snapshots = self._snapshots()
        table = self.window.table
        if not snapshots or table is None:
            self._tell("Nothing to export yet: run a fit first.")
            return
        filters = list(TRACE_FILTERS)
        chosen = self._ask_save("Export Trace", filters, f"{self._base_name()}_trace.csv")
        if chosen is None:
            return
        path, file_filter = chosen
        kind, with_params = TRACE_FILTERS[file_filter]
        if path.suffix.lower() in (".csv", ".json") and path.suffix.lower() != f".{kind}":
            kind = path.suffix.lower()[1:]  # the typed name wins over the filter's format
        build = exports.trace_json if kind == "json" else exports.trace_csv
        try:
            text = build(snapshots, self.window.current_options(), table.columns, with_params)
        except ValueError as exc:
            dialogs.show_error(self.window, f"the trace cannot be written: {exc}", repr(exc))
            return
        if self._write([(path, text)]):
            self._wrote([path], f"{len(snapshots)} iterations")

    # --- plots and copies -------------------------------------------------------------------

    def plot_widget(self, key: str) -> QWidget | None:
        """The widget holding plot ``key`` ("fit" or "likelihood"), or ``None`` if none is shown."""
        window = self.window
        if key == "likelihood":
            return window.likelihood_plot.plot_widget
        views = window.views
        return {
            "scatter": getattr(views.scatter, "plot_widget", None),
            "histogram": getattr(views.histogram, "plot_widget", None),
            # Both of its plots and their legends belong together.
            "discrete": views.discrete,
        }.get(views.kind)

    def export_plot(self, key: str) -> None:
        """Ask for a file and write plot ``key`` as PNG (1x, 2x, 3x) or SVG."""
        widget = self.plot_widget(key)
        if widget is None or self.window.table is None:
            self._tell("There is no plot to export: open some data first.")
            return
        kind = self.window.views.kind if key == "fit" else "likelihood"
        chosen = self._ask_save(
            "Export Plot", list(PLOT_FILTERS), f"{self._base_name()}_{kind}.png"
        )
        if chosen is None:
            return
        path, file_filter = chosen
        scale = PLOT_FILTERS[file_filter]
        if path.suffix.lower() == ".svg":
            scale = 0
        elif path.suffix.lower() == ".png" and scale == 0:
            scale = 1
        title = f"{self.window.data_name}: {kind}"
        try:
            if scale == 0:
                content = render_svg(widget, title)
            else:
                content = png_bytes(render_image(widget, scale))
        except ValueError as exc:
            dialogs.show_error(self.window, f"the plot cannot be drawn: {exc}", repr(exc))
            return
        if self._write([(path, content)]):
            size = widget.size()
            what = "SVG" if scale == 0 else f"{size.width() * scale}x{size.height() * scale} PNG"
            self._wrote([path], what)

    def copy_plot(self, key: str) -> None:
        """Put plot ``key`` on the clipboard as an image at the screen's resolution."""
        widget = self.plot_widget(key)
        if widget is None or self.window.table is None:
            self._tell("There is no plot to copy: open some data first.")
            return
        image = render_image(widget, max(1.0, widget.devicePixelRatioF()))
        QGuiApplication.clipboard().setImage(image)
        self._tell("Copied the plot to the clipboard.")

    def _on_copy_params_table_action_triggered(self) -> None:
        if self.window.current_snapshot() is None:
            self._tell("There are no parameters to copy yet: run a fit first.")
            return
        QGuiApplication.clipboard().setText(self.window.params_table.as_text())
        self._tell("Copied the parameters table (tab-separated) to the clipboard.")

    def _on_copy_summary_action_triggered(self) -> None:
        result = self._need_result()
        if result is None:
            return
        QGuiApplication.clipboard().setText(exports.summary_text(result, self.window.table.columns))
        self._tell("Copied a summary of the fit to the clipboard.")

    # --- showing a result that did not come from a run ------------------------------------

    def show_result(
        self,
        result: engine.FitResult | None,
        snapshots: Sequence[engine.Snapshot],
        index: int = -1,
    ) -> None:
        """Show a fit made elsewhere (a session, applied parameters) as if just run."""
        self.window.show_fit(result, list(snapshots), index)

    def _set_data(self, table: Table, name: str, sample_id: str | None = None) -> None:
        """Put data in the window as File > Open (or Open Sample) would."""
        window = self.window
        if sample_id is not None:
            window.open_sample(sample_id)
            if window.sample is not None and window.sample.id == sample_id:
                return
        window.sample = None
        window.description_label.setText("")
        window.settings_panel.set_sample_init_available(False)
        window.set_table(table, name)

    # --- apply a saved model ------------------------------------------------------------------

    def _on_apply_model_action_triggered(self) -> None:
        params_path = self._ask_open(
            "Apply Model: Choose the Parameters", PARAMS_FILTER + ";;All files (*)"
        )
        if params_path is None:
            return
        try:
            document = params_file.params_from_dict(_read_json(params_path))
        except ValueError as exc:
            dialogs.show_error(self.window, f"cannot use {params_path.name}: {exc}", repr(exc))
            return
        from emgui.main_window import OPEN_FILTERS  # the window imports this module first

        data_path = self._ask_open(
            f"Apply Model: Choose Data with Columns {', '.join(document.feature_names)}",
            OPEN_FILTERS, params_path.parent,
        )
        if data_path is None:
            return
        self.apply_model(params_path, document, data_path)

    def apply_model(
        self, params_path: Path, document: params_file.ParamsDocument, data_path: Path
    ) -> bool:
        """Evaluate saved parameters on a data file and show the result as iteration 0."""
        window = self.window
        try:
            table = _read_for_model(data_path, document)
            options = document.options(max_iter=0, seed=0)
            snapshots, result = _evaluate(table, options)
        except (ValueError, OSError) as exc:
            dialogs.show_error(
                window, f"cannot apply {params_path.name} to {data_path.name}: {exc}", repr(exc)
            )
            return False
        self._set_data(table, data_path.name)
        # The settings show the applied model; the rest stay the person's own.
        panel = window.settings_panel
        panel.set_options(
            panel.options().replace(
                model=options.model,
                n_components=options.n_components,
                covariance_type=options.covariance_type,
                trials=options.trials,
            )
        )
        self.show_result(result, snapshots)
        self.update_actions()
        self._tell(
            f"Applied {params_path.name} to {data_path.name} without refitting: "
            f"{table.n_samples:,} rows, log-likelihood {result.log_likelihood:.6g}. "
            "File > Export Assignments writes each row's component."
        )
        if dialogs.ask_yes_no(
            window,
            f"Each of the {table.n_samples:,} rows of {data_path.name} now has a component. "
            "Export the assignments (component, responsibilities, uncertainty) as CSV now?",
        ):
            self.export_assignments()
        return True

    # --- sessions -----------------------------------------------------------------------------

    def current_session(self) -> sessions.Session:
        """The window's data, settings and fit as a session (raises SessionError)."""
        window = self.window
        if window.table is None:
            raise sessions.SessionError("there is no data to save in a session; open a file first")
        sample_id = window.sample.id if window.sample is not None else None
        data = sessions.data_source(
            window.table, window.data_name, text_options=_import_options(window.table),
            sample_id=sample_id,
        )
        panel = window.settings_panel
        snapshots = tuple(window.controller.snapshots)
        shown = window.current_snapshot()
        index = next((i for i, s in enumerate(snapshots) if s is shown), -1)
        view = sessions.ViewState(
            init_mode=panel.init_mode,
            scatter_columns=panel.columns(),
            show_uncertainty=window.uncertainty_action.isChecked(),
            placed_means=tuple((float(x), float(y)) for x, y in window.placed_means),
        )
        return sessions.Session(
            data=data, options=panel.options(), view=view, result=window.controller.result,
            snapshots=snapshots, shown_index=index,
        )

    def _on_save_session_action_triggered(self) -> None:
        window = self.window
        if window.table is None or window.controller.is_active:
            self._tell("Nothing to save yet: open some data (and wait for the fit to finish).")
            return
        chosen = self._ask_save(
            "Save Session", SESSION_FILTER.split(";;"), f"{self._base_name()}{sessions.SUFFIX}"
        )
        if chosen is None:
            return
        self.save_session(chosen[0])

    def save_session(self, path: Path) -> bool:
        """Write the window's session to ``path``; ``False`` (after saying why) if it failed."""
        try:
            session = self.current_session()
            text = sessions.dumps(session)
        except ValueError as exc:
            dialogs.show_error(self.window, f"the session cannot be saved: {exc}", repr(exc))
            return False
        note = "reopen it with File > Open Session"
        if _import_options(self.window.table) is None and not _reads_back(session):
            note = (
                "the way the file was imported could not be recorded, and reading it with the "
                "detected options gives other numbers; reopening will say so"
            )
        if not self._write([(path, text)]):
            return False
        self._wrote([path], note)
        return True

    def _on_open_session_action_triggered(self) -> None:
        path = self._ask_open("Open Session", SESSION_FILTER)
        if path is not None:
            self.open_session(path)

    def open_session(self, path: Path) -> bool:
        """Restore the window from a session file; warn if its data file changed or moved."""
        window = self.window
        try:
            session = sessions.load_session(path)
        except sessions.SessionError as exc:
            dialogs.show_error(window, f"cannot open the session: {exc}", repr(exc))
            return False
        located = self._locate_data(session)
        if located is None:
            return False
        data_path, note = located
        try:
            table = session.data.read(data_path)
        except (DataError, OSError) as exc:
            dialogs.show_error(window, f"cannot read the session's data: {exc}", repr(exc))
            return False
        same_columns = table.columns == session.data.columns
        if not same_columns:
            note = (
                f"the data now has columns {', '.join(table.columns)} instead of "
                f"{', '.join(session.data.columns)}, so only the settings were restored"
            )
        elif sessions.table_digest(table) != session.data.table_sha256 and not note:
            note = "the data read differently from when the session was saved"
        # Nothing in the window has changed until here: a failure above keeps it as it was.
        sample_id = session.data.sample_id if data_path == session.data.path else None
        if sample_id is not None and not _sample_reads(sample_id, data_path):
            sample_id = None
        self._set_data(table, session.data.name, sample_id)
        self._restore_settings(session)
        if same_columns:
            self.show_result(session.result, session.snapshots, session.shown_index)
        self.update_actions()
        window.settings.setValue("export/dir", str(path.parent))
        described = f"Opened session {path.name}: {session.data.name}"
        if same_columns and session.result is not None:
            result = session.result
            described += (
                f", {result.options.model} K={result.options.n_components}, "
                f"log-likelihood {result.log_likelihood:.6g}"
            )
        self._tell(described + "." + (f" Note: {note}." if note else ""))
        return True

    def _locate_data(self, session: sessions.Session) -> tuple[Path, str] | None:
        """The data file to use, and a note if it is not the one saved; ``None`` to give up."""
        state = sessions.check_data_file(session)
        path = session.data.path
        if state == sessions.DATA_OK:
            return path, ""
        if state == sessions.DATA_MISSING:
            message = (
                f"The session's data file {path} is missing: it was moved, renamed or deleted. "
                "Locate it to reopen the session."
            )
        else:
            message = (
                f"The session's data file {path} has changed since the session was saved "
                "(its checksum differs), so the saved fit was made on other data. Use the file "
                "as it is now, or locate the original?"
            )
        answer = ask_data_action(self.window, message, can_use=state == sessions.DATA_CHANGED)
        if answer == DATA_USE and state == sessions.DATA_CHANGED:
            return path, "the data file changed since the session was saved; press Run to refit"
        if answer != DATA_LOCATE:
            return None
        from emgui.main_window import OPEN_FILTERS

        start = path.parent if path.parent.is_dir() else self._start_dir()
        chosen = self._ask_open(f"Locate {path.name}", OPEN_FILTERS, start)
        if chosen is None:
            return None
        try:
            sha256, _ = sessions.file_digest(chosen)
        except OSError as exc:
            dialogs.show_error(self.window, describe_os_error(exc, chosen, "read"), repr(exc))
            return None
        if sha256 != session.data.sha256:
            return chosen, f"{chosen.name} is not byte for byte the file the session was saved with"
        return chosen, ""

    def _restore_settings(self, session: sessions.Session) -> None:
        window = self.window
        panel = window.settings_panel
        view = session.view
        init_mode = view.init_mode
        if init_mode == "sample" and window.sample is None:
            init_mode = None
        panel.set_options(session.options, init_mode=init_mode)
        n_columns = len(window.table.columns)
        x, y = view.scatter_columns
        if x < n_columns and y < n_columns:
            panel.x_combo.setCurrentIndex(x)
            panel.y_combo.setCurrentIndex(y)
        window.uncertainty_action.setChecked(view.show_uncertainty)
        if view.placed_means and panel.init_mode == "click":
            window.placed_means = [tuple(p) for p in view.placed_means]
            window.views.set_placed(np.array(window.placed_means, dtype=float).reshape(-1, 2))
            # The window recounts the means still to place when the settings change.
            panel.options_changed.emit()


# --------------------------------------------------------------------------- helpers


def _import_options(table: Table) -> TextOptions | None:
    """How a text table was read (given in the import preview, or detected)."""
    return table.text_options


def _reads_back(session: sessions.Session) -> bool:
    """Whether reading the data as the session records it gives the same numbers."""
    if session.data.text_options is None:
        return True  # not a text table: nothing was chosen on import
    try:
        again = session.data.read()
    except (DataError, OSError):
        return False
    return sessions.table_digest(again) == session.data.table_sha256


def _read_json(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(describe_os_error(exc, path, "read")) from None
    except UnicodeDecodeError:
        raise ValueError(
            "it is not a text file; choose a PARAMS.json written by EM Studio"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); choose a "
            "PARAMS.json written by EM Studio"
        ) from None


def _read_for_model(path: Path, document: params_file.ParamsDocument) -> Table:
    """The data file's columns the model was fitted on: by name, else all numbers in order."""
    try:
        return read_table(path, columns=list(document.feature_names))
    except DataError as by_name:
        try:
            table = read_table(path)
        except DataError:
            raise by_name from None
    if table.n_features != document.n_features:
        columns = "column" if table.n_features == 1 else "columns"
        raise DataError(
            f"{path.name} has {table.n_features} numeric {columns} ({', '.join(table.columns)}) "
            f"but the model needs {document.n_features} ({', '.join(document.feature_names)}); "
            "choose a file with those columns"
        )
    return table


def _evaluate(
    table: Table, options: engine.FitOptions
) -> tuple[list[engine.Snapshot], engine.FitResult]:
    """The engine's evaluation of explicit parameters (``max_iter=0``): no refit."""
    iterator = engine.iterate(table.data, options, table.columns)
    snapshots = []
    while True:
        try:
            snapshots.append(next(iterator))
        except StopIteration as stop:
            return snapshots, stop.value


def _sample_reads(sample_id: str, path: Path) -> bool:
    from emio import samples

    return any(
        s.id == sample_id and s.path.resolve() == path.resolve() for s in samples.load_catalogue()
    )


def install(window: MainWindow) -> None:
    """Add this feature's menus and actions to ``window``."""
    ExportActions(window)


def actions_of(window: MainWindow) -> ExportActions:
    """The :class:`ExportActions` installed in ``window``."""
    found = window.findChild(ExportActions, "export_actions")
    if found is None:
        raise LookupError("export actions are not installed in this window")
    return found
