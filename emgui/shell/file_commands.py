"""File ▸ Open, Open Recent, Open Sample and files dropped on the window, handed to the opener."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QWidget

from emgui.shell.data_opener import DataOpener
from emgui.shell.file_types import OPEN_FILTERS
from emgui.shell.recent_files import RecentFiles
from emgui.shell.window_menus import WindowMenus


class FileCommands(QObject):
    """Opens what the menus and drops ask for, through ``opener``; dialogs over ``parent``."""

    note = Signal(str)
    """A passing word for the status bar (a recent file gone)."""

    def __init__(self, menus: WindowMenus, opener: DataOpener, recent: RecentFiles,
                 settings: QSettings, parent: QWidget) -> None:
        super().__init__(parent)
        self._opener = opener
        self._settings = settings
        self._parent = parent
        self._dropped = ""
        menus.open_action.triggered.connect(self._on_open_action_triggered)
        menus.sample.triggered.connect(self._on_sample_menu_triggered)
        recent.chosen.connect(self._on_recent_chosen)
        recent.note.connect(self._on_recent_note)

    def drag_enter(self, event: QDragEnterEvent) -> None:
        """Accept one local file dragged over the window."""
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop(self, event: QDropEvent) -> None:
        """Open the file dropped, after the drop returns (a modal import dialog must not
        run inside it)."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            self._dropped = urls[0].toLocalFile()
            QTimer.singleShot(0, self._open_dropped)

    def _open_dropped(self) -> None:
        self._opener.open_file(self._dropped)

    def _on_open_action_triggered(self) -> None:
        start = self._settings.value("last_dir", "", type=str)
        path, _ = QFileDialog.getOpenFileName(self._parent, "Open data", start, OPEN_FILTERS)
        if path:
            self._opener.open_file(path)

    def _on_sample_menu_triggered(self, action: QAction) -> None:
        self._opener.open_sample(action.data())

    def _on_recent_chosen(self, path: Path) -> None:
        self._opener.open_file(path)

    def _on_recent_note(self, text: str) -> None:
        self.note.emit(text)
