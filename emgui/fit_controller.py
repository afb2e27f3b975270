"""One place that owns fit threads: start, pause, step, stop, and clean shutdown.

The controller lives in the GUI thread. It keeps every snapshot of the current
run (parameters only, so memory stays small) for the iteration slider, and
tells the window what happened through short signals. Signals from a worker
that is no longer current (one stopped by a new Run) are ignored, so no stale
iteration is ever drawn.
"""

from __future__ import annotations

import enum

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal

import engine
from emgui.thread_registry import ThreadRegistry
from emgui.fit_worker import FitWorker


_RUNNING: dict[QThread, FitWorker] = {}


def running_threads() -> list[QThread]:
    """Fit threads started and not yet finished, across every controller."""
    return [thread for thread in _RUNNING if not thread.isFinished()]


def request_stop_everywhere() -> None:
    """Ask every fit thread of every controller to stop (for test clean-up)."""
    for worker in _RUNNING.values():
        worker.request_stop()


class RunState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class FitController(QObject):
    """Starts fits on background threads and collects their snapshots."""

    snapshot_added = Signal(int)
    """The index of a snapshot just added to :attr:`snapshots`."""
    run_finished = Signal(object)
    """The :class:`engine.FitResult`; snapshots are then in canonical component order."""
    run_failed = Signal(str, str)
    """A message for the user and the details."""
    run_cancelled = Signal()
    """The current run was stopped before its end."""
    state_changed = Signal(object)
    """The new :class:`RunState`."""
    all_stopped = Signal()
    """No fit thread is left running (used to finish closing the window)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: FitWorker | None = None
        self._threads: ThreadRegistry[FitWorker] = ThreadRegistry(self, shared=_RUNNING)
        self._threads.emptied.connect(self.all_stopped)
        self._state = RunState.IDLE
        self.snapshots: list[engine.Snapshot] = []
        self.result: engine.FitResult | None = None
        self._delay = 0.0

    # --- state --------------------------------------------------------------------------

    @property
    def state(self) -> RunState:
        return self._state

    def _set_state(self, state: RunState) -> None:
        if state is not self._state:
            self._state = state
            self.state_changed.emit(state)

    @property
    def is_active(self) -> bool:
        """A run is going on (running or paused)."""
        return self._state in (RunState.RUNNING, RunState.PAUSED)

    @property
    def is_waiting(self) -> bool:
        """The current run is paused at its gate and every snapshot it sent has arrived."""
        worker = self._worker
        return worker is not None and worker.is_waiting and worker.emitted == len(self.snapshots)

    @property
    def threads_running(self) -> int:
        return len(self._threads)

    # --- commands from the window -------------------------------------------------------

    def start(
        self,
        X: np.ndarray,
        options: engine.FitOptions,
        feature_names: list[str],
        paused: bool = False,
    ) -> None:
        """Start a new fit, stopping any current one; ``paused`` runs one step at a time."""
        self.stop()
        self.snapshots = []
        self.result = None
        worker = FitWorker(X, options, feature_names, start_paused=paused, delay=self._delay)
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.iteration.connect(self._on_worker_iteration)
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        worker.cancelled.connect(self._on_worker_cancelled)
        for signal in (worker.finished, worker.failed, worker.cancelled):
            # Direct: quit from the worker thread itself, so the thread ends
            # without waiting on the GUI thread's event loop.
            signal.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        self._threads.add(thread, worker)
        self._worker = worker
        self._set_state(RunState.PAUSED if paused else RunState.RUNNING)
        thread.start()
        if paused:
            worker.step()

    def restore(self, result: engine.FitResult | None, snapshots: list[engine.Snapshot]) -> None:
        """Adopt a fit made elsewhere (a session, a sweep cell) as if it had just run."""
        self.stop()
        self.snapshots = list(snapshots)
        self.result = result
        self._set_state(RunState.FINISHED if snapshots else RunState.IDLE)

    def pause(self) -> None:
        if self._worker is not None and self._state is RunState.RUNNING:
            self._worker.pause()
            self._set_state(RunState.PAUSED)

    def resume(self) -> None:
        if self._worker is not None and self._state is RunState.PAUSED:
            self._worker.resume()
            self._set_state(RunState.RUNNING)

    def step(self) -> None:
        """One more iteration of a paused run."""
        if self._worker is not None and self._state is RunState.PAUSED:
            self._worker.step()

    def stop(self) -> None:
        """Ask the current run to stop; its ``cancelled`` arrives when it has."""
        if self._worker is not None and self.is_active:
            self._worker.request_stop()
            self._worker = None
            self._set_state(RunState.CANCELLED)
            self.run_cancelled.emit()

    def stop_all(self) -> None:
        """Stop every fit thread (when the window closes); ``all_stopped`` follows."""
        self.stop()
        for worker in self._threads.workers():
            worker.request_stop()
        if not self._threads:
            self.all_stopped.emit()

    def set_delay(self, seconds: float) -> None:
        self._delay = seconds
        if self._worker is not None:
            self._worker.set_delay(seconds)

    # --- worker signals (queued into the GUI thread) ------------------------------------

    def _is_current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    def _on_worker_iteration(self, snapshot: engine.Snapshot) -> None:
        if not self._is_current():
            return
        self.snapshots.append(snapshot)
        self.snapshot_added.emit(len(self.snapshots) - 1)

    def _on_worker_finished(self, result: engine.FitResult) -> None:
        if not self._is_current():
            return
        self._worker = None
        # Keep only the best start's snapshots, in the result's component order,
        # so colours stay with a component from the first iteration to the last.
        best = [s for s in self.snapshots if s.restart == result.restart]
        covariance = result.options.gaussian_covariance
        self.snapshots = [snapshot.permuted(result.order, covariance) for snapshot in best]
        self.result = result
        self._set_state(RunState.FINISHED)
        self.run_finished.emit(result)

    def _on_worker_failed(self, message: str, details: str) -> None:
        if not self._is_current():
            return
        self._worker = None
        self._set_state(RunState.FAILED)
        self.run_failed.emit(message, details)

    def _on_worker_cancelled(self) -> None:
        # The controller already reported the cancellation when stop() was called.
        pass
