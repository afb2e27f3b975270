"""The cost of missing values: an iteration on data with gaps against one on the same data
complete (``python -m bench.missing``; also part of ``python -m bench``).

1e6 x 10, K = 5, full covariance, 10% of the values removed completely at random
(so about 65% of the rows have a gap, in about a thousand patterns). Both fits
start from the same explicit parameters and run the same number of iterations;
the two kinds of run take turns, so that a slow spell of the machine does not
fall on one of them, and the best of each counts. The target: an iteration with
gaps costs at most :data:`RATIO_TARGET` times a complete one.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import engine
from bench import data
from bench.measure import best, engine_run, install_engine_blas_limiter
from bench.report import Check
from engine.parallel import available_cores

N_SAMPLES, N_FEATURES, N_COMPONENTS = 1_000_000, 10, 5
MISSING_SHARE = 0.1
RATIO_TARGET = 3.0
SEED = 20240611


def missing_target(threads: int, iterations: int = 8, repeats: int = 3) -> tuple[str, Check]:
    """Time both kinds of fit; a line for the report and the check of the target."""
    X = data.gaussian_blobs(N_SAMPLES, N_FEATURES, N_COMPONENTS, SEED)
    weights, means, covariances = data.gaussian_start(X, N_COMPONENTS, "full", SEED + 1)
    gapped = X.copy()
    gapped[np.random.default_rng(SEED + 2).uniform(size=X.shape) < MISSING_SHARE] = np.nan
    options = engine.FitOptions(
        n_components=N_COMPONENTS,
        init=engine.Params(weights=weights, means=means, covariances=covariances),
        max_iter=iterations,
        tol=0.0,
        reg_covar=0.0,
        n_threads=None if threads >= available_cores() else threads,
    )
    complete_runs, gapped_runs = [], []
    for _ in range(repeats):
        complete_runs.append(engine_run(X, options)[0])
        gapped_runs.append(engine_run(gapped, options)[0])
    complete, with_gaps = best(complete_runs), best(gapped_runs)
    ratio = with_gaps.per_iteration / complete.per_iteration
    rows = float(np.isnan(gapped).any(axis=1).mean())
    text = (
        f"Missing values, 1e6 x 10, K=5, full, {MISSING_SHARE:.0%} of values missing at random "
        f"({rows:.0%} of rows with a gap): {complete.per_iteration * 1e3:.0f} ms/iter complete, "
        f"{with_gaps.per_iteration * 1e3:.0f} ms/iter with gaps, ratio {ratio:.2f} "
        f"(best of {repeats}, taking turns)."
    )
    check = Check(
        f"an iteration with 10% missing (1e6 x 10, K=5, full) <= {RATIO_TARGET:g} x complete",
        ratio <= RATIO_TARGET,
        f"{ratio:.2f}",
    )
    return text, check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.missing", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--threads", type=int, default=min(2, available_cores()))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    install_engine_blas_limiter()
    text, check = missing_target(args.threads, repeats=args.repeats)
    print(text)
    print(f"{'holds' if check.holds else 'FAILS'}: {check.name} ({check.detail})")
    return 0 if check.holds else 1


if __name__ == "__main__":
    sys.exit(main())
