"""Asking where to read and write, and writing atomically: what export and sessions share.

Everything written is built in memory first and written through
:mod:`emio.atomic`, so a failed write loses nothing in the window and leaves
the previous file as it was; every problem reaches the user through the
host's ``show_error``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

import engine
from emgui.shell.host import Host
from emio.atomic import StagedFiles, describe_os_error

#: Where the last export or session went (else where data were last opened from).
EXPORT_DIR_KEY = "export/dir"


def suffix_of(file_filter: str) -> str:
    """``".csv"`` for ``"CSV table (*.csv)"``."""
    match = re.search(r"\(\*(\.[\w.]+)", file_filter)
    return match.group(1) if match else ""


class WriteError(OSError):
    """A file could not be written; the message says which (none of the files was)."""


def write_outputs(outputs: Sequence[tuple[Path, str | bytes]]) -> None:
    """Write the files together, all or none, in whatever thread calls it; raises
    :class:`WriteError` naming the first that could not be written."""
    staged = StagedFiles()
    try:
        for path, content in outputs:
            try:
                staged.write(path, content)
            except OSError as exc:
                raise WriteError(describe_os_error(exc, path)) from exc
        try:
            staged.commit()
        except OSError as exc:
            raise WriteError(describe_os_error(exc, exc.filename2 or exc.filename)) from exc
    finally:
        staged.discard()


class FileChooser:
    """The file dialogs and writes of one feature, over ``host``'s window."""

    def __init__(self, host: Host) -> None:
        self._host = host

    def tell(self, text: str) -> None:
        self._host.show_status(text)

    def base_name(self) -> str:
        """The stem to suggest: the data file's, else ``em_studio``."""
        table = self._host.document.table
        if table is not None and table.source is not None:
            return Path(table.source).stem
        return "em_studio"

    def start_dir(self) -> Path:
        settings = self._host.settings
        folder = settings.value(EXPORT_DIR_KEY, "", type=str) or settings.value(
            "last_dir", "", type=str
        )
        return Path(folder) if folder else Path.home()

    def remember_dir(self, folder: Path) -> None:
        self._host.settings.setValue(EXPORT_DIR_KEY, str(folder))

    def ask_save(self, title: str, filters: Sequence[str], name: str) -> tuple[Path, str] | None:
        """A path chosen in the save dialog (with the filter's suffix if none was typed)."""
        start = self.start_dir() / name
        path_text, chosen = QFileDialog.getSaveFileName(
            self._host.parent_widget, title, str(start), ";;".join(filters)
        )
        if not path_text:
            return None
        path = Path(path_text)
        chosen = chosen if chosen in filters else filters[0]
        if not path.suffix:
            path = path.with_suffix(suffix_of(chosen))
        self.remember_dir(path.parent)
        return path, chosen

    def ask_open(self, title: str, filters: str, start: Path | None = None) -> Path | None:
        folder = start if start is not None else self.start_dir()
        path_text, _ = QFileDialog.getOpenFileName(
            self._host.parent_widget, title, str(folder), filters
        )
        return Path(path_text) if path_text else None

    def write(self, outputs: Sequence[tuple[Path, str | bytes]]) -> bool:
        """Write each file atomically; on the first failure say which and stop.

        Everything is in memory already, so a failure loses nothing in the
        window, and the file that failed keeps its previous content.
        """
        try:
            write_outputs(outputs)
        except WriteError as exc:
            self._host.show_error(str(exc), repr(exc.__cause__))
            return False
        return True

    def wrote(self, paths: Sequence[Path], note: str = "") -> None:
        names = ", ".join(path.name for path in paths)
        folder = paths[0].parent if paths else ""
        note = f" {note[:1].upper()}{note[1:]}." if note else ""
        self.tell(f"Wrote {names} in {folder}.{note}")


class FileFeature(QObject):
    """A feature that asks for files and writes them (a child of the host's widget)."""

    def __init__(self, host: Host) -> None:
        super().__init__(host.parent_widget)
        self._host = host
        self._document = host.document
        self._files = FileChooser(host)


def finished_fit(host: Host) -> engine.FitResult | None:
    """The fit to export: the document's, unless a run is still going on."""
    document = host.document
    return None if document.is_running else document.result
