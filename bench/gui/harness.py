"""What every scenario of ``python -m bench.gui`` shares: data, the event loop, the tick gaps."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def make_csv(path: Path, n_samples: int, n_features: int) -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 8, size=(5, n_features))
    rows = centres[rng.integers(0, 5, n_samples)] + rng.normal(size=(n_samples, n_features))
    header = ",".join(f"x{j + 1}" for j in range(n_features))
    np.savetxt(path, rows, delimiter=",", header=header, comments="", fmt="%.6f")


def blobs(n_samples: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [8, 0], [0, 8], [8, 8], [4, 4]], dtype=float)
    return centres[rng.integers(0, 5, n_samples)] + rng.normal(size=(n_samples, 2))


def wait_for(app, signal) -> None:
    """Run the event loop until ``signal`` fires, as the application would: the GUI
    thread sleeps between events (a busy ``processEvents`` loop would take a core
    from the reader's and the engine's threads and distort every figure)."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    signal.connect(loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def idle(milliseconds: int) -> None:
    """Let the event loop run a while, as when a person looks at the window."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def wait_until(done: Callable[[], bool], timeout_s: float = 120.0) -> bool:
    """Let the event loop run until ``done()`` (looked at every 5 ms); False on timeout."""
    ends = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > ends:
            return False
        idle(5)
    return True


class TickGaps:
    """Largest gap between ticks of a fast timer in the GUI thread."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        # A block that ran to the end of the measurement has not been ticked out yet.
        self.gaps.append(time.perf_counter() - self._last)

    @property
    def longest_ms(self) -> float:
        return 1e3 * max(self.gaps, default=0.0)

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now


@contextmanager
def gaps() -> Iterator[TickGaps]:
    ticks = TickGaps()
    ticks.start()
    try:
        yield ticks
    finally:
        ticks.stop()


class Answers:
    """Answers every modal question and collects every error instead of showing it."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.questions = 0  # each answered no (or Cancel)
        self.open_path = ""

    def _say_no(self, parent: object, question: str) -> bool:
        self.questions += 1
        return False

    def _cancel(self, *args: object, **kwargs: object) -> str:
        from emgui.features.sessions import questions

        self.questions += 1
        return questions.DATA_CANCEL

    def install(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from emgui import dialogs

        dialogs.show_error = lambda parent, message, details="": self.errors.append(message)
        dialogs.ask_yes_no = self._say_no
        QFileDialog.getOpenFileName = lambda *args, **kwargs: (self.open_path, "")
        try:
            from emgui.features.sessions import questions
        except ImportError:
            return
        questions.ask_data_action = self._cancel


def gaussian_for(window, n_components: int, iterations: int) -> None:
    """Set the window, as a user would, to fit ``n_components`` Gaussians for exactly
    ``iterations`` iterations (tolerance 0: it never stops early)."""
    panel = window.settings_panel
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("gaussian"))
    panel.k_spin.setValue(n_components)
    panel.tol_combo.setCurrentText("0")
    panel.max_iter_spin.setValue(iterations)


def find_action(window, text: str):
    """The window's action whose text (without '&') is ``text``."""
    from PySide6.QtGui import QAction

    for action in window.findChildren(QAction):
        if action.text().replace("&", "") == text:
            return action
    raise LookupError(f"no action {text!r}")


def report(name: str, ms: float, note: str = "") -> None:
    print(f"  {name:<58} longest GUI gap {ms:7.0f} ms{('  ' + note) if note else ''}")


def settled(window) -> Callable[[], bool]:
    """Whether the window has no background work left (a fit aside): nothing to wait for."""
    from emgui.runs.next_turn import NextTurn
    from emgui.runs.registry import application_registry

    threads = application_registry()
    controller = window.controller
    # A task (Apply Model, a session, Compare) may chain another: the task bar says when
    # the last has ended. What it brought back is drawn in two turns of the event loop
    # (NextTurn): until the second has run, the window shows the data without the fit.
    return lambda: (threads.count(owner=window) <= threads.count(owner=controller)
                    and not window.task_bar.tasks
                    and not any(turn.is_pending for turn in window.findChildren(NextTurn)))
