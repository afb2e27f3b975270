"""GUI test fixtures: isolated settings, and no test may leave a fit thread running."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from emgui import dialogs, fit_controller, gc_guard


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
def no_thread_left_running(qtbot):
    """Fail a test that leaves a fit thread running (a running QThread aborts at exit)."""
    yield
    leaked = fit_controller.running_threads()
    if leaked:
        fit_controller.request_stop_everywhere()
        qtbot.waitUntil(lambda: not fit_controller.running_threads(), timeout=10_000)
        pytest.fail(f"{len(leaked)} fit thread(s) were left running by this test")


@pytest.fixture
def errors(monkeypatch):
    """Capture messages sent to the user instead of showing modal dialogs."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message, details="": shown.append((message, details)))
    return shown
