"""Fits beyond memory: in memory, streamed from a ``.npy``, and on a local Dask cluster.

``python -m bench.scale`` generates ``.npy`` files of 1e6, 1e7 and 4e7 rows x 10
columns (five Gaussian clusters, seeded; the largest is skipped when the disk is
short) and fits K = 5 full-covariance Gaussians to each from the same explicit
start, three ways: the rows loaded into memory (the local backend keeps its
prepared chunks), the file streamed by the local backend (read from the page
cache, which is warmed first), and a ``distributed.LocalCluster`` of two
single-threaded worker processes (which keep their prepared blocks). Each way
runs in a fresh process, so that its peak is its own: the peak anonymous memory
(``RssAnon`` of ``/proc/<pid>/status``, sampled every 5 ms in a thread, the
worker processes added in) is what the fit holds beyond the page cache. ms/iter
is the median gap between the snapshots of iterations 2 onwards, the fastest of
``--repeats`` runs of each way taken in turns (peaks: the largest of them).

It also prints what a pass ships per worker (the pickled task of a block and its
statistics back), the figures of the README's projection. ``--sizes 1e6`` for a
quick run; ``--keep-files`` leaves the generated files in ``--folder``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

import engine
from engine.data import NpySource

N_FEATURES = 10
N_COMPONENTS = 5
SIZES = (1_000_000, 10_000_000, 40_000_000)
#: Iterations timed per size (the first pass, the start's and the final one's excluded).
ITERATIONS = {1_000_000: 12, 10_000_000: 6, 40_000_000: 4}
MODES = ("memory", "streamed", "dask")
#: Rows generated and written at a time.
_WRITE_ROWS = 1_000_000


def _centres() -> np.ndarray:
    return 6.0 * np.random.default_rng(7).normal(size=(N_COMPONENTS, N_FEATURES))


def generate(path: Path, n_samples: int) -> None:
    """Five seeded Gaussian clusters in 10 columns, written a million rows at a time."""
    centres = _centres()
    out = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float64, shape=(n_samples, N_FEATURES)
    )
    for start in range(0, n_samples, _WRITE_ROWS):
        stop = min(n_samples, start + _WRITE_ROWS)
        rng = np.random.default_rng([11, start])
        labels = rng.integers(N_COMPONENTS, size=stop - start)
        out[start:stop] = centres[labels] + rng.normal(size=(stop - start, N_FEATURES))
    out.flush()
    del out


def options(n_iter: int) -> engine.FitOptions:
    """Full covariance from an explicit start: the true centres moved, unit covariances."""
    centres = _centres() + 0.5
    start = engine.Params(
        np.full(N_COMPONENTS, 1.0 / N_COMPONENTS), means=centres,
        covariances=np.stack([np.eye(N_FEATURES)] * N_COMPONENTS),
    )
    return engine.FitOptions(
        n_components=N_COMPONENTS, covariance_type="full", init=start, max_iter=n_iter,
        tol=0.0, seed=1,
    )


def _rss_anon(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    try:
        import psutil
    except ImportError:
        return []
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


class PeakSampler:
    """The largest ``RssAnon`` of this process and its descendants together, sampled in a thread."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        children: list[int] = []
        last_listed = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now - last_listed > 0.5:
                children, last_listed = _descendants(me), now
            self.peak = max(self.peak, sum(_rss_anon(pid) for pid in [me, *children]))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _timed(
    X: object, fit_options: engine.FitOptions, backend: object = None
) -> tuple[float, list[float]]:
    stamps = []
    steps = engine.iterate(X, fit_options, backend=backend)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            history = list(stop.value.history)
            break
        stamps.append(time.perf_counter())
    return float(np.median(np.diff(stamps)[1:])), history


def run_one(path: Path, mode: str, n_iter: int) -> dict[str, object]:
    """One fit in this process: ms/iter, peak anonymous memory, the history."""
    from bench.measure import install_engine_blas_limiter

    install_engine_blas_limiter()
    fit_options = options(n_iter)
    backend = None
    if mode == "dask":
        from engine.backends.dask import DaskBackend

        backend = DaskBackend(n_workers=2)
    try:
        baseline = PeakSampler()
        with baseline:
            time.sleep(0.05)
        with PeakSampler() as sampler:
            X = np.load(path) if mode == "memory" else NpySource(path)
            per_iteration, history = _timed(X, fit_options, backend)
            del X
    finally:
        if backend is not None:
            backend.close()
    return {
        "ms_per_iter": per_iteration * 1000, "peak_mb": sampler.peak / 2**20,
        "baseline_mb": baseline.peak / 2**20, "history": history,
    }


