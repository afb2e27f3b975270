"""Passes on this machine: chunks read from the source, computed on worker threads.

Chunks of a source already in memory are prepared once per fit (moved into
the model's layout and dtype) and kept; chunks of a streamed source (a file
mapped into memory) are read and prepared again in each pass, so the memory a
fit holds does not grow with the number of rows. A streamed pass adds each
chunk's statistics to the running sum as the chunk comes (the threads compute a
few chunks ahead), in the same order, so with the same bits, as one sum of all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from engine.backends import PassResult, add_in_order, chunk_ranges
from engine.data import DataSource
from engine.estep import NonFiniteRow, zero_probability_error
from engine.models.base import ChunkResult, MixtureModel, PreparedChunk, Stats
from engine.parallel import ChunkRunner, resolve_threads
from engine.params import Params


class LocalBackend:
    """Passes on up to ``n_threads`` threads (``None``: the engine chooses; see
    :func:`engine.parallel.resolve_threads`)."""

    def __init__(self, n_threads: int | None = None) -> None:
        self.n_threads = n_threads

    def bind(
        self,
        source: DataSource,
        model: MixtureModel,
        dtype: np.dtype,
        chunk_size: int,
        labels: bool = True,
    ) -> LocalPasses:
        runner = ChunkRunner(resolve_threads(self.n_threads), adaptive=self.n_threads is None)
        return LocalPasses(source, model, np.dtype(dtype), chunk_size, runner, labels)


class LocalPasses:
    """Passes of one fit over ``source``, its chunks computed by ``runner``; passes with
    details give each row's label unless ``labels`` is false (a label per row is the one
    thing a pass would otherwise hold for every row)."""

    def __init__(
        self,
        source: DataSource,
        model: MixtureModel,
        dtype: np.dtype,
        chunk_size: int,
        runner: ChunkRunner,
        labels: bool = True,
    ) -> None:
        self.source = source
        self.model = model
        self.dtype = dtype
        self.n_samples = source.n_samples
        self.runner = runner
        self.labels = labels
        self.ranges = chunk_ranges(self.n_samples, chunk_size)
        self.data_plan = model.data_plan(source)
        self._kept: list[PreparedChunk | None] | None = (
            [None] * len(self.ranges) if source.in_memory else None
        )

    def _chunk(self, index: int) -> PreparedChunk:
        if self._kept is not None and self._kept[index] is not None:
            return self._kept[index]
        start, stop = self.ranges[index]
        chunk = self.model.prepare_chunk(self.source.read(start, stop), self.data_plan, self.dtype)
        if self._kept is not None:
            self._kept[index] = chunk
        return chunk

    def run(self, params: Params, hard: bool, details: bool) -> PassResult:
        model = self.model
        plan = model.pass_plan(params, self.data_plan, self.dtype)

        def one_chunk(index: int) -> tuple[ChunkResult, float]:
            chunk = self._chunk(index)
            try:
                result = model.chunk_pass(chunk.values, plan, hard, details)
            except NonFiniteRow as exc:
                raise zero_probability_error(self.ranges[index][0] + exc.row) from None
            if not self.labels:
                result.labels = None  # not held while the rest of the group is computed
            return result, chunk.constant

        self.source.check_unchanged()
        chunks = range(len(self.ranges))
        if self._kept is not None and len(chunks) == 1:
            # Rows that fit in one chunk (a sweep's thousands of passes over small
            # data): no sums to add up, the same figures as below.
            ((result, constant),) = self.runner.map(one_chunk, chunks, kind=(hard, details))
            return PassResult(
                model.pass_stats(result.stats, plan),
                result.log_likelihood + constant,
                result.classification + constant,
                result.entropy,
                result.labels if details and self.labels else None,
                details,
            )
        if self._kept is not None:
            parts: Iterable[tuple[ChunkResult, float]] = self.runner.map(
                one_chunk, chunks, kind=(hard, details)
            )
        else:
            # Streamed: each chunk's statistics are added to the sum as it comes.
            parts = self.runner.imap(one_chunk, chunks, kind=(hard, details))
        stats: Stats | None = None
        figures: list[tuple[float, float, float, float]] = []
        labels: list[np.ndarray] = []
        for result, constant in parts:
            stats = add_in_order(stats, [result.stats])
            figures.append((result.log_likelihood, result.classification, result.entropy, constant))
            if details and self.labels:
                labels.append(result.labels)
        # Added up as one sum of every chunk's figure, in chunk order.
        log_likelihood, classification, entropy, constants = (list(f) for f in zip(*figures))
        constant = sum(constants)
        return PassResult(
            model.pass_stats(stats, plan),
            sum(log_likelihood) + constant,
            sum(classification) + constant,
            sum(entropy),
            np.concatenate(labels) if details and self.labels else None,
            details,
        )

    def map_rows(
        self, function: Callable[..., Any], args: Sequence[Any], chunk_size: int
    ) -> list[Any]:
        return self.runner.map(
            lambda r: function(self.source.read(*r), *args),
            chunk_ranges(self.n_samples, chunk_size),
            kind="rows",
        )

    def sum_rows(
        self, function: Callable[..., Stats], args: Sequence[Any], chunk_size: int
    ) -> Stats:
        """``sum_in_order(map_rows(function, args, chunk_size))``, each chunk's statistics
        added as it comes."""
        stats: Stats | None = None
        for _, part in self.imap_rows(function, args, chunk_size):
            stats = add_in_order(stats, [part])
        return stats  # type: ignore[return-value]  # there is at least one chunk

    def imap_rows(
        self, function: Callable[..., Any], args: Sequence[Any], chunk_size: int
    ) -> Iterator[tuple[int, Any]]:
        """``(first row, function(rows, *args))`` for each chunk, in order, a few chunks
        computed ahead: for results as large as the rows (each row's labels)."""
        ranges = chunk_ranges(self.n_samples, chunk_size)
        results = self.runner.imap(
            lambda r: function(self.source.read(*r), *args), ranges, kind="rows"
        )
        return zip((start for start, _ in ranges), results)

    def close(self) -> None:
        self.runner.close()
        self._kept = None
