"""Data files the engine streams instead of loading: large ``.npy`` files, Parquet,
files at a URL, and every file a Dask cluster's workers read themselves.

:func:`open_rows` decides. A ``.npy`` of at least :data:`STREAM_ROWS` rows or
:data:`STREAM_BYTES` bytes is mapped into memory and streamed chunk by chunk
(:class:`engine.data.NpySource`); Parquet of that size, a folder of Parquet
files, or any file at a URL is streamed by row group or byte range
(:mod:`~emio.sources.parquet`, :mod:`~emio.sources.npy`). Smaller files are
read whole, as :func:`emio.tables.read_table` reads them. For the Dask backend
every ``.npy`` and Parquet file is streamed (the workers read it, never this
process); other formats are refused with the ``convert`` command to run.

The sources implement :class:`engine.data.DataSource` and give a picklable
reference that a worker opens itself. Parquet needs pyarrow, and URLs need
fsspec, which only this package imports: the engine stays NumPy-only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine import DataSource, NpySource
from emio.sources.columns import ChosenColumns, NoGaps, column_indices
from emio.sources.locations import absolute, is_url
from emio.sources.npy import NpyUrlSource, read_header
from emio.sources.parquet import ParquetSource
from emio.tables import DataError, Table, read_table
from emio.tables.files import open_file

#: Files with at least this many rows are streamed ...
STREAM_ROWS = 2_000_000
#: ... and so are files whose values take at least this many bytes (as float64 for Parquet).
STREAM_BYTES = 256 * 2**20
#: The formats that can be streamed (and so fitted on a Dask cluster).
STREAMED_FORMATS = ".npy or Parquet"


@dataclass(frozen=True, eq=False)
class Rows:
    """A data file as the engine takes it: ``values`` is an array in memory, shape
    (n_samples, n_features), or a source it streams; ``columns`` name its columns."""

    values: np.ndarray | DataSource
    columns: list[str]
    notes: tuple[str, ...] = ()
    #: The table read whole (its counts of gaps and dropped rows); ``None`` when streamed.
    table: Table | None = None

    @property
    def streamed(self) -> bool:
        return isinstance(self.values, DataSource)

    @property
    def n_samples(self) -> int:
        values = self.values
        return values.n_samples if isinstance(values, DataSource) else int(values.shape[0])

    @property
    def n_features(self) -> int:
        values = self.values
        return values.n_features if isinstance(values, DataSource) else int(values.shape[1])


def _large(n_rows: int, n_bytes: int) -> bool:
    return n_rows >= STREAM_ROWS or n_bytes >= STREAM_BYTES


def _chosen(source: DataSource, columns: list[str] | None, where: str) -> DataSource:
    if columns is None:
        return source
    return ChosenColumns(source, column_indices(source.feature_names, columns, where))


def _streamed(source: DataSource, bad_rows: str, where: str, notes: tuple[str, ...] = ()) -> Rows:
    if bad_rows == "drop":
        raise DataError(
            f"{where} is streamed (too large to read whole, or read by a cluster's workers), "
            "and rows with missing values can be dropped only from a file read whole; use "
            "--missing em to fit them, or remove those rows from the file first"
        )
    if bad_rows == "error":
        source = NoGaps(source, where)
    return Rows(source, list(source.feature_names), notes)


def open_rows(
    location: str,
    columns: list[str] | None = None,
    cluster: bool = False,
    bad_rows: str = "error",
    na_values: Collection[str] = (),
) -> Rows:
    """The rows of the data file ``location`` (a path, or a URL fsspec understands):
    streamed when large (see the module's notes) or when ``cluster`` (a Dask cluster's
    workers read them), else read whole.

    ``bad_rows`` says what becomes of rows with missing values, as for
    :func:`emio.tables.read_table`: ``"keep"`` them (NaN) for EM, ``"drop"`` them
    (from a file read whole only) or refuse them with an ``"error"`` naming the
    first (a streamed file is checked by the fit's first scan). ``na_values``
    are the text cells that mean a missing value.

    Raises
    ------
    emio.tables.DataError
        For anything that stops the file being read, saying what to do.
    """
    url = is_url(location)
    suffix = Path(location.rstrip("/")).suffix.lower()
    is_folder = not url and Path(location).is_dir()
    if url:
        if suffix == ".npy":
            source = _chosen(NpyUrlSource(location), columns, location)
            return _streamed(source, bad_rows, location)
        if suffix == ".parquet" or suffix == "":
            source = ParquetSource(location, columns)
            return _streamed(source, bad_rows, location, source.notes)
        raise DataError(
            f"{location}: only {STREAMED_FORMATS} files can be read from a URL; convert it "
            "first with: python main.py convert DATA OUT.npy"
        )
    if is_folder:
        source = ParquetSource(absolute(location), columns)
        return _streamed(source, bad_rows, location, source.notes)
    name = Path(location).name
    if suffix == ".npy":
        file = open_file(location)
        header = read_header(str(file.path), name)
        if cluster or _large(header.n_rows, header.nbytes):
            try:
                source = NpySource(absolute(str(file.path)))
            except (OSError, ValueError):
                raise DataError(
                    f"{name} is not a valid .npy file (it may be damaged); save it again"
                ) from None
            return _streamed(_chosen(source, columns, name), bad_rows, name)
    elif suffix == ".parquet":
        open_file(location)
        source = ParquetSource(absolute(location), columns)
        if cluster or _large(source.n_samples, source.n_samples * source.n_features * 8):
            return _streamed(source, bad_rows, name, source.notes)
        source.close()
    elif cluster:
        raise DataError(
            f"the workers of a Dask cluster read {STREAMED_FORMATS} files themselves, and {name} "
            f"is neither; convert it once with: python main.py convert {location} "
            f"{Path(location).with_suffix('.npy').name}"
        )
    table = read_table(Path(location), columns=columns, bad_rows=bad_rows, na_values=na_values)
    return Rows(table.data, table.columns, table.notes, table)


__all__ = [
    "STREAMED_FORMATS", "STREAM_BYTES", "STREAM_ROWS", "ChosenColumns", "NpyUrlSource",
    "NoGaps", "ParquetSource", "Rows", "open_rows",
]
