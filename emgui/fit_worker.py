"""The worker that drives the engine's generator on a background thread.

The engine knows nothing of threads; this worker asks it for one iteration at
a time and emits each snapshot. Pause, step, stop and the teaching delay are
plain thread-safe methods called from the GUI thread: a queued slot would only
run after the fit had ended.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Generator

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

import engine


class FitWorker(QObject):
    """Runs one fit. Exactly one of ``finished``, ``failed``, ``cancelled`` fires per run."""

    iteration = Signal(object)
    """A new :class:`engine.Snapshot`."""
    finished = Signal(object)
    """The :class:`engine.FitResult` of a fit that ran to its end."""
    failed = Signal(str, str)
    """A message for the user and the technical details (traceback)."""
    cancelled = Signal()
    """The fit was stopped before its end."""

    def __init__(
        self,
        X: np.ndarray,
        options: engine.FitOptions,
        feature_names: list[str],
        start_paused: bool = False,
        delay: float = 0.0,
        iterate: Callable[..., Generator] = engine.iterate,
    ) -> None:
        super().__init__()
        self._X = X
        self._options = options
        self._feature_names = feature_names
        self._iterate = iterate
        self._gate = threading.Condition()
        self._paused = start_paused
        self._steps = 0
        self._stop = threading.Event()
        self._delay = delay
        self._waiting = False
        self._emitted = 0
        #: Set when :meth:`run` has returned its last signal (read from the GUI thread).
        self.ended = False

    # --- called from the GUI thread ---------------------------------------------------

    def request_stop(self) -> None:
        """Stop before the next iteration."""
        with self._gate:
            self._stop.set()
            self._gate.notify_all()

    def pause(self) -> None:
        with self._gate:
            self._paused = True

    def resume(self) -> None:
        with self._gate:
            self._paused = False
            self._gate.notify_all()

    def step(self) -> None:
        """While paused, allow exactly one more iteration."""
        with self._gate:
            self._steps += 1
            self._gate.notify_all()

    def set_delay(self, seconds: float) -> None:
        """Wait this long after each iteration (slows a fit down for teaching)."""
        self._delay = max(0.0, float(seconds))

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def emitted(self) -> int:
        """How many snapshots this worker has emitted so far."""
        with self._gate:
            return self._emitted

    @property
    def is_waiting(self) -> bool:
        """Paused at the gate between iterations (every emitted snapshot is already queued)."""
        with self._gate:
            return self._waiting

    # --- the worker thread --------------------------------------------------------------

    def _may_continue(self) -> bool:
        """Block while paused; False once a stop has been requested."""
        with self._gate:
            while self._paused and self._steps == 0 and not self._stop.is_set():
                self._waiting = True
                self._gate.wait()
            self._waiting = False
            if self._stop.is_set():
                return False
            if self._paused:
                self._steps -= 1
            return True

    @Slot()
    def run(self) -> None:
        iterator = None
        try:
            iterator = self._iterate(self._X, self._options, self._feature_names)
            first = True
            while True:
                if not first and self._delay > 0:
                    self._stop.wait(self._delay)
                if not self._may_continue():
                    self.cancelled.emit()
                    return
                try:
                    snapshot = next(iterator)
                except StopIteration as stop:
                    self.finished.emit(stop.value)
                    return
                first = False
                with self._gate:
                    self._emitted += 1
                self.iteration.emit(snapshot)
        except ValueError as exc:
            self.failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            self.failed.emit(
                f"the fit stopped on an unexpected error ({type(exc).__name__}: {exc}); "
                "please report it with the details",
                traceback.format_exc(),
            )
        finally:
            # A stopped generator still holds the engine's resources (its row-chunk
            # threads); closing it releases them now rather than at garbage collection.
            if iterator is not None:
                iterator.close()
            self.ended = True
