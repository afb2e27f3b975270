"""The import preview: what :func:`~emio.tables.read_table` would find in a text file
under some options, reported rather than refused, so a person can change them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike

import numpy as np
import pandas as pd

from emio.tables.columns import frame_names, scan_frame
from emio.tables.files import open_file
from emio.tables.table import TextOptions
from emio.tables.text import layout, read_text_frame

#: :func:`preview_text` counts problems in at most this many rows.
PREVIEW_SCAN_ROWS = 200_000


@dataclass(eq=False)
class TablePreview:
    """What :func:`read_table` would see in a text file under some options.

    Attributes
    ----------
    frame : pandas.DataFrame
        The first rows as read: numbers as numbers, other cells as text,
        missing cells as NaN; columns named as in ``columns``.
    columns : list of str
        Every column of the file.
    numeric : dict of str to bool
        Whether each column holds numbers (and would be read by default).
    reasons : dict of str to str
        For each column that does not hold numbers, why not, for a person:
        ``"text such as 'setosa' in 150 rows"``.
    bad_rows : int
        Rows (of the ``rows_read`` scanned) with a missing, infinite or
        non-numeric value in one of the numeric columns.
    bad_cells : ndarray of shape (rows_read, n_columns)
        Where those values are; always False in non-numeric columns.
    rows_read : int
        Data rows scanned for the counts above.
    whole_file : bool
        Whether ``rows_read`` is all the rows of the file.
    options : TextOptions
        The options the preview was made with.
    """

    frame: pd.DataFrame
    columns: list[str]
    numeric: dict[str, bool]
    reasons: dict[str, str]
    bad_rows: int
    bad_cells: np.ndarray
    rows_read: int
    whole_file: bool
    options: TextOptions

    def bad_rows_in(self, columns: Iterable[str]) -> int:
        """Rows with a missing or non-numeric value in any of ``columns``."""
        positions = [self.columns.index(name) for name in columns]
        if not positions:
            return 0
        return int(self.bad_cells[:, positions].any(axis=1).sum())


def preview_text(
    path: str | PathLike[str],
    options: TextOptions | None = None,
    n_rows: int = 100,
    scan_rows: int = PREVIEW_SCAN_ROWS,
) -> TablePreview:
    """What :func:`read_table` would find in a text file under ``options``.

    Unlike :func:`read_table`, a preview does not fail on a file without
    numbers or with bad rows: it reports them, so a person can change the options.

    Parameters
    ----------
    path : str or path-like
    options : TextOptions, optional
        Sniffed when not given.
    n_rows : int
        Rows kept in ``frame``.
    scan_rows : int
        Rows scanned to judge columns and count bad rows; more are not read.

    Returns
    -------
    TablePreview

    Raises
    ------
    DataError
        If the file cannot be read as a table at all under ``options``
        (missing, binary, rows of different lengths, ...).
    """
    file = open_file(path)
    options = layout(file, options)
    frame = read_text_frame(file, options, nrows=scan_rows + 1)
    whole_file = frame.shape[0] <= scan_rows
    frame = frame.iloc[:scan_rows]
    names = frame_names(frame, options.header)
    scanned = scan_frame(frame, names, options.decimal)
    bad_cells = np.zeros((frame.shape[0], len(names)), dtype=bool)
    for j, column in enumerate(scanned):
        if column.numeric:
            bad_cells[:, j] = ~np.isfinite(column.values)
    shown = frame.iloc[:n_rows].copy()
    shown.columns = names
    return TablePreview(
        frame=shown,
        columns=names,
        numeric={column.name: column.numeric for column in scanned},
        reasons={column.name: column.reason for column in scanned if column.reason is not None},
        bad_rows=int(bad_cells.any(axis=1).sum()),
        bad_cells=bad_cells,
        rows_read=int(frame.shape[0]),
        whole_file=whole_file,
        options=options,
    )
