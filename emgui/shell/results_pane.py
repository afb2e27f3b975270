"""The Results pane: the report of the iteration shown (:mod:`emgui.shell.report`), with
Copy as Text, Copy as HTML and Export.

The report is HTML in a text browser: cells wrap and the pane scrolls, so no
column is cut off however narrow the dock. It is rewritten at most a few times a
second during a run, and only while the pane can be seen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QPalette, QTextOption
from PySide6.QtWidgets import (
    QFileDialog,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from emgui import dialogs
from emgui.shell.document import Document
from emgui.shell.report import Report, as_html, as_text, build_report
from emio.atomic import atomic_write_text, describe_os_error

#: The report is rebuilt at most this often during a run (milliseconds).
REFRESH_MS = 200
#: Where exports went last: the key the File menu's exports use (emgui.features.files).
EXPORT_DIR_KEY = "export/dir"
EXPORT_FILTERS = ("HTML page (*.html)", "Plain text (*.txt)")
EMPTY_TEXT = "Run a fit (F5) to see its parameters, sizes, criteria and convergence here."
#: Lines of the report the pane shows at least, whatever shares its column.
MIN_LINES = 8


class ResultsPane(QWidget):
    """The report of ``document``'s shown iteration; files are asked for with ``settings``'
    last folder."""

    note = Signal(str)
    """What a copy or an export did, for the status bar."""

    def __init__(self, document: Document, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._settings = settings
        self.report: Report | None = None
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        # Words are never broken: what cannot wrap scrolls sideways instead.
        self.browser.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.browser.setPlaceholderText(EMPTY_TEXT)
        self.copy_text_action = QAction("Copy as &Text", self)
        self.copy_html_action = QAction("Copy as &HTML", self)
        self.export_action = QAction("&Export…", self)
        self.browser.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.browser.addActions([self.copy_text_action, self.copy_html_action, self.export_action])
        # A tool bar: in a narrow pane what does not fit goes under its » button.
        buttons = self._buttons = QToolBar()
        buttons.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        buttons.addActions([self.copy_text_action, self.copy_html_action, self.export_action])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._stale = True
        self.copy_text_action.triggered.connect(self._on_copy_text_action_triggered)
        self.copy_html_action.triggered.connect(self._on_copy_html_action_triggered)
        self.export_action.triggered.connect(self._on_export_action_triggered)
        self._timer.timeout.connect(self._on_timer_timeout)
        document.shown_changed.connect(self._on_document_changed)
        document.fit_changed.connect(self._on_document_changed)
        document.data_changed.connect(self._on_document_changed)
        self._update_actions()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Room for :data:`MIN_LINES` of the report above its buttons: the pane is never
        squeezed to a sliver by the panels beside it."""
        hint = super().minimumSizeHint()
        frame = 2 * self.browser.frameWidth()
        lines = self.browser.fontMetrics().lineSpacing() * MIN_LINES + frame
        return QSize(hint.width(), max(hint.height(), lines + self._buttons.sizeHint().height()))

    def refresh(self) -> None:
        """Rebuild the report now (the shown iteration or the fit changed)."""
        self._timer.stop()
        self._stale = False
        document = self._document
        table = document.table
        self.report = None if table is None else build_report(
            document.snapshots, document.shown_index, document.result,
            document.fit_options(), table.columns, table.data.shape[0],
        )
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml("" if self.report is None else self.html())
        self.browser.verticalScrollBar().setValue(scroll)
        self._update_actions()

    def text(self) -> str:
        return "" if self.report is None else as_text(self.report)

    def html(self) -> str:
        """The report as an HTML page, its lines in the palette's colour."""
        if self.report is None:
            return ""
        return as_html(self.report, self.palette().color(QPalette.ColorRole.Mid).name())

    def _update_actions(self) -> None:
        for action in (self.copy_text_action, self.copy_html_action, self.export_action):
            action.setEnabled(self.report is not None)

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_document_changed(self, *args: object) -> None:
        self._stale = True
        if not self.isVisible():
            return  # rebuilt when shown
        if self._document.is_running:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self.refresh()

    def _on_timer_timeout(self) -> None:
        self.refresh()

    def _on_copy_text_action_triggered(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.note.emit("Copied the results as text.")

    def _on_copy_html_action_triggered(self) -> None:
        mime = QMimeData()
        mime.setHtml(self.html())
        mime.setText(self.text())  # for whatever cannot paste HTML
        QGuiApplication.clipboard().setMimeData(mime)
        self.note.emit("Copied the results as HTML (and as text for what cannot paste HTML).")

    def _on_export_action_triggered(self) -> None:
        if self.report is None:
            return
        settings = self._settings
        start = Path(settings.value(EXPORT_DIR_KEY, "", type=str)
                     or settings.value("last_dir", "", type=str) or Path.home())
        path_text, chosen = QFileDialog.getSaveFileName(
            self, "Export Results", str(start / "results.html"), ";;".join(EXPORT_FILTERS)
        )
        if not path_text:
            return
        path = Path(path_text)
        if not path.suffix:
            path = path.with_suffix(".txt" if chosen == EXPORT_FILTERS[1] else ".html")
        content = self.text() if path.suffix.lower() == ".txt" else self.html()
        try:
            atomic_write_text(path, content)
        except OSError as exc:
            dialogs.show_error(self, describe_os_error(exc, path), repr(exc))
            return
        self._settings.setValue(EXPORT_DIR_KEY, str(path.parent))
        self.note.emit(f"Wrote {path.name} in {path.parent}.")
