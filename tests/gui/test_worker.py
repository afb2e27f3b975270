"""The one generator worker: what it reports, pause and step, and exactly one ending per run."""

from __future__ import annotations

from collections.abc import Generator
from functools import partial

import pytest
from PySide6.QtCore import QObject

from emgui.runs.generators import drained, returning
from emgui.runs.worker import GeneratorWorker


def counting(n: int) -> Generator[int | str, None, str]:
    for i in range(n):
        yield i
        yield f"after {i}"
    return "done"


def failing(error: Exception) -> Generator[int, None, None]:
    yield 1
    raise error


def endings_of(worker: GeneratorWorker) -> list[str]:
    endings: list[str] = []
    worker.finished.connect(lambda value: endings.append(f"finished {value}"))
    worker.failed.connect(lambda message, details: endings.append(f"failed {message}"))
    worker.cancelled.connect(lambda: endings.append("cancelled"))
    return endings


def test_it_reports_only_the_items_asked_for_then_the_return_value(qtbot):
    worker = GeneratorWorker(partial(counting, 3), report=int)
    endings = endings_of(worker)
    reported: list[object] = []
    worker.yielded.connect(reported.append)
    worker.run()  # synchronously: the order of emissions is what is tested
    assert reported == [0, 1, 2] and worker.emitted == 3
    assert endings == ["finished done"] and worker.ended


def test_a_stop_between_items_cancels_and_closes_the_generator(qtbot):
    closed: list[bool] = []

    def steps() -> Generator[int, None, None]:
        try:
            yield 1
            yield 2
        finally:
            closed.append(True)

    worker = GeneratorWorker(steps)
    endings = endings_of(worker)
    worker.yielded.connect(lambda item: worker.request_stop())
    worker.run()
    assert endings == ["cancelled"] and closed == [True]


@pytest.mark.parametrize(("error", "message"), [
    (ValueError("K is too large"), "failed K is too large"),
    (KeyError("x"), "failed the run stopped on an unexpected error (KeyError: 'x'); please "
                    "report it with the details"),
])
def test_errors_reach_failed_with_a_message_for_the_user(qtbot, error, message):
    worker = GeneratorWorker(partial(failing, error))
    endings = endings_of(worker)
    with qtbot.waitSignal(worker.failed) as failed:
        worker.run()
    assert endings == [message] and "Traceback" in failed.args[1]


def test_a_paused_worker_takes_one_item_per_step(qtbot, threads, recorder):
    owner = QObject()
    worker = GeneratorWorker(partial(counting, 2), paused=True)
    heard = recorder(worker)
    threads.start(worker, owner=owner)
    worker.step()
    qtbot.waitUntil(lambda: heard.items == [0] and worker.is_waiting, timeout=10_000)
    with qtbot.assertNotEmitted(heard.heard, wait=100):
        pass  # nothing more arrives while paused
    assert heard.items == [0] and worker.emitted == 1
    worker.step()
    qtbot.waitUntil(lambda: heard.items == [0, "after 0"], timeout=10_000)
    worker.resume()
    qtbot.waitUntil(lambda: heard.endings == ["finished done"], timeout=10_000)
    assert heard.items == [0, "after 0", 1, "after 1"]
    qtbot.waitUntil(lambda: not threads.busy(owner=owner), timeout=10_000)


def test_returning_makes_a_generator_of_a_call_and_drained_runs_one_here():
    steps = returning(max, 2, 7)
    assert drained(steps) == []
    with pytest.raises(StopIteration) as stop:
        next(returning(max, 2, 7))
    assert stop.value.value == 7
    assert drained(counting(1)) == [0, "after 0"]


def test_a_consumer_that_falls_behind_holds_the_generator_back(qtbot, threads, recorder):
    # A fit of a few hundred rows yields thousands of snapshots a second; a window that
    # takes them in more slowly must not drown in queued signals (its timers, the frames
    # it draws, would starve: the live-frames test once waited 20 s for five frames).
    made: list[int] = []

    def endless() -> Generator[int, None, None]:
        while True:
            made.append(len(made))
            yield made[-1]

    owner = QObject()
    worker = GeneratorWorker(endless, max_pending=5)
    heard = recorder(worker)
    threads.start(worker, owner=owner)
    qtbot.waitUntil(lambda: len(heard.items) == 5, timeout=10_000)
    for _ in range(3):  # the consumer catches up by three items: three more come
        worker.acknowledge()
    qtbot.waitUntil(lambda: len(heard.items) == 8, timeout=10_000)
    # The generator is asked for an item only while fewer than five are pending.
    assert made == list(range(8)) and worker.emitted == 8
    worker.request_stop()  # a stop ends the wait
    qtbot.waitUntil(lambda: heard.endings == ["cancelled"], timeout=10_000)
    assert made == list(range(8)) and heard.items == made
    qtbot.waitUntil(lambda: not threads.busy(owner=owner), timeout=10_000)
