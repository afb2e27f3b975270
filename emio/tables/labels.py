"""A column kept as known labels (a species, a diagnosis): its cells as text, never fitted."""

from __future__ import annotations

import numpy as np

from emio.tables.columns import Column
from emio.tables.table import DataError


def _number_text(value: float) -> str:
    """``2.0`` as ``"2"``, ``2.5`` as ``"2.5"``: integer codes read as floats keep their look."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return format(value, ".15g")


def label_texts(column: Column) -> np.ndarray:
    """Each row's label in ``column`` as text; ``""`` where the cell is missing.

    Returns
    -------
    ndarray of shape (n_rows,), dtype object
    """
    values = column.values
    texts = np.full(values.shape[0], "", dtype=object)
    numbers = np.isfinite(values)
    texts[numbers] = [_number_text(float(v)) for v in values[numbers]]
    if column.text is not None and column.cells is not None:
        words = column.text
        texts[words] = [str(cell).strip() for cell in column.cells[words]]
    return texts


def find_label_column(columns: list[Column], name: str, source: str) -> Column:
    """The column called ``name``, to keep as labels; DataError when there is none or it
    holds nothing."""
    by_name = {column.name: column for column in columns}
    if not isinstance(name, str) or name not in by_name:
        known = ", ".join(repr(c.name) for c in columns[:12])
        more = ", ..." if len(columns) > 12 else ""
        raise DataError(
            f"{source} has no column named {name!r} to keep as labels; its columns are "
            f"{known}{more}"
        )
    column = by_name[name]
    has_text = column.text is not None and bool(column.text.any())
    if not has_text and not np.isfinite(column.values).any():
        raise DataError(
            f"column {name!r} of {source} holds no values to use as labels; choose another "
            "label column, or none"
        )
    return column
