"""The application's one registry of background threads: fits, sweeps, restarts, replays, reads.

:meth:`ThreadRegistry.start` runs a :class:`GeneratorWorker` on a new
``QThread`` created without a parent (as the house style asks), on behalf of
an *owner*: the object that asked (a fit controller, a dialog, a file loader).
The registry keeps the thread and its worker alive until the thread has
finished, whatever happens to the owner (destroying a running ``QThread``
aborts the process), and can list and stop the threads of one owner and its
children (a window closing) or of everyone (the test suite's leak check).

``QObject.sender()`` alone cannot be trusted to name the thread that has just
finished: on a loaded machine it was seen to miss, which left an ended thread
registered for ever (and a window waiting for its threads would never close).
So the registry forgets every thread that says it has finished, and looks
again shortly while a worker has returned but its thread is still winding down.

There is one registry per application, a child of the ``QApplication``
(:func:`application_registry` finds or makes it), not a module-level dict.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal

from emgui.runs.worker import GeneratorWorker

#: Milliseconds before the registry looks again for a thread that is just ending.
RECHECK_MS = 20
OBJECT_NAME = "thread_registry"


@dataclass(frozen=True)
class _Entry:
    worker: GeneratorWorker
    #: The owner and its parents when the thread started (compared by identity only,
    #: so an owner deleted since is never touched).
    owners: tuple[QObject, ...]

    def belongs_to(self, owner: QObject | None) -> bool:
        return owner is None or any(candidate is owner for candidate in self.owners)


def _lineage(owner: QObject) -> tuple[QObject, ...]:
    chain = []
    current: QObject | None = owner
    while current is not None:
        chain.append(current)
        current = current.parent()
    return tuple(chain)


class ThreadRegistry(QObject):
    """Every background thread of the application; lives in the GUI thread.

    ``owner`` arguments select the threads started for that object or any
    of its children; ``None`` selects all of them.
    """

    thread_forgotten = Signal(int)
    """A finished thread was let go; the number of threads still registered."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: dict[QThread, _Entry] = {}

    def start(self, worker: GeneratorWorker, owner: QObject) -> QThread:
        """Run ``worker`` on a new thread for ``owner``; connect its signals first."""
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        for signal in (worker.finished, worker.failed, worker.cancelled):
            # Direct: quit from the worker thread itself, so a thread never waits on
            # the GUI thread's event loop to end (QThread.quit is thread-safe).
            signal.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        # A bound method, never a lambda: it must run in this object's (the GUI) thread.
        thread.finished.connect(self._on_thread_finished)
        self._entries[thread] = _Entry(worker, _lineage(owner))
        thread.start()
        return thread

    # --- reading --------------------------------------------------------------------------

    def busy(self, owner: QObject | None = None) -> bool:
        """Whether any thread of ``owner`` is still registered (running or just ending)."""
        return any(entry.belongs_to(owner) for entry in self._entries.values())

    def count(self, owner: QObject | None = None) -> int:
        return sum(entry.belongs_to(owner) for entry in self._entries.values())

    def running(self, owner: QObject | None = None) -> list[QThread]:
        """The threads of ``owner`` started and not yet finished."""
        return [
            thread for thread, entry in self._entries.items()
            if entry.belongs_to(owner) and not thread.isFinished()
        ]

    def registered(self, owner: QObject | None = None) -> list[QThread]:
        """The threads of ``owner`` not yet let go of, finished or not."""
        return [thread for thread, entry in self._entries.items() if entry.belongs_to(owner)]

    def workers(self, owner: QObject | None = None) -> list[GeneratorWorker]:
        return [entry.worker for entry in self._entries.values() if entry.belongs_to(owner)]

    # --- commands -------------------------------------------------------------------------

    def request_stop(self, owner: QObject | None = None) -> None:
        """Ask every worker of ``owner`` to stop (a read of a file runs to its end)."""
        for worker in self.workers(owner):
            worker.request_stop()

    def wait(self, milliseconds: int, owner: QObject | None = None) -> bool:
        """Block until every thread of ``owner`` has finished, or one took too long."""
        threads = [t for t, entry in self._entries.items() if entry.belongs_to(owner)]
        return all(thread.wait(milliseconds) for thread in threads)

    def forget_finished(self) -> None:
        """Let go of every thread that has finished (its ``finished`` handler does this too)."""
        self._forget(None)

    def _forget(self, sender: QObject | None) -> None:
        ended = [thread for thread in self._entries if thread is sender or thread.isFinished()]
        for thread in ended:
            self._entries.pop(thread).worker.deleteLater()
            thread.deleteLater()
        if ended:
            self.thread_forgotten.emit(len(self._entries))
        if any(entry.worker.ended for entry in self._entries.values()):
            # A thread whose worker has returned is ending right now: look again shortly.
            QTimer.singleShot(RECHECK_MS, self.forget_finished)

    def _on_thread_finished(self) -> None:
        self._forget(self.sender())


def application_registry() -> ThreadRegistry:
    """The application's registry (made on first use, a child of the ``QApplication``)."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication before starting background threads")
    registry = app.findChild(ThreadRegistry, OBJECT_NAME)
    if registry is None:
        registry = ThreadRegistry(app)
        registry.setObjectName(OBJECT_NAME)
    return registry
