"""Converting a text table too large for memory to ``.npy`` or Parquet, once, in blocks.

The layout is sniffed from the start of the file as :func:`emio.tables.read_table`
does; then :data:`BLOCK_ROWS` rows at a time are parsed, their columns judged as
the reader judges them, and appended to the output, so memory stays the same
whatever the size of the file. The columns are those of numbers in the first
block (or those asked for). A ``.npy`` is written with room in its header for any
number of rows, which is filled in at the end; Parquet gets one row group per
block. Either is written to a temporary file beside the target and renamed over
it at the end (:func:`emio.atomic.atomic_open`): an error or Ctrl-C half-way
leaves no partial file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from emio.atomic import atomic_open
from emio.tables.columns import Column, bad_value, frame_names, plural_rows, scan_frame
from emio.tables.files import open_file
from emio.tables.sniff import sniff_text
from emio.tables.table import BAD_ROW_POLICIES, DataError, TextOptions
from emio.tables.text import csv_arguments, plain_words

#: Rows parsed and written at a time.
BLOCK_ROWS = 200_000
#: What a conversion writes.
TARGETS = (".npy", ".parquet")
#: The ``.npy`` header is written with room for a row count of this many digits.
_ROW_DIGITS = 20

Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class Converted:
    """What a conversion wrote: rows, the columns' names, rows dropped, notes."""

    n_rows: int
    columns: list[str]
    dropped_rows: int
    notes: tuple[str, ...]


def _npy_header(n_rows: int, n_columns: int) -> bytes:
    """A version 1.0 ``.npy`` header for float64 rows, always the same length whatever
    ``n_rows`` (so the real count can be written over the first one)."""
    shape = f"({n_rows:>{_ROW_DIGITS}}, {n_columns})"
    text = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
    length = 10 + len(text) + 1
    text += " " * (-length % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin-1")


class _NpyWriter:
    def __init__(self, file: IO[bytes], columns: list[str]) -> None:
        self.file = file
        self.n_columns = len(columns)
        self.n_rows = 0
        file.write(_npy_header(0, self.n_columns))

    def write(self, block: np.ndarray) -> None:
        self.file.write(np.ascontiguousarray(block, dtype="<f8").tobytes())
        self.n_rows += block.shape[0]

    def close(self) -> None:
        self.file.seek(0)
        self.file.write(_npy_header(self.n_rows, self.n_columns))
        self.file.seek(0, 2)

    def abandon(self) -> None:
        """Nothing to let go of: the temporary file is removed by its owner."""


class _ParquetWriter:
    def __init__(self, file: IO[bytes], columns: list[str]) -> None:
        try:
            import pyarrow
            import pyarrow.parquet
        except ImportError:
            raise DataError(
                'writing Parquet needs the pyarrow package; install it with: pip install '
                '"em-studio[parquet]"'
            ) from None
        self.pa = pyarrow
        self.columns = columns
        schema = pyarrow.schema([(name, pyarrow.float64()) for name in columns])
        self.writer = pyarrow.parquet.ParquetWriter(file, schema)

    def write(self, block: np.ndarray) -> None:
        arrays = [self.pa.array(block[:, j]) for j in range(block.shape[1])]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, names=self.columns))

    def close(self) -> None:
        self.writer.close()

    def abandon(self) -> None:
        """Close pyarrow's writer while its file is still open. Left to the garbage
        collector, its ``__del__`` would write a footer to a file closed by then and
        raise "write to closed file" at some unrelated later moment."""
        try:
            self.writer.close()
        except (OSError, ValueError):
            pass  # the temporary file is being removed anyway


_WRITERS: dict[str, Any] = {".npy": _NpyWriter, ".parquet": _ParquetWriter}


