"""``.npy`` files streamed: what their header says (without reading the array), and
files at a URL read by byte ranges (a local file is the engine's
:class:`engine.data.NpySource`, mapped into memory)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from engine import DataSource, FileReference
from emio.sources.locations import check_stamp, open_binary, stamp_of
from emio.tables.table import DataError

#: Rows read at a time from a URL for a scan or a sample (a URL pays per request).
_READ_ROWS = 65536


@dataclass(frozen=True)
class NpyHeader:
    """The array a ``.npy`` file holds, from its header: shape, dtype, order, where the
    values start."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    offset: int

    @property
    def n_rows(self) -> int:
        return int(self.shape[0]) if self.shape else 1

    @property
    def n_columns(self) -> int:
        return int(self.shape[1]) if len(self.shape) == 2 else 1

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


def _corrupt(name: str) -> DataError:
    return DataError(f"{name} is not a valid .npy file (it may be damaged); save it again")


def read_header(location: str, name: str) -> NpyHeader:
    """The header of the ``.npy`` at ``location``; DataError for anything but a plain
    2-D (or 1-D) array of real numbers whose values the file holds in full."""
    fmt = np.lib.format
    with open_binary(location) as handle:
        try:
            version = fmt.read_magic(handle)
            if version == (1, 0):
                shape, fortran_order, dtype = fmt.read_array_header_1_0(handle)
            else:
                shape, fortran_order, dtype = fmt.read_array_header_2_0(handle)
        except ValueError:
            raise _corrupt(name) from None
        offset = handle.tell()
    header = NpyHeader(tuple(shape), np.dtype(dtype), bool(fortran_order), offset)
    if dtype.hasobject or dtype.names is not None or dtype.kind not in "biuf":
        raise DataError(
            f"{name} holds {dtype}, not real numbers; save an array of numbers, for example "
            "with X.astype(float)"
        )
    if len(shape) not in (1, 2):
        raise DataError(
            f"{name} holds a {len(shape)}-D array; save a 2-D array of shape "
            "(n_samples, n_features)"
        )
    if header.n_rows == 0 or header.n_columns == 0:
        raise DataError(f"{name} holds an empty array of shape {shape}; save some data in it")
    size = stamp_of(location).size
    if size < offset + header.nbytes:
        raise DataError(
            f"{name} says it holds {header.nbytes:,} bytes of values but has only "
            f"{max(0, size - offset):,}; the file is cut short or damaged, save it again"
        )
    return header


class NpyUrlSource(DataSource):
    """A ``.npy`` file at a URL (``s3://...``, ``file://...``), read by byte ranges; rows
    in C order (a Fortran-ordered array is refused: its rows are not contiguous)."""

    def __init__(self, url: str, feature_names: Sequence[str] | None = None) -> None:
        self.url = url
        self.header = read_header(url, url)
        if self.header.fortran_order and self.header.n_columns > 1:
            raise DataError(
                f"{url} holds an array in Fortran order, whose rows cannot be streamed; save "
                "it again with numpy.save(np.ascontiguousarray(X))"
            )
        self.stamp = stamp_of(url)
        self.n_samples, self.n_features = self.header.n_rows, self.header.n_columns
        self.feature_names = (
            [f"x{j + 1}" for j in range(self.n_features)] if feature_names is None
            else list(feature_names)
        )
        self._row_bytes = self.n_features * self.header.dtype.itemsize
        self._handle = open_binary(url)
        weakref.finalize(self, self._handle.close)
        self._lock = threading.Lock()

    def read(self, start: int, stop: int) -> np.ndarray:
        with self._lock:
            self._handle.seek(self.header.offset + start * self._row_bytes)
            data = self._handle.read((stop - start) * self._row_bytes)
        values = np.frombuffer(data, dtype=self.header.dtype).reshape(stop - start, self.n_features)
        return values.astype(np.float64)

    def take(self, rows: np.ndarray) -> np.ndarray:
        # One read per block that holds a wanted row: a URL pays per request.
        rows = np.asarray(rows)
        out = np.empty((rows.shape[0], self.n_features))
        blocks = rows // _READ_ROWS
        for block in np.unique(blocks):
            mine = blocks == block
            start = int(block) * _READ_ROWS
            values = self.read(start, min(start + _READ_ROWS, self.n_samples))
            out[mine] = values[rows[mine] - start]
        return out

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, self.n_samples, _READ_ROWS):
            yield start, self.read(start, min(start + _READ_ROWS, self.n_samples))

    def reference(self) -> NpyUrlReference:
        return NpyUrlReference(self.url, self.stamp, tuple(self.feature_names))

    def check_unchanged(self) -> None:
        check_stamp(self.url, self.stamp)


class NpyUrlReference(FileReference):
    """An :class:`NpyUrlSource` to reopen."""

    def reopen(self) -> NpyUrlSource:
        return NpyUrlSource(self.path, list(self.feature_names))
