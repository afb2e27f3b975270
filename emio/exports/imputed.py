"""The data with their gaps filled in: the command line's ``--impute``.

Each row as read, each missing value replaced by its expectation under the
fitted mixture (:func:`engine.impute`), then one column ``<name>_imputed`` per
data column: ``1`` where the value was filled in, ``0`` where it was observed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from emio.csvtext import csv_text, number_text
from emio.exports.assignments import ASSIGNMENT_SOURCE_ROW, unique_header
from emio.tables import Table

#: What the column that marks a data column's filled-in cells is called: ``x_imputed``.
IMPUTED_SUFFIX = "_imputed"


def imputed_csv(table: Table, values: np.ndarray, missing: np.ndarray) -> str:
    """The rows of ``table`` with their gaps filled in, as CSV text with a header row.

    Parameters
    ----------
    table : Table
        The data as read; its column names head the first columns. When the
        reader dropped rows, a ``source_row`` column (1-based position among
        the file's data rows) says where each row came from.
    values : ndarray of shape (n_samples, n_features)
        ``table.data`` with each missing value filled in.
    missing : ndarray of shape (n_samples, n_features)
        Where the values were missing.

    Returns
    -------
    str
    """
    if values.shape != table.data.shape or missing.shape != table.data.shape:
        raise ValueError(
            f"filled-in values of shape {values.shape} do not belong to a table of shape "
            f"{table.data.shape}; compute them from this table"
        )
    dropped = table.dropped_rows > 0
    wanted = [f"{name}{IMPUTED_SUFFIX}" for name in table.columns]
    if dropped:
        wanted.append(ASSIGNMENT_SOURCE_ROW)
    header = list(table.columns) + unique_header(table.columns, wanted)

    def rows() -> Iterator[list[str]]:
        for i in range(table.n_samples):
            row = [number_text(v) for v in values[i]] + ["1" if m else "0" for m in missing[i]]
            if dropped:
                row.append(str(int(table.row_index[i]) + 1))
            yield row

    return csv_text(header, rows())
