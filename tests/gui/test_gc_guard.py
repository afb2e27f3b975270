"""Cycles are collected by the GUI thread's timer, never by a fit thread."""

from __future__ import annotations

import gc
import threading

from emgui import gc_guard
from emgui.main_window import MainWindow


class _Cycle:
    def __init__(self, log: list[str]) -> None:
        self.me = self
        self.log = log

    def __del__(self) -> None:
        self.log.append(threading.current_thread().name)


def test_a_window_switches_automatic_collection_off(qtbot):
    from emgui.app import user_settings

    window = MainWindow(user_settings())
    qtbot.addWidget(window)
    assert gc_guard.installed() and not gc.isenabled()


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