def _chosen(columns: list[Column], requested: list[str] | None, name: str) -> list[int]:
    """Positions of the columns to convert: ``requested``, or every column of numbers."""
    names = [column.name for column in columns]
    if requested is None:
        chosen = [j for j, column in enumerate(columns) if column.numeric]
        if not chosen:
            raise DataError(
                f"{name} has no column of numbers in its first {BLOCK_ROWS:,} rows; check the "
                "delimiter and the decimal separator"
            )
        return chosen
    unknown = [column for column in requested if column not in names]
    if unknown:
        raise DataError(
            f"{name} has no column named {unknown[0]!r}; its columns are "
            f"{', '.join(repr(n) for n in names[:12])}"
        )
    repeated = [column for column in dict.fromkeys(requested) if requested.count(column) > 1]
    if repeated:
        raise DataError(f"column {repeated[0]!r} is chosen twice; choose each column once")
    for column in requested:
        judged = columns[names.index(column)]
        if not judged.numeric:
            raise DataError(
                f"column {column!r} of {name} cannot be converted: it holds {judged.reason}; "
                "leave it out"
            )
    return [names.index(column) for column in requested]


def _block(
    judged: list[Column], chosen: list[int], bad_rows: str, first_row: int, name: str
) -> tuple[np.ndarray, int]:
    """The chosen columns of one parsed block as floats, and how many rows were dropped."""
    block = np.empty((len(judged[chosen[0]].values), len(chosen)))
    for i, j in enumerate(chosen):
        block[:, i] = judged[j].values
    bad = ~np.isfinite(block).all(axis=1)
    if not bad.any():
        return block, 0
    if bad_rows == "error":
        row = int(np.argmax(bad))
        column = next(judged[j] for j in chosen if not np.isfinite(judged[j].values[row]))
        raise DataError(
            f"column {column.name!r} has {bad_value(column, row)} in data row "
            f"{first_row + row + 1:,} of {name}; fix the file, or convert with "
            "--bad-rows drop to leave such rows out"
        )
    return block[~bad], int(np.count_nonzero(bad))


def convert_text(
    source: str | Path,
    target: str | Path,
    columns: list[str] | None = None,
    bad_rows: str = "error",
    options: TextOptions | None = None,
    progress: Progress | None = None,
) -> Converted:
    """Convert the text table ``source`` to ``target`` (``.npy`` or ``.parquet``) in blocks.

    Parameters
    ----------
    columns : list of str, optional
        The columns to convert, in this order; by default every column of numbers.
    bad_rows : {"error", "drop"}
        What to do with a row holding a missing, infinite or non-numeric value in a
        chosen column: stop with a DataError naming it, or leave it out.
    options : TextOptions, optional
        The layout; sniffed from the start of the file when not given.
    progress : callable, optional
        Called after each block with (bytes read, bytes in all, rows written).

    Raises
    ------
    DataError
        Saying what is wrong and what to do; ``target`` is then left as it was.
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in _WRITERS:
        raise DataError(f"convert writes .npy or .parquet files, not {target.name}; name the "
                        "output OUT.npy or OUT.parquet")
    if bad_rows not in BAD_ROW_POLICIES:
        raise DataError(f"bad_rows must be 'error' or 'drop', not {bad_rows!r}")
    file = open_file(source)
    name = file.path.name
    if file.head.startswith((b"\x93NUMPY", b"PK", b"PAR1")):
        raise DataError(f"{name} is not a text table; convert reads CSV, TSV and other text files")
    options = options or sniff_text(file.path)
    total = file.path.stat().st_size
    written = dropped = 0
    chosen: list[int] = []
    names: list[str] = []
    with open(file.path, "rb") as handle, atomic_open(target, "wb") as out:
        writer = None
        first_row = 0
        try:
            with plain_words(file.path, options):
                for frame in pd.read_csv(handle, **csv_arguments(options), chunksize=BLOCK_ROWS):
                    judged = scan_frame(frame, frame_names(frame, options.header), options.decimal)
                    if writer is None:
                        chosen = _chosen(judged, columns, name)
                        names = [judged[j].name for j in chosen]
                        writer = _WRITERS[suffix](out, names)
                    block, n_bad = _block(judged, chosen, bad_rows, first_row, name)
                    dropped += n_bad
                    writer.write(block)
                    written += block.shape[0]
                    first_row += frame.shape[0]
                    if progress is not None:
                        progress(min(handle.tell(), total), total, written)
            if writer is None or written == 0:
                raise DataError(
                    f"{name} has no rows of data to convert; choose a file with data in it"
                )
        except BaseException:
            if writer is not None:
                writer.abandon()
            raise
        writer.close()
    notes = ()
    if dropped:
        notes = (f"dropped {plural_rows(dropped)} with missing or non-numeric values",)
    return Converted(written, names, dropped, notes)