def shipped_bytes() -> dict[str, int]:
    """Pickled sizes of what one block's task carries out and brings back, for the
    projection: the plan of the parameters, the model, and the block's statistics."""
    from engine.backends import chunk_ranges
    from engine.backends.dask import block_layout
    from engine.backends.dask_tasks import pass_kept
    from engine.data import ArraySource
    from engine.fit_setup import chunk_size_for, setup_fit

    X = np.random.default_rng(0).normal(size=(4096, N_FEATURES))
    setup = setup_fit(X, options(1))
    model = setup.model
    data_plan = model.data_plan(ArraySource(X))
    params = model.prepare(options(1).init)
    plan = model.pass_plan(params, data_plan, np.dtype(np.float64))
    chunk = model.prepare_chunk(X, data_plan, np.dtype(np.float64))
    result = pass_kept([chunk], [(0, 4096)], model, plan, False, False, False)
    # The chunk ranges a task of a full block names (2**20 rows in chunks of this fit's size).
    chunk_size = chunk_size_for(model, options(1), 10**9, N_FEATURES, "float64")
    block = block_layout(chunk_ranges(10**9, chunk_size))[0]
    return {
        "plan": len(pickle.dumps(plan)), "model": len(pickle.dumps(model)),
        "ranges": len(pickle.dumps(block)), "statistics": len(pickle.dumps(result)),
        "chunk_size": chunk_size, "block_rows": block[-1][1],
    }


def _child(path: Path, mode: str, n_iter: int) -> dict[str, object]:
    command = [sys.executable, "-m", "bench.scale", "--one", str(path), mode, str(n_iter)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} on {path.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _warm(path: Path) -> None:
    """Read the file once, so that it sits in the page cache."""
    with open(path, "rb") as file:
        while file.read(64 * 2**20):
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sizes", type=lambda t: [int(float(s)) for s in t.split(",")],
                        default=list(SIZES), help="rows, comma-separated (default 1e6,1e7,4e7)")
    parser.add_argument("--folder", type=Path,
                        help="where the .npy files go (default: a temporary folder)")
    parser.add_argument("--keep-files", action="store_true")
    parser.add_argument("--repeats", type=int, default=2,
                        help="runs of each way, taken in turns; the fastest is shown (default 2)")
    parser.add_argument("--one", nargs=3, metavar=("PATH", "MODE", "N_ITER"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        path, mode, n_iter = args.one
        print(json.dumps(run_one(Path(path), mode, int(n_iter))))
        return 0
    folder = args.folder or Path(tempfile.mkdtemp(prefix="em-scale-", dir="/var/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}; K = {N_COMPONENTS}, full covariance, "
          f"{N_FEATURES} columns, float64")
    rows = []
    try:
        for n_samples in args.sizes:
            path = folder / f"scale-{n_samples}.npy"
            size = n_samples * N_FEATURES * 8
            free = shutil.disk_usage(folder).free
            if not path.exists() and free < 2 * size:
                print(f"skipped {n_samples:.0e} rows: {size / 2**30:.1f} GB needed, "
                      f"{free / 2**30:.1f} GB free")
                continue
            if not path.exists():
                generate(path, n_samples)
            _warm(path)
            n_iter = ITERATIONS.get(n_samples, 5)
            runs = [
                (mode, _child(path, mode, n_iter)) for _ in range(args.repeats) for mode in MODES
            ]
            # The fastest run of each way, and the largest peak any run of it reached.
            measured = {}
            for mode in MODES:
                mine = [run for way, run in runs if way == mode]
                measured[mode] = min(mine, key=lambda run: run["ms_per_iter"])
                measured[mode]["peak_mb"] = max(run["peak_mb"] for run in mine)
            local = np.array(measured["memory"]["history"])
            for mode in ("streamed", "dask"):
                other = np.array(measured[mode]["history"])
                measured[mode]["rel_dlogl"] = float(np.max(np.abs(other - local) / np.abs(local)))
            rows.append((n_samples, size, measured))
            print(_row(n_samples, size, measured), flush=True)
    finally:
        if not args.keep_files:
            for path in folder.glob("scale-*.npy"):
                path.unlink()
            if args.folder is None:
                shutil.rmtree(folder, ignore_errors=True)
    print()
    print(_table(rows))
    shipped = shipped_bytes()
    print(f"\nshipped per block and pass (pickled): plan {shipped['plan']:,} B, model "
          f"{shipped['model']:,} B, chunk ranges {shipped['ranges']:,} B out (a block of "
          f"{shipped['block_rows']:,} rows in chunks of {shipped['chunk_size']:,}); statistics "
          f"{shipped['statistics']:,} B back")
    return 0


_HEADER = (
    "| rows | file | in memory ms/iter | streamed ms/iter | Dask (2 workers) ms/iter | "
    "streamed / in memory | Dask / in memory | peak anon in memory | peak anon streamed | "
    "peak anon Dask (all processes) | max rel. dlogL streamed / Dask |"
)


def _row(n_samples: int, size: int, measured: dict[str, dict]) -> str:
    memory, streamed, dask = (measured[m] for m in MODES)
    return (
        f"| {n_samples:.0e} | {size / 2**20:,.0f} MB | {memory['ms_per_iter']:.0f} | "
        f"{streamed['ms_per_iter']:.0f} | {dask['ms_per_iter']:.0f} | "
        f"{streamed['ms_per_iter'] / memory['ms_per_iter']:.2f} | "
        f"{dask['ms_per_iter'] / memory['ms_per_iter']:.2f} | {memory['peak_mb']:,.0f} MB | "
        f"{streamed['peak_mb']:,.0f} MB | {dask['peak_mb']:,.0f} MB | "
        f"{streamed['rel_dlogl']:.0e} / {dask['rel_dlogl']:.0e} |"
    )


def _table(rows: list[tuple[int, int, dict]]) -> str:
    lines = [_HEADER, "|" + "---|" * _HEADER.count(" | ") + "---|"]
    lines += [_row(*row) for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
