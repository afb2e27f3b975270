"""Rows with gaps: missing values (NaN) grouped by pattern, and what starts need of them.

A row's *pattern* is the set of its columns that hold a value. The passes of a
model that fits rows with gaps
(:attr:`engine.models.base.MixtureModel.handles_missing`) group a chunk's rows
by pattern (:class:`PatternRows`), so that what depends on the pattern alone
(a Gaussian's factorisation of its observed block, say) is computed once per
pattern rather than once per row. A row with no value at all is left out of a
fit: it adds nothing to the likelihood and nothing to estimate from. Where
every row needs a label, it gets the component of largest weight (its
responsibilities are the weights).

Starts (:mod:`engine.starts`) measure the distance from a row to a seed over
the row's observed columns only (a partial distance), and pick their seeds
among the complete rows of the start sample when there are enough of them
(:func:`seed_candidates`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from dataclasses import dataclass

import numpy as np

#: Seeds are picked among complete rows when the start sample holds at least
#: this many per component; otherwise among all its rows with a value, each gap
#: filled with its column's mean.
COMPLETE_ROWS_PER_SEED = 10


def has_gaps(X: np.ndarray) -> bool:
    """Whether any value of ``X`` is missing (NaN)."""
    return bool(np.isnan(X).any())


def _unique_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``codes`` (n, 8 W) uint8, in sorted order, and each row's
    index among them."""
    words = codes.view(">u8")
    if words.shape[1] == 1:
        unique, inverse = np.unique(words[:, 0], return_inverse=True)
        return unique.astype(">u8").view(np.uint8).reshape(-1, 8), inverse.ravel()
    unique, inverse = np.unique(words, axis=0, return_inverse=True)
    return np.ascontiguousarray(unique).view(np.uint8).reshape(unique.shape[0], -1), inverse.ravel()


