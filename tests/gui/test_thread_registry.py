"""The one thread registry: threads listed and stopped by owner; ended threads forgotten even
when sender() does not name them."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from functools import partial

from PySide6.QtCore import QObject

from emgui.runs.generators import returning
from emgui.runs.registry import application_registry
from emgui.runs.worker import GeneratorWorker


def forever() -> Generator[int, None, None]:
    """Steps until stopped, each step a millisecond of waiting with the GIL released, as
    a real step's NumPy work releases it. (Two pure-Python loops that never let go of the
    GIL starved the GUI thread of a busy 2-core machine: in one CI run the stopped
    thread's ``finished`` was not handled within 10 s.)"""
    while True:
        time.sleep(0.001)
        yield 0


def test_there_is_one_registry_for_the_application(qapp, threads):
    assert application_registry() is threads
    assert threads.parent() is qapp


def test_threads_are_listed_and_stopped_by_owner_and_its_children(qtbot, threads, recorder):
    window, other = QObject(), QObject()
    dialog = QObject(window)
    mine, theirs = GeneratorWorker(forever, report=()), GeneratorWorker(forever, report=())
    heard_mine, heard_theirs = recorder(mine), recorder(theirs)
    threads.start(mine, owner=dialog)
    threads.start(theirs, owner=other)
    assert threads.busy(owner=window) and threads.count(owner=window) == 1
    assert threads.workers(owner=window) == [mine] and threads.workers(owner=other) == [theirs]
    threads.request_stop(owner=window)
    qtbot.waitUntil(lambda: not threads.busy(owner=window), timeout=10_000)
    assert heard_mine.endings == ["cancelled"] and heard_theirs.endings == []
    assert threads.busy(owner=other) and not theirs.stop_requested
    threads.request_stop()  # everyone's, as the test suite's leak check does
    qtbot.waitUntil(lambda: not threads.running(), timeout=10_000)
    assert heard_theirs.endings == ["cancelled"]


def test_a_finished_thread_is_forgotten_without_its_sender_and_said_once(qtbot, threads):
    owner = QObject()
    worker = GeneratorWorker(partial(returning, int, "1"))
    thread = threads.start(worker, owner=owner)
    assert threads.busy(owner=owner)
    assert thread.wait(10_000)  # ended, its finished not yet delivered (no event loop ran)
    with qtbot.waitSignal(threads.thread_forgotten, timeout=1000):
        threads.forget_finished()  # as the finished handler does when sender() is None
    assert not threads.busy(owner=owner)
    # The thread's own finished, delivered now, finds nothing left to forget.
    with qtbot.assertNotEmitted(threads.thread_forgotten, wait=100):
        pass


def test_a_thread_still_ending_after_its_worker_returned_is_looked_at_again(qtbot, threads):
    owner = QObject()
    gate = threading.Event()
    worker = GeneratorWorker(partial(returning, gate.wait, 10))
    thread = threads.start(worker, owner=owner)
    # As if the finished handler ran (sender() missing) just before isFinished() turned
    # true: only looking again can forget this thread.
    thread.finished.disconnect()
    worker.ended = True
    threads.forget_finished()
    assert threads.busy(owner=owner)
    gate.set()
    with qtbot.waitSignal(threads.thread_forgotten, timeout=1000):
        pass
    assert not threads.busy(owner=owner)
