"""Export Assignments of a file too large to load: every row of the file, written a chunk at a
time as the engine computes its responsibilities, so memory does not grow with the rows.

The window holds only a sample of such a file (:class:`emgui.runs.streamed.SampledTable`);
the file written holds every row, in the file's order, with the data's own columns, the
component, each responsibility and the uncertainty, as for data read whole. Each chunk is
a step at which Cancel takes effect; a cancelled or failed export leaves no file.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import numpy as np

import engine
from emgui.runs.generators import Progress
from emgui.runs.streamed import SampledTable
from emio.atomic import atomic_open
from emio.csvtext import csv_text, float_text, number_text
from emio.exports.assignments import (ASSIGNMENT_LABEL, ASSIGNMENT_UNCERTAINTY, unique_header)
from emio.exports.assignments import assignments_note as read_whole_note
from emio.tables import Table


def streamed_assignments(
    table: SampledTable, result: engine.FitResult, path: Path
) -> Generator[Progress, None, Path]:
    """Every row of ``table``'s file with its component and responsibilities, to ``path``."""
    rows = table.rows
    total = rows.n_samples
    k = result.params.n_components
    wanted = [ASSIGNMENT_LABEL] + [f"resp_{j + 1}" for j in range(k)] + [ASSIGNMENT_UNCERTAINTY]
    header = list(table.columns) + unique_header(table.columns, wanted)
    yield Progress(0, total, f"Writing {path.name}: 0 of {total:,} rows…")
    with atomic_open(path, "w", encoding="utf-8", newline="") as out:
        out.write(csv_text(header, []))
        for first, log_resp in engine.predict_blocks(
            rows, result.params, result.options, table.columns
        ):
            data = rows.read(first, first + log_resp.shape[0])
            with np.errstate(under="ignore"):  # far components underflow to zero, as intended
                resp = np.exp(log_resp)
            labels = np.argmax(log_resp, axis=1)
            uncertainty = 1.0 - resp[np.arange(resp.shape[0]), labels]
            out.write(csv_text([], (
                [number_text(v) for v in data[i]] + [str(int(labels[i]) + 1)]
                + [float_text(v) for v in resp[i]] + [float_text(uncertainty[i])]
                for i in range(data.shape[0])
            )).split("\n", 1)[1])
            done = first + log_resp.shape[0]
            yield Progress(done, total, f"Writing {path.name}: {done:,} of {total:,} rows…")
    return path


def assignments_note(table: Table) -> str:
    """One sentence on which rows Export Assignments wrote, for the status bar."""
    if isinstance(table, SampledTable):
        return f"all {table.n_total:,} rows of the file written (the window shows a sample)"
    return read_whole_note(table)
