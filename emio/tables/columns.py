"""Judging the columns of a frame: which hold numbers, and for those that do not, why not.

Every reader turns its file into a :class:`Source`: named :class:`Column` s of
float64 values (NaN where a cell is missing or text) with what a person needs
to hear about them.
"""

from __future__ import annotations

import math

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emio.tables.table import TextOptions


@dataclass(frozen=True, eq=False)
class Column:
    """One column of a source, judged: numbers or not, and why not."""

    name: str
    values: np.ndarray  # float64, NaN where a cell is missing or text
    text: np.ndarray | None  # bool, cells that hold text; None when none can
    cells: np.ndarray | None  # the cells as read, to quote them in messages
    reason: str | None  # why this column does not hold numbers; None when it does

    @property
    def numeric(self) -> bool:
        return self.reason is None


def plural_rows(count: int) -> str:
    """``"1 row"``, ``"2 rows"``."""
    return f"{count} row" if count == 1 else f"{count} rows"


def quote_cell(cell: object) -> str:
    """A cell quoted for a message, cut to 30 characters."""
    text = str(cell).strip()
    return repr(text if len(text) <= 30 else text[:27] + "...")


def _text_numbers(text: pd.Series, decimal: str) -> np.ndarray:
    """Numbers in cells of text, NaN where a cell is not a number."""
    text = text.str.strip()
    if decimal == ",":
        text = text.where(~text.str.contains(".", regex=False)).str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _parse_cells(series: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, text mask and cells of a column that pandas did not read as numbers.

    Such a column may mix strings with numbers pandas already converted (it
    reads big files in chunks), so strings and other cells are parsed apart.
    """
    cells = series.to_numpy(dtype=object)
    is_str = np.fromiter((isinstance(cell, str) for cell in cells), dtype=bool, count=cells.size)
    values = np.full(cells.size, np.nan)
    if is_str.any():
        values[is_str] = _text_numbers(pd.Series(cells[is_str], dtype=str), decimal)
    is_number = np.fromiter(
        (isinstance(c, (int, float, np.number)) and not isinstance(c, bool) for c in cells),
        dtype=bool,
        count=cells.size,
    )
    values[is_number] = [_as_float(cell) for cell in cells[is_number]]
    text = ~is_number & ~pd.isna(cells) & np.isnan(values)
    return values, text, cells


def _as_float(cell: object) -> float:
    """A number cell as a float; a whole number beyond the float range (pandas keeps
    integers of any length) as an infinity of its sign, refused later with the others."""
    try:
        return float(cell)  # type: ignore[arg-type]
    except OverflowError:
        return math.inf if cell > 0 else -math.inf  # type: ignore[operator]


def bad_value(column: Column, row: int) -> str:
    """What the cell of ``column`` at ``row`` holds that is not a number EM can use:
    ``"the text 'n/a'"``, ``"a missing value"``, ``"an infinite value (inf)"``..."""
    if column.text is not None and column.cells is not None and column.text[row]:
        return f"the text {quote_cell(column.cells[row])}"
    value = column.values[row]
    if np.isnan(value):
        return "a missing value"
    cell = column.cells[row] if column.cells is not None else None
    if isinstance(cell, int) and not isinstance(cell, bool):
        try:
            digits = f"{len(str(abs(cell)))} digits"
        except ValueError:  # beyond Python's limit on converting integers to text
            digits = f"about {int(cell.bit_length() * math.log10(2)) + 1} digits"
        return f"a whole number of {digits}, beyond the largest a float holds (about 1.8e308)"
    return f"an infinite value ({value:g})"


def _reason(values: np.ndarray, text: np.ndarray | None, cells: np.ndarray | None) -> str | None:
    """Why a column of ``values`` with text cells ``text`` holds no numbers, or None."""
    n_text = 0 if text is None else int(np.count_nonzero(text))
    n_numbers = int(np.count_nonzero(~np.isnan(values)))
    if n_numbers == 0 and n_text == 0:
        return "no values at all"
    if n_numbers < n_text:
        # Mostly text: a label column. A few text cells among numbers are
        # errors in a numeric column instead, and are reported as bad rows.
        return f"text such as {quote_cell(cells[np.argmax(text)])} in {plural_rows(n_text)}"
    return None


def _marker_numbers(markers: frozenset[str]) -> list[float]:
    numbers = []
    for marker in markers:
        try:
            numbers.append(float(marker))
        except ValueError:
            continue
    return numbers


def with_markers(column: Column, markers: frozenset[str]) -> Column:
    """``column`` with every cell that is one of ``markers`` read as a missing value: a
    cell of text equal to one (``?``, ``-``; compared without surrounding spaces), or a
    number equal to one that is a number (``-999``); judged again."""
    values, text = column.values, column.text
    numbers = _marker_numbers(markers)
    if numbers:
        hit = np.isin(values, numbers)
        if hit.any():
            values = np.where(hit, np.nan, values)
    if text is not None and column.cells is not None and text.any():
        marked = text.copy()
        marked[text] = [str(cell).strip() in markers for cell in column.cells[text]]
        text = text & ~marked
    if values is column.values and text is column.text:
        return column
    return Column(column.name, values, text, column.cells, _reason(values, text, column.cells))


def _scan(series: pd.Series, name: str, decimal: str) -> Column:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    ):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        empty = not np.any(~np.isnan(values))
        return Column(name, values, None, None, "no values at all" if empty else None)
    if dtype.kind in "mM":
        return Column(name, np.full(len(series), np.nan), None, None, "dates or times")
    values, text, cells = _parse_cells(series, decimal)
    return Column(name, values, text, cells, _reason(values, text, cells))


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for name in names:
        candidate, copy = name, 2
        while candidate in seen:
            candidate, copy = f"{name} ({copy})", copy + 1
        seen.add(candidate)
        unique.append(candidate)
    return unique


def frame_names(frame: pd.DataFrame, header: bool) -> list[str]:
    """Column names; ``x1, x2, ...`` where the file gives none."""
    if not header:
        return [f"x{j + 1}" for j in range(frame.shape[1])]
    names = []
    for j, label in enumerate(frame.columns):
        name = str(label).strip()
        names.append(f"x{j + 1}" if not name or name.startswith("Unnamed: ") else name)
    return _unique(names)


def scan_frame(frame: pd.DataFrame, names: list[str], decimal: str) -> list[Column]:
    """Every column of ``frame`` judged, under ``names``."""
    return [_scan(frame.iloc[:, j], name, decimal) for j, name in enumerate(names)]


@dataclass(frozen=True)
class Source:
    """The columns of a file, and how to tell a person where a row is."""

    name: str  # what to call the source in messages: "data.csv", "array 'X' of d.npz"
    columns: list[Column]
    locate: Callable[[int], str]  # 0-based data row -> "line 7", "row 7", ...
    notes: tuple[str, ...] = field(default=())
    text_options: TextOptions | None = None  # the options a text file was read with
