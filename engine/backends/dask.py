"""Passes on a Dask cluster: workers read their own rows, keep them, and send back sums.

:class:`DaskBackend` connects to a running scheduler (``tcp://host:port``) or
starts a ``distributed.LocalCluster`` of one single-threaded worker process per
core, and closes what it started. Binding it to a source gives
:class:`DaskPasses`:

* The driver never holds or sends the rows. The source must be a file (its
  :meth:`~engine.data.DataSource.reference`: a path or URL and the file's size
  and modification time); each worker opens it itself
  (:mod:`engine.backends.dask_tasks`).
* Rows go in blocks of consecutive chunks (the fit's chunking, so chunk
  boundaries are the local backend's). When the prepared blocks fit in half the
  workers' memory, each is loaded once and kept where it was loaded for the
  whole fit; otherwise every pass reads its blocks from the file again.
* A pass sends out one task per block, carrying the plan of the parameters
  (a few kilobytes; a task of its own would cost every other worker a fetch
  from the one that computed it, about 10 ms here, more than the block's
  compute); each block sends back its statistics, added up in chunk order,
  and the driver adds the blocks up in block order. Results therefore depend
  on the block layout (from the number of rows and the chunking, never from
  the workers or their timing) and agree with the local backend to round-off.
* A worker that dies takes its blocks with it; the scheduler loads them again
  from the file on another worker and the fit goes on with the same numbers.
* Closing the passes (a fit stopped, or Ctrl-C) cancels every task still
  queued or running and releases the kept blocks, so a user's cluster is
  ready for the next fit.

Importing this module needs neither dask nor distributed; making a
:class:`DaskBackend` does, and says how to install them when they are missing.
"""

from __future__ import annotations

import math
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from engine.backends import PassResult, add_in_order, chunk_ranges
from engine.backends import dask_tasks as tasks
from engine.data import DataSource
from engine.models.base import MixtureModel, Stats
from engine.params import Params

#: What a person types to get the backend's packages.
INSTALL = 'pip install "em-studio[dask]"'
#: Seconds to wait for a scheduler to answer, and for it to have a worker.
CONNECT_SECONDS = 10.0
#: A fit's rows are split into about this many blocks (tasks per pass) ...
TARGET_BLOCKS = 32
#: ... each of at least this many rows (a task costs about a millisecond to schedule)
MIN_BLOCK_ROWS = 65536
#: ... and at most this many.
MAX_BLOCK_ROWS = 2**20
#: Blocks are kept in the workers' memory when the prepared rows take at most this
#: fraction of it (the rest is for each pass's temporaries and Dask itself).
KEEP_FRACTION = 0.5
#: Blocks whose results :meth:`DaskPasses.imap_rows` computes ahead, per worker.
AHEAD_PER_WORKER = 2


class DaskUnavailable(ValueError):
    """dask or distributed is not installed; the message says how to install them."""


class SchedulerUnreachable(ValueError):
    """No Dask scheduler answered at the address, or it has no workers."""


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise DaskUnavailable(
            "computing on a Dask cluster needs the dask and distributed packages, which are "
            f"not installed; install them with: {INSTALL}"
        ) from None
    return distributed


