"""Reading data files off the GUI thread.

A million-row CSV takes a fraction of a second to parse; that is long enough
to freeze a window, so files are read by a worker on its own thread while the
window shows a busy indicator.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from emgui.thread_registry import ThreadRegistry
from emio.tables import Table, TextOptions, read_table


class _LoadWorker(QObject):
    loaded = Signal(object)
    """The :class:`Table` read."""
    failed = Signal(str, str)
    """A message for the user and the details."""

    def __init__(
        self, path: Path, options: TextOptions | None, columns: list[str] | None, bad_rows: str
    ) -> None:
        super().__init__()
        self._args = (path, options, columns, bad_rows)
        #: Set when :meth:`run` has returned (read from the GUI thread).
        self.ended = False

    @Slot()
    def run(self) -> None:
        try:
            table = read_table(*self._args)
        except (ValueError, OSError) as exc:
            self.failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            self.failed.emit(
                f"reading the file failed unexpectedly ({type(exc).__name__}: {exc})",
                traceback.format_exc(),
            )
        else:
            self.loaded.emit(table)
        finally:
            self.ended = True


class DataLoader(QObject):
    """Reads one file at a time on a background thread; lives in the GUI thread."""

    loaded = Signal(object)
    """The :class:`Table` of the file most recently asked for."""
    failed = Signal(str, str)
    """A message for the user and the details."""
    busy_changed = Signal(bool)
    """True while a file is being read."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: _LoadWorker | None = None
        self._threads: ThreadRegistry[_LoadWorker] = ThreadRegistry(self)

    @property
    def is_busy(self) -> bool:
        return self._current is not None

    @property
    def threads_running(self) -> int:
        return len(self._threads)

    def load(
        self,
        path: str | Path,
        options: TextOptions | None = None,
        columns: list[str] | None = None,
        bad_rows: str = "error",
    ) -> None:
        """Start reading ``path``; a read already under way is abandoned (its result ignored)."""
        self.abandon()
        worker = _LoadWorker(Path(path), options, columns, bad_rows)
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.loaded.connect(self._on_worker_loaded)
        worker.failed.connect(self._on_worker_failed)
        # Quit from the worker's own thread (QThread.quit is thread-safe), so whoever
        # handles the result may wait() for the thread without waiting on itself.
        worker.loaded.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        self._threads.add(thread, worker)
        self._current = worker
        thread.start()
        self.busy_changed.emit(True)

    def wait(self, milliseconds: int = 30_000) -> bool:
        """Block until every read has finished (used when the window closes)."""
        return self._threads.wait(milliseconds)

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

    def _on_worker_loaded(self, table: Table) -> None:
        if self._take():
            self.loaded.emit(table)

    def _on_worker_failed(self, message: str, details: str) -> None:
        if self._take():
            self.failed.emit(message, details)
