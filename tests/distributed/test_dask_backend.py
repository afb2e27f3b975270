"""The Dask backend on a real cluster (a scheduler and two worker processes on
loopback): the local backend's numbers for every model, the same start from the
same seed, a fit that survives a killed worker, a stop that leaves the cluster
clean, and errors that name what went wrong."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.backends.dask import DaskBackend
from engine.backends.dask_tasks import WorkerReadError
from engine.data import NpySource
from engine.references import DataChanged

MODELS = [
    ("gaussian", "full"), ("gaussian", "tied"), ("gaussian", "diag"), ("gaussian", "spherical"),
    ("kmeans", "full"), ("bernoulli", "full"), ("binomial", "full"), ("poisson", "full"),
]
#: Rows per block: small, so that a pass has several blocks on each worker.
BLOCK_ROWS = 3000


@pytest.fixture
def saved_rows(tmp_path: Path, mixture_rows: object) -> object:
    """``saved_rows(model, n_samples)``: rows of the model's kind, and the .npy holding them."""

    def save(model: str, n_samples: int = 20_000) -> tuple[np.ndarray, Path]:
        X = mixture_rows(model, n_samples, seed=8)
        path = tmp_path / "rows.npy"
        np.save(path, X)
        return X, path

    return save


def options_for(model: str, covariance_type: str, **changes: object) -> engine.FitOptions:
    base = engine.FitOptions(
        model=model, covariance_type=covariance_type, n_components=3,
        trials=4 if model == "binomial" else None, max_iter=15, tol=0.0, seed=4,
        chunk_size=1000,
    )
    return base.replace(**changes)


def explicit(X: np.ndarray, options: engine.FitOptions) -> engine.FitOptions:
    """``options`` started from explicit parameters (the local start of its seed)."""
    start = engine.fit(X, options.replace(max_iter=0)).params
    return options.replace(init=start)


@pytest.fixture(scope="module")
def backend(cluster: object) -> DaskBackend:
    with DaskBackend(cluster.scheduler_address, block_rows=BLOCK_ROWS) as dask_backend:
        yield dask_backend


def assert_close_fits(dask: engine.FitResult, local: engine.FitResult) -> None:
    np.testing.assert_allclose(dask.history, local.history, rtol=1e-10, atol=0)
    for name, value in local.params.arrays().items():
        np.testing.assert_allclose(getattr(dask.params, name), value, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("model", "covariance_type"), MODELS)
def test_the_cluster_gives_the_local_numbers_for_every_model(
    saved_rows: object, backend: DaskBackend, model: str, covariance_type: str
) -> None:
    X, path = saved_rows(model)
    options = explicit(X, options_for(model, covariance_type))
    local = engine.fit(NpySource(path), options)
    on_cluster = engine.fit(NpySource(path), options, backend=backend)
    assert len(on_cluster.history) == 16
    assert_close_fits(on_cluster, local)


def test_blocks_read_in_every_pass_give_the_numbers_of_kept_ones(
    saved_rows: object, cluster: object, backend: DaskBackend
) -> None:
    X, path = saved_rows("gaussian")
    options = explicit(X, options_for("gaussian", "full"))
    with DaskBackend(cluster.scheduler_address, keep=False, block_rows=BLOCK_ROWS) as streaming:
        streamed = engine.fit(NpySource(path), options, backend=streaming)
    kept = engine.fit(NpySource(path), options, backend=backend)
    # The same blocks added up in the same order: the same bits.
    assert streamed.history == kept.history


def test_workers_read_a_folder_of_parquet_files_themselves(
    tmp_path: Path, mixture_rows: object, backend: DaskBackend
) -> None:
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    from emio.sources import ParquetSource

    X = mixture_rows("poisson", 12_000, seed=2)
    for part in range(3):
        rows = X[part * 4000 : (part + 1) * 4000]
        table = pa.table({name: rows[:, j] for j, name in enumerate("abc")})
        parquet.write_table(table, tmp_path / f"part-{part}.parquet", row_group_size=1500)
    # The workers unpickle the source's reference, which opens the files with pyarrow
    # through emio; the engine itself never imports it.
    options = explicit(X, options_for("poisson", "full"))
    local = engine.fit(X, options)
    on_cluster = engine.fit(ParquetSource(str(tmp_path)), options, backend=backend)
    assert_close_fits(on_cluster, local)


def test_the_same_seed_gives_the_same_start_on_either_backend(
    saved_rows: object, backend: DaskBackend
) -> None:
    X, path = saved_rows("gaussian", 30_000)
    options = options_for("gaussian", "full", max_iter=0, n_init=2)
    local = engine.fit(NpySource(path), options)
    on_cluster = engine.fit(NpySource(path), options, backend=backend)
    assert on_cluster.restart == local.restart
    assert_close_fits(on_cluster, local)


