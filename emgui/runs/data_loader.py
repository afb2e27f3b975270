"""Reading data files off the GUI thread.

A million-row CSV takes a fraction of a second to parse; that is long enough
to freeze a window, so files are read by a :class:`GeneratorWorker` on a
thread of the application's registry while the window shows a busy indicator.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from emgui.runs import streamed
from emgui.runs.generators import returning
from emgui.runs.registry import ThreadRegistry, application_registry
from emgui.runs.worker import GeneratorWorker
from emio.tables import Table, TextOptions, read_table

UNEXPECTED = "reading the file failed unexpectedly ({error})"


def _read(
    path: Path,
    options: TextOptions | None,
    columns: list[str] | None,
    bad_rows: str,
    labels: str | None = None,
) -> Table:
    # ``read_table`` is looked up when the read runs (tests record the thread it runs in).
    if options is None and columns is None and labels is None and streamed.is_large(path):
        # Sampled for the window, streamed for fits.
        return streamed.sampled(path, bad_rows)
    return read_table(path, options, columns, bad_rows, labels=labels)


class DataLoader(QObject):
    """Reads one file at a time on a background thread; lives in the GUI thread."""

    loaded = Signal(object)
    """The :class:`Table` of the file most recently asked for."""
    failed = Signal(str, str)
    """A message for the user and the details."""
    busy_changed = Signal(bool)
    """True while a file is being read."""

    def __init__(
        self, parent: QObject | None = None, threads: ThreadRegistry | None = None
    ) -> None:
        super().__init__(parent)
        self._threads = threads if threads is not None else application_registry()
        self._current: GeneratorWorker | None = None

    @property
    def is_busy(self) -> bool:
        return self._current is not None

    def load(
        self,
        path: str | Path,
        options: TextOptions | None = None,
        columns: list[str] | None = None,
        bad_rows: str = "error",
        labels: str | None = None,
    ) -> None:
        """Start reading ``path`` (keeping column ``labels`` as known labels, if given); a read
        already under way is abandoned (its result ignored)."""
        self.abandon()
        worker = GeneratorWorker(
            partial(returning, _read, Path(path), options, columns, bad_rows, labels),
            expected=(ValueError, OSError), unexpected=UNEXPECTED,
        )
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        self._current = worker
        self._threads.start(worker, owner=self)
        self.busy_changed.emit(True)

    def wait(self, milliseconds: int = 30_000) -> bool:
        """Block until every read of this loader has finished (a dialog closing)."""
        return self._threads.wait(milliseconds, owner=self)

    def abandon(self) -> None:
        """Forget the read under way: its result will be ignored."""
        if self._current is not None:
            # pandas cannot be interrupted: the read runs to its end and is ignored.
            self._current = None
            self.busy_changed.emit(False)

    def _take(self) -> bool:
        """Whether the signal comes from the current read (which then ends)."""
        if self._current is None or self.sender() is not self._current:
            return False
        self._current = None
        self.busy_changed.emit(False)
        return True

    def _on_worker_finished(self, table: Table) -> None:
        if self._take():
            self.loaded.emit(table)

    def _on_worker_failed(self, message: str, details: str) -> None:
        if self._take():
            self.failed.emit(message, details)
