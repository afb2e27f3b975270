"""Files too large to load: shown as a sample of rows, fitted whole by streaming them.

A ``.npy`` or Parquet file of at least :data:`SAMPLE_ABOVE_ROWS` rows is never
read into the window. :func:`sampled` makes a :class:`SampledTable`: the
views get a stable random sample of :data:`DISPLAY_ROWS` rows (the same rows
every time the file is opened), and the fit gets the whole file as an
:class:`engine.DataSource` that the engine reads chunk by chunk.
:class:`CountingSource` counts the rows a fit has read, so the window can show
how far a long pass has gone, and stops reading at once when the fit is stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emio.sources import NoGaps, ParquetSource
from emio.sources.npy import read_header
from emio.tables import DataError, Table
from engine import DataSource, NpySource, SourceReference

#: Files with at least this many rows are sampled for the window and streamed for fits.
SAMPLE_ABOVE_ROWS = 2_000_000
#: How many of their rows the window shows.
DISPLAY_ROWS = 200_000
#: The sample's seed: the same file shows the same rows every time.
SAMPLE_SEED = 20_160_000
STREAMED_SUFFIXES = (".npy", ".parquet")
#: Rows taken from a large file in one call (see :func:`take_in_batches`).
TAKE_BATCH = 4096


@dataclass(frozen=True, eq=False)
class SampledTable(Table):
    """A sample of a file's rows (``data``, their positions in the file in
    ``row_index``) and the whole file as a streamed source (``rows``)."""

    rows: DataSource | None = None

    @property
    def n_total(self) -> int:
        """The rows in the whole file."""
        return 0 if self.rows is None else self.rows.n_samples


def fit_rows(table: Table) -> np.ndarray | DataSource:
    """What a fit of ``table`` reads: every row of the file for a sampled table."""
    if isinstance(table, SampledTable) and table.rows is not None:
        return table.rows
    return table.data


def n_rows(table: Table) -> int:
    """The rows of ``table``'s data: of the whole file for a sample of a large one."""
    if isinstance(table, SampledTable) and table.rows is not None:
        return table.n_total
    return table.data.shape[0]


def sample_note(table: Table | None) -> str:
    """What a feature that works on the window's sample of a large file says of its
    figures: ``"on a 200,000-row sample of 24,000,000 rows"``; "" for data read whole."""
    if not isinstance(table, SampledTable) or table.rows is None:
        return ""
    return f"on a {table.data.shape[0]:,}-row sample of {table.n_total:,} rows"


def _row_count(path: Path) -> int | None:
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return read_header(str(path), path.name).n_rows
    if suffix == ".parquet":
        source = ParquetSource(str(path))
        try:
            return source.n_samples
        finally:
            source.close()
    return None


def _open_source(path: Path) -> DataSource:
    if path.suffix.lower() == ".npy":
        try:
            return NpySource(path.resolve())
        except (OSError, ValueError):
            raise DataError(
                f"{path.name} is not a valid .npy file (it may be damaged); save it again"
            ) from None
    return ParquetSource(str(path.resolve()))


def take_in_batches(source: DataSource, rows: np.ndarray) -> np.ndarray:
    """``source.take(rows)``, a few thousand rows a call: rows spread through a large
    mapped file touch most of its pages, and one call holds the GIL (and so the window)
    while they are read from disk, for up to half a second."""
    if rows.shape[0] <= TAKE_BATCH:
        return source.take(rows)
    return np.concatenate([
        source.take(rows[start : start + TAKE_BATCH])
        for start in range(0, rows.shape[0], TAKE_BATCH)
    ])


def sample_rows(n_total: int, n_rows: int | None = None) -> np.ndarray:
    """``n_rows`` (by default :data:`DISPLAY_ROWS`) of ``n_total`` row positions,
    increasing, the same every time."""
    n_rows = DISPLAY_ROWS if n_rows is None else n_rows
    rng = np.random.default_rng(SAMPLE_SEED)
    return np.sort(rng.choice(n_total, size=min(n_rows, n_total), replace=False))


def sampled(path: Path, bad_rows: str = "error") -> SampledTable:
    """The sampled table of the large file ``path`` (``bad_rows``: ``"keep"`` rows with
    missing values for EM, or refuse them at the fit's first scan with ``"error"``)."""
    source = _open_source(path)
    if bad_rows == "drop":
        raise DataError(
            f"{path.name} is too large to read whole, and rows with missing values can be "
            "dropped only from a file read whole; choose a model that fits them, or remove "
            "those rows from the file first"
        )
    rows = sample_rows(source.n_samples)
    data = take_in_batches(source, rows)
    if bad_rows == "error":
        source = NoGaps(source, path.name)
        if np.isnan(data).any():
            row = int(np.argwhere(np.isnan(data))[0][0])
            raise DataError(
                f"row {int(rows[row]) + 1:,} of {path.name} has a missing value; choose a "
                "model that fits rows with gaps, or remove those rows from the file"
            )
    note = (f"Showing a sample of {len(rows):,} of {source.n_samples:,} rows; "
            "fits use every row")
    return SampledTable(
        data=data, columns=list(source.feature_names), source=path, row_index=rows,
        notes=(note,), rows=source,
    )


def is_large(path: Path) -> bool:
    """Whether ``path`` is a ``.npy`` or Parquet file of at least :data:`SAMPLE_ABOVE_ROWS`
    rows (to be sampled and streamed, see the module's notes)."""
    if path.suffix.lower() not in STREAMED_SUFFIXES or not path.is_file():
        return False
    n_rows = _row_count(path)
    return n_rows is not None and n_rows >= SAMPLE_ABOVE_ROWS


class Stopped(Exception):
    """A streamed fit was stopped: its reads end at once."""


class CountingSource(DataSource):
    """``source``, counting the rows read (from any thread) and refusing reads once
    :meth:`stop` was called, so a stopped pass ends at its next chunk."""

    def __init__(self, source: DataSource) -> None:
        self.source = source
        self.n_samples = source.n_samples
        self.n_features = source.n_features
        self.feature_names = source.feature_names
        self._lock = threading.Lock()
        self._read = 0
        self._stopped = threading.Event()

    @property
    def rows_read(self) -> int:
        with self._lock:
            return self._read

    def stop(self) -> None:
        self._stopped.set()

    def _count(self, n_rows: int) -> None:
        if self._stopped.is_set():
            raise Stopped("the fit was stopped")
        with self._lock:
            self._read += n_rows

    def read(self, start: int, stop: int) -> np.ndarray:
        self._count(0)
        rows = self.source.read(start, stop)
        self._count(stop - start)
        return rows

    def take(self, rows: np.ndarray) -> np.ndarray:
        self._count(0)
        return take_in_batches(self.source, rows)

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        for first, block in self.source.blocks():
            self._count(block.shape[0])
            yield first, block

    def reference(self) -> SourceReference | None:
        return self.source.reference()

    def check_unchanged(self) -> None:
        self.source.check_unchanged()
