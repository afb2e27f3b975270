"""Runs the window's fits: start, pause, step, stop; it alone writes the fit into the document.

The controller lives in the GUI thread. It drives :func:`engine.iterate` with
a :class:`GeneratorWorker` on a thread of the application's registry, and
writes what arrives into the :class:`~emgui.shell.document.Document`: the
run state, every snapshot (parameters only, so memory stays small) and the
result. Signals from a worker that is no longer current (one stopped by a new
Run) are ignored, so no stale iteration is ever drawn.
"""

from __future__ import annotations

import dataclasses
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, Signal

import engine
from engine.standardize import iterate_standardized
from emgui.runs.registry import ThreadRegistry
from emgui.runs.worker import GeneratorWorker
from emgui.shell.document import Document, RunState
from emgui.views.engine_bridge import permuted

UNEXPECTED = (
    "the fit stopped on an unexpected error ({error}); please report it with the details"
)


class FitController(QObject):
    """Starts fits on background threads and records them in ``document``."""

    run_finished = Signal(object)
    """The :class:`engine.FitResult`; the snapshots are then in canonical component order."""
    run_failed = Signal(str, str)
    """A message for the user and the details."""
    run_cancelled = Signal()
    """The current run was stopped before its end."""

    def __init__(
        self, document: Document, threads: ThreadRegistry, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._threads = threads
        self._worker: GeneratorWorker | None = None
        self._received = 0
        self._delay = 0.0
        # Other data make any run pointless (the document has let go of its fit already).
        document.data_changed.connect(self._on_document_data_changed)

    # --- state --------------------------------------------------------------------------

    @property
    def is_waiting(self) -> bool:
        """The current run is paused between iterations and every snapshot it sent has arrived."""
        worker = self._worker
        return worker is not None and worker.is_waiting and worker.emitted == self._received

    @property
    def threads_running(self) -> int:
        """Fit threads of this controller still registered (a stopped one winds down)."""
        return self._threads.count(owner=self)

    def _set_state(self, state: RunState) -> None:
        self._document.set_run_state(state)

    # --- commands -------------------------------------------------------------------------

    def start(
        self,
        X: np.ndarray,
        options: engine.FitOptions,
        feature_names: list[str],
        paused: bool = False,
    ) -> None:
        """Start a new fit, stopping any current one; ``paused`` runs one step at a time."""
        self.stop()
        self._document.clear_fit()
        # In standard units when asked: snapshots and result come back in the original ones.
        run = iterate_standardized if self._document.standardize else engine.iterate
        worker = GeneratorWorker(
            partial(run, X, options, feature_names),
            paused=paused, delay=self._delay, unexpected=UNEXPECTED,
        )
        worker.yielded.connect(self._on_worker_yielded)
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        self._worker, self._received = worker, 0
        self._set_state(RunState.PAUSED if paused else RunState.RUNNING)
        self._threads.start(worker, owner=self)
        if paused:
            worker.step()

    def restore(self, result: engine.FitResult | None, snapshots: list[engine.Snapshot]) -> None:
        """Hold a fit made elsewhere (a session, a sweep cell) as if it had just run."""
        self.stop()
        self._document.set_fit(result, snapshots)
        self._set_state(RunState.FINISHED if snapshots else RunState.IDLE)

    def clear(self) -> None:
        """Stop any run and let go of the fit (the run state stays as it was)."""
        self.stop()
        self._document.clear_fit()

    def pause(self) -> None:
        if self._worker is not None and self._document.run_state is RunState.RUNNING:
            self._worker.pause()
            self._set_state(RunState.PAUSED)

    def resume(self) -> None:
        if self._worker is not None and self._document.run_state is RunState.PAUSED:
            self._worker.resume()
            self._set_state(RunState.RUNNING)

    def step(self) -> None:
        """One more iteration of a paused run."""
        if self._worker is not None and self._document.run_state is RunState.PAUSED:
            self._worker.step()

    def stop(self) -> None:
        """Ask the current run to stop; it counts as cancelled from now on."""
        if self._worker is not None and self._document.is_running:
            self._worker.request_stop()
            self._worker = None
            self._set_state(RunState.CANCELLED)
            self.run_cancelled.emit()

    def set_delay(self, seconds: float) -> None:
        self._delay = seconds
        if self._worker is not None:
            self._worker.set_delay(seconds)

    # --- worker signals (queued into the GUI thread) ------------------------------------

    def _is_current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    def _on_worker_yielded(self, snapshot: engine.Snapshot) -> None:
        if not self._is_current():
            return
        self._received += 1
        self._document.add_snapshot(snapshot)

    def _on_worker_finished(self, result: engine.FitResult) -> None:
        if not self._is_current():
            return
        self._worker = None
        # Keep only the best start's snapshots, in the result's component order: scrubbing
        # back, component k is the same component (number, colour) at every iteration.
        best = [s for s in self._document.snapshots if s.restart == result.restart]
        self._document.set_fit(result, [
            dataclasses.replace(s, params=permuted(s.params, result.options, result.order))
            for s in best
        ])
        self._set_state(RunState.FINISHED)
        self.run_finished.emit(result)

    def _on_worker_failed(self, message: str, details: str) -> None:
        if not self._is_current():
            return
        self._worker = None
        self._set_state(RunState.FAILED)
        self.run_failed.emit(message, details)

    def _on_document_data_changed(self, name: str) -> None:
        self.stop()
