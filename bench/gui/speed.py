"""The window with a million points: opening a CSV, the GUI thread during a fit, a redraw."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from bench.gui.harness import TickGaps, gaussian_for, blobs, idle, make_csv, wait_for, wait_until


def scenario_load(app, window, args, tmp: Path) -> None:
    import pandas as pd

    csv = tmp / "big.csv"
    make_csv(csv, args.rows, 10)
    pandas_times, window_times, load_gaps = [], [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        pd.read_csv(csv)
        pandas_times.append(time.perf_counter() - started)
        ticks = TickGaps()
        ticks.start()
        started = time.perf_counter()
        loaded: list[str] = []
        window.document.data_changed.connect(loaded.append)
        window.open_file(csv, ask=False)  # a small file is read at once, before any wait
        wait_until(lambda: bool(loaded))
        window.document.data_changed.disconnect(loaded.append)
        window_times.append(time.perf_counter() - started)
        ticks.stop()
        load_gaps.append(max(ticks.gaps, default=0.0))
    pandas_s, load_s, load_gap = min(pandas_times), min(window_times), max(load_gaps)
    print(f"load {args.rows:.0e} x 10 CSV (best of {args.repeats}): window {load_s:.2f} s, pandas.read_csv "
          f"{pandas_s:.2f} s, ratio {load_s / pandas_s:.2f} (medians {np.median(window_times):.2f} "
          f"and {np.median(pandas_times):.2f} s); longest GUI gap while loading {load_gap * 1e3:.0f} ms")


def scenario_fit(app, window, args, tmp: Path) -> None:
    from emio.tables import Table

    X = blobs(args.rows)
    window.document.set_data(Table(data=X, columns=["x", "y"]), "blobs")
    gaussian_for(window, 5, args.iterations)
    # The data are drawn before anyone presses Run: that first paint belongs to the load.
    idle(300)
    ticks = TickGaps()
    ticks.start()
    started = time.perf_counter()
    window.run()
    if window.document.is_running:
        wait_for(app, window.document.run_state_changed)  # to finished (or failed)
    app.processEvents()  # the last redraw
    fit_s = time.perf_counter() - started
    ticks.stop()
    gaps = np.array(ticks.gaps) * 1e3
    worst_at = float(np.sum(gaps[: int(np.argmax(gaps))]))
    print(f"fit {args.rows:.0e} x 2, K=5, {args.iterations} iterations in {fit_s:.2f} s: GUI gaps "
          f"max {gaps.max():.0f} ms ({worst_at:.0f} ms after Run), 99th percentile "
          f"{np.percentile(gaps, 99):.0f} ms, median {np.median(gaps):.1f} ms over {len(gaps)} ticks")


def scenario_refresh(app, window, args, tmp: Path) -> None:
    if window.document.n_snapshots == 0:
        scenario_fit(app, window, args, tmp)
    costs = []
    for index in range(window.document.n_snapshots):
        started = time.perf_counter()
        window.show_snapshot(index)
        app.processEvents()
        costs.append(time.perf_counter() - started)
    costs_ms = np.array(costs) * 1e3
    print(f"plot refresh at {args.rows:.0e} points: median {np.median(costs_ms):.1f} ms, "
          f"max {costs_ms.max():.1f} ms over {len(costs_ms)} snapshots "
          f"({'thinned' if window.views.is_thinned else 'not thinned'})")