def _pattern_codes(missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``missing`` (n, D) packed into bytes, in sorted order,
    and each row's index among them."""
    packed = np.packbits(missing, axis=1)
    padded = np.zeros((packed.shape[0], 8 * -(-packed.shape[1] // 8)), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    return _unique_codes(padded)


def _observed(codes: np.ndarray, n_features: int) -> np.ndarray:
    return ~np.unpackbits(codes, axis=1, count=n_features).astype(bool)


@dataclass(frozen=True, eq=False)
class PatternTable:
    """Every pattern of a data set's rows that have a value, in one fixed order.

    Attributes
    ----------
    observed : ndarray of shape (n_patterns, n_features)
    index : dict of bytes to int
        Each pattern's position, by its key (:attr:`PatternRows.keys`).
    """

    observed: np.ndarray
    index: dict[bytes, int]

    @property
    def n_patterns(self) -> int:
        return int(self.observed.shape[0])

    @classmethod
    def of(cls, blocks: Iterator[np.ndarray], n_features: int, limit: int) -> PatternTable | None:
        """The patterns of the rows in ``blocks``; ``None`` when there are more than ``limit``."""
        found = np.zeros((0, 8 * -(-n_features // 64)), dtype=np.uint8)
        for block in blocks:
            missing = np.isnan(block)
            codes, _ = _pattern_codes(missing[~missing.all(axis=1)])
            found, _ = _unique_codes(np.concatenate([found, codes]))
            if found.shape[0] > limit:
                return None
        keys = {code.tobytes(): p for p, code in enumerate(found)}
        return cls(_observed(found, n_features), keys)


@dataclass(frozen=True, eq=False)
class PatternRows:
    """The rows of a chunk grouped by their pattern of observed columns.

    Attributes
    ----------
    order : ndarray of shape (n_kept,)
        Positions in the chunk of the rows that have a value, pattern by pattern.
    empty : ndarray of shape (n_empty,)
        Positions of the rows without any value, which a fit leaves out.
    observed : ndarray of shape (n_patterns, n_features)
        Each pattern's observed columns, in the patterns' order.
    keys : tuple of bytes
        Each pattern's name, the same in every chunk.
    bounds : ndarray of shape (n_patterns + 1,)
        Pattern ``p`` holds the rows ``order[bounds[p]:bounds[p + 1]]``.
    n_rows : int
        Rows in the chunk, kept or not.
    """

    order: np.ndarray
    empty: np.ndarray
    observed: np.ndarray
    keys: tuple[bytes, ...]
    bounds: np.ndarray
    n_rows: int

    @classmethod
    def group(cls, rows: np.ndarray) -> PatternRows:
        """The rows of ``rows`` (n_rows, n_features), NaN where a value is missing, grouped."""
        missing = np.isnan(rows)
        n_rows, n_features = rows.shape
        blank = missing.all(axis=1)
        kept = np.flatnonzero(~blank)
        if kept.size == 0:
            return cls(
                kept, np.flatnonzero(blank), np.zeros((0, n_features), dtype=bool), (),
                np.zeros(1, dtype=np.int64), n_rows,
            )
        codes, inverse = _pattern_codes(missing[kept])
        sorting = np.argsort(inverse, kind="stable")
        counts = np.bincount(inverse, minlength=codes.shape[0])
        bounds = np.concatenate(([0], np.cumsum(counts)))
        observed = _observed(codes, n_features)
        keys = tuple(code.tobytes() for code in codes)
        return cls(kept[sorting], np.flatnonzero(blank), observed, keys, bounds, n_rows)

    @property
    def n_patterns(self) -> int:
        return len(self.keys)

    @cached_property
    def spans(self) -> tuple[tuple[int, slice], ...]:
        """``(pattern, columns)``: where each pattern's rows sit in arrays in :attr:`order`."""
        bounds = self.bounds.tolist()
        return tuple((p, slice(bounds[p], bounds[p + 1])) for p in range(self.n_patterns))

    def centred(self, rows: np.ndarray, shift: np.ndarray) -> np.ndarray:
        """``rows - shift`` in :attr:`order`, one column of the data per row, zero where a
        value is missing: shape (n_features, n_kept), float64, C-contiguous."""
        values = np.ascontiguousarray(rows[self.order].T) - shift[:, None]
        values[np.isnan(values)] = 0.0
        return values

    def labels(self, labels: np.ndarray, empty_label: int) -> np.ndarray:
        """Labels of the kept rows (in :attr:`order`) put back in the chunk's order, the
        rows without values labelled ``empty_label``."""
        out = np.full(self.n_rows, empty_label, dtype=np.int64)
        out[self.order] = labels
        return out


def partial_squared_distances(X: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Squared distance from each row of ``X`` to ``point`` over the row's observed
    columns (its missing values count as no difference), shape (n_samples,)."""
    diff = X - point
    diff[np.isnan(diff)] = 0.0
    return np.einsum("ij,ij->i", diff, diff)


def nearest_seed(X: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Index of each row's nearest seed by :func:`partial_squared_distances`, -1 for a
    row without values, shape (n_samples,). A row's missing columns are left out of
    its distance to every seed alike, so its nearest seed does not depend on them."""
    distances = np.stack([partial_squared_distances(X, seed) for seed in seeds], axis=1)
    labels = np.argmin(distances, axis=1)
    labels[np.isnan(X).all(axis=1)] = -1
    return labels


def fill_column_means(X: np.ndarray) -> np.ndarray:
    """``X`` with each missing value replaced by its column's mean over the values it
    has (0 for a column without any); ``X`` itself when nothing is missing."""
    missing = np.isnan(X)
    if not missing.any():
        return X
    counts = X.shape[0] - missing.sum(axis=0)
    totals = np.where(missing, 0.0, X).sum(axis=0)
    means = np.divide(totals, counts, out=np.zeros(X.shape[1]), where=counts > 0)
    return np.where(missing, means, X)


def seed_candidates(sample: np.ndarray, n_components: int) -> np.ndarray:
    """The rows of the start sample seeds are picked from: the sample itself when it
    is complete; its complete rows when there are at least
    :data:`COMPLETE_ROWS_PER_SEED` per component; otherwise its rows that have a
    value, each gap filled with its column's mean."""
    missing = np.isnan(sample)
    if not missing.any():
        return sample
    complete = ~missing.any(axis=1)
    if np.count_nonzero(complete) >= COMPLETE_ROWS_PER_SEED * n_components:
        return sample[complete]
    return fill_column_means(sample[~missing.all(axis=1)])
