"""Where a command computes: this computer (``--backend local``, the default) or a Dask
cluster (``--backend dask``, at ``--scheduler tcp://HOST:PORT`` or, without it, a
cluster of one worker process per core started for the command and stopped after it)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from emio.cli.common import UsageError

BACKENDS = ("local", "dask")


def add_compute_flags(parser: argparse.ArgumentParser) -> None:
    """``--backend`` and ``--scheduler``."""
    parser.add_argument(
        "--backend", choices=BACKENDS, default="local",
        help="local: this computer, streaming files too large for memory (default); dask: "
        "the workers of a Dask cluster, which read DATA (.npy or Parquet) themselves",
    )
    parser.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT",
        help="the Dask scheduler to use with --backend dask; without it a cluster of one "
        "worker process per core is started for this command",
    )


def on_cluster(args: argparse.Namespace) -> bool:
    """Whether the command computes on a Dask cluster (whose workers read DATA)."""
    if args.scheduler is not None and args.backend != "dask":
        raise UsageError(
            "--scheduler is for --backend dask; add --backend dask or drop --scheduler"
        )
    return args.backend == "dask"


@contextmanager
def compute_backend(args: argparse.Namespace) -> Iterator[Any]:
    """The engine backend the flags ask for (``None``: the engine's default), closed
    after the block: a cluster started here is stopped, a user's cluster is left running."""
    if not on_cluster(args):
        yield None
        return
    from engine import DaskBackend

    backend = DaskBackend(args.scheduler)
    print(f"computing on {backend.describe()}", file=sys.stderr)
    try:
        yield backend
    finally:
        backend.close()
