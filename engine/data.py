"""Where a fit's rows come from: sources of chunks, and one scan that checks and summarises them.

A :class:`DataSource` hands out rows by range (``read``) or by index
(``take``), as float64 arrays of shape (n_rows, n_features); it never has to
hold all rows at once. :class:`ArraySource` serves an array in memory,
:class:`NpySource` a ``.npy`` file mapped into memory, so a file larger than
memory is read chunk by chunk. :func:`summarise` reads a source once, checks
every chunk (finite values, and what the model asks) and returns the columns'
:class:`ColumnSummary`, from which models take their scale. A missing value is
NaN: the scan counts them per column and lets them through for a model that
fits rows with gaps (:attr:`engine.models.base.MixtureModel.handles_missing`),
and refuses them, naming the first, for any other. Starts are made from
:func:`start_sample`, a uniform sample of rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.references import FileReference, FileStamp, SourceReference, check_stamp
from engine.sampling import choice_without_replacement

#: Rows per block when a streamed source is scanned.
SCAN_ROWS = 65536
#: Starting points are seeded from at most this many rows, drawn uniformly.
START_SAMPLE_ROWS = 100_000
#: Values larger than this are refused: a fit squares them (variances, distances),
#: and squares of larger numbers come near the top of floating point.
MAX_MAGNITUDE = 1e150
#: A column whose values vary by less than this is refused from a fit: it squares their
#: spread (variances) and inverts the squares (precisions), which underflow or overflow.
MIN_SPREAD = 1e-100

ChunkCheck = Callable[[np.ndarray, int, Sequence[str]], None]


class DataSource(ABC):
    """Rows of a data set, read a range or a set of rows at a time."""

    n_samples: int
    n_features: int
    feature_names: list[str]

    @abstractmethod
    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` as float64, shape (stop - start, n_features)."""

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The rows at the increasing indices ``rows``, float64."""
        return np.concatenate(
            [self.read(int(r), int(r) + 1) for r in rows]
        ) if len(rows) else np.empty((0, self.n_features))

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        """Every row once, as (first row, rows) in order, for a scan."""
        for start in range(0, self.n_samples, SCAN_ROWS):
            yield start, self.read(start, min(start + SCAN_ROWS, self.n_samples))

    @property
    def in_memory(self) -> bool:
        """Whether reading is free (rows already in memory), so prepared chunks may be kept."""
        return False

    def reference(self) -> SourceReference | None:
        """A small picklable description from which another process reopens these rows
        (a file's path), or ``None`` for rows that live only in this process."""
        return None

    def check_unchanged(self) -> None:
        """Raise :class:`DataChanged` when the rows' file changed since it was opened;
        nothing for rows in memory. Passes over a streamed source call it once a pass."""


def default_names(n_features: int) -> list[str]:
    """The names of columns that have none (a file without a header, an array)."""
    return [f"x{j + 1}" for j in range(n_features)]


def _names(feature_names: Sequence[str] | None, n_features: int) -> list[str]:
    if feature_names is None:
        return default_names(n_features)
    if len(feature_names) != n_features:
        raise ValueError(f"{len(feature_names)} column names for {n_features} columns")
    return list(feature_names)


def _check_shape(n_samples: int, n_features: int) -> None:
    if n_samples == 0 or n_features == 0:
        raise ValueError("the data has no rows or no columns; choose a file with numbers in it")


def contiguous(array: np.ndarray) -> np.ndarray:
    """``array`` itself when contiguous in row or column order, else a row-ordered copy.

    The passes copy the data into their own layout, so either order serves; a
    table pandas read arrives in column order and is not copied again.
    """
    if array.flags.c_contiguous or array.flags.f_contiguous:
        return array
    return np.ascontiguousarray(array)


class ArraySource(DataSource):
    """An array in memory (a 1-D array is one column)."""

    def __init__(self, X: object, feature_names: Sequence[str] | None = None) -> None:
        try:
            array = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                "the data must be numbers only; remove or convert text columns"
            ) from None
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise ValueError(f"the data must be a table of rows and columns, not {array.ndim}-D")
        _check_shape(*array.shape)
        self.X = contiguous(array)
        self.n_samples, self.n_features = array.shape
        self.feature_names = _names(feature_names, self.n_features)

    def read(self, start: int, stop: int) -> np.ndarray:
        return self.X[start:stop]

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.X[rows]

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        # One block: the summary is then NumPy's own mean and variance of each column.
        yield 0, self.X

    @property
    def in_memory(self) -> bool:
        return True


