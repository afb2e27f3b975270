"""Chunks of a pass on worker threads, with results always in chunk order.

NumPy releases the GIL inside its loops and BLAS calls, so two threads each
working through their own chunks keep two cores busy. Results come back in
chunk order whatever thread finished first, and the loop sums them in that
order, so a fit gives the same bits with one thread or several.

BLAS's own threads fight the workers for the cores (OpenBLAS with two threads
runs small matrix products several times slower when they mix with NumPy's
elementwise work, and its idle threads spin on a core). The engine imports
nothing but NumPy, so it cannot hold BLAS to one thread by itself; an
application registers how with :func:`set_blas_limiter`, for example with
threadpoolctl::

    controller = threadpoolctl.ThreadpoolController()
    engine.set_blas_limiter(lambda: controller.limit(limits=1, user_api="blas"))

Every pass then runs inside that context. Without a limiter, passes run on a
single thread (unless a fit asks for threads) and leave BLAS as it is.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Most worker threads chosen automatically; more rarely pay for the contention.
MAX_AUTO_THREADS = 8

_blas_limiter: Callable[[], AbstractContextManager[object]] | None = None


def set_blas_limiter(limiter: Callable[[], AbstractContextManager[object]] | None) -> None:
    """Register a factory of contexts that hold BLAS to one thread (``None`` removes it)."""
    global _blas_limiter
    _blas_limiter = limiter


def blas_limiter() -> Callable[[], AbstractContextManager[object]] | None:
    """The registered factory, or ``None``."""
    return _blas_limiter


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def resolve_threads(n_threads: int | None) -> int:
    """Most worker threads to use: ``n_threads``, or with ``None`` one per core (up
    to :data:`MAX_AUTO_THREADS`) when a BLAS limiter is registered and one otherwise."""
    if n_threads is not None:
        return n_threads
    if _blas_limiter is None:
        return 1
    return min(available_cores(), MAX_AUTO_THREADS)


#: Passes of each kind timed with one thread and with all of them, alternately,
#: before the runner settles on the faster.
PROBES = 4
#: Items per thread :meth:`ChunkRunner.imap` computes ahead of the one last taken.
AHEAD = 2


class ChunkRunner:
    """Runs a function over the chunks of a pass on up to ``n_threads`` threads.

    With ``adaptive``, the runner times the first :data:`PROBES` calls of each
    ``kind`` alternately on one thread and on all of them and then keeps the
    faster: on some machines elementwise NumPy work does not speed up with
    threads (each call hands the GIL over, and waking the other core costs
    about as much as a short call), on others it nearly doubles. The choice
    only ever changes speed, never a result. Idle workers wait on a queue (they
    do not spin). :meth:`close` ends them; the runner is also a context manager.
    """

    def __init__(self, n_threads: int, adaptive: bool = False) -> None:
        if n_threads < 1:
            raise ValueError("n_threads must be at least 1")
        self.n_threads = n_threads
        self.adaptive = adaptive and n_threads > 1
        self._executor: ThreadPoolExecutor | None = None
        self._trials: dict[Hashable, list[tuple[int, float]]] = {}
        self._chosen: dict[Hashable, int] = {}

    def threads_for(self, kind: Hashable) -> int:
        """Threads the next call of ``kind`` will use."""
        if not self.adaptive:
            return self.n_threads
        if kind in self._chosen:
            return self._chosen[kind]
        trials = self._trials.get(kind, [])
        return 1 if len(trials) % 2 == 0 else self.n_threads

    def map(
        self, function: Callable[[T], R], items: Sequence[T] | Iterable[T], kind: Hashable = None
    ) -> list[R]:
        """``[function(item) for item in items]``, computed on the workers, in order."""
        items = list(items)
        limiter = _blas_limiter
        if len(items) == 1 and limiter is None:
            return [function(items[0])]  # one chunk: nothing to spread, limit or time
        threads = self.threads_for(kind) if len(items) > 1 else 1
        started = time.perf_counter()
        with limiter() if limiter is not None else nullcontext():
            if threads == 1:
                results = [function(item) for item in items]
            else:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        max_workers=self.n_threads, thread_name_prefix="em-chunk"
                    )
                results = list(self._executor.map(function, items))
        if self.adaptive and len(items) > 1 and kind not in self._chosen:
            self._record(kind, threads, time.perf_counter() - started)
        return results

    def imap(
        self, function: Callable[[T], R], items: Sequence[T], kind: Hashable = None
    ) -> Iterator[R]:
        """``function(item)`` for each item, in order, as an iterator: the workers compute
        at most :data:`AHEAD` items per thread beyond the one last taken, so results are
        never all held at once (a pass over a file of any size). Timed and chosen
        like :meth:`map`, one call a probe; the consumer's own work between items counts
        in the time."""
        threads = self.threads_for(kind) if len(items) > 1 else 1
        limiter = _blas_limiter
        started = time.perf_counter()
        with limiter() if limiter is not None else nullcontext():
            if threads == 1:
                for item in items:
                    yield function(item)
            else:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        max_workers=self.n_threads, thread_name_prefix="em-chunk"
                    )
                ahead: deque[Future[R]] = deque()
                try:
                    for item in items:
                        ahead.append(self._executor.submit(function, item))
                        if len(ahead) > AHEAD * threads:
                            yield ahead.popleft().result()
                    while ahead:
                        yield ahead.popleft().result()
                finally:
                    for future in ahead:
                        future.cancel()
        if self.adaptive and len(items) > 1 and kind not in self._chosen:
            self._record(kind, threads, time.perf_counter() - started)

    def _record(self, kind: Hashable, threads: int, seconds: float) -> None:
        trials = self._trials.setdefault(kind, [])
        trials.append((threads, seconds))
        if len(trials) >= PROBES:
            fastest = {n: min(s for m, s in trials if m == n) for n, _ in trials}
            self._chosen[kind] = min(fastest, key=fastest.__getitem__)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> ChunkRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
