"""Long tasks in the background: progress in the status bar, Cancel, and closing the window."""

from __future__ import annotations

import threading
from collections.abc import Generator

import pytest
from PySide6.QtCore import QObject

from emgui.runs.generators import Progress
from emgui.runs.task import Task


class Heard(QObject):
    """Hears a task in the GUI thread (bound methods of an object living here)."""

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.endings: list[object] = []
        self.progress: list[Progress] = []
        task.progressed.connect(self.on_progressed)
        task.finished.connect(self.on_finished)
        task.failed.connect(self.on_failed)
        task.cancelled.connect(self.on_cancelled)

    def on_progressed(self, progress: Progress) -> None:
        self.progress.append(progress)

    def on_finished(self, value: object) -> None:
        self.endings.append(("finished", value))

    def on_failed(self, message: str, details: str) -> None:
        self.endings.append(("failed", message))

    def on_cancelled(self) -> None:
        self.endings.append("cancelled")


def gated(gate: threading.Event, fail: bool = False) -> Generator[Progress, None, str]:
    """Two steps with progress; the second waits for ``gate`` (so a test decides when)."""
    yield Progress(0, 2, "first half…")
    gate.wait(10)
    yield Progress(1, 2, "second half…")
    if fail:
        raise ValueError("the file is damaged; choose another")
    return "done"


@pytest.fixture
def gate():
    event = threading.Event()
    yield event
    event.set()  # never leave a worker waiting


def test_a_task_shows_its_progress_and_ends_once(qtbot, window, gate):
    task = Task("Reading data", lambda: gated(gate), window.host.threads, window)
    heard = Heard(task)
    window.host.run_task(task)
    bar = window.task_bar
    assert bar.isVisible() and bar.tasks == [task]
    qtbot.waitUntil(lambda: bar.label.text() == "first half…", timeout=10_000)
    gate.set()
    with qtbot.waitSignal(task.ended, timeout=10_000):
        pass
    assert heard.endings == [("finished", "done")]
    assert [p.done for p in heard.progress][-1] == 1
    assert not bar.isVisible() and bar.tasks == []


def test_an_expected_error_is_a_message(qtbot, window, gate):
    task = Task("Reading data", lambda: gated(gate, fail=True), window.host.threads, window)
    heard = Heard(task)
    gate.set()
    with qtbot.waitSignal(task.ended, timeout=10_000):
        window.host.run_task(task)
    assert heard.endings == [("failed", "the file is damaged; choose another")]


def test_cancel_ends_the_task_at_once_and_ignores_what_it_does_after(
    qtbot, window, gate, threads
):
    task = Task("Reading data", lambda: gated(gate), window.host.threads, window)
    heard = Heard(task)
    window.host.run_task(task)
    qtbot.waitUntil(lambda: bool(heard.progress), timeout=10_000)
    window.task_bar.cancel_button.click()
    assert heard.endings == ["cancelled"] and not task.is_running
    assert not window.task_bar.isVisible()
    gate.set()  # the worker goes on to its end, unheard
    qtbot.waitUntil(lambda: not threads.busy(owner=window), timeout=10_000)
    assert heard.endings == ["cancelled"]


def test_closing_the_window_cancels_its_tasks(qtbot, window, gate, threads):
    task = Task("Saving a session", lambda: gated(gate), window.host.threads, window)
    heard = Heard(task)
    window.host.run_task(task)
    qtbot.waitUntil(lambda: bool(heard.progress), timeout=10_000)
    window.close()
    assert heard.endings == ["cancelled"]
    gate.set()
    qtbot.waitUntil(lambda: not threads.busy(owner=window), timeout=10_000)
    assert heard.endings == ["cancelled"]
