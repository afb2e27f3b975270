"""The registry of background threads shared by fits, model selection and file loading.

A registry maps a ``QThread`` to its worker and forgets the pair when the
thread's ``finished`` arrives. ``QObject.sender()`` alone cannot be trusted to
name that thread: on a loaded machine it was seen to miss, which left an ended
thread registered for ever (and a window that waits for its fits to end before
closing would never close). So a registry also forgets every thread that says
it has finished, and looks again shortly while a worker has returned but its
thread is still winding down.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QThread, QTimer, Signal

#: Milliseconds before a registry looks again for a thread that is just ending.
RECHECK_MS = 20

#: A worker whose ``ended`` flag is set when its ``run`` has returned.
W = TypeVar("W", bound=QObject)


class ThreadRegistry(QObject, Generic[W]):
    """The threads of one owner and their workers; lives in the GUI thread.

    ``shared``, if given, is a module-wide dict that also holds each pair while
    it is registered, so that a module can list (and stop) the threads of all
    its owners, and keeps a running thread alive should its owner go first.
    """

    emptied = Signal()
    """The last registered thread has been forgotten."""

    def __init__(
        self, parent: QObject | None = None, shared: dict[QThread, W] | None = None
    ) -> None:
        super().__init__(parent)
        self._workers: dict[QThread, W] = {}
        self._shared = shared

    def __len__(self) -> int:
        return len(self._workers)

    def __bool__(self) -> bool:
        return bool(self._workers)

    def add(self, thread: QThread, worker: W) -> None:
        """Register ``worker``'s thread (before starting it) until the thread has finished."""
        # A bound method, never a lambda: it must run in this object's (the GUI) thread.
        thread.finished.connect(self._on_thread_finished)
        self._workers[thread] = worker
        if self._shared is not None:
            self._shared[thread] = worker

    def items(self) -> list[tuple[QThread, W]]:
        return list(self._workers.items())

    def workers(self) -> list[W]:
        return list(self._workers.values())

    def wait(self, milliseconds: int) -> bool:
        """Block until every registered thread has finished, or one took too long."""
        return all(thread.wait(milliseconds) for thread in list(self._workers))

    def _on_thread_finished(self) -> None:
        sender = self.sender()
        ended = [thread for thread in self._workers if thread is sender or thread.isFinished()]
        for thread in ended:
            self._workers.pop(thread).deleteLater()
            if self._shared is not None:
                self._shared.pop(thread, None)
            thread.deleteLater()
        if ended and not self._workers:
            self.emptied.emit()
        elif any(worker.ended for worker in self._workers.values()):
            # A thread whose worker has returned is ending right now: look again shortly.
            QTimer.singleShot(RECHECK_MS, self._on_thread_finished)
