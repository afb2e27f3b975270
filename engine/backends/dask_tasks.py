"""What Dask workers run for :mod:`engine.backends.dask`: they open the data's file
themselves, prepare and keep their blocks of rows, and compute passes over them.

Every task is a module-level function, so a task pickles as a reference to it
and its small arguments (a :class:`engine.references.SourceReference`, row
ranges, the model, a pass's plan); each worker needs the same EM Studio
installed. A block is a run of consecutive chunks of the fit's chunking; its
statistics are added up chunk by chunk in order, as the local backend adds
them, and the driver adds the blocks up in order.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.backends import add_in_order
from engine.data import DataSource
from engine.estep import NonFiniteRow, zero_probability_error
from engine.models.base import MixtureModel, PreparedChunk, Stats
from engine.references import DataChanged, SourceReference

#: Sources a worker keeps open (a file's header parsed, its memory map made), most recent last.
_OPEN_SOURCES = 8
_opened: OrderedDict[tuple, DataSource] = OrderedDict()
_opened_lock = threading.Lock()

Ranges = Sequence[tuple[int, int]]


#: glibc's mallopt parameters, and the values set for a pass's temporaries.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_TRIM_BYTES, _MMAP_BYTES = 256 * 2**20, 64 * 2**20
_allocator_tuned = False


def _tune_allocator() -> None:
    """Undo, in this worker process, the allocator setting Dask's nanny starts workers
    with (``MALLOC_TRIM_THRESHOLD_=65536``): it returns freed memory above 64 KB to
    the system at once, so every temporary of a pass is a fresh mapping whose pages
    fault in again. Passes ran 2.5-4 times slower under it here. The memory a pass
    holds is bounded anyway (one chunk's temporaries)."""
    global _allocator_tuned
    if _allocator_tuned:
        return
    _allocator_tuned = True
    if not sys.platform.startswith("linux") or "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_BYTES)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_BYTES)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to undo


class WorkerReadError(ValueError):
    """A Dask worker cannot read the data's file; the message names the file and the worker."""


def _worker_name() -> str:
    # Imported here: this module is loaded by the driver too, which may lack a worker.
    from distributed import get_worker

    try:
        return get_worker().address
    except ValueError:
        return "in this process"


def open_source(reference: SourceReference) -> DataSource:
    """The source ``reference`` names, opened on this worker (kept open for later tasks).

    Raises
    ------
    WorkerReadError
        When the file cannot be read here: it names the file and the worker.
    engine.references.DataChanged
        When the file is not the version the fit started on.
    """
    _tune_allocator()
    key = reference.key
    with _opened_lock:
        source = _opened.get(key)
        if source is not None:
            _opened.move_to_end(key)
            return source
    try:
        source = reference.open()
    except DataChanged:
        raise
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise WorkerReadError(
            f"the Dask worker {_worker_name()} cannot read {reference.location}: {reason}; every "
            "worker must see the data at that path (a folder shared by all machines, or a URL "
            "such as s3://...)"
        ) from None
    with _opened_lock:
        _opened[key] = source
        while len(_opened) > _OPEN_SOURCES:
            _opened.popitem(last=False)
    return source


def load_block(
    reference: SourceReference, ranges: Ranges, model: MixtureModel, data_plan: Any, dtype: np.dtype
) -> list[PreparedChunk]:
    """The chunks of one block read from the file and prepared for the passes: what a
    worker keeps in memory for the length of a fit."""
    source = open_source(reference)
    return [
        model.prepare_chunk(source.read(start, stop), data_plan, dtype) for start, stop in ranges
    ]


@dataclass
class BlockResult:
    """One block's part of a pass: its chunks' statistics added up in order, the sums of
    their figures, and each row's label when asked."""

    stats: Stats
    log_likelihood: float
    classification: float
    entropy: float
    labels: np.ndarray | None


def pass_kept(
    chunks: Iterable[PreparedChunk],
    ranges: Ranges,
    model: MixtureModel,
    plan: Any,
    hard: bool,
    details: bool,
    labels: bool,
) -> BlockResult:
    """A pass over a block this worker keeps (from :func:`load_block`), or any chunks."""
    stats: Stats | None = None
    figures: list[tuple[float, float, float, float]] = []
    block_labels: list[np.ndarray] = []
    for (start, _), chunk in zip(ranges, chunks):
        try:
            result = model.chunk_pass(chunk.values, plan, hard, details)
        except NonFiniteRow as exc:
            raise zero_probability_error(start + exc.row) from None
        stats = add_in_order(stats, [result.stats])
        figures.append(
            (result.log_likelihood, result.classification, result.entropy, chunk.constant)
        )
        if details and labels:
            block_labels.append(result.labels)
    log_likelihood, classification, entropy, constants = (list(f) for f in zip(*figures))
    constant = sum(constants)
    return BlockResult(
        stats,  # type: ignore[arg-type]  # a block has at least one chunk
        sum(log_likelihood) + constant,
        sum(classification) + constant,
        sum(entropy),
        np.concatenate(block_labels) if details and labels else None,
    )


def pass_streamed(
    reference: SourceReference,
    ranges: Ranges,
    model: MixtureModel,
    data_plan: Any,
    dtype: np.dtype,
    plan: Any,
    hard: bool,
    details: bool,
    labels: bool,
) -> BlockResult:
    """A pass over a block read from the file and prepared chunk by chunk (for data larger
    than the cluster's memory)."""
    source = open_source(reference)
    chunks = (
        model.prepare_chunk(source.read(start, stop), data_plan, dtype) for start, stop in ranges
    )
    return pass_kept(chunks, ranges, model, plan, hard, details, labels)


def map_rows(
    reference: SourceReference, ranges: Ranges, function: Callable[..., Any], args: Sequence[Any]
) -> list[Any]:
    """``function(rows, *args)`` of each chunk of raw rows of a block, in order."""
    source = open_source(reference)
    return [function(source.read(start, stop), *args) for start, stop in ranges]


def sum_rows(
    reference: SourceReference, ranges: Ranges, function: Callable[..., Stats], args: Sequence[Any]
) -> Stats:
    """The statistics ``function(rows, *args)`` of a block's chunks, added up in order."""
    source = open_source(reference)
    stats = None
    for start, stop in ranges:
        stats = add_in_order(stats, [function(source.read(start, stop), *args)])
    return stats  # type: ignore[return-value]  # a block has at least one chunk
