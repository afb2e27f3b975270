"""Views of a streamed source: some of its columns, chosen by name (``--columns`` on a
``.npy``), and its rows refused at the first missing value (``--missing error``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from engine import DataSource, SourceReference
from emio.tables.table import DataError


def column_indices(names: Sequence[str], requested: Sequence[str], where: str) -> list[int]:
    """The positions of ``requested`` among ``names``; DataError naming what is not there."""
    unknown = [name for name in requested if name not in names]
    if unknown:
        known = ", ".join(repr(n) for n in list(names)[:12])
        raise DataError(f"{where} has no column named {unknown[0]!r}; its columns are {known}")
    if len(set(requested)) != len(requested):
        repeated = next(name for name in requested if list(requested).count(name) > 1)
        raise DataError(f"column {repeated!r} is chosen twice; choose each column once")
    return [list(names).index(name) for name in requested]


class ChosenColumns(DataSource):
    """The columns ``indices`` of ``source``, in that order."""

    def __init__(self, source: DataSource, indices: Sequence[int]) -> None:
        self.source = source
        self.indices = list(indices)
        self.n_samples = source.n_samples
        self.n_features = len(self.indices)
        self.feature_names = [source.feature_names[j] for j in self.indices]

    def read(self, start: int, stop: int) -> np.ndarray:
        return self.source.read(start, stop)[:, self.indices]

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.source.take(rows)[:, self.indices]

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        for first, block in self.source.blocks():
            yield first, block[:, self.indices]

    def reference(self) -> ChosenColumnsReference | None:
        inner = self.source.reference()
        return None if inner is None else ChosenColumnsReference(inner, tuple(self.indices))

    def check_unchanged(self) -> None:
        self.source.check_unchanged()


@dataclass(frozen=True)
class ChosenColumnsReference(SourceReference):
    inner: SourceReference
    indices: tuple[int, ...]

    @property
    def key(self) -> tuple:
        return ("columns", self.inner.key, self.indices)

    @property
    def location(self) -> str:
        return self.inner.location

    def open(self) -> ChosenColumns:
        return ChosenColumns(self.inner.open(), self.indices)


class NoGaps(DataSource):
    """``source``, refusing its first missing value (NaN) when scanned.

    A fit scans every row once before it computes (:func:`engine.data.summarise`),
    so checking the scan's blocks refuses gaps before any work; other processes
    (a cluster's workers) read the file through ``source``'s own reference.
    """

    def __init__(self, source: DataSource, where: str) -> None:
        self.source = source
        self.where = where
        self.n_samples = source.n_samples
        self.n_features = source.n_features
        self.feature_names = source.feature_names

    def read(self, start: int, stop: int) -> np.ndarray:
        return self.source.read(start, stop)

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.source.take(rows)

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        for first, block in self.source.blocks():
            missing = np.isnan(block)
            if missing.any():
                row, column = np.argwhere(missing)[0]
                raise DataError(
                    f"column {self.feature_names[column]!r} has a missing value in data row "
                    f"{first + row + 1:,} of {self.where}; use --missing em to fit rows with "
                    "gaps, or fill them in first"
                )
            yield first, block

    def reference(self) -> SourceReference | None:
        return self.source.reference()

    def check_unchanged(self) -> None:
        self.source.check_unchanged()
