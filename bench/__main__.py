"""``python -m bench``: the grid of cells, one Markdown table, and the targets.

Examples::

    python -m bench                      # the whole grid (some minutes)
    python -m bench --quick              # N <= 1e5, a few models (about a minute)
    python -m bench --cells gaussian:full:1e6:10:3 kmeans:-:1e6:2:10
    python -m bench --threads 1          # both sides on one thread
    python -m bench --converge           # passes to convergence, plain vs accelerated EM
    python -m bench.missing              # only the cell of missing values
    python -m bench.select               # select's sweep of mclust's 14 models beside mclust
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
import threadpoolctl
from sklearn.mixture import GaussianMixture

import engine
from bench import data
from bench.cells import ENGINE_REPEATS, Cell, Settings, run_cell
from bench.measure import (
    CONTROLLER, install_engine_blas_limiter, peak_extra_mb, thread_limits,
)
from bench.converge import converge_report
from bench.missing import missing_target
from bench.report import Check, checks, floor_lines, memory_check, table
from engine.parallel import available_cores

GAUSSIAN_N = (10_000, 100_000, 1_000_000)
GAUSSIAN_D = (2, 10, 50)
GAUSSIAN_K = (3, 10)
COVARIANCES = ("full", "diag")
OTHER_N = (100_000, 1_000_000)
KMEANS_D = (2, 10, 50)
COUNT_D = (10, 50)
OTHER_K = (3, 10)
COUNT_MODELS = ("bernoulli", "binomial", "poisson")


def full_grid() -> list[Cell]:
    cells = [
        Cell("gaussian", cov, n, d, k)
        for n in GAUSSIAN_N
        for cov in COVARIANCES
        for d in GAUSSIAN_D
        for k in GAUSSIAN_K
    ]
    cells += [Cell("kmeans", "-", n, d, k) for n in OTHER_N for d in KMEANS_D for k in OTHER_K]
    cells += [
        Cell(model, "-", n, d, k)
        for model in COUNT_MODELS
        for n in OTHER_N
        for d in COUNT_D
        for k in OTHER_K
    ]
    return cells


def quick_grid() -> list[Cell]:
    cells = [
        Cell("gaussian", cov, n, d, 3) for n in (10_000, 100_000) for cov in COVARIANCES
        for d in GAUSSIAN_D
    ]
    cells += [Cell("kmeans", "-", 100_000, 2, 10)]
    cells += [Cell(model, "-", 100_000, 10, 3) for model in COUNT_MODELS]
    return cells


def parse_cell(text: str) -> Cell:
    """``model:cov:N:D:K``, for example ``gaussian:full:1e6:10:3`` or ``poisson:-:1e5:10:3``."""
    try:
        model, cov, n, d, k = text.split(":")
        return Cell(model, cov, int(float(n)), int(d), int(k))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"cell {text!r} must look like gaussian:full:1e6:10:3"
        ) from None


def memory_target(threads: int) -> tuple[str, Check]:
    """Peak extra memory of a fit of 1e6 x 2 with K = 5 (the engine and scikit-learn)."""
    X = data.gaussian_blobs(1_000_000, 2, 5, 7)
    weights, means, covariances = data.gaussian_start(X, 5, "full", 8)
    options = engine.FitOptions(
        n_components=5, init=engine.Params(weights=weights, means=means, covariances=covariances),
        max_iter=3, tol=0.0, n_threads=threads,
    )
    ours = peak_extra_mb(lambda: engine.fit(X, options))
    ours_float32 = peak_extra_mb(lambda: engine.fit(X, options.replace(dtype="float32")))
    seeded = peak_extra_mb(lambda: engine.fit(X, options.replace(init="kmeans++", seed=0)))
    reference = GaussianMixture(
        5, weights_init=weights, means_init=means, precisions_init=np.linalg.inv(covariances),
        max_iter=3, tol=0.0, init_params="random_from_data", random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = peak_extra_mb(lambda: reference.fit(X))
    data_mb = X.nbytes / 2**20
    text = (
        f"Peak extra memory, fit of 1e6 x 2 (data {data_mb:.1f} MB), K=5, full, 3 iterations: "
        f"engine {ours:.1f} MB (float32 {ours_float32:.1f} MB; with its own k-means++ start "
        f"{seeded:.1f} MB), scikit-learn {theirs:.1f} MB."
    )
    return text, memory_check(max(ours, seeded), data_mb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small grid (N <= 1e5)")
    parser.add_argument("--cells", nargs="+", type=parse_cell, help="model:cov:N:D:K ...")
    parser.add_argument(
        "--threads", type=int, default=min(2, available_cores()),
        help="threads for both sides (default: 2, or 1 on a one-core machine)",
    )
    parser.add_argument("--iterations", type=int, default=8, help="EM iterations per fit")
    parser.add_argument("--repeats", type=int, default=2, help="runs per side; the best counts")
    parser.add_argument("--no-float32", action="store_true", help="skip the float32 runs")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    parser.add_argument("--no-missing", action="store_true",
                        help="skip the cell of data with missing values")
    parser.add_argument(
        "--converge", action="store_true",
        help="only the slow problems: passes and seconds to convergence, plain and accelerated",
    )
    args = parser.parse_args(argv)

    install_engine_blas_limiter()
    if args.converge:
        return _converge(args.threads, args.repeats)
    cells = args.cells or (quick_grid() if args.quick else full_grid())
    settings = Settings(
        threads=args.threads,
        iterations=args.iterations,
        repeats=args.repeats,
        float32=not args.no_float32,
        memory=not args.no_memory,
    )
    blas = ", ".join(
        f"{lib['internal_api']} {lib['version']}" for lib in CONTROLLER.info()
        if lib["user_api"] == "blas"
    )
    print(
        f"# EM engine vs references ({time.strftime('%Y-%m-%d %H:%M')})\n\n"
        f"Python {platform.python_version()}, NumPy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}, threadpoolctl {threadpoolctl.__version__}, BLAS: {blas}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}.\n"
        f"{settings.threads} thread(s) for each side (the reference's best of BLAS at 1 and "
        f"{settings.threads} threads), {settings.iterations} iterations per fit, "
        f"best of {settings.repeats} (the reference once at N = 1e6; the engine best of "
        f"{max(settings.repeats, ENGINE_REPEATS)}, float64 and float32 runs taking turns).\n",
        flush=True,
    )
    outcomes = []
    for cell in cells:
        started = time.perf_counter()
        outcome = run_cell(cell, settings)
        outcomes.append(outcome)
        speedup = (
            f", float32 {outcome.ours / outcome.ours_float32:.2f}x faster than float64"
            if outcome.ours_float32 else ""
        )
        print(
            f"  {cell.label}: ours {outcome.ours * 1e3:.3g} ms, ref {outcome.reference * 1e3:.3g}"
            f" ms, ratio {outcome.ratio:.3f}{speedup} ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr, flush=True,
        )
    print(table(outcomes))
    notes = sorted({note for outcome in outcomes for note in outcome.notes})
    if notes:
        print("\nNotes: " + "; ".join(notes) + ".")
    print()
    found = checks(outcomes)
    lines, floor_checks = floor_lines(outcomes)
    if lines:
        print("\n".join(lines) + "\n")
    found += floor_checks
    if settings.memory and not args.cells:
        text, check = memory_target(settings.threads)
        print(text)
        found.append(check)
    if not (args.cells or args.quick or args.no_missing):
        text, check = missing_target(settings.threads, settings.iterations)
        print(text)
        found.append(check)
    return _verdict(found)


def _converge(threads: int, repeats: int) -> int:
    engine_threads = None if threads >= available_cores() else threads
    print(f"# Accelerated EM against plain EM and scikit-learn ({time.strftime('%Y-%m-%d %H:%M')})\n")
    with thread_limits(threads):
        text, found = converge_report(engine_threads, max(repeats, 3))
    print(text + "\n")
    return _verdict(found)


def _verdict(found: list[Check]) -> int:
    for check in found:
        if not check.holds:
            print(f"FAILS: {check.name} ({check.detail})")
    held = sum(check.holds for check in found)
    print(f"\n{held} of {len(found)} checks hold.")
    return 0 if held == len(found) else 1


if __name__ == "__main__":
    sys.exit(main())