def test_a_fit_goes_on_with_the_same_history_when_a_worker_dies(
    saved_rows: object, backend: DaskBackend, client: object, helpers: type
) -> None:
    X, path = saved_rows("gaussian", 40_000)
    options = explicit(X, options_for("gaussian", "full", max_iter=12))
    undisturbed = engine.fit(NpySource(path), options, backend=backend)
    steps = engine.iterate(NpySource(path), options, backend=backend)
    for _ in range(4):
        next(steps)
    # Each worker holds some of the fit's blocks now; one process dies with its share.
    victim, pid = sorted(client.run(os.getpid).items())[0]
    assert any(str(key).startswith("em-block-") for key in client.has_what()[victim])
    os.kill(pid, signal.SIGKILL)
    helpers.wait_until(lambda: victim not in client.scheduler_info()["workers"], timeout=10)
    result = engine.loop.drain(steps)
    # Every lost block was read again from the file: the same blocks, the same sums.
    assert result.history == undisturbed.history
    assert_close_fits(result, engine.fit(NpySource(path), options))
    helpers.wait_until(lambda: len(client.scheduler_info()["workers"]) == 2, timeout=30)


def test_stopping_a_fit_leaves_nothing_on_the_cluster(
    saved_rows: object, backend: DaskBackend, client: object, helpers: type
) -> None:
    X, path = saved_rows("gaussian", 40_000)
    options = options_for("gaussian", "full", max_iter=1000)
    steps = engine.iterate(NpySource(path), options, backend=backend)
    for _ in range(3):
        next(steps)
    assert helpers.em_tasks(client)  # the kept blocks
    steps.close()
    assert helpers.wait_until(lambda: not helpers.em_tasks(client), timeout=1.0) < 1.0
    # The cluster takes the next fit as if nothing had happened.
    result = engine.fit(NpySource(path), options.replace(max_iter=5), backend=backend)
    assert result.n_iter == 5


def test_a_worker_that_cannot_read_the_file_is_named(
    saved_rows: object, backend: DaskBackend
) -> None:
    _, saved = saved_rows("gaussian", 5000)
    path = saved.rename(saved.with_name("only-here.npy"))
    source = NpySource(path)  # this process keeps the file open (mapped) ...
    path.unlink()  # ... where no worker will find it
    with pytest.raises(
        WorkerReadError,
        match=r"the Dask worker tcp://127\.0\.0\.1:\d+ cannot read .*only-here\.npy",
    ):
        engine.fit(source, options_for("gaussian", "full"), backend=backend)


def test_a_file_that_changes_during_a_fit_on_the_cluster_stops_it(
    saved_rows: object, backend: DaskBackend
) -> None:
    _, path = saved_rows("gaussian", 5000)
    steps = engine.iterate(NpySource(path), options_for("gaussian", "full"), backend=backend)
    next(steps)
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))
    with pytest.raises(DataChanged, match="was modified while the fit was reading it"):
        engine.loop.drain(steps)


def test_rows_only_in_memory_are_refused(backend: DaskBackend) -> None:
    X = np.random.default_rng(0).normal(size=(500, 3))
    with pytest.raises(ValueError, match="save them to a .npy or Parquet file"):
        engine.fit(X, options_for("gaussian", "full"), backend=backend)


def test_a_pass_reports_how_many_of_its_tasks_are_done(
    saved_rows: object, backend: DaskBackend
) -> None:
    from engine.models import build_model

    _, path = saved_rows("gaussian", 20_000)
    options = options_for("gaussian", "full", max_iter=2)
    model = build_model("gaussian", options.model_options)
    passes = backend.bind(NpySource(path), model, np.float64, 1000)
    seen: list[tuple[int, int, int]] = []
    gather = passes.client.gather

    def gather_and_look(futures: list) -> list:
        seen.append(passes.progress())  # as the window's timer would, while tasks are out
        results = gather(futures)
        seen.append(passes.progress())
        return results

    passes.client.gather = gather_and_look
    try:
        assert passes.progress() == (0, 0, 0)  # no pass yet
        params = engine.fit(NpySource(path), options.replace(max_iter=0)).params
        for number in (1, 2):
            passes.run(params, hard=False, details=False)
            n_blocks = len(passes.blocks)
            assert n_blocks > 1
            before, after = seen[-2:]
            assert before[0] == after[0] == number
            assert before[2] == after[2] == n_blocks and 0 <= before[1] <= n_blocks
            assert after[1] == n_blocks  # gathered: every task done
            assert passes.progress() == (number, 0, 0)  # between passes
    finally:
        passes.client.gather = gather
        passes.close()


def test_a_script_without_the_main_guard_is_told_to_add_it(tmp_path):
    """A local cluster's worker processes import the script that started them again; one
    without ``if __name__ == "__main__":`` left Dask's 'Nanny failed to start' and a
    multiprocessing traceback per worker."""
    import subprocess
    import sys

    script = tmp_path / "fit_on_dask.py"
    script.write_text(
        "from engine.backends.dask import DaskBackend, SchedulerUnreachable\n"
        "try:\n"
        "    DaskBackend(n_workers=1)\n"
        "except SchedulerUnreachable as exc:\n"
        "    print('refused:', exc)\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert "refused: the local Dask cluster's worker processes did not start" in done.stdout
    assert "if __name__ == \"__main__\":" in done.stdout
