"""Parquet streamed by row group: a file, or a folder of files read as one table.

A row group is the unit Parquet compresses and the one it can read alone, so
rows are decoded a row group at a time and the last two decoded are kept (a
pass asks for consecutive chunks, two threads at a time). Memory is bounded by
the row groups' size, whatever the number of rows. pyarrow is imported here
only: the engine stays NumPy-only, and a Dask worker that receives a
:class:`ParquetReference` imports this module to open the files itself.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import DataChanged, DataSource, FileStamp, SourceReference
from emio.sources.locations import check_stamp, list_files, open_binary, stamp_of
from emio.tables.table import DataError

#: Decoded row groups kept, most recent last.
_KEPT_GROUPS = 2


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise DataError(
            'reading Parquet files needs the pyarrow package; install it with: pip install '
            '"em-studio[parquet]"'
        ) from None
    return pyarrow


def _close_all(handles: list[Any]) -> None:
    for handle in handles:
        handle.close()
    handles.clear()


def _numeric(field: Any) -> bool:
    types = _pyarrow().types
    kind = field.type
    if types.is_dictionary(kind):
        kind = kind.value_type
    return types.is_integer(kind) or types.is_floating(kind) or types.is_boolean(kind)


@dataclass(frozen=True)
class _Group:
    file: int
    index: int
    first_row: int
    n_rows: int


class ParquetSource(DataSource):
    """The numeric columns of a Parquet file, or of every ``.parquet`` file of a folder
    (in name order, with the same columns), read a row group at a time.

    Parameters
    ----------
    location : str
        A file or folder: a path, or a URL that fsspec understands.
    columns : list of str, optional
        Columns to read, in this order; by default every numeric column.
    """

    def __init__(self, location: str, columns: Sequence[str] | None = None) -> None:
        self.location = location
        self.files = list_files(location, ".parquet")
        if not self.files:
            raise DataError(f"{location} holds no .parquet files; choose a file or another folder")
        pq = _pyarrow().parquet
        self.stamps = [stamp_of(f) for f in self.files]
        self._handles: list[Any] = []
        self._readers: list[Any] = []
        # Closed when the source is collected (a fit's source lives as long as its caller).
        self._finalizer = weakref.finalize(self, _close_all, self._handles)
        try:
            for name in self.files:
                handle = open_binary(name)
                self._handles.append(handle)
                try:
                    self._readers.append(pq.ParquetFile(handle))
                # pyarrow has its own exception types for files that are not Parquet.
                except Exception:
                    raise DataError(
                        f"{name} cannot be read as a Parquet file (it may be damaged); write it "
                        "again"
                    ) from None
        except BaseException:
            self.close()
            raise
        schema = self._readers[0].schema_arrow
        self.notes: tuple[str, ...] = ()
        if columns is None:
            chosen = [field.name for field in schema if _numeric(field)]
            skipped = [field.name for field in schema if not _numeric(field)]
            if not chosen:
                raise DataError(f"{location} has no column of numbers; choose another file")
            self.notes = tuple(
                f"skipped column {name!r}: it does not hold numbers" for name in skipped
            )
        else:
            chosen = list(columns)
            for name in chosen:
                index = schema.get_field_index(name)
                if index < 0:
                    known = ", ".join(repr(n) for n in schema.names[:12])
                    raise DataError(
                        f"{location} has no column named {name!r}; its columns are {known}"
                    )
                if not _numeric(schema.field(index)):
                    raise DataError(
                        f"column {name!r} of {location} cannot be used: it does not hold numbers; "
                        "leave it out"
                    )
        for name, reader in zip(self.files[1:], self._readers[1:]):
            missing = [c for c in chosen if c not in reader.schema_arrow.names]
            if missing:
                raise DataError(
                    f"{name} has no column {missing[0]!r}, which {self.files[0]} has; the files "
                    "of a folder must have the same columns"
                )
        self.columns = chosen
        self.feature_names = list(chosen)
        self.n_features = len(chosen)
        self._groups: list[_Group] = []
        first = 0
        for f, reader in enumerate(self._readers):
            metadata = reader.metadata
            for g in range(metadata.num_row_groups):
                rows = metadata.row_group(g).num_rows
                if rows:
                    self._groups.append(_Group(f, g, first, rows))
                    first += rows
        self.n_samples = first
        if self.n_samples == 0:
            raise DataError(f"{location} has no rows of data; choose a file with data in it")
        self._starts = np.array([g.first_row for g in self._groups])
        self._decoded: OrderedDict[int, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def close(self) -> None:
        self._finalizer()

    def _group_rows(self, index: int) -> np.ndarray:
        """Row group ``index`` (counting across files) as float64, rows by columns."""
        with self._lock:
            rows = self._decoded.get(index)
            if rows is not None:
                self._decoded.move_to_end(index)
                return rows
            group = self._groups[index]
            table = self._readers[group.file].read_row_group(group.index, columns=self.columns)
            rows = np.empty((group.n_rows, self.n_features))
            for j in range(self.n_features):
                rows[:, j] = table.column(j).to_numpy(zero_copy_only=False)
            del table
            self._decoded[index] = rows
            while len(self._decoded) > _KEPT_GROUPS:
                self._decoded.popitem(last=False)
            return rows

    def read(self, start: int, stop: int) -> np.ndarray:
        first = int(np.searchsorted(self._starts, start, side="right")) - 1
        parts = []
        index = first
        while start < stop:
            group = self._groups[index]
            rows = self._group_rows(index)
            end = min(stop, group.first_row + group.n_rows)
            parts.append(rows[start - group.first_row : end - group.first_row])
            start = end
            index += 1
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def take(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows)
        groups = np.searchsorted(self._starts, rows, side="right") - 1
        out = np.empty((rows.shape[0], self.n_features))
        for index in np.unique(groups):
            mine = groups == index
            out[mine] = self._group_rows(int(index))[rows[mine] - self._groups[index].first_row]
        return out

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        for index, group in enumerate(self._groups):
            yield group.first_row, self._group_rows(index)

    def reference(self) -> ParquetReference:
        return ParquetReference(
            self.location, tuple(self.files), tuple(self.stamps), tuple(self.columns)
        )

    def check_unchanged(self) -> None:
        for name, stamp in zip(self.files, self.stamps):
            check_stamp(name, stamp)


@dataclass(frozen=True)
class ParquetReference(SourceReference):
    """A :class:`ParquetSource` to reopen: its files, their stamps, the columns."""

    where: str
    files: tuple[str, ...]
    stamps: tuple[FileStamp, ...]
    columns: tuple[str, ...]

    @property
    def key(self) -> tuple:
        return ("parquet", self.files, self.stamps, self.columns)

    @property
    def location(self) -> str:
        return self.where

    def open(self) -> ParquetSource:
        source = ParquetSource(self.where, list(self.columns))
        if tuple(source.files) != self.files:
            raise DataChanged(
                f"the files in {self.where} changed while the fit was reading them; the fit "
                "stopped. Fit again once the folder is complete"
            )
        for name, opened, now in zip(self.files, self.stamps, source.stamps):
            if now != opened:
                raise DataChanged.of(name, opened, now)
        return source
