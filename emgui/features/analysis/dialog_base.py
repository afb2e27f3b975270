"""What both analysis dialogs share: a run in the background and a replay of one of its fits.

Each dialog (Choose K and Model, Explore Restarts) runs one generator in the
background (the sweep, the starts) and, to open one of its fits in the main
window, replays that fit (:func:`~emgui.features.analysis.generators.replay`).
Both stop when the dialog closes; signals of a worker no longer current are
ignored. The threads belong to the dialog in the application's registry, so
closing the main window stops them and waits.
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np
from PySide6.QtCore import QSize, QSortFilterProxyModel
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QDialog, QHeaderView, QTableView

import engine
from emgui import dialogs
from emgui.features.analysis.generators import replay
from emgui.features.analysis.run_bar import RunBar
from emgui.runs.streamed import sample_note
from emgui.runs.worker import GeneratorWorker
from emgui.shell.host import Host
from emgui.shell.palette import PaletteFollower, share_palette
from emgui.shell.screen_fit import available_area, fitting_size


def results_view(proxy: QSortFilterProxyModel, tooltip: str) -> QTableView:
    """A read-only, sortable table of results, one row selected at a time."""
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setToolTip(tooltip)
    return view


class AnalysisDialog(QDialog):
    """A non-modal dialog over the main window that runs a generator and replays its fits.

    A subclass handles its run's signals (``_on_run_worker_yielded``,
    ``_finished``, ``_failed``, ``_cancelled``) and the replayed fit
    (``_on_replay_worker_finished``), and says how far a run got
    (:meth:`progress_text`).
    """

    def __init__(self, host: Host, title: str, size: tuple[int, int], unit: str) -> None:
        super().__init__(host.parent_widget)
        self.setWindowTitle(title)
        self.setModal(False)
        # A size that fits the main window's screen (860 px is taller than a 1024x700
        # screen's), given before the subclass lays out its splitters.
        self.resize(fitting_size(QSize(*size), available_area(host.parent_widget)))
        self._host = host
        self._document = host.document
        self._run_worker: GeneratorWorker | None = None
        self._replay_worker: GeneratorWorker | None = None
        self._X: np.ndarray | None = None
        self._feature_names: list[str] = []
        self._started_at = 0.0
        self.run_bar = RunBar(unit)
        self._palette_follower: PaletteFollower | None = None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        # A dialog is a window of its own: it takes the main window's palette, and its plots
        # follow it as the main window's do (made here, once the subclass built its plots).
        share_palette(self.parentWidget(), self)
        if self._palette_follower is None:
            self._palette_follower = PaletteFollower(self)
        super().showEvent(event)

    @property
    def is_running(self) -> bool:
        return self._run_worker is not None

    def progress_text(self, verb: str) -> str:
        """``"Cancelled after 3 of 36 cells."``: how far the run got, said with ``verb``."""
        raise NotImplementedError

    # --- the run --------------------------------------------------------------------------

    def _take_data(self) -> bool:
        """Run on the document's data from now on; False (after saying so) if there are none."""
        table = self._document.table
        if table is None:
            dialogs.show_error(self, "open some data first (File > Open or Open Sample)")
            return False
        self._X, self._feature_names = table.data, list(table.columns)
        self.run_bar.set_scope(sample_note(table))
        return True

    def _data_changed(self, message: str) -> bool:
        """Whether the data changed since the run (then the user is told ``message``)."""
        table = self._document.table
        if table is None or table.data is not self._X:
            dialogs.show_error(self, message)
            return True
        return False

    def _start_run(self, worker: GeneratorWorker) -> None:
        """Make ``worker`` the current run (its signals reach this dialog's handlers)."""
        worker.yielded.connect(self._on_run_worker_yielded)
        worker.finished.connect(self._on_run_worker_finished)
        worker.failed.connect(self._on_run_worker_failed)
        worker.cancelled.connect(self._on_run_worker_cancelled)
        self._run_worker = worker
        self._started_at = time.perf_counter()

    def _launch(self, worker: GeneratorWorker) -> None:
        self._host.threads.start(worker, owner=self)

    def _run_ended(self) -> bool:
        """Whether the signal comes from the current run (which has then ended)."""
        if self.sender() is not self._run_worker:
            return False
        self._run_worker = None
        return True

    def _seconds(self) -> float:
        """Seconds since the current run started."""
        return time.perf_counter() - self._started_at

    def cancel(self) -> None:
        """Stop the run after the current iteration; what it finished stays shown."""
        if self._run_worker is not None:
            self._run_worker.request_stop()

    def stop(self) -> None:
        """Stop everything this dialog runs, without waiting (later signals are ignored)."""
        for worker in (self._run_worker, self._replay_worker):
            if worker is not None:
                worker.request_stop()
        self._run_worker = self._replay_worker = None

    # --- opening one fit ------------------------------------------------------------------

    def _replay(self, options: engine.FitOptions, busy_text: str) -> None:
        """Fit ``options`` again, with its trace, to show it in the main window."""
        if self._replay_worker is not None:
            self._replay_worker.request_stop()
        worker = GeneratorWorker(partial(replay, self._X, options, self._feature_names), report=())
        worker.finished.connect(self._on_replay_worker_finished)
        worker.failed.connect(self._on_replay_worker_failed)
        self._replay_worker = worker
        self.run_bar.set_busy_text(busy_text)
        self._launch(worker)

    def _replay_ended(self) -> bool:
        """Whether the signal comes from the current replay (which has then ended)."""
        if self.sender() is not self._replay_worker:
            return False
        self._replay_worker = None
        return True

    def _on_replay_worker_failed(self, message: str, details: str) -> None:
        if self._replay_ended():
            dialogs.show_error(self, message, details)

    # --- closing --------------------------------------------------------------------------

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        # Closing (or Esc) stops the run: nobody would see what it finds. A spontaneous
        # hide (the window system minimising) leaves it running.
        if not event.spontaneous():
            self.stop_and_note()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.stop_and_note()
        super().closeEvent(event)

    def stop_and_note(self) -> None:
        """Stop everything; if a run was going on, say how far it got."""
        if self._run_worker is None:
            self.stop()
            return
        note = self.progress_text("Stopped")
        self.stop()
        self.run_bar.set_idle(note)
        self._show_stopped()

    def _show_stopped(self) -> None:
        """After a run was stopped: what the dialog shows besides the run bar."""
