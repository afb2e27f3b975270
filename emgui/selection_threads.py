"""Threads for the model-selection workers: start, stop, and know when all have ended.

Each worker is moved to its own ``QThread`` created without a parent, as the
house style asks; the thread quits as soon as the worker emits its terminal
signal. A module-level registry lets tests (and the close guard) check that no
thread is left running.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal

from emgui.thread_registry import ThreadRegistry
from emgui.selection_workers import StoppableWorker

_RUNNING: dict[QThread, StoppableWorker] = {}


def running_threads() -> list[QThread]:
    """Model-selection threads started and not yet finished, across every runner."""
    return [thread for thread in _RUNNING if not thread.isFinished()]


def request_stop_everywhere() -> None:
    """Ask every model-selection worker to stop (for test clean-up)."""
    for worker in list(_RUNNING.values()):
        worker.request_stop()


class WorkerThreads(QObject):
    """Runs workers on parentless threads and reports when none is left running."""

    all_stopped = Signal()
    """The last thread of this runner has finished."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threads: ThreadRegistry[StoppableWorker] = ThreadRegistry(self, shared=_RUNNING)
        self._threads.emptied.connect(self.all_stopped)

    @property
    def busy(self) -> bool:
        return bool(self._threads)

    def start(self, worker: StoppableWorker) -> None:
        """Run ``worker`` on a new thread; connect its signals before calling this."""
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        for signal in (worker.finished, worker.failed, worker.cancelled):
            # Direct: quit from the worker thread itself, so a thread never
            # waits on the GUI thread's event loop to end.
            signal.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        self._threads.add(thread, worker)
        thread.start()

    def request_stop(self) -> None:
        """Ask every worker of this runner to stop; ``all_stopped`` follows."""
        for worker in self._threads.workers():
            worker.request_stop()
