"""File > Open Recent: the files opened last, kept in the settings, gone ones dropped."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

MAX_RECENT = 10
KEY = "recent_files"


class RecentFiles(QObject):
    """Fills ``menu`` with the files opened last, newest first."""

    chosen = Signal(object)
    """The :class:`~pathlib.Path` of a recent file the person picked (it exists)."""
    note = Signal(str)
    """Something worth a passing word in the status bar (a file that is gone)."""

    def __init__(self, menu: QMenu, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._menu = menu
        self._settings = settings
        menu.triggered.connect(self._on_menu_triggered)

    def files(self) -> list[str]:
        value = self._settings.value(KEY, [], type=list)
        return [str(v) for v in value]

    def add(self, path: Path) -> None:
        path_text = str(path.resolve())
        recent = [p for p in self.files() if p != path_text]
        self._settings.setValue(KEY, ([path_text] + recent)[:MAX_RECENT])
        self.refresh()

    def remove(self, path: Path) -> None:
        self._settings.setValue(KEY, [p for p in self.files() if p != str(path)])
        self.refresh()

    def refresh(self) -> None:
        """Offer the recent files that still exist; forget the others (and say so)."""
        self._menu.clear()
        recent = self.files()
        kept = [p for p in recent if Path(p).exists()]
        if len(kept) != len(recent):
            self._settings.setValue(KEY, kept)
            self.note.emit(f"{len(recent) - len(kept)} recent file(s) no longer exist; removed them.")
        for path in kept:
            action = self._menu.addAction(Path(path).name)
            action.setData(path)
            action.setStatusTip(path)
        self._menu.setEnabled(bool(kept))

    def _on_menu_triggered(self, action: QAction) -> None:
        path = Path(action.data())
        if not path.exists():
            self.remove(path)
            self.note.emit(f"{path} is gone; removed it from the recent files.")
            return
        self.chosen.emit(path)
