"""Cycles are collected by the GUI thread's timer, never by a fit thread."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from emgui import gc_guard

ROOT = Path(__file__).resolve().parents[2]


class _Cycle:
    def __init__(self, log: list[str]) -> None:
        self.me = self
        self.log = log

    def __del__(self) -> None:
        self.log.append(threading.current_thread().name)


def _in_a_new_process(code: str, tmp_path: Path) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(("setup", "expected"), [
    # The application switches automatic collection off before it builds the window ...
    ("from emgui.app import prepare_application; app = prepare_application()", "True False"),
    # ... a window built without it leaves the process's collector alone.
    ("from PySide6.QtWidgets import QApplication; app = QApplication([])", "False True"),
])
def test_the_application_installs_the_guard_not_the_window(tmp_path, setup, expected):
    code = (
        f"{setup}\n"
        "import gc\n"
        "from emgui import gc_guard\n"
        "from emgui.app import build_window, user_settings\n"
        "window = build_window(user_settings())\n"
        "print(gc_guard.installed(), gc.isenabled())\n"
    )
    assert _in_a_new_process(code, tmp_path) == expected


def test_cycles_made_in_a_worker_are_collected_in_the_gui_thread(qtbot):
    gc_guard.install()
    log: list[str] = []

    def worker() -> None:
        # Enough allocation to pass every threshold many times over: with automatic
        # collection on, a collection would run here, in this thread.
        for _ in range(50_000):
            _Cycle(log)

    thread = threading.Thread(target=worker, name="fit-worker")
    thread.start()
    thread.join()
    assert "fit-worker" not in log
    qtbot.waitUntil(lambda: len(log) >= 49_000, timeout=10_000)
    assert set(log) == {threading.main_thread().name}


def test_collect_due_follows_the_thresholds():
    gc_guard.install()
    gc.collect()
    log: list[str] = []
    _Cycle(log)
    assert gc_guard.collect_due((10**9, 10**9, 10**9)) == -1
    assert log == []  # not due: the cycle is still there
    assert gc_guard.collect_due((0, 10**9, 10**9)) == 0
    assert log == [threading.current_thread().name]


def test_settle_collects_then_leaves_the_survivors_out_of_later_collections():
    gc_guard.install()
    log: list[str] = []
    _Cycle(log)
    kept = _Cycle(log)
    try:
        gc_guard.settle()
        assert log == [threading.current_thread().name]  # the garbage went, once
        del kept
        gc.collect()
        assert len(log) == 1  # the survivor's cycle is out of reach of collections ...
    finally:
        gc.unfreeze()
    gc.collect()
    assert len(log) == 2  # ... until it is unfrozen


def test_the_timer_leaves_objects_alone_while_work_defers_collections(qtbot):
    gc_guard.install()
    gc.collect()
    log: list[str] = []
    with gc_guard.deferred():
        for _ in range(5_000):  # past every threshold
            _Cycle(log)
        assert gc_guard.tick() == -1
        assert log == []  # deferred: the GUI thread's tick collected nothing
    # The guard's own timer collects them once the work has ended.
    qtbot.waitUntil(lambda: len(log) == 5_000, timeout=5 * gc_guard.INTERVAL_MS)
    assert set(log) == {threading.current_thread().name}


def test_deferring_counts_nested_and_parallel_blocks():
    log: list[str] = []
    gc_guard.install()
    gc.collect()
    outer = gc_guard.deferred()
    outer.__enter__()
    with gc_guard.deferred():
        pass
    for _ in range(2_000):
        _Cycle(log)
    gc_guard.tick()
    assert log == []  # the outer block still defers
    outer.__exit__(None, None, None)
    assert gc_guard.tick() >= 0
    assert len(log) == 2_000


@pytest.mark.parametrize(("setup", "expected"), [
    # The application hands the GIL on after 1 ms, so the GUI thread does not queue
    # behind a worker running Python for 5 ms at each of a paint's calls into Python ...
    ("from emgui.app import prepare_application; app = prepare_application()", "0.001"),
    # ... and leaves Python's interval alone when only its window is used.
    ("from PySide6.QtWidgets import QApplication; app = QApplication([])", "0.005"),
])
def test_the_application_shortens_the_gil_switch_interval(tmp_path, setup, expected):
    code = (
        f"{setup}\n"
        "import sys\n"
        "from emgui.app import build_window, user_settings\n"
        "window = build_window(user_settings())\n"
        "print(round(sys.getswitchinterval(), 6))\n"
    )
    assert _in_a_new_process(code, tmp_path) == expected
