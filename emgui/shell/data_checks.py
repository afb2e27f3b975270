"""Which models can fit the data held: checked when data arrive, and when a model's option
changes; the answers go to the document, where the settings grey out the others.

Small data are checked at once in the GUI thread (a few milliseconds); larger data
by a :class:`~emgui.runs.worker.GeneratorWorker` on a thread of the application's
registry (a million rows take most of a second), the answers arriving model by
model. When new data cannot come from the model in force, the first model that
can fit them takes its place, and the person is told why.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Signal

import engine
from emgui.runs.generators import drained
from emgui.runs.registry import ThreadRegistry
from emgui.runs.worker import GeneratorWorker
from emgui.shell.document import Document
from emgui.views import declared
from emgui.views.engine_bridge import QUICK_CHECK_VALUES, model_problems


class DataChecks(QObject):
    """Keeps ``document.model_problems`` up to date with its data and option values."""

    model_replaced = Signal(str)
    """The model in force could not fit new data and was replaced: a sentence saying so."""

    def __init__(
        self, document: Document, threads: ThreadRegistry, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._threads = threads
        self._worker: GeneratorWorker | None = None
        self._found: dict[str, str | None] = {}
        self._checked_values: dict[str, object] | None = None
        self._new_data = False
        document.data_changed.connect(self._on_document_data_changed)
        document.options_changed.connect(self._on_document_options_changed)

    @property
    def is_checking(self) -> bool:
        return self._worker is not None

    def check(self) -> None:
        """Check the document's data against every model (stopping a check under way)."""
        document = self._document
        table = document.table
        if self._worker is not None:
            self._worker.request_stop()
            self._worker = None
        if table is None:
            return
        values = _set(document.option_values)
        self._checked_values = values
        steps = partial(model_problems, table.data, list(table.columns), values)
        if table.data.size <= QUICK_CHECK_VALUES:
            self._found = dict(drained(steps()))
            self._finish()
            return
        self._found = {}
        worker = GeneratorWorker(steps)
        worker.yielded.connect(self._on_worker_yielded)
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        self._worker = worker
        self._threads.start(worker, owner=self)

    def _finish(self) -> None:
        document = self._document
        document.set_model_problems(self._found)
        if not self._new_data:
            return
        self._new_data = False
        model = document.options.model
        why = self._found.get(model)
        suited = [m for m in declared.models() if self._found.get(m) is None]
        if why is None or not suited:
            return
        replacement = suited[0]
        options = document.options.replace(
            model=replacement, e_step=declared.default_e_step(replacement), fixed=frozenset()
        )
        document.set_options(options, init_mode=document.init_mode)
        self.model_replaced.emit(
            f"The {declared.title(model)} model cannot fit these data ({why}), so the "
            f"{declared.title(replacement)} model is chosen instead."
        )

    # --- signals ------------------------------------------------------------------------

    def _on_document_data_changed(self, name: str) -> None:
        self._new_data = True
        self.check()

    def _on_document_options_changed(self, options: engine.FitOptions) -> None:
        if _set(self._document.option_values) != self._checked_values:
            self.check()

    def _is_current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    def _on_worker_yielded(self, item: tuple[str, str | None]) -> None:
        if self._is_current():
            model, why = item
            self._found[model] = why
            self._document.set_model_problems(self._found)

    def _on_worker_finished(self, value: object) -> None:
        if self._is_current():
            self._worker = None
            self._finish()

    def _on_worker_failed(self, message: str, details: str) -> None:
        if self._is_current():
            # Nobody can tell which models fit: offer them all, as before any check.
            self._worker = None
            self._new_data = False


def _set(values: dict[str, object]) -> dict[str, object]:
    """The option values that are set (an empty field tells the checks nothing)."""
    return {name: value for name, value in values.items() if value is not None}
