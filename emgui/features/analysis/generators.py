"""What the analysis dialogs run in the background: the engine's generators, shaped for them.

A :class:`~emgui.runs.worker.GeneratorWorker` runs each of these off the GUI
thread and reports the items the dialog asks for; every other item is a
step at which a stop takes effect (between EM iterations). Each closes the
engine's generator it drives when it is closed itself (``yield from`` passes
the close on), so the engine's chunk threads end with the run.

* the sweep is :func:`engine.selection.iterate_sweep` itself (report its cells);
* :func:`start_traces` adds a :class:`StartTrace` after each start of a
  multi-start fit (report those);
* :func:`replay` fits again and returns ``(result, snapshots)`` (report nothing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass

import numpy as np

import engine
from engine.selection import result_snapshots


@dataclass
class StartTrace:
    """One start of a multi-start fit: its snapshots and how long it took."""

    restart: int
    snapshots: list[engine.Snapshot]
    seconds: float

    @property
    def final(self) -> float:
        """The start's last objective (the value the best start is chosen by)."""
        return self.snapshots[-1].objective


def _relayed(
    steps: Generator[engine.Snapshot, None, engine.FitResult],
    note: Callable[[engine.Snapshot], StartTrace | None],
) -> Generator[engine.Snapshot | StartTrace, None, engine.FitResult]:
    """Every snapshot of ``steps``, each after what ``note`` makes of it (if anything);
    returns what ``steps`` returns, and closes it when closed itself."""
    with closing(steps):
        while True:
            try:
                snapshot = next(steps)
            except StopIteration as stop:
                return stop.value
            noted = note(snapshot)
            if noted is not None:
                yield noted
            yield snapshot


class _Starts:
    """Cuts a multi-start fit's snapshots into one :class:`StartTrace` per start."""

    def __init__(self) -> None:
        self._current: list[engine.Snapshot] = []
        self._started = time.perf_counter()

    def add(self, snapshot: engine.Snapshot) -> StartTrace | None:
        """Take ``snapshot``; returns the start that has just ended, if one has."""
        ended = self.end() if self._current and snapshot.restart != self._current[-1].restart else None
        self._current.append(snapshot)
        return ended

    def end(self) -> StartTrace | None:
        """The start under way, now ended (the fit moved on, or finished)."""
        if not self._current:
            return None
        now = time.perf_counter()
        ended = StartTrace(self._current[-1].restart, self._current, now - self._started)
        self._current, self._started = [], now
        return ended


def start_traces(
    X: np.ndarray, options: engine.FitOptions, feature_names: list[str]
) -> Generator[engine.Snapshot | StartTrace, None, engine.FitResult]:
    """Every start of ``options``, with a :class:`StartTrace` as each start ends."""
    starts = _Starts()
    result = yield from _relayed(engine.iterate(X, options, feature_names), starts.add)
    ended = starts.end()
    if ended is not None:
        yield ended
    return result


def replay(
    X: np.ndarray, options: engine.FitOptions, feature_names: list[str]
) -> Generator[engine.Snapshot, None, tuple[engine.FitResult, list[engine.Snapshot]]]:
    """Fit again to bring back a result's trace: ``(result, snapshots)``.

    The snapshots are the kept start's, in the result's component order
    (:func:`engine.selection.result_snapshots`).
    """
    snapshots: list[engine.Snapshot] = []
    result = yield from _relayed(engine.iterate(X, options, feature_names), snapshots.append)
    return result, result_snapshots(snapshots, result)