def block_layout(
    ranges: Sequence[tuple[int, int]], block_rows: int | None = None
) -> list[list[tuple[int, int]]]:
    """Consecutive chunk ranges grouped into blocks of about ``block_rows`` rows (by
    default from the number of rows: :data:`TARGET_BLOCKS` blocks of
    :data:`MIN_BLOCK_ROWS` to :data:`MAX_BLOCK_ROWS` rows), whole chunks each."""
    n_samples = ranges[-1][1]
    chunk_size = ranges[0][1] - ranges[0][0]
    if block_rows is None:
        block_rows = min(MAX_BLOCK_ROWS, max(MIN_BLOCK_ROWS, math.ceil(n_samples / TARGET_BLOCKS)))
    per_block = max(1, block_rows // chunk_size)
    return [list(ranges[i : i + per_block]) for i in range(0, len(ranges), per_block)]


class DaskBackend:
    """Passes on the workers of a Dask cluster.

    Parameters
    ----------
    scheduler : str, optional
        A running scheduler's address, such as ``tcp://10.0.0.5:8786``. Without
        one, a ``distributed.LocalCluster`` of ``n_workers`` single-threaded
        worker processes (by default one per core) is started, and
        :meth:`close` stops it.
    n_workers : int, optional
        Workers of the local cluster; ignored with ``scheduler``.
    keep : bool, optional
        Keep the prepared blocks in the workers' memory for a whole fit (True),
        read them from the file in every pass (False), or decide from the size
        of the data and the workers' memory (None, the default).
    block_rows : int, optional
        Rows per block (rounded down to whole chunks); by default from the
        number of rows (:func:`block_layout`).
    connect_timeout : float
        Seconds to wait for the scheduler, and for it to have a worker.

    Raises
    ------
    DaskUnavailable
        When dask or distributed is not installed.
    SchedulerUnreachable
        When the scheduler does not answer, or has no worker, in time.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        n_workers: int | None = None,
        keep: bool | None = None,
        block_rows: int | None = None,
        connect_timeout: float = CONNECT_SECONDS,
    ) -> None:
        distributed = _distributed()
        self.keep = keep
        self.block_rows = block_rows
        self._cluster = None
        if scheduler is None:
            from engine.parallel import available_cores

            try:
                self._cluster = distributed.LocalCluster(
                    n_workers=n_workers or available_cores(), threads_per_worker=1,
                    processes=True,
                    # Loopback only, on a free port: the scheduler serves HTTP even without a
                    # dashboard, and its default port may be taken by a user's own cluster.
                    host="127.0.0.1", dashboard_address="127.0.0.1:0",
                )
            except RuntimeError as exc:  # a worker process imports the calling script again
                raise SchedulerUnreachable(
                    f"the local Dask cluster's worker processes did not start "
                    f"({_first_line(exc)}): each imports again the script that started it, so "
                    "in a script put the fit under 'if __name__ == \"__main__\":' (a notebook "
                    "needs nothing), or start a cluster with 'dask scheduler' and 'dask worker "
                    "ADDRESS' and give its address"
                ) from None
            self.client = distributed.Client(self._cluster, set_as_default=False)
            self.address = self._cluster.scheduler_address
            return
        self.address = scheduler
        advice = (
            f"start a cluster there with 'dask scheduler' on one machine and 'dask worker "
            f"{scheduler}' on each machine that computes, or leave the address out to compute "
            "on this computer's cores"
        )
        try:
            self.client = distributed.Client(
                scheduler, timeout=connect_timeout, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnreachable(
                f"no Dask scheduler answered at {scheduler} within {connect_timeout:g} s "
                f"({_first_line(exc)}); {advice}"
            ) from None
        try:
            self.client.wait_for_workers(1, timeout=connect_timeout)
        except (OSError, TimeoutError):
            self.client.close()
            raise SchedulerUnreachable(
                f"the Dask scheduler at {scheduler} has no workers; {advice}"
            ) from None

    def _workers(self) -> dict[str, dict]:
        try:
            return self.client.scheduler_info(n_workers=-1)["workers"]
        except TypeError:  # distributed before 2025 lists every worker unasked
            return self.client.scheduler_info()["workers"]

    @property
    def n_workers(self) -> int:
        return len(self._workers())

    def describe(self) -> str:
        """Where the passes run, for a status line: the scheduler and its workers."""
        what = "a local Dask cluster" if self._cluster is not None else "the Dask cluster"
        return f"{what} at {self.address} ({self.n_workers} workers)"

    def bind(self, source: DataSource, model: MixtureModel, dtype: np.dtype, chunk_size: int,
             labels: bool = True) -> DaskPasses:
        """Passes of one fit (see :class:`engine.backends.Backend`)."""
        return DaskPasses(self, source, model, np.dtype(dtype), chunk_size, labels)

    def memory_limit(self) -> int | None:
        """The workers' memory limits added up, in bytes; ``None`` when any has none."""
        limits = [int(worker.get("memory_limit") or 0) for worker in self._workers().values()]
        return None if not limits or 0 in limits else sum(limits)

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this backend started one."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


class DaskPasses:
    """Passes of one fit over ``source`` on ``backend``'s workers (see the module's notes)."""

    def __init__(
        self,
        backend: DaskBackend,
        source: DataSource,
        model: MixtureModel,
        dtype: np.dtype,
        chunk_size: int,
        labels: bool,
    ) -> None:
        reference = source.reference()
        if reference is None:
            raise ValueError(
                "a Dask cluster's workers read the rows from the data's file themselves, and "
                "these rows are only in this program's memory; save them to a .npy or Parquet "
                "file and fit that file"
            )
        self.client = backend.client
        self.source = source
        self.reference = reference
        self.model = model
        self.dtype = dtype
        self.labels = labels
        self.n_samples = source.n_samples
        self.block_rows = backend.block_rows
        self.n_workers = max(1, backend.n_workers)
        self.ranges = chunk_ranges(self.n_samples, chunk_size)
        self.blocks = block_layout(self.ranges, self.block_rows)
        self.data_plan = model.data_plan(source)
        self._name = uuid.uuid4().hex[:12]
        self._passes = 0
        self._pending: list[Any] = []
        keep = backend.keep
        if keep is None:
            limit = backend.memory_limit()
            keep = limit is None or self._prepared_bytes() <= KEEP_FRACTION * limit
        self.kept = keep
        self._blocks: list[Any] | None = None

    def _kept_blocks(self) -> list[Any]:
        """The futures of the prepared blocks, loaded by the workers at the first pass
        and kept there (computed again from the file if a worker is lost)."""
        if self._blocks is None:
            self._blocks = [
                self.client.submit(
                    tasks.load_block, self.reference, block, self.model, self.data_plan,
                    self.dtype, key=f"em-block-{self._name}-{i}", pure=False,
                )
                for i, block in enumerate(self.blocks)
            ]
        return self._blocks

    def _prepared_bytes(self) -> int:
        """What the prepared rows of the whole source take, estimated from a few rows."""
        rows = self.source.read(0, min(self.n_samples, 256))
        prepared = self.model.prepare_chunk(rows, self.data_plan, self.dtype)
        return int(prepared.values.nbytes / prepared.n_rows * self.n_samples)

    def _gather(self, futures: list[Any]) -> list[Any]:
        """The futures' results in order; on any error or interruption (Ctrl-C), every
        task of the call is cancelled before the error goes on."""
        self._pending = list(futures)
        try:
            return self.client.gather(futures)
        except BaseException:
            self._cancel(self._pending)
            raise
        finally:
            self._pending = []

    def progress(self) -> tuple[int, int, int]:
        """(passes begun, tasks done, tasks) of the call under way ((n, 0, 0) between
        calls); from any thread, from the client's own record of its futures (no round
        trip to the scheduler)."""
        pending = self._pending
        return self._passes, sum(future.done() for future in pending), len(pending)

    def _cancel(self, futures: Sequence[Any]) -> None:
        if futures:
            self.client.cancel(list(futures), force=True)

    def run(self, params: Params, hard: bool, details: bool) -> PassResult:
        self.source.check_unchanged()
        plan = self.model.pass_plan(params, self.data_plan, self.dtype)
        self._passes += 1
        prefix = f"em-pass-{self._name}-{self._passes}"
        keep_labels = details and self.labels
        if self.kept:
            futures = [
                self.client.submit(
                    tasks.pass_kept, chunks, block, self.model, plan, hard, details,
                    keep_labels, key=f"{prefix}-{i}", pure=False,
                )
                for i, (chunks, block) in enumerate(zip(self._kept_blocks(), self.blocks))
            ]
        else:
            futures = [
                self.client.submit(
                    tasks.pass_streamed, self.reference, block, self.model, self.data_plan,
                    self.dtype, plan, hard, details, keep_labels,
                    key=f"{prefix}-{i}", pure=False,
                )
                for i, block in enumerate(self.blocks)
            ]
        results: list[tasks.BlockResult] = self._gather(futures)
        stats = add_in_order(None, [result.stats for result in results])
        return PassResult(
            self.model.pass_stats(stats, plan),
            sum(result.log_likelihood for result in results),
            sum(result.classification for result in results),
            sum(result.entropy for result in results),
            np.concatenate([result.labels for result in results]) if keep_labels else None,
            details,
        )

    def _row_tasks(
        self, task: Callable[..., Any], function: Callable[..., Any], args: Sequence[Any],
        chunk_size: int,
    ) -> Iterator[tuple[list[tuple[int, int]], Any]]:
        """(block, its task) for every block of the chunking ``chunk_size``, submitted
        as the iterator is advanced."""
        self._passes += 1
        prefix = f"em-rows-{self._name}-{self._passes}"
        blocks = block_layout(chunk_ranges(self.n_samples, chunk_size), self.block_rows)
        for i, block in enumerate(blocks):
            yield block, self.client.submit(
                task, self.reference, block, function, args, key=f"{prefix}-{i}", pure=False
            )

    def map_rows(
        self, function: Callable[..., Any], args: Sequence[Any], chunk_size: int
    ) -> list[Any]:
        futures = [f for _, f in self._row_tasks(tasks.map_rows, function, args, chunk_size)]
        return [item for part in self._gather(futures) for item in part]

    def sum_rows(
        self, function: Callable[..., Stats], args: Sequence[Any], chunk_size: int
    ) -> Stats:
        futures = [f for _, f in self._row_tasks(tasks.sum_rows, function, args, chunk_size)]
        return add_in_order(None, self._gather(futures))

    def imap_rows(
        self, function: Callable[..., Any], args: Sequence[Any], chunk_size: int
    ) -> Iterator[tuple[int, Any]]:
        submitted = self._row_tasks(tasks.map_rows, function, args, chunk_size)
        ahead: deque[tuple[list[tuple[int, int]], Any]] = deque()
        try:
            for item in submitted:
                ahead.append(item)
                if len(ahead) >= AHEAD_PER_WORKER * self.n_workers:
                    yield from self._first_done(ahead)
            while ahead:
                yield from self._first_done(ahead)
        finally:
            self._cancel([future for _, future in ahead])

    def _first_done(
        self, ahead: deque[tuple[list[tuple[int, int]], Any]]
    ) -> Iterator[tuple[int, Any]]:
        block, future = ahead[0]
        results = self._gather([future])[0]
        ahead.popleft()
        yield from zip((start for start, _ in block), results)

    def close(self) -> None:
        """Cancel every task of the fit still queued or running, and drop the kept blocks."""
        futures = list(self._pending) + list(self._blocks or [])
        self._pending, self._blocks = [], None
        self._cancel(futures)
