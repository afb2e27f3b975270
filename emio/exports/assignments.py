"""Export Assignments: each row as read, with its component, responsibilities and
uncertainty; and the command line's labels table, the same without the data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from emio.csvtext import csv_text, float_text, number_text
from emio.tables import Table

#: Columns the assignments export adds after the data's own.
ASSIGNMENT_LABEL = "component"
ASSIGNMENT_UNCERTAINTY = "uncertainty"
ASSIGNMENT_SOURCE_ROW = "source_row"
#: The suffix of the column that holds a data column's missing values as EM expects them.
EXPECTED_SUFFIX = "_expected"


def unique_header(taken: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """``wanted`` names, suffixed where the data already has a column of that name."""
    seen = set(taken)
    names = []
    for name in wanted:
        unique = name
        while unique in seen:
            unique += "_em"
        seen.add(unique)
        names.append(unique)
    return names


def assignments_csv(
    table: Table, log_resp: np.ndarray, filled: np.ndarray | None = None
) -> str:
    """The rows as read, with each row's component, responsibilities and uncertainty.

    Parameters
    ----------
    table : Table
        The data the responsibilities belong to; its column names head the
        first columns. When the reader dropped rows, only the rows kept are
        written and a ``source_row`` column (1-based position among the
        file's data rows) says where each came from. A label column kept
        with the table (``Table.labels``) follows the data's columns.
    log_resp : ndarray of shape (n_samples, n_components)
        From :func:`engine.predict_log_resp`.
    filled : ndarray of shape (n_samples, n_features), optional
        The data with each missing value filled in (:func:`engine.impute`): then every
        data column with a gap gets a column ``<name>_expected`` after the data's,
        holding the fitted mixture's expectation of each missing value and empty
        where the value was observed.

    Returns
    -------
    str
        CSV text with a header row.
    """
    log_resp = np.asarray(log_resp, dtype=np.float64)
    missing = np.isnan(table.data)
    gapped = [] if filled is None else [d for d in range(table.n_features) if missing[:, d].any()]
    if filled is not None and np.shape(filled) != table.data.shape:
        raise ValueError(
            f"filled-in values of shape {np.shape(filled)} do not belong to the table of shape "
            f"{table.data.shape}"
        )
    if log_resp.ndim != 2 or log_resp.shape[0] != table.n_samples:
        raise ValueError(
            f"responsibilities of shape {log_resp.shape} do not belong to {table.n_samples} "
            "rows; compute them from this table"
        )
    resp, labels = _responsibilities(log_resp)
    uncertainty = 1.0 - resp[np.arange(resp.shape[0]), labels]
    dropped = table.dropped_rows > 0
    wanted = _label_header(log_resp.shape[1]) + [ASSIGNMENT_UNCERTAINTY]
    if dropped:
        wanted.append(ASSIGNMENT_SOURCE_ROW)
    wanted = [f"{table.columns[d]}{EXPECTED_SUFFIX}" for d in gapped] + wanted
    known = table.labels
    own = list(table.columns) + ([] if known is None else [str(table.label_name)])
    header = own + unique_header(own, wanted)

    def rows() -> Iterator[list[str]]:
        for i in range(table.n_samples):
            row = [number_text(v) for v in table.data[i]]
            if known is not None:
                row.append(known[i])
            row += [float_text(filled[i, d]) if missing[i, d] else "" for d in gapped]
            row += _label_cells(labels[i], resp[i])
            row.append(float_text(uncertainty[i]))
            if dropped:
                row.append(str(int(table.row_index[i]) + 1))
            yield row

    return csv_text(header, rows())


def labels_csv(log_resp: np.ndarray) -> str:
    """Each row's component and responsibilities, without the data: the command line's
    ``--labels`` and ``predict`` output.

    Parameters
    ----------
    log_resp : ndarray of shape (n_samples, n_components)
        From :func:`engine.predict_log_resp`.

    Returns
    -------
    str
        CSV text: ``component`` (1-based), ``resp_1`` ... ``resp_K``.
    """
    resp, labels = _responsibilities(np.asarray(log_resp, dtype=np.float64))
    return csv_text(
        _label_header(resp.shape[1]), (_label_cells(*row) for row in zip(labels, resp))
    )


def labels_csv_chunks(chunks: Iterable[np.ndarray]) -> Iterator[str]:
    """:func:`labels_csv` of the rows of every chunk of log-responsibilities, as text a
    chunk at a time (the header with the first): for data streamed chunk by chunk."""
    first = True
    for log_resp in chunks:
        resp, labels = _responsibilities(np.asarray(log_resp, dtype=np.float64))
        rows = (_label_cells(*row) for row in zip(labels, resp))
        text = csv_text(_label_header(resp.shape[1]), rows)
        yield text if first else text.split("\n", 1)[1]
        first = False


def _responsibilities(log_resp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Responsibilities, shape (n_samples, n_components), and the 0-based most probable
    component of each row."""
    with np.errstate(under="ignore"):  # far components underflow to exactly zero, as intended
        resp = np.exp(log_resp)
    return resp, np.argmax(log_resp, axis=1)


def _label_header(n_components: int) -> list[str]:
    return [ASSIGNMENT_LABEL] + [f"resp_{k + 1}" for k in range(n_components)]


def _label_cells(label: int, resp: np.ndarray) -> list[str]:
    return [str(int(label) + 1)] + [float_text(v) for v in resp]


def assignments_note(table: Table) -> str:
    """One sentence on which rows :func:`assignments_csv` writes, for the status bar."""
    if table.dropped_rows:
        rows = "row" if table.dropped_rows == 1 else "rows"
        return (
            f"{table.dropped_rows} {rows} with missing or non-numeric values were left out when "
            f"the data were read, so they are not in the file; {ASSIGNMENT_SOURCE_ROW} gives each "
            "row's position in the original file"
        )
    return f"all {table.n_samples:,} rows written"
