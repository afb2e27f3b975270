"""File > Apply Model to Data: saved parameters evaluated on a data file, without refitting."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

import engine
from emgui.features.files import FileChooser
from emgui.runs.generators import Drain
from emgui.shell.file_types import OPEN_FILTERS
from emgui.shell.host import Host
from emio import params_file
from emio.jsonfile import JsonFileError, read_json_file
from emio.tables import DataError, Table, read_table

PARAMS_FILTER = "EM Studio parameters (*.json)"


class ModelApplier(QObject):
    """Asks for a PARAMS.json and a data file, and shows the parameters on the data as iteration 0."""

    applied = Signal(int, str)
    """The parameters were applied: the number of rows, and the data file's name."""

    def __init__(self, host: Host, files: FileChooser, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self._files = files

    def ask_and_apply(self) -> None:
        params_path = self._files.ask_open(
            "Apply Model: Choose the Parameters", PARAMS_FILTER + ";;All files (*)"
        )
        if params_path is None:
            return
        try:
            doc = read_json_file(params_path, advice=params_file.READ_ADVICE)
        except JsonFileError as exc:  # its message names the file
            self._host.show_error(str(exc), repr(exc))
            return
        try:
            document = params_file.params_from_dict(doc)
        except ValueError as exc:
            self._host.show_error(f"cannot use {params_path.name}: {exc}", repr(exc))
            return
        data_path = self._files.ask_open(
            f"Apply Model: Choose Data with Columns {', '.join(document.feature_names)}",
            OPEN_FILTERS, params_path.parent,
        )
        if data_path is None:
            return
        self.apply(params_path, document, data_path)

    def apply(
        self, params_path: Path, document: params_file.ParamsDocument, data_path: Path
    ) -> bool:
        """Evaluate saved parameters on a data file and show the result as iteration 0."""
        host = self._host
        try:
            table = _read_for_model(data_path, document)
            options = document.options(max_iter=0, seed=0)
            # The engine's evaluation of explicit parameters (max_iter=0): no refit.
            evaluation = Drain(engine.iterate(table.data, options, table.columns)).run()
        except (ValueError, OSError) as exc:
            host.show_error(
                f"cannot apply {params_path.name} to {data_path.name}: {exc}", repr(exc)
            )
            return False
        result: engine.FitResult = evaluation.value
        held = host.document
        held.set_data(table, data_path.name)
        # The settings show the applied model; the rest stay the person's own.
        held.set_options(
            held.options.replace(
                model=options.model,
                n_components=options.n_components,
                covariance_type=options.covariance_type,
                trials=options.trials,
            )
        )
        host.show_fit(result, evaluation.items)
        self._files.tell(
            f"Applied {params_path.name} to {data_path.name} without refitting: "
            f"{table.n_samples:,} rows, log-likelihood {result.log_likelihood:.6g}. "
            "File > Export Assignments writes each row's component."
        )
        self.applied.emit(table.n_samples, data_path.name)
        return True


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
