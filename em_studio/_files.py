"""Data given as a path, and where a fit computes: this computer or a Dask cluster.

``X`` may be a path (``str`` or ``os.PathLike``) to a data file instead of rows:
a ``.npy`` file, a Parquet file or a folder of Parquet files (or a URL of one,
or any file the command line reads). It is opened as ``em-studio-cli fit
PATH`` opens it (:func:`emio.sources.open_rows`): a large ``.npy`` or Parquet
file is streamed from the disk chunk by chunk, never loaded whole; a small one
is read whole and treated as rows in memory.

``backend="dask"`` computes on the workers of a Dask cluster, at ``scheduler``
(``tcp://HOST:PORT``) or, without one, on a ``distributed.LocalCluster`` of one
worker process per core started for the call and stopped after it: the CLI's
``--backend dask`` and ``--scheduler``. The workers read their own blocks from
the path, so the cluster needs the data as a ``.npy`` or Parquet path; rows in
memory are refused for a fit with a message saying so.

Only these functions import :mod:`emio` (the file readers), and only when a
path is given: ``import em_studio`` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: The choices of ``backend``: the command line's ``--backend``.
BACKENDS = ("local", "dask")


def is_path(X: object) -> bool:
    """Whether ``X`` names a data file rather than holding rows."""
    return isinstance(X, (str, os.PathLike))


def check_compute(estimator: Any) -> None:
    """Raise ``ValueError`` when ``backend``, ``scheduler`` and ``engine_options``'
    backend do not go together (``backend`` and ``scheduler`` are checked one by one
    with the other arguments)."""
    name = type(estimator).__name__
    if estimator.scheduler is not None and estimator.backend != "dask":
        raise ValueError(
            f"{name}: scheduler is for backend='dask'; set backend='dask' or scheduler=None"
        )
    if estimator.backend != "local" and "backend" in (estimator.engine_options or {}):
        raise ValueError(
            f"{name}: the backend is given twice, as backend={estimator.backend!r} and in "
            "engine_options; keep one"
        )


def refuse_rows_on_cluster(estimator: Any) -> None:
    """Raise ``ValueError`` when a Dask cluster is asked to fit rows held in memory."""
    if estimator.backend == "dask":
        raise ValueError(
            f"{type(estimator).__name__}: with backend='dask' the cluster's workers read the "
            "rows from the data's file themselves, and these rows are only in this program's "
            "memory; save them once (np.save('data.npy', X), or to Parquet) and pass the "
            "path: fit('data.npy')"
        )


def open_path(estimator: Any, X: object, allow_nan: bool) -> Any:
    """The data file ``X`` as the command line opens it (:class:`emio.sources.Rows`):
    streamed when large or when a Dask cluster computes, else read whole. Rows with
    missing values are kept for a model that fits them, refused otherwise.

    Raises
    ------
    ValueError
        When the file cannot be read, saying what to do.
    """
    from emio.sources import open_rows
    from emio.tables import DataError

    location = os.fspath(X)
    try:
        return open_rows(
            location, cluster=estimator.backend == "dask",
            bad_rows="keep" if allow_nan else "error",
        )
    except DataError as exc:
        raise ValueError(f"{type(estimator).__name__}: {exc}") from None


@contextmanager
def compute_backend(estimator: Any) -> Iterator[Any]:
    """The engine backend the arguments ask for (``None``: the engine's own threads),
    closed after the block when made here: a cluster started for the call is stopped,
    a user's cluster is left running; a backend given in ``engine_options`` is the
    caller's to close."""
    if estimator.backend != "dask":
        yield (estimator.engine_options or {}).get("backend")
        return
    from engine import DaskBackend

    backend = DaskBackend(estimator.scheduler)
    try:
        yield backend
    finally:
        backend.close()
