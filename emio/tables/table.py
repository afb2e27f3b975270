"""What reading gives: a :class:`Table` of numbers, the :class:`TextOptions` of a text
table, and the :class:`DataError` every reader raises for a problem a person can fix."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.data import contiguous

#: Delimiters of text files, with the word used in messages. ``" "`` means any run of whitespace.
DELIMITERS: dict[str, str] = {",": "commas", ";": "semicolons", "\t": "tabs", " ": "spaces"}
#: Decimal separators, with the word used in messages.
DECIMALS: dict[str, str] = {".": "point", ",": "comma"}
#: What :func:`read_table` may do with rows that hold a missing or non-numeric value:
#: refuse them, drop them, or keep those with missing values (NaN) for a model that
#: fits them.
BAD_ROW_POLICIES = ("error", "drop", "keep")
#: The usual ways of writing "no value" in a cell, besides an empty cell and pandas'
#: own (``NaN``, ``null``, ...): what the command line reads as missing unless told.
MISSING_MARKERS = ("NA", "N/A", "?", "-")
#: The formats :func:`read_table` reads, for messages.
SUPPORTED = "text tables (.csv, .tsv, .txt, .dat), .npy, .npz, .xlsx and .parquet files"


class DataError(ValueError):
    """A data file cannot be read as asked; the message says why and what to do."""


@dataclass(frozen=True)
class TextOptions:
    """How a text table is laid out.

    Attributes
    ----------
    delimiter : str
        ``","``, ``";"``, ``"\\t"``, or ``" "`` for any run of spaces and tabs.
    decimal : str
        ``"."`` or ``","``.
    header : bool
        Whether the first row (after ``skip_rows``) holds column names.
    comment : str or None
        Lines starting with this character are ignored, as is the rest of a
        line after it; ``None`` for none.
    skip_rows : int
        Lines to skip at the top of the file (a title, say), comments included.
    encoding : str
        The text encoding; :func:`sniff_text` chooses between UTF-8 and the
        Windows Western European code page.
    """

    delimiter: str = ","
    decimal: str = "."
    header: bool = True
    comment: str | None = None
    skip_rows: int = 0
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        if self.delimiter not in DELIMITERS:
            raise DataError(
                f"the delimiter must be a comma, semicolon, tab or space, not {self.delimiter!r}"
            )
        if self.decimal not in DECIMALS:
            raise DataError(f"the decimal separator must be '.' or ',', not {self.decimal!r}")
        if self.delimiter == self.decimal:
            raise DataError(
                "the delimiter and the decimal separator are both ','; choose a point as the "
                "decimal separator, or another delimiter"
            )
        if self.comment is not None and (
            not isinstance(self.comment, str) or len(self.comment) != 1 or self.comment.isspace()
        ):
            raise DataError(
                f"the comment marker must be one visible character, not {self.comment!r}"
            )
        skip = self.skip_rows
        if isinstance(skip, bool) or not isinstance(skip, int) or not 0 <= skip <= MAX_SKIP_ROWS:
            raise DataError(
                f"skip_rows must be a whole number from 0 to {MAX_SKIP_ROWS:,}, not {skip!r}"
            )
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise DataError(
                f"unknown text encoding {self.encoding!r}; use 'utf-8' or 'cp1252'"
            ) from None


#: Most lines an import may skip at the top of a file.
MAX_SKIP_ROWS = 1_000_000


@dataclass(frozen=True, eq=False)
class Table:
    """Numbers read from a file, ready for the engine.

    Attributes
    ----------
    data : ndarray of shape (n_samples, n_features)
        float64, contiguous in row or column order, read-only; every value
        finite, or NaN where a value is missing (read with ``bad_rows="keep"``).
    columns : list of str
        One name per column of ``data``; ``x1, x2, ...`` when the file has none.
    source : Path or None
        The file read, if any.
    dropped_rows : int
        Rows left out because they held a missing or non-numeric value.
    row_index : ndarray of shape (n_samples,)
        For each row of ``data``, its 0-based position among the data rows of
        the source (header, comments and blank lines not counted), so results
        can be written next to the original rows.
    notes : tuple of str
        What the reader decided on its own: skipped text columns, dropped rows.
    text_options : TextOptions or None
        For a text file, the options it was read with (given or detected), so
        a session can read it again the same way.
    labels : ndarray of shape (n_samples,) or None
        A column kept as known labels (read with ``labels=``), never fitted:
        each row's label as text (``"setosa"``, ``"2"``), ``""`` where it is
        missing; read-only. ``None`` without a label column.
    label_name : str or None
        The name of that column.
    """

    data: np.ndarray
    columns: list[str]
    source: Path | None = None
    dropped_rows: int = 0
    row_index: np.ndarray | None = None
    notes: tuple[str, ...] = ()
    text_options: TextOptions | None = None
    labels: np.ndarray | None = None
    label_name: str | None = None

    def __post_init__(self) -> None:
        # A view, so that marking it read-only never changes the caller's array.
        data = contiguous(np.asarray(self.data, dtype=np.float64)).view()
        if data.ndim != 2:
            raise ValueError(f"Table data must be 2-D (rows x columns), not {data.ndim}-D")
        if len(self.columns) != data.shape[1]:
            raise ValueError(f"{len(self.columns)} column names for {data.shape[1]} columns")
        if self.row_index is None:
            row_index = np.arange(data.shape[0])
        else:
            row_index = np.asarray(self.row_index, dtype=np.int64).view()
        if row_index.shape != (data.shape[0],):
            raise ValueError(f"row_index has shape {row_index.shape}; it needs one entry per row")
        data.flags.writeable = False
        row_index.flags.writeable = False
        if self.labels is not None:
            labels = np.asarray(self.labels, dtype=object).copy()
            if labels.shape != (data.shape[0],):
                raise ValueError(f"labels has shape {labels.shape}; it needs one entry per row")
            if self.label_name is None:
                raise ValueError("labels need the name of their column (label_name)")
            labels.flags.writeable = False
            object.__setattr__(self, "labels", labels)
        elif self.label_name is not None:
            raise ValueError("label_name is given without labels")
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "row_index", row_index)
        object.__setattr__(self, "columns", list(self.columns))
        object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def n_samples(self) -> int:
        return int(self.data.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.data.shape[1])

    @property
    def n_missing_values(self) -> int:
        """Values missing (NaN) in ``data``."""
        return int(np.count_nonzero(np.isnan(self.data)))

    @property
    def n_rows_with_gaps(self) -> int:
        """Rows of ``data`` with at least one missing value."""
        return int(np.count_nonzero(np.isnan(self.data).any(axis=1)))
