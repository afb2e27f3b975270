"""The sweep of mclust's fourteen models on Old Faithful, beside mclust's own
(``python -m bench.select``).

Times ``select``'s sweep with its defaults (:func:`engine.selection.select_options`):
all fourteen covariance structures, K = 1..9, on Old Faithful (272 x 2), from the
data in memory to the last cell. Where ``Rscript`` with mclust is installed, the
same run times ``mclustBIC(X, G = 1:9)`` (mclust's defaults: its fourteen models
and its hierarchical start), timed inside R so that R's start-up is left out. The
two take turns, so that a slow spell of the machine does not fall on one of them,
and the best of each counts. The target: the sweep in at most
:data:`SECONDS_TARGET` seconds. Each is also timed in CPU seconds of its
process (R's user and system time), which a busy machine (other processes on
the same cores) inflates far less than the seconds on the clock.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from engine.selection import mclust_specs, select_options, sweep

FAITHFUL = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "faithful.csv"
SECONDS_TARGET = 2.0

#: mclustBIC on the file given, timed in R; prints the seconds.
_R_SCRIPT = """
suppressPackageStartupMessages(library(mclust))
X <- as.matrix(read.csv(commandArgs(trailingOnly = TRUE)[1]))
invisible(mclustBIC(X, G = 1:9, verbose = FALSE))  # loads and compiles what it needs
took <- system.time(mclustBIC(X, G = 1:9, verbose = FALSE))
cat(took[["elapsed"]], took[["user.self"]] + took[["sys.self"]], "\\n")
"""


def sweep_seconds(X: np.ndarray) -> tuple[float, float, int]:
    """Seconds of one sweep with select's defaults on the clock and of CPU, and how
    many cells it fitted."""
    started, cpu = time.perf_counter(), time.process_time()
    cells = list(sweep(X, mclust_specs(), range(1, 10), select_options()))
    fitted = sum(cell.result is not None for cell in cells)
    return time.perf_counter() - started, time.process_time() - cpu, fitted


def mclust_available() -> bool:
    """Whether ``Rscript`` runs and has mclust."""
    if shutil.which("Rscript") is None:
        return False
    found = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('mclust', quietly = TRUE))"],
        capture_output=True,
    )
    return found.returncode == 0


def mclust_seconds(path: Path) -> tuple[float, float]:
    """Seconds of one ``mclustBIC(X, G = 1:9)`` on the CSV at ``path``, timed in R:
    on the clock and of CPU."""
    done = subprocess.run(
        ["Rscript", "-e", _R_SCRIPT, str(path)], capture_output=True, text=True, check=True
    )
    elapsed, cpu = done.stdout.split()[-2:]
    return float(elapsed), float(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.select", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--repeats", type=int, default=5, help="turns of each (default 5)")
    parser.add_argument("--data", type=Path, default=FAITHFUL,
                        help="a CSV with a header line (default: Old Faithful)")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"error: {args.data} is not a file; give --data PATH", file=sys.stderr)
        return 2
    X = np.loadtxt(args.data, delimiter=",", skiprows=1, ndmin=2)
    with_r = mclust_available()
    ours: list[float] = []
    ours_cpu: list[float] = []
    theirs: list[float] = []
    theirs_cpu: list[float] = []
    for _ in range(args.repeats):
        seconds, cpu, fitted = sweep_seconds(X)
        ours.append(seconds)
        ours_cpu.append(cpu)
        if with_r:
            seconds, cpu = mclust_seconds(args.data)
            theirs.append(seconds)
            theirs_cpu.append(cpu)
    best = min(ours)
    print(f"select's sweep, 14 models x K = 1..9 on {args.data.name} {X.shape[0]} x {X.shape[1]} "
          f"({fitted} cells fitted): best of {args.repeats} {best:.2f} s "
          f"(all: {', '.join(f'{s:.2f}' for s in ours)})")
    if with_r:
        print(f"mclustBIC(X, G = 1:9), the same data, taking turns: best of {args.repeats} "
              f"{min(theirs):.2f} s (all: {', '.join(f'{s:.2f}' for s in theirs)}); "
              f"ratio ours / mclust {best / min(theirs):.2f}")
        print(f"CPU seconds, best of {args.repeats}: ours {min(ours_cpu):.2f}, mclust "
              f"{min(theirs_cpu):.2f}; ratio {min(ours_cpu) / min(theirs_cpu):.2f}")
    else:
        print("mclust not timed: Rscript with the mclust package is not installed")
        print(f"CPU seconds of the sweep, best of {args.repeats}: {min(ours_cpu):.2f}")
    holds = best <= SECONDS_TARGET
    print(f"{'holds' if holds else 'FAILS'}: the sweep in at most {SECONDS_TARGET:g} s "
          f"({best:.2f} s)")
    return 0 if holds else 1


if __name__ == "__main__":
    sys.exit(main())
