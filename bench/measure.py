"""Timing, peak memory and thread limits, the same for every implementation.

Per-iteration times exclude what a fit does once (validation, the working copy
of the data, the final labels): the engine's come from the gaps between the
snapshots :func:`engine.iterate` yields, scikit-learn's GaussianMixture's from
its own verbose per-iteration timings (the first iteration, which includes its
initialisation, is dropped from both), KMeans' from the difference of the
best short and the best long fit. Each is the mean over the iterations of a run, and the best of the
repeats, so that another process stealing a core for a moment does not decide
a ratio.
"""

from __future__ import annotations

import contextlib
import gc
import io
import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

import engine
from engine.parallel import set_blas_limiter

CONTROLLER = ThreadpoolController()


def install_engine_blas_limiter() -> None:
    """Let the engine hold BLAS to one thread while its workers run passes."""
    set_blas_limiter(lambda: CONTROLLER.limit(limits=1, user_api="blas"))


@contextlib.contextmanager
def thread_limits(n_threads: int) -> Iterator[None]:
    """BLAS and OpenMP limited to ``n_threads`` threads."""
    with CONTROLLER.limit(limits=n_threads):
        yield


@dataclass
class Timing:
    """Seconds per iteration and the final log-likelihood (or inertia) of one run."""

    per_iteration: float
    value: float


def best(runs: list[Timing]) -> Timing:
    return min(runs, key=lambda run: run.per_iteration)


def engine_run(X: np.ndarray, options: engine.FitOptions) -> tuple[Timing, engine.FitResult]:
    """Fit with the engine; time the gaps between snapshots 1, 2, ..., max_iter."""
    stamps: list[float] = []
    iterator = engine.iterate(X, options)
    while True:
        try:
            next(iterator)
            stamps.append(time.perf_counter())
        except StopIteration as stop:
            result: engine.FitResult = stop.value
            break
    gaps = np.diff(stamps)[1:] if len(stamps) > 2 else np.diff(stamps)
    return Timing(float(np.mean(gaps)), result.log_likelihood), result


_SKLEARN_LAPSE = re.compile(r"Iteration (\d+)\s+time lapse ([0-9.]+)s")


def sklearn_gmm_run(make: Callable[..., object], X: np.ndarray) -> tuple[Timing, object]:
    """Fit a GaussianMixture made by ``make(verbose=2, verbose_interval=1)``; its own
    per-iteration time lapses, without the first (which includes initialisation)."""
    model = make(verbose=2, verbose_interval=1)
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        model.fit(X)  # type: ignore[attr-defined]
    lapses = [float(s) for n, s in _SKLEARN_LAPSE.findall(captured.getvalue()) if int(n) > 1]
    score = float(model.score(X)) * X.shape[0]  # type: ignore[attr-defined]
    return Timing(float(np.mean(lapses)), score), model


#: A long fit of :func:`differenced_run` lasts at least this long, so that
#: the difference of two fit times is not mostly noise.
LONG_FIT_SECONDS = 0.5
MAX_LONG_ITERATIONS = 150


class DifferencedTimer:
    """Seconds per iteration from short and long fits: ``fit(max_iter)`` returns
    (seconds, iterations run, final value). Each :meth:`turn` runs one short and one
    long fit, so turns can alternate with other measurements; :meth:`timing` takes the
    best short and the best long fit over all turns (the difference of one short and one
    long fit, taken while the machine is busy elsewhere, can even be negative). Its value
    is that of a fit of ``iterations`` iterations."""

    def __init__(
        self, fit: Callable[[int], tuple[float, int, float]], short: int, iterations: int
    ) -> None:
        first_seconds, first_iters, self.value = fit(iterations)
        per_iteration = first_seconds / max(first_iters, 1)
        self.extra = int(
            min(MAX_LONG_ITERATIONS, max(iterations, LONG_FIT_SECONDS / per_iteration))
        )
        self.fit = fit
        self.short = short
        self.shorts: list[tuple[float, int, float]] = []
        self.longs: list[tuple[float, int, float]] = []

    def turn(self) -> None:
        self.shorts.append(self.fit(self.short))
        self.longs.append(self.fit(self.short + self.extra))

    def timing(self) -> Timing:
        short_seconds, short_iters, _ = min(self.shorts)
        long_seconds, long_iters, _ = min(self.longs)
        if long_iters <= short_iters:
            raise RuntimeError("the long fit stopped as early as the short one; use other data")
        return Timing((long_seconds - short_seconds) / (long_iters - short_iters), self.value)


def peak_extra_mb(run: Callable[[], object]) -> float:
    """Largest memory ``run`` holds beyond what existed when it started, in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - before) / 2**20


#: The square products :func:`dgemm_rate` times: large enough for BLAS's best rate.
DGEMM_SIZE = 3000


def dgemm_rate(n_threads: int, repeats: int = 5) -> float:
    """This machine's double-precision matrix product rate, in flop/s: the best of
    ``repeats`` products of two DGEMM_SIZE-square matrices with BLAS on ``n_threads``."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((DGEMM_SIZE, DGEMM_SIZE))
    b = rng.standard_normal((DGEMM_SIZE, DGEMM_SIZE))
    out = np.empty_like(a)
    seconds = float("inf")
    with CONTROLLER.limit(limits=n_threads, user_api="blas"):
        np.matmul(a, b, out=out)  # the first call sets up BLAS's buffers
        for _ in range(repeats):
            started = time.perf_counter()
            np.matmul(a, b, out=out)
            seconds = min(seconds, time.perf_counter() - started)
    return 2.0 * DGEMM_SIZE**3 / seconds
