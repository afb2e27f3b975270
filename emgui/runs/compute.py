"""Where the window's fits compute: this computer, or a Dask cluster at an address.

:func:`fit_steps` is the generator a fit's worker drives. On this computer it
is :func:`engine.iterate` over the rows (a large file streamed through a
:class:`~emgui.runs.streamed.CountingSource`, so the window sees how far a
pass has gone). On a cluster it first connects (in the worker's thread: a
scheduler that does not answer costs the window nothing), yields a
:class:`Computing` that names the cluster and its workers, and fits with the
engine's Dask backend, whose workers read the data's file themselves.
:meth:`ClusterRun.cancel` cancels the cluster's tasks of a stopped fit without
waiting for the pass under way.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import engine
from engine.standardize import iterate_standardized
from emgui.runs.streamed import STREAMED_SUFFIXES, CountingSource, Stopped
from emio.sources import open_rows
from emio.tables import DataError, Table
from engine import DataSource

HERE = "here"
CLUSTER = "cluster"


@dataclass(frozen=True)
class ComputePlace:
    """``where`` is :data:`HERE` or :data:`CLUSTER`; ``address`` the scheduler's."""

    where: str = HERE
    address: str = ""

    @property
    def on_cluster(self) -> bool:
        return self.where == CLUSTER


@dataclass(frozen=True)
class Computing:
    """Yielded by a fit on a cluster once connected: where it computes, for the status bar."""

    text: str


def cluster_rows(table: Table, rows: np.ndarray | DataSource) -> DataSource:
    """The rows of ``table`` as the workers of a cluster read them: from its file."""
    if isinstance(rows, DataSource) and rows.reference() is not None:
        return rows
    path = table.source
    what = f"{path.name}" if path is not None else "these data"
    if path is None or Path(path).suffix.lower() not in STREAMED_SUFFIXES:
        raise DataError(
            f"a Dask cluster's workers read .npy or Parquet files themselves, and {what} is "
            "neither; convert it first (python main.py convert DATA OUT.npy) and open the "
            "result, or compute on this computer (Settings: Compute on)"
        )
    source = open_rows(str(path), cluster=True, bad_rows="keep").values
    if table.dropped_rows or (source.n_samples, source.n_features) != table.data.shape:
        raise DataError(
            f"{what} on disk no longer holds the rows the window shows (it changed, or rows "
            "were left out when it was read); open it again, or compute on this computer"
        )
    return source


class ClusterRun:
    """One fit's connection to a cluster: its backend, once made, and the passes it binds
    (so that a stop can cancel their tasks from the GUI thread)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.backend: Any = None
        self._passes: list[Any] = []
        self._lock = threading.Lock()
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        with self._lock:
            return self._cancelled

    def connect(self) -> None:
        if not self.address:
            raise ValueError(
                "type the Dask scheduler's address under Settings, Compute on (such as "
                "tcp://HOST:8786), or compute on this computer"
            )
        self.backend = engine.DaskBackend(self.address)

    def bind(self, *args: Any, **kwargs: Any) -> Any:
        passes = self.backend.bind(*args, **kwargs)
        with self._lock:
            self._passes.append(passes)
            cancelled = self._cancelled
        if cancelled:
            passes.close()
            raise Stopped("the fit was stopped")
        return passes

    def progress(self) -> tuple[int, int, int] | None:
        """(pass number, tasks done, tasks) of the fit's latest passes on the cluster, or
        None before they begin (or when the backend cannot tell)."""
        with self._lock:
            passes = self._passes[-1] if self._passes else None
        report = getattr(passes, "progress", None)
        return None if report is None else report()

    def cancel(self) -> None:
        """Cancel every task of this fit on the cluster, on a thread of its own (the
        cancelling is a round trip to the scheduler)."""
        with self._lock:
            self._cancelled = True
            passes = list(self._passes)
        if passes:
            threading.Thread(
                target=lambda: [p.close() for p in passes], name="em-cancel", daemon=True
            ).start()

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()


def fit_steps(
    rows: np.ndarray | DataSource,
    options: engine.FitOptions,
    feature_names: list[str],
    cluster: ClusterRun | None = None,
    table: Table | None = None,
    standardize: bool = False,
) -> Generator[object, None, engine.FitResult]:
    """The fit's snapshots (and, on a cluster, a :class:`Computing` first); returns its
    result. On a cluster, the rows are read from ``table``'s file by the workers. A fit
    stopped half-way through a pass ends with :class:`Stopped`. ``standardize`` fits in
    standard units (rows in memory on this computer only)."""
    if cluster is None:
        run = iterate_standardized if standardize else engine.iterate
        return (yield from run(rows, options, feature_names))
    if standardize:
        raise ValueError(
            "standardising needs the data in memory on this computer; choose Compute on: "
            "this computer, or switch off Run > Fit in Standard Units"
        )
    try:
        if table is not None:
            rows = cluster_rows(table, rows)
        cluster.connect()
        if cluster.cancelled:
            raise Stopped("the fit was stopped")
        yield Computing(f"Computing on {cluster.backend.describe()}")
        return (yield from engine.iterate(rows, options, feature_names, backend=cluster))
    except BaseException as exc:
        if isinstance(exc, (GeneratorExit, KeyboardInterrupt, SystemExit, ValueError)):
            raise
        if cluster.cancelled:
            # The cluster's tasks were cancelled by Stop: nobody hears of this run any more.
            raise Stopped("the fit was stopped") from None
        raise
    finally:
        cluster.close()


def counted(rows: np.ndarray | DataSource) -> np.ndarray | DataSource:
    """Rows in memory as they are; a streamed source counted (see :class:`CountingSource`)."""
    if isinstance(rows, DataSource) and not rows.in_memory:
        return CountingSource(rows)
    return rows
