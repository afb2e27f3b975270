"""The one reader: :func:`read_table` dispatches on the file's suffix, chooses the
columns and decides what happens to rows with missing or non-numeric values."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from os import PathLike

import numpy as np

from emio.tables.binary import read_npy, read_npz
from emio.tables.columns import Column, Source, bad_value, plural_rows, with_markers
from emio.tables.files import FileHead, open_file
from emio.tables.labels import find_label_column, label_texts
from emio.tables.layout import side_by_side
from emio.tables.spreadsheets import read_excel, read_parquet, read_xls
from emio.tables.table import BAD_ROW_POLICIES, DataError, Table, TextOptions
from emio.tables.text import read_text
from engine.models import registry

_READERS: dict[str, Callable[[FileHead, TextOptions | None], Source]] = {
    ".csv": read_text,
    ".tsv": read_text,
    ".txt": read_text,
    ".dat": read_text,
    ".npy": read_npy,
    ".npz": read_npz,
    ".xlsx": read_excel,
    ".parquet": read_parquet,
    ".xls": read_xls,
}


def _choose(
    all_columns: list[Column], requested: list[str] | None, name: str
) -> tuple[list[Column], list[str]]:
    """The columns to read, and notes on those skipped."""
    if requested is None:
        chosen = [column for column in all_columns if column.numeric]
        skipped = [column for column in all_columns if not column.numeric]
        if not chosen:
            details = "; ".join(f"{c.name!r}: {c.reason}" for c in skipped[:3])
            raise DataError(
                f"{name} has no column of numbers ({details}); check the delimiter and the "
                "decimal separator, or choose a file with numeric columns"
            )
        return chosen, [f"skipped column {c.name!r}: {c.reason}" for c in skipped]
    if isinstance(requested, str):
        raise DataError(f"give the columns as a list of names, for example [{requested!r}]")
    if not requested:
        raise DataError("no columns were chosen; choose at least one column of numbers")
    by_name = {column.name: column for column in all_columns}
    unknown = [column for column in requested if column not in by_name]
    if unknown:
        known = ", ".join(repr(c.name) for c in all_columns[:12])
        more = ", ..." if len(all_columns) > 12 else ""
        raise DataError(
            f"{name} has no column named {', '.join(map(repr, unknown))}; its columns are "
            f"{known}{more}"
        )
    repeated = [column for column, count in Counter(requested).items() if count > 1]
    if repeated:
        raise DataError(f"column {repeated[0]!r} is chosen twice; choose each column once")
    chosen = [by_name[column] for column in requested]
    for column in chosen:
        if not column.numeric:
            raise DataError(
                f"column {column.name!r} of {name} cannot be used: it holds {column.reason}; "
                "leave it out"
            )
    return chosen, []


def gap_policy(model: str) -> str:
    """The ``bad_rows`` policy for ``model`` when nobody chose one: rows with missing
    values are kept for EM when the model fits them, else refused with a message
    naming the first."""
    return "keep" if registry.model_class(model).handles_missing else "error"


def read_table(
    path: str | PathLike[str],
    options: TextOptions | None = None,
    columns: list[str] | None = None,
    bad_rows: str = "error",
    na_values: Collection[str] = (),
    labels: str | None = None,
) -> Table:
    """Read the numbers in a data file.

    Parameters
    ----------
    path : str or path-like
        A text table (``.csv``, ``.tsv``, ``.txt``, ``.dat`` or any other
        suffix), ``.npy``, ``.npz``, ``.xlsx`` (needs openpyxl) or
        ``.parquet`` (needs pyarrow).
    options : TextOptions, optional
        Layout of a text table; sniffed when not given. Ignored for other formats.
    columns : list of str, optional
        Columns to read, in this order. By default every column of numbers;
        columns of text (labels, say) are skipped, as ``Table.notes`` records.
    bad_rows : {"error", "drop", "keep"}
        What to do with rows holding a missing, infinite or non-numeric value
        in a chosen column: raise a :class:`DataError` naming the first, or
        drop them (``Table.dropped_rows`` says how many), or keep the rows
        with missing values, NaN where a value is missing, for a model that
        fits them (a row with an infinite or non-numeric value is still refused).
    na_values : collection of str
        Cells of text that mean a missing value, besides empty cells and
        pandas' own (``NA``, ``N/A``, ``NaN``, ``null``, ...): for example
        ``("?", "-")`` (:data:`~emio.tables.MISSING_MARKERS`). By default none,
        so such a cell is text.
    labels : str, optional
        A column (of text or of numbers) to keep as known labels rather than
        fit: ``Table.labels`` holds it as text, through any row dropping. It
        cannot be one of ``columns``, and is never among the default ones; a
        missing label is ``""`` and never drops a row.

    Returns
    -------
    Table
        ``data`` of shape (n_samples, n_features).

    Raises
    ------
    DataError
        For anything that stops the file being read as asked, with a message
        that says what to do.
    """
    if bad_rows not in BAD_ROW_POLICIES:
        raise DataError(f"bad_rows must be 'keep', 'error' or 'drop', not {bad_rows!r}")
    file = open_file(path)
    source = _READERS.get(file.path.suffix.lower(), read_text)(file, options)
    markers = frozenset(str(marker).strip() for marker in na_values)
    name = source.name
    marked = [with_markers(c, markers) for c in source.columns]
    label_column = None
    if labels is not None:
        label_column = find_label_column(marked, labels, name)
        if columns is not None and not isinstance(columns, str) and labels in columns:
            raise DataError(
                f"column {labels!r} is kept as labels, so it cannot be fitted too; leave it out "
                "of the chosen columns, or keep no labels"
            )
        marked = [c for c in marked if c is not label_column]
    chosen, notes = _choose(marked, columns, name)
    n_rows = chosen[0].values.shape[0]
    # Per column: cells without a value (kept under "keep"), and cells refused.
    gaps = [np.isnan(c.values) & ~(c.text if c.text is not None else False) for c in chosen]
    refused = [~np.isfinite(c.values) for c in chosen]
    if bad_rows == "keep":
        refused = [cells & ~gap for cells, gap in zip(refused, gaps, strict=True)]
    bad = np.logical_or.reduce(refused)
    n_bad = int(np.count_nonzero(bad))
    if n_bad and bad_rows != "drop":
        row = int(np.argmax(bad))
        column = next(c for c, cells in zip(chosen, refused, strict=True) if cells[row])
        what, advice = {
            "error": ("missing or non-numeric values", "fix the file, or choose to drop such rows"),
            "keep": (
                "infinite or non-numeric values",
                "fix the file, mark such values as missing, or choose to drop such rows",
            ),
        }[bad_rows]
        others = f" ({n_bad} rows have {what})" if n_bad > 1 else ""
        raise DataError(
            f"column {column.name!r} has {bad_value(column, row)} on {source.locate(row)} of "
            f"{name}{others}; {advice}"
        )
    if n_bad == n_rows:
        raise DataError(
            f"every row of {name} has a missing or non-numeric value in the chosen columns; "
            "choose other columns, or check the delimiter and the decimal separator"
        )
    if np.logical_and.reduce(gaps).all():
        raise DataError(
            f"every row of {name} is empty: no row has a value in the chosen columns; choose "
            "other columns, or check the delimiter and the decimal separator"
        )
    row_index = None
    values = [column.values for column in chosen]
    if n_bad:
        row_index = np.flatnonzero(~bad)
        values = [column[row_index] for column in values]
        notes.append(f"dropped {plural_rows(n_bad)} with missing or non-numeric values")
    data = side_by_side(values)
    gapped = np.logical_or.reduce(gaps)
    if bad_rows == "keep" and gapped.any():
        n_missing = int(sum(np.count_nonzero(gap) for gap in gaps))
        rows = plural_rows(int(np.count_nonzero(gapped)))
        notes.append(f"kept {rows} with missing values ({n_missing} value"
                     f"{'s' if n_missing != 1 else ''} in all)")
    label_texts_kept = None
    if label_column is not None:
        label_texts_kept = label_texts(label_column)
        if row_index is not None:
            label_texts_kept = label_texts_kept[row_index]
        notes.insert(0, f"kept column {label_column.name!r} as labels")
    return Table(
        data=data,
        columns=[column.name for column in chosen],
        source=file.path,
        dropped_rows=n_bad,
        row_index=row_index,
        notes=source.notes + tuple(notes),
        text_options=source.text_options,
        labels=label_texts_kept,
        label_name=None if label_column is None else label_column.name,
    )

