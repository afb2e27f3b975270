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
import os
import time
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

import engine
from emgui.runs.compute import ClusterRun, ComputePlace, Computing, counted, fit_steps
from emgui.runs.registry import ThreadRegistry
from emgui.runs.streamed import CountingSource, fit_rows
from emgui.runs.worker import GeneratorWorker
from emgui.shell.document import Document, RunState
from emgui.views.engine_bridge import permuted

UNEXPECTED = (
    "the fit stopped on an unexpected error ({error}); please report it with the details"
)
#: A pass over streamed rows that lasts longer than this shows its progress.
SHOW_PASS_AFTER_S = 0.5
#: How often the progress of a streamed pass is looked at.
PASS_POLL_MS = 100
#: Snapshots a fit may send ahead of the window taking them in (see GeneratorWorker):
#: enough that the engine never waits on a window that keeps up, few enough that a
#: window that cannot keep up still draws its frames.
MAX_PENDING = 64


class FitController(QObject):
    """Starts fits on background threads and records them in ``document``."""

    run_finished = Signal(object)
    """The :class:`engine.FitResult`; the snapshots are then in canonical component order."""
    run_failed = Signal(str, str)
    """A message for the user and the details."""
    run_cancelled = Signal()
    """The current run was stopped before its end."""
    computing = Signal(str)
    """Where the current run computes, once a cluster has answered ("Computing on ...")."""
    pass_progress = Signal(int, int)
    """A long pass over streamed rows: (pass number, per mille done); (0, 0) when none."""

    def __init__(
        self, document: Document, threads: ThreadRegistry, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._threads = threads
        self._worker: GeneratorWorker | None = None
        self._received = 0
        self._delay = 0.0
        #: Where fits compute (set from the Settings panel's "Compute on").
        self.place = ComputePlace()
        self._counting: CountingSource | None = None
        self._cluster: ClusterRun | None = None
        self._pass = (0, 0.0)
        self._pass_shown = False
        #: Seconds a pass lasts before its progress shows (tests show every pass).
        self.show_pass_after_s = SHOW_PASS_AFTER_S
        self._pass_timer = QTimer(self)
        self._pass_timer.setInterval(PASS_POLL_MS)
        self._pass_timer.timeout.connect(self._on_pass_timer_timeout)
        # Other data make any run pointless (the document has let go of its fit already).
        document.data_changed.connect(self._on_document_data_changed)

    @property
    def document(self) -> Document:
        return self._document

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
        """Start a new fit, stopping any current one; ``paused`` runs one step at a time.

        When ``X`` is the sample of a large file the document holds, the fit reads the
        whole file (:func:`emgui.runs.streamed.fit_rows`); on a cluster
        (:attr:`place`), the cluster's workers read the data's file.
        """
        self.stop()
        self._document.begin_fit(options)
        table = self._document.table
        rows = fit_rows(table) if table is not None and X is table.data else X
        cluster = ClusterRun(self.place.address) if self.place.on_cluster else None
        if cluster is None:
            rows = counted(rows)
            if isinstance(rows, CountingSource) and options.n_threads is None:
                # Reading and computing a large file takes every core it is given: one is
                # left to the window, which draws each iteration over the sample meanwhile.
                options = options.replace(n_threads=max(1, len(os.sched_getaffinity(0)) - 1))
        self._counting = rows if isinstance(rows, CountingSource) else None
        self._cluster = cluster
        worker = GeneratorWorker(
            partial(fit_steps, rows, options, feature_names, cluster, table,
                    standardize=self._document.standardize),
            paused=paused, delay=self._delay, unexpected=UNEXPECTED,
            report=(engine.Snapshot, Computing), expected=(ValueError, OSError),
            max_pending=MAX_PENDING,
        )
        worker.yielded.connect(self._on_worker_yielded)
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        self._worker, self._received = worker, 0
        self._set_state(RunState.PAUSED if paused else RunState.RUNNING)
        self._threads.start(worker, owner=self)
        self._pass = (0, time.monotonic())
        if self._counting is not None or cluster is not None:
            self._pass_timer.start()
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
            if self._counting is not None:
                self._counting.stop()  # the pass under way ends at its next chunk
            if self._cluster is not None:
                self._cluster.cancel()
            self._forget_run()
            self._set_state(RunState.CANCELLED)
            self.run_cancelled.emit()

    def _forget_run(self) -> None:
        self._worker = None
        self._counting = self._cluster = None
        self._pass_timer.stop()
        if self._pass_shown:
            self._pass_shown = False
            self.pass_progress.emit(0, 0)

    def set_delay(self, seconds: float) -> None:
        self._delay = seconds
        if self._worker is not None:
            self._worker.set_delay(seconds)

    # --- worker signals (queued into the GUI thread) ------------------------------------

    def _is_current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    def _on_worker_yielded(self, item: engine.Snapshot | Computing) -> None:
        if not self._is_current():
            return
        self._received += 1
        self._worker.acknowledge()
        if isinstance(item, Computing):
            self.computing.emit(item.text)
        else:
            self._document.add_snapshot(item)

    def _on_pass_timer_timeout(self) -> None:
        if self._cluster is not None:
            # On a cluster: the share of the pass's tasks done, as the client knows it.
            progress = self._cluster.progress()
            if progress is None or progress[0] == 0:
                return
            current, done, total = progress
            per_mille = 1000 * done // total if total else 0
        elif self._counting is not None:
            n_samples = self._counting.n_samples
            read = self._counting.rows_read
            current, per_mille = read // n_samples + 1, 1000 * (read % n_samples) // n_samples
        else:
            return
        number, started = self._pass
        now = time.monotonic()
        if current != number:
            number, started = current, now
            self._pass = (number, started)
        if now - started >= self.show_pass_after_s:
            self._pass_shown = True
            self.pass_progress.emit(number, min(per_mille, 999))

    def _on_worker_finished(self, result: engine.FitResult) -> None:
        if not self._is_current():
            return
        self._forget_run()
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
        self._forget_run()
        self._set_state(RunState.FAILED)
        self.run_failed.emit(message, details)

    def _on_document_data_changed(self, name: str) -> None:
        self.stop()
