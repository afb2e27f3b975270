"""A long piece of work a person asked for, off the GUI thread, with progress and Cancel.

Applying saved parameters, comparing hard and soft EM, opening or saving a
session, exporting every row: each is a generator run by a
:class:`~emgui.runs.worker.GeneratorWorker` on a thread of the application's
registry, so the window never freezes. The generator yields
:class:`~emgui.runs.generators.Progress` between its steps and returns its
result. Cancel takes effect at once for the person: the task says
``cancelled`` and ignores whatever its worker says afterwards (a step that
cannot be interrupted, such as reading a file, runs to its end unseen).
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from PySide6.QtCore import QObject, Signal

from emgui.runs.generators import Progress
from emgui.runs.registry import ThreadRegistry
from emgui.runs.worker import GeneratorWorker

UNEXPECTED = "{label} stopped on an unexpected error ({{error}}); please report it with the details"


class Task(QObject):
    """Runs ``make()``'s generator in the background for ``owner``; lives in the GUI thread.

    Exactly one of ``finished``, ``failed`` and ``cancelled`` fires.
    """

    progressed = Signal(object)
    """The latest :class:`~emgui.runs.generators.Progress`."""
    finished = Signal(object)
    """What the generator returned."""
    failed = Signal(str, str)
    """A message for the person and the details."""
    cancelled = Signal()
    """The person cancelled the task (nothing it did afterwards is seen)."""
    ended = Signal()
    """The task is over, whichever way (after the signal that says how)."""

    def __init__(
        self,
        label: str,
        make: Callable[[], Generator],
        threads: ThreadRegistry,
        owner: QObject,
        expected: tuple[type[BaseException], ...] = (ValueError, OSError),
    ) -> None:
        super().__init__(owner)
        self.label = label
        self._threads = threads
        self._owner = owner
        self._worker: GeneratorWorker | None = GeneratorWorker(
            make, report=Progress, expected=expected,
            unexpected=UNEXPECTED.format(label=label[:1].upper() + label[1:].rstrip("…")),
        )
        self._worker.yielded.connect(self._on_worker_yielded)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.failed.connect(self._on_worker_failed)
        self._worker.cancelled.connect(self._on_worker_cancelled)
        self._started = False
        self.progress = Progress(0, 0, label)

    @property
    def is_running(self) -> bool:
        return self._worker is not None

    def start(self) -> Task:
        if not self._started:
            self._started = True
            self._threads.start(self._worker, owner=self._owner)
        return self

    def cancel(self) -> None:
        """Stop the task: it ends now for the person, and its thread as soon as it can."""
        worker = self._end()
        if worker is not None:
            worker.request_stop()
            self.cancelled.emit()
            self.ended.emit()

    def _end(self) -> GeneratorWorker | None:
        worker, self._worker = self._worker, None
        return worker

    def _current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    def _on_worker_yielded(self, progress: Progress) -> None:
        if self._current():
            self.progress = progress
            self.progressed.emit(progress)

    def _on_worker_finished(self, value: object) -> None:
        if self._current():
            self._end()
            self.finished.emit(value)
            self.ended.emit()

    def _on_worker_failed(self, message: str, details: str) -> None:
        if self._current():
            self._end()
            self.failed.emit(message, details)
            self.ended.emit()

    def _on_worker_cancelled(self) -> None:
        if self._current():
            # Stopped from elsewhere (the window closing): say so like a cancel.
            self._end()
            self.cancelled.emit()
            self.ended.emit()
