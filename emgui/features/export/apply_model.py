"""File > Apply Model to Data: saved parameters evaluated on a data file, without refitting.

Reading the parameters, reading the data and evaluating the parameters on every
row are tasks in the background (:class:`emgui.runs.task.Task`), with progress
and Cancel: a parameters file that declares a hundred million columns, or a
million rows of data, never freezes the window. The window changes only when
everything has been read and evaluated.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

import engine
from emgui.features.files import FileChooser
from emgui.runs.generators import Progress
from emgui.runs.next_turn import NextTurn
from emgui.runs.task import Task
from emgui.shell.file_types import OPEN_FILTERS
from emgui.shell.host import Host
from emio import params_file
from emio.jsonfile import JsonFileError, read_json_file
from emio.tables import DataError, Table, read_table

PARAMS_FILTER = "EM Studio parameters (*.json)"


@dataclass(frozen=True)
class Applied:
    """Saved parameters evaluated on a data file: what the window shows afterwards."""

    table: Table
    options: engine.FitOptions
    result: engine.FitResult
    snapshots: list[engine.Snapshot]


def read_params(path: Path) -> Generator[Progress, None, params_file.ParamsDocument]:
    """The parameters a PARAMS.json holds (``ValueError`` saying what is wrong)."""
    yield Progress(0, 0, f"Reading {path.name}…")
    try:
        doc = read_json_file(path, advice=params_file.READ_ADVICE)
    except JsonFileError as exc:  # its message names the file
        raise ValueError(str(exc)) from None
    yield Progress(0, 0, f"Checking {path.name}…")
    try:
        return params_file.params_from_dict(doc)
    except ValueError as exc:
        raise ValueError(f"cannot use {path.name}: {exc}") from None


def evaluate(
    params_path: Path, document: params_file.ParamsDocument, data_path: Path
) -> Generator[Progress, None, Applied]:
    """Read ``data_path`` and evaluate the saved parameters on it (no refit)."""
    yield Progress(0, 2, f"Reading {data_path.name}…")
    try:
        table = _read_for_model(data_path, document)
    except (ValueError, OSError) as exc:
        raise ValueError(f"cannot apply {params_path.name} to {data_path.name}: {exc}") from None
    yield Progress(1, 2, f"Applying {params_path.name} to {table.n_samples:,} rows…")
    options = document.options(max_iter=0, seed=0)
    snapshots: list[engine.Snapshot] = []
    steps = engine.iterate(table.data, options, table.columns)
    try:
        while True:
            snapshots.append(next(steps))
            yield Progress(1, 2, f"Applying {params_path.name} to {table.n_samples:,} rows…")
    except StopIteration as stop:
        result = stop.value
    except ValueError as exc:
        raise ValueError(f"cannot apply {params_path.name} to {data_path.name}: {exc}") from None
    finally:
        steps.close()
    return Applied(table, options, result, snapshots)


class ModelApplier(QObject):
    """Asks for a PARAMS.json and a data file, and shows the parameters on the data as iteration 0."""

    applied = Signal(int, str)
    """The parameters were applied: the number of rows, and the data file's name."""
    failed = Signal(str)
    """Applying stopped on a problem (the message, which the person was shown)."""
    cancelled = Signal()
    """The person cancelled; nothing changed."""

    def __init__(self, host: Host, files: FileChooser, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self._files = files
        self._task: Task | None = None
        self._params_path = Path()
        self._data_path = Path()
        self._next_turn = NextTurn(self)

    @property
    def is_busy(self) -> bool:
        return self._task is not None or self._next_turn.is_pending

    def ask_and_apply(self) -> None:
        params_path = self._files.ask_open(
            "Apply Model: Choose the Parameters", PARAMS_FILTER + ";;All files (*)"
        )
        if params_path is None:
            return
        self._params_path = params_path
        self._start(Task(f"Reading {params_path.name}", partial(read_params, params_path),
                         self._host.threads, self), self._on_read_task_finished)

    def apply(
        self, params_path: Path, document: params_file.ParamsDocument, data_path: Path
    ) -> None:
        """Evaluate saved parameters on a data file in the background; the window shows
        the result as iteration 0 when it is ready (``applied``), or says what went wrong."""
        self._params_path, self._data_path = params_path, data_path
        self._start(
            Task(f"Applying {params_path.name}",
                 partial(evaluate, params_path, document, data_path), self._host.threads, self),
            self._on_apply_task_finished,
        )

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _start(self, task: Task, finished: object) -> None:
        self.cancel()
        self._task = task
        task.finished.connect(finished)
        task.failed.connect(self._on_task_failed)
        task.cancelled.connect(self._on_task_cancelled)
        self._host.run_task(task)

    def _current(self) -> bool:
        if self._task is None or self.sender() is not self._task:
            return False
        self._task = None
        return True

    # --- the tasks' signals -----------------------------------------------------------------

    def _on_read_task_finished(self, document: params_file.ParamsDocument) -> None:
        if not self._current():
            return
        data_path = self._files.ask_open(
            f"Apply Model: Choose Data with Columns {', '.join(document.feature_names)}",
            OPEN_FILTERS, self._params_path.parent,
        )
        if data_path is not None:
            self.apply(self._params_path, document, data_path)

    def _on_apply_task_finished(self, applied: Applied) -> None:
        if not self._current():
            return
        host, table, options = self._host, applied.table, applied.options
        held = host.document
        # The settings show the applied model and its options; the rest stay the person's own.
        held.set_data(
            table, self._data_path.name,
            options=held.options.replace(
                model=options.model, n_components=options.n_components, fixed=frozenset(),
                **options.model_options,
            ),
        )
        # The fit over the data a turn after the data, so neither blocks for both.
        self._next_turn.call(self._show_applied, applied, table)

    def _show_applied(self, applied: Applied, table: Table) -> None:
        if self._host.document.table is not table:
            return  # other data were opened meanwhile
        self._host.show_fit(applied.result, applied.snapshots)
        self._files.tell(
            f"Applied {self._params_path.name} to {self._data_path.name} without refitting: "
            f"{table.n_samples:,} rows, log-likelihood {applied.result.log_likelihood:.6g}. "
            "File > Export Assignments writes each row's component."
        )
        self.applied.emit(table.n_samples, self._data_path.name)

    def _on_task_failed(self, message: str, details: str) -> None:
        if self._current():
            self._host.show_error(message, details)
            self.failed.emit(message)

    def _on_task_cancelled(self) -> None:
        if self._current():
            self._files.tell("Apply Model cancelled; nothing changed.")
            self.cancelled.emit()


def _read_for_model(path: Path, document: params_file.ParamsDocument) -> Table:
    """The data file's columns the model was fitted on: by name, else all numbers in order."""
    try:
        return read_table(path, columns=list(document.feature_names))
    except DataError as by_name:
        try:
            table = read_table(path)
        except DataError:
            raise by_name from None
    if table.n_features != document.n_features:
        columns = "column" if table.n_features == 1 else "columns"
        raise DataError(
            f"{path.name} has {table.n_features} numeric {columns} ({', '.join(table.columns)}) "
            f"but the model needs {document.n_features} ({', '.join(document.feature_names)}); "
            "choose a file with those columns"
        )
    return table