class NpySource(DataSource):
    """A ``.npy`` file of numbers, mapped into memory and read a chunk at a time."""

    def __init__(self, path: str | Path, feature_names: Sequence[str] | None = None) -> None:
        self.path = Path(path)
        array = np.load(self.path, mmap_mode="r", allow_pickle=False)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise ValueError(f"{self.path.name} holds a {array.ndim}-D array; a table has rows and columns")
        if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
            raise ValueError(f"{self.path.name} holds {array.dtype} values; it must hold real numbers")
        _check_shape(*array.shape)
        self._array = array
        self.n_samples, self.n_features = array.shape
        self.feature_names = _names(feature_names, self.n_features)
        self.stamp = FileStamp.of(self.path)

    def read(self, start: int, stop: int) -> np.ndarray:
        return np.asarray(self._array[start:stop], dtype=np.float64)

    def take(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self._array[np.asarray(rows)], dtype=np.float64)

    def reference(self) -> NpyReference:
        return NpyReference(str(self.path.resolve()), self.stamp, tuple(self.feature_names))

    def check_unchanged(self) -> None:
        check_stamp(self.path, self.stamp)


class NpyReference(FileReference):
    """An :class:`NpySource` to reopen."""

    def reopen(self) -> NpySource:
        return NpySource(self.path, list(self.feature_names))


def as_source(X: object, feature_names: Sequence[str] | None = None) -> DataSource:
    """``X`` itself when it is a source, else an :class:`ArraySource` of it."""
    if isinstance(X, DataSource):
        if feature_names is not None and list(feature_names) != X.feature_names:
            _names(feature_names, X.n_features)
            X.feature_names = list(feature_names)
        return X
    return ArraySource(X, feature_names)


@dataclass(frozen=True, eq=False)
class ColumnSummary:
    """What one scan found about each column, shape (n_features,) each.

    ``var`` is the population variance (divided by the values counted), as
    ``ndarray.var``. With missing values, every figure is over the values a
    column has; ``n_missing`` counts the others, ``n_rows_with_gaps`` the rows
    with at least one, and ``n_empty_rows`` the rows with no value at all
    (which a fit leaves out).
    """

    n_samples: int
    mean: np.ndarray
    var: np.ndarray
    min: np.ndarray
    max: np.ndarray
    n_missing: np.ndarray | None = None
    n_rows_with_gaps: int = 0
    n_empty_rows: int = 0

    @property
    def n_features(self) -> int:
        return int(self.mean.shape[0])

    @property
    def has_gaps(self) -> bool:
        """Whether any value is missing."""
        return self.n_rows_with_gaps > 0

    @property
    def n_missing_values(self) -> int:
        return 0 if self.n_missing is None else int(self.n_missing.sum())

    @property
    def n_fitted(self) -> int:
        """Rows with at least one value: the rows a fit counts (BIC's n)."""
        return self.n_samples - self.n_empty_rows


def _not_finite_error(
    block: np.ndarray, first_row: int, names: Sequence[str], count: int, bad: np.ndarray
) -> ValueError:
    row, col = np.argwhere(bad)[0]
    what = "a missing (NaN)" if np.isnan(block[row, col]) else "an infinite"
    others = f" ({count} such values in all)" if count > 1 else ""
    return ValueError(
        f"column {names[col]!r} has {what} value in row {first_row + row + 1}{others}; "
        "remove or fill those rows"
    )


def _empty_column_error(names: Sequence[str], counts: np.ndarray) -> ValueError:
    column = names[int(np.flatnonzero(counts == 0)[0])]
    if not np.any(counts):
        return ValueError(
            "every row is empty: no column has a value; choose a file with data in it"
        )
    return ValueError(
        f"column {column!r} has no values at all (every row is missing there); remove that column"
    )


@dataclass
class _Moments:
    """Running count, mean, variance, minimum and maximum of each column."""

    count: np.ndarray | None = None
    mean: np.ndarray | None = None
    var: np.ndarray | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None

    def add(self, n: np.ndarray | int, mean: np.ndarray, var: np.ndarray, low, high) -> None:
        """Merge a block's figures, as Chan, Golub and LeVeque do; ``n`` is one count
        for every column, or one per column (a column without values has count 0)."""
        if self.mean is None:
            self.count, self.mean, self.var, self.low, self.high = n, mean, var, low, high
            return
        total = self.count + n
        delta = mean - self.mean
        # A column with no value yet in either part divides 0 by 0; it is set to 0 below.
        with np.errstate(divide="ignore", invalid="ignore"):
            merged_mean = self.mean + delta * (n / total)
            merged_var = (
                self.var * self.count + var * n + delta**2 * (self.count * n / total)
            ) / total
        if np.ndim(total):
            merged_mean = np.where(total > 0, merged_mean, 0.0)
            merged_var = np.where(total > 0, merged_var, 0.0)
        self.mean, self.var, self.count = merged_mean, merged_var, total
        np.fmin(self.low, low, out=self.low)
        np.fmax(self.high, high, out=self.high)


