"""GUI test fixtures: the GC guard, isolated settings, windows as the application builds them,
and no test may leave a background thread running (fits, sweeps, restarts, replays, reads)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QObject, QSettings, Signal

from emgui import dialogs, gc_guard
from emgui.app import build_window, empty_offscreen_clipboard, user_settings
from emgui.runs.registry import ThreadRegistry, application_registry
from emgui.runs.worker import GeneratorWorker
from emgui.shell.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def gc_in_the_gui_thread(qapp):
    """As the application does: cycles are collected by the GUI thread only (see emgui.gc_guard)."""
    gc_guard.install()
    assert gc_guard.installed()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Point QSettings at a temporary folder so tests never touch the user's settings."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield tmp_path / "settings"


@pytest.fixture(autouse=True)
def clipboard_emptied(qapp) -> Iterator[None]:
    """Each test starts with an empty clipboard and leaves one: a test cannot read
    another's copy, and Qt's offscreen platform crashes the process at exit while
    its clipboard holds a QMimeData (see emgui.app.empty_offscreen_clipboard)."""
    yield
    empty_offscreen_clipboard()


@pytest.fixture
def threads(qapp) -> ThreadRegistry:
    """The application's one registry of background threads."""
    return application_registry()


@pytest.fixture(autouse=True)
def no_thread_left_running(qtbot, threads):
    """Fail a test that leaves any background thread running (a running QThread aborts at exit)."""
    yield
    leaked = threads.running()
    if leaked:
        threads.request_stop()
        qtbot.waitUntil(lambda: not threads.running(), timeout=10_000)
        pytest.fail(f"{len(leaked)} background thread(s) were left running by this test")


@pytest.fixture
def errors(monkeypatch):
    """Capture messages sent to the user instead of showing modal dialogs."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message, details="": shown.append((message, details)))
    return shown


def close_and_wait(qtbot, window: MainWindow, threads: ThreadRegistry) -> None:
    """Close ``window`` and wait until every thread it started has ended."""
    window.close()
    try:
        qtbot.waitUntil(lambda: not threads.busy(owner=window), timeout=10_000)
    except qtbot.TimeoutError:
        state = [(w.stop_requested, w.is_waiting, w.ended) for w in threads.workers(owner=window)]
        pytest.fail(f"threads still registered after close: (stop, waiting, ended) {state}")


@pytest.fixture
def new_window(qtbot, threads) -> Iterator[Callable[..., MainWindow]]:
    """Makes shown windows as the application builds them (every feature installed);
    each is closed at the end, and its threads waited for."""
    made: list[MainWindow] = []

    def make(settings: QSettings | None = None) -> MainWindow:
        window = build_window(settings if settings is not None else user_settings())
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        close_and_wait(qtbot, window, threads)


@pytest.fixture
def window(new_window) -> MainWindow:
    return new_window()


class Recorder(QObject):
    """Hears a worker in the GUI thread: its signals reach bound methods of an object living
    here (a test's own callables, and pytest-qt's blockers, would run in the worker's thread)."""

    heard = Signal(object)
    """The item just heard, re-emitted in the GUI thread."""

    def __init__(self, worker: GeneratorWorker) -> None:
        super().__init__()
        self.items: list[object] = []
        self.endings: list[str] = []
        worker.yielded.connect(self.on_yielded)
        worker.finished.connect(self.on_finished)
        worker.failed.connect(self.on_failed)
        worker.cancelled.connect(self.on_cancelled)

    def on_yielded(self, item: object) -> None:
        self.items.append(item)
        self.heard.emit(item)

    def on_finished(self, value: object) -> None:
        self.endings.append(f"finished {value}")

    def on_failed(self, message: str, details: str) -> None:
        self.endings.append(f"failed {message}")

    def on_cancelled(self) -> None:
        self.endings.append("cancelled")


@pytest.fixture
def recorder() -> Callable[[GeneratorWorker], Recorder]:
    """Makes a :class:`Recorder` of a worker's signals (call it before the worker starts)."""
    return Recorder
