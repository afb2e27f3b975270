"""Where the model-selection dialogs reach into the main window.

Two needs the window does not yet serve itself, kept here until it does:

* :func:`show_fit_in_window` shows a finished fit (a sweep cell, one start of a
  multi-start run) in the main views as if it had just run there: settings,
  views, parameter table, trace and iteration slider.
* :class:`CloseGuard` holds the window open until the dialogs' threads have
  stopped (the window's own ``closeEvent`` only waits for its fit threads, and
  destroying a running ``QThread`` aborts the process).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject

import engine
from emgui.selection_threads import WorkerThreads

if TYPE_CHECKING:
    from emgui.main_window import MainWindow


def show_fit_in_window(
    window: MainWindow,
    result: engine.FitResult,
    snapshots: Sequence[engine.Snapshot],
    options: engine.FitOptions | None = None,
    note: str = "",
) -> None:
    """Show ``result`` in ``window`` with its trace, as if it had just run there.

    Parameters
    ----------
    result : FitResult
        The fit to show; it becomes ``window.controller.result``.
    snapshots : sequence of Snapshot
        Its start's snapshots, iteration 0 to the last, components in the
        result's order (the last one carries ``result.params``).
    options : FitOptions, optional
        What the settings panel should show (default ``result.options``).
    note : str
        Where the fit came from, for the status bar.
    """
    window.controller.stop()
    window.settings_panel.set_options(options or result.options)
    window.show_fit(result, list(snapshots))
    converged = "converged" if result.converged else "not converged"
    parts = [note] if note else []
    parts += [
        f"log-likelihood {result.log_likelihood:.6g}",
        f"BIC {result.bic:.6g}",
        f"{result.n_iter} iterations, {converged}",
    ]
    window.status_label.setText(" · ".join(parts))


class CloseGuard(QObject):
    """Keeps ``window`` open while any of ``runners`` has a thread, then closes it.

    A close request stops every runner's workers; the close is repeated when
    the last thread has finished, and the window's own ``closeEvent`` then runs.
    """

    def __init__(self, window: MainWindow, runners: Sequence[WorkerThreads]) -> None:
        super().__init__(window)
        self._window = window
        self._runners = list(runners)
        self._closing = False
        for runner in self._runners:
            runner.all_stopped.connect(self._on_runner_all_stopped)
        window.installEventFilter(self)

    def add_runner(self, runner: WorkerThreads) -> None:
        self._runners.append(runner)
        runner.all_stopped.connect(self._on_runner_all_stopped)

    @property
    def busy(self) -> bool:
        return any(runner.busy for runner in self._runners)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._window and event.type() == QEvent.Type.Close and self.busy:
            self._closing = True
            for runner in self._runners:
                runner.request_stop()
            event.ignore()
            return True
        return False

    def _on_runner_all_stopped(self) -> None:
        if self._closing and not self.busy:
            self._closing = False
            self._window.close()
