"""Passes on this machine: chunks read from the source, computed on worker threads.

Chunks of a source already in memory are prepared once per fit (moved into
the model's layout and dtype) and kept; chunks of a streamed source (a file
mapped into memory) are read and prepared again in each pass, so the memory a
fit holds does not grow with the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.backends import PassResult, sum_in_order
from engine.data import DataSource
from engine.estep import NonFiniteRow, zero_probability_error
from engine.models.base import ChunkResult, MixtureModel, PreparedChunk
from engine.parallel import ChunkRunner, resolve_threads
from engine.params import Params


class LocalBackend:
    """Passes on up to ``n_threads`` threads (``None``: the engine chooses; see
    :func:`engine.parallel.resolve_threads`)."""

    def __init__(self, n_threads: int | None = None) -> None:
        self.n_threads = n_threads

    def bind(
        self, source: DataSource, model: MixtureModel, dtype: np.dtype, chunk_size: int
    ) -> LocalPasses:
        runner = ChunkRunner(resolve_threads(self.n_threads), adaptive=self.n_threads is None)
        return LocalPasses(source, model, np.dtype(dtype), chunk_size, runner)


class LocalPasses:
    """Passes of one fit over ``source``, its chunks computed by ``runner``."""

    def __init__(
        self,
        source: DataSource,
        model: MixtureModel,
        dtype: np.dtype,
        chunk_size: int,
        runner: ChunkRunner,
    ) -> None:
        self.source = source
        self.model = model
        self.dtype = dtype
        self.n_samples = source.n_samples
        self.runner = runner
        self.ranges = [
            (start, min(start + chunk_size, self.n_samples))
            for start in range(0, self.n_samples, chunk_size)
        ]
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
                return model.chunk_pass(chunk.values, plan, hard, details), chunk.constant
            except NonFiniteRow as exc:
                raise zero_probability_error(self.ranges[index][0] + exc.row) from None

        parts = self.runner.map(one_chunk, range(len(self.ranges)), kind=(hard, details))
        results = [result for result, _ in parts]
        constant = sum(c for _, c in parts)
        return PassResult(
            model.pass_stats(sum_in_order([r.stats for r in results]), plan),
            sum(r.log_likelihood for r in results) + constant,
            sum(r.classification for r in results) + constant,
            sum(r.entropy for r in results),
            np.concatenate([r.labels for r in results]) if details else None,
            details,
        )

    def map_rows(
        self, function: Callable[..., Any], args: Sequence[Any], chunk_size: int
    ) -> list[Any]:
        ranges = [
            (start, min(start + chunk_size, self.n_samples))
            for start in range(0, self.n_samples, chunk_size)
        ]
        return self.runner.map(
            lambda r: function(self.source.read(*r), *args), ranges, kind="rows"
        )

    def close(self) -> None:
        self.runner.close()
        self._kept = None
