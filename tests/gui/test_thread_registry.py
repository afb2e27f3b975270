"""The thread registry forgets ended threads even when sender() does not name them."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread

from emgui.thread_registry import ThreadRegistry


class Worker(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.ended = False


def started_thread() -> QThread:
    thread = QThread()
    thread.start()  # runs an event loop until quit()
    return thread


def test_a_finished_thread_is_forgotten_without_its_sender_and_emptied_fires_once(qtbot):
    shared: dict[QThread, Worker] = {}
    registry: ThreadRegistry[Worker] = ThreadRegistry(shared=shared)
    thread = started_thread()
    registry.add(thread, Worker())
    assert len(registry) == 1 and list(shared) == [thread]
    thread.quit()
    assert thread.wait(10_000)  # ended, its finished not yet delivered (no event loop ran)
    with qtbot.waitSignal(registry.emptied, timeout=1000):
        registry._on_thread_finished()  # called directly: sender() is None
    assert not registry and not shared
    # The thread's own finished, delivered now, finds nothing left to forget.
    with qtbot.assertNotEmitted(registry.emptied, wait=100):
        pass


def test_a_thread_still_ending_after_its_worker_returned_is_looked_at_again(qtbot):
    registry: ThreadRegistry[Worker] = ThreadRegistry()
    thread = started_thread()
    worker = Worker()
    registry.add(thread, worker)
    # As if the finished handler ran (sender() missing) just before isFinished() turned true:
    # only looking again can forget this thread.
    thread.finished.disconnect(registry._on_thread_finished)
    worker.ended = True
    registry._on_thread_finished()
    assert len(registry) == 1
    thread.quit()
    assert thread.wait(10_000)
    with qtbot.waitSignal(registry.emptied, timeout=1000):
        pass
    assert not registry
