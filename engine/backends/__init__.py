"""Where a fit's passes run: the map over chunks and the reduction of their statistics.

A backend binds a data source, a model and the chunking into :class:`Passes`
for one fit. The loop only ever asks the bound passes for a pass under some
parameters (:meth:`Passes.run`) or for a map of a function over the raw rows
(:meth:`Passes.map_rows`, for starts); how chunks are read, kept, computed and
summed is the backend's affair. Statistics are always summed in chunk order,
so a backend never changes a result beyond the last bits.

:mod:`engine.backends.local` runs chunks on this machine's threads;
:mod:`engine.backends.dask` on the workers of a Dask cluster, which read their
own rows from the data's file (it needs ``pip install "em-studio[dask]"`` and
is imported only when asked for).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from engine.models.base import MixtureModel, Stats
from engine.params import Params


@dataclass
class PassResult:
    """What one pass over the data found under some parameters.

    ``labels`` and ``entropy`` are only filled in by a pass with details
    (``None`` and 0.0 otherwise; ``labels`` also ``None`` from passes bound
    with ``labels=False``); ``classification`` by a pass with details or
    under the hard E-step.
    """

    stats: Stats
    log_likelihood: float
    classification: float
    entropy: float
    labels: np.ndarray | None
    details: bool


class Passes(Protocol):
    """Passes over one data source for one fit (a backend bound to it)."""

    n_samples: int

    def run(self, params: Params, hard: bool, details: bool) -> PassResult:
        """E-step and M-step statistics of every row under ``params`` (prepared)."""

    def map_rows(
        self, function: Callable[..., Any], args: Sequence[Any], chunk_size: int
    ) -> list[Any]:
        """``[function(rows, *args) for each chunk of raw float64 rows]``, in chunk order."""

    def sum_rows(
        self, function: Callable[..., Stats], args: Sequence[Any], chunk_size: int
    ) -> Stats:
        """The statistics ``function(rows, *args)`` of every chunk of raw rows, added up
        in chunk order, holding a bounded number of them at a time."""

    def imap_rows(
        self, function: Callable[..., Any], args: Sequence[Any], chunk_size: int
    ) -> Iterator[tuple[int, Any]]:
        """``(first row, function(rows, *args))`` for each chunk, in order, a bounded
        number computed ahead: for results as large as the rows."""

    def close(self) -> None:
        """Release threads, workers and kept chunks."""


class Backend(Protocol):
    def bind(
        self, source: Any, model: MixtureModel, dtype: np.dtype, chunk_size: int
    ) -> Passes:
        """Passes of ``model`` over ``source`` in chunks of ``chunk_size`` rows held in ``dtype``.

        The backends here also take ``labels=False``: passes with details then
        leave out each row's label, which the loop asks for only when it wants them.
        """


def chunk_ranges(n_samples: int, chunk_size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each chunk of ``chunk_size`` rows, the last one shorter."""
    return [
        (start, min(start + chunk_size, n_samples)) for start in range(0, n_samples, chunk_size)
    ]


def sum_in_order(parts: Sequence[Stats]) -> Stats:
    """The statistics of several chunks added up, in the order given."""
    sums = dict(parts[0])
    for part in parts[1:]:
        for name, value in part.items():
            sums[name] = sums[name] + value
    return sums


def add_in_order(sums: Stats | None, parts: Sequence[Stats]) -> Stats:
    """``sums`` (``None``: nothing yet) plus the statistics ``parts``, in order: adding
    groups of chunks one after another gives the bits of one :func:`sum_in_order`."""
    if sums is None:
        return sum_in_order(parts)
    return sum_in_order([sums, *parts])
