"""Workers that drive the engine's sweep, multi-start and replay generators off the GUI thread.

Each worker runs once on its own thread (see :class:`emgui.selection_threads.WorkerThreads`).
Stopping is a plain, thread-safe method that sets a ``threading.Event``; the worker
checks it between any two items its generator yields (between EM iterations), so
a stop takes effect within one iteration. Exactly one of ``finished``, ``failed``
and ``cancelled`` fires per run, and the generator is always closed, so the
engine's chunk threads end with the run.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

import engine
from engine.selection import Cell, ModelSpec, iterate_sweep, result_snapshots


class StoppableWorker(QObject):
    """What every worker here shares: the stop flag and the terminal signals."""

    finished = Signal(object)
    """The run's outcome (see each worker)."""
    failed = Signal(str, str)
    """A message for the user and the technical details (traceback)."""
    cancelled = Signal()
    """The run stopped because a stop was requested."""

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()
        #: Set when :meth:`run` has returned (read from the GUI thread).
        self.ended = False

    def request_stop(self) -> None:
        """Stop before the next iteration (called from the GUI thread)."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @Slot()
    def run(self) -> None:
        steps = self._steps()
        try:
            while True:
                if self._stop.is_set():
                    self.cancelled.emit()
                    return
                try:
                    item = next(steps)
                except StopIteration as stop:
                    self.finished.emit(self._outcome(stop.value))
                    return
                self._take(item)
        except ValueError as exc:
            self.failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            self.failed.emit(
                f"the run stopped on an unexpected error ({type(exc).__name__}: {exc}); "
                "please report it with the details",
                traceback.format_exc(),
            )
        finally:
            steps.close()
            self.ended = True

    def _steps(self) -> Generator:
        raise NotImplementedError

    def _take(self, item: object) -> None:
        """Handle one yielded item (in the worker thread)."""

    def _outcome(self, value: object) -> object:
        return value


class SweepWorker(StoppableWorker):
    """Fits every (model, K) cell. ``finished`` carries the list of :class:`Cell`."""

    cell_done = Signal(object)
    """A :class:`engine.selection.Cell` just fitted (or failed to fit)."""

    def __init__(
        self,
        X: np.ndarray,
        specs: list[ModelSpec],
        ks: list[int],
        base: engine.FitOptions,
        feature_names: list[str],
    ) -> None:
        super().__init__()
        self._args = (X, specs, ks, base, feature_names)

    def _steps(self) -> Generator:
        return iterate_sweep(*self._args)

    def _take(self, item: object) -> None:
        if isinstance(item, Cell):
            self.cell_done.emit(item)


@dataclass
class StartTrace:
    """One start of a multi-start fit: its snapshots and how long it took."""

    restart: int
    snapshots: list[engine.Snapshot]
    seconds: float

    @property
    def final(self) -> float:
        """The start's last objective (the value the best start is chosen by)."""
        return self.snapshots[-1].objective


class RestartsWorker(StoppableWorker):
    """Runs every start of a multi-start fit. ``finished`` carries the :class:`engine.FitResult`."""

    start_done = Signal(object)
    """A :class:`StartTrace`, emitted when its start has ended (converged, stopped or failed)."""

    def __init__(
        self, X: np.ndarray, options: engine.FitOptions, feature_names: list[str]
    ) -> None:
        super().__init__()
        self._args = (X, options, feature_names)
        self._current: list[engine.Snapshot] = []
        self._started = 0.0

    def _steps(self) -> Generator:
        self._started = time.perf_counter()
        return engine.iterate(*self._args)

    def _take(self, item: object) -> None:
        if self._current and item.restart != self._current[-1].restart:
            self._emit_current()
        self._current.append(item)

    def _emit_current(self) -> None:
        now = time.perf_counter()
        trace = StartTrace(self._current[-1].restart, self._current, now - self._started)
        self._current, self._started = [], now
        self.start_done.emit(trace)

    def _outcome(self, value: object) -> object:
        if self._current:
            self._emit_current()
        return value


class ReplayWorker(StoppableWorker):
    """Fits again to bring back a result's trace. ``finished`` carries ``(result, snapshots)``.

    The snapshots are the kept start's, in the result's component order
    (:func:`engine.selection.result_snapshots`).
    """

    def __init__(
        self, X: np.ndarray, options: engine.FitOptions, feature_names: list[str]
    ) -> None:
        super().__init__()
        self._args = (X, options, feature_names)
        self._snapshots: list[engine.Snapshot] = []

    def _steps(self) -> Generator:
        return engine.iterate(*self._args)

    def _take(self, item: object) -> None:
        self._snapshots.append(item)

    def _outcome(self, value: object) -> object:
        return value, result_snapshots(self._snapshots, value)
