"""scikit-learn's stopping rule, over the engine's snapshots, and its verbose lines.

The engine iterates (:func:`engine.iterate`); :func:`run_start` decides when to
stop exactly as scikit-learn's ``BaseMixture.fit_predict`` does. At its
iteration ``n`` scikit-learn takes the E-step of the current parameters, whose
mean log-likelihood is its "lower bound", then the M-step, then compares the
lower bound with the previous one. So it stops one M-step after the parameters
whose change met ``tol``; ``lower_bound_`` belongs to the parameters before the
last M-step and ``n_iter_`` counts M-steps. Each start is run by the engine
from explicit starting parameters with its own tolerance off, and closed where
scikit-learn would stop.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from time import time

import engine

#: scikit-learn's words when the best start did not converge.
NOT_CONVERGED = (
    "Best performing initialization did not converge. Try different init parameters, or "
    "increase max_iter, tol, or check for degenerate data."
)


@dataclass
class Start:
    """How one start ended."""

    params: engine.Params
    lower_bound: float
    lower_bounds: list[float]
    converged: bool
    n_iter: int


class Progress:
    """scikit-learn's verbose lines (``verbose`` 1 or 2, every ``interval`` iterations)."""

    def __init__(self, verbose: int, interval: int) -> None:
        self.verbose = verbose
        self.interval = interval
        self._start_time = self._iteration_time = time()

    def start_begins(self, start: int) -> None:
        if self.verbose >= 1:
            print(f"Initialization {start}")
            self._start_time = self._iteration_time = time()

    def iteration_ends(self, n_iter: int, change: float) -> None:
        if self.verbose < 1 or n_iter % self.interval:
            return
        if self.verbose == 1:
            print(f"  Iteration {n_iter}")
            return
        now = time()
        print(
            f"  Iteration {n_iter}\t time lapse {now - self._iteration_time:.5f}s\t "
            f"ll change {change:.5f}"
        )
        self._iteration_time = now

    def start_ends(self, lower_bound: float, converged: bool) -> None:
        words = "converged" if converged else "did not converge"
        if self.verbose == 1:
            print(f"Initialization {words}.")
        elif self.verbose >= 2:
            print(
                f"Initialization {words}. time lapse {time() - self._start_time:.5f}s\t "
                f"lower bound {lower_bound:.5f}."
            )


def run_start(
    snapshots: Generator[engine.Snapshot, None, object],
    lower_bound: float,
    n_samples: int,
    max_iter: int,
    tol: float,
    progress: Progress,
    report: Callable[[engine.Snapshot, bool], engine.Snapshot],
) -> Generator[engine.Snapshot, None, Start]:
    """One start under scikit-learn's stopping rule (see the module's docstring):
    yields ``report(snapshot, converged)`` of each snapshot ``snapshots`` give;
    ``lower_bound`` is the previous one (``-inf`` for a new start)."""
    lower_bounds: list[float] = []
    converged = False
    n_iter = 0
    with closing(snapshots):
        snapshot = next(snapshots)
        yield report(snapshot, False)
        for n_iter in range(1, max_iter + 1):
            previous, lower_bound = lower_bound, snapshot.objective / n_samples
            lower_bounds.append(lower_bound)
            snapshot = next(snapshots)
            change = lower_bound - previous
            converged = abs(change) < tol
            progress.iteration_ends(n_iter, change)
            yield report(snapshot, converged)
            if converged:
                break
    if max_iter > 0:
        progress.start_ends(lower_bound, converged)
    return Start(snapshot.params, lower_bound, lower_bounds, converged, n_iter)