def _gapped_block_moments(block: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, ...]:
    """Count, mean, variance, minimum and maximum of each column over its values (a
    column without any has mean and variance 0, and NaN extremes, which ``fmin`` skips)."""
    count = block.shape[0] - np.count_nonzero(missing, axis=0)
    mean = np.divide(np.nansum(block, axis=0), count, out=np.zeros(block.shape[1]), where=count > 0)
    deviation = block - mean
    var = np.divide(
        np.nansum(deviation * deviation, axis=0), count,
        out=np.zeros(block.shape[1]), where=count > 0,
    )
    return count, mean, var, np.fmin.reduce(block, axis=0), np.fmax.reduce(block, axis=0)


def summarise(
    source: DataSource, check_chunk: ChunkCheck | None = None, allow_missing: bool = False
) -> ColumnSummary:
    """Read every row of ``source`` once: refuse values that are not finite (naming the
    first, and counting all), let ``check_chunk(rows, first_row, names)`` refuse rows a
    model cannot take, and summarise the columns.

    With ``allow_missing``, missing values (NaN) are let through and counted, and
    the columns' figures are over the values they have; infinite values are still
    refused, and so is a column with no value at all. ``check_chunk`` then sees
    the NaN too. Means and variances of blocks are merged as Chan, Golub and
    LeVeque do, so a streamed source needs one pass; a complete source in one
    block gives NumPy's own figures.
    """
    names = source.feature_names
    moments = _Moments()
    first_bad: tuple[int, np.ndarray, np.ndarray] | None = None
    n_bad = 0
    n_missing = np.zeros(source.n_features, dtype=np.int64)
    rows_with_gaps = empty_rows = 0
    for first_row, block in source.blocks():
        finite = np.isfinite(block)
        missing = None
        if not finite.all():
            # Missing values are let through, when allowed; nothing else that is not finite.
            bad = ~finite
            if allow_missing:
                missing = np.isnan(block)
                bad &= ~missing
            if bad.any():
                n_bad += int(np.count_nonzero(bad))
                first_bad = first_bad or (first_row, block, bad)
        if first_bad is not None:
            continue  # only counting what else is not finite
        check_magnitude(block, names, first_row)
        if check_chunk is not None:
            check_chunk(block, first_row, names)
        if missing is None:
            moments.add(
                block.shape[0], block.mean(axis=0), block.var(axis=0),
                block.min(axis=0), block.max(axis=0),
            )
            continue
        n_missing += np.count_nonzero(missing, axis=0)
        per_row = np.count_nonzero(missing, axis=1)
        rows_with_gaps += int(np.count_nonzero(per_row))
        empty_rows += int(np.count_nonzero(per_row == block.shape[1]))
        moments.add(*_gapped_block_moments(block, missing))
    if first_bad is not None:
        first_row, block, bad = first_bad
        raise _not_finite_error(block, first_row, names, n_bad, bad)
    counts = source.n_samples - n_missing
    if rows_with_gaps and not np.all(counts):
        raise _empty_column_error(names, counts)
    return ColumnSummary(
        source.n_samples, moments.mean, moments.var, moments.low, moments.high,
        n_missing, rows_with_gaps, empty_rows,
    )


def check_magnitude(block: np.ndarray, names: Sequence[str], first_row: int = 0) -> None:
    """Raise ``ValueError`` naming the first value of ``block`` (rows from ``first_row``)
    beyond :data:`MAX_MAGNITUDE`, whose square would overflow; missing values pass."""
    with np.errstate(invalid="ignore"):  # NaN compares as not too large, as it should
        too_large = np.abs(block) > MAX_MAGNITUDE
    if too_large.any():
        row, col = np.argwhere(too_large)[0]
        raise ValueError(
            f"column {names[col]!r} has {block[row, col]:.3g} in row {first_row + row + 1}, "
            f"too large to compute with (its square overflows); divide the column by a power "
            f"of ten so that its values stay below {MAX_MAGNITUDE:.0e}"
        )


def start_sample(source: DataSource, seed: int) -> np.ndarray:
    """The rows starts are seeded from: every row when there are at most
    :data:`START_SAMPLE_ROWS`, else that many drawn uniformly without replacement
    (in file order), the same for a seed whichever way the rows are stored."""
    n = source.n_samples
    if n <= START_SAMPLE_ROWS:
        return source.read(0, n)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5A4D]))
    if source.in_memory:
        rows = rng.choice(n, size=START_SAMPLE_ROWS, replace=False)
    else:
        # The same rows, without an index of every row (8 bytes a row).
        rows = choice_without_replacement(rng, n, START_SAMPLE_ROWS)
    return source.take(np.sort(rows))
