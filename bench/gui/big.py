"""A file larger than memory in the window (issue 16, point 10): opening it, a streamed fit, Stop.

A ``.npy`` of ``--big-rows`` x 4 float64 (2.4e7 rows: 768 MB by default) is
written in blocks to the temporary folder, unless the disk is short (then the
scenario says so and is skipped). The window shows a sample of it and fits
every row by streaming the file; the longest gap between ticks of a 5 ms timer
in the GUI thread is measured while it opens, while the fit runs, and from
Stop to the end of the fit's thread.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.gui.harness import TickGaps, gaussian_for, idle, wait_until

#: Free space the scenario leaves on the disk beyond its file.
SPARE_BYTES = 1 << 30
BLOCK_ROWS = 1 << 20


def write_big(path: Path, n_rows: int, n_features: int = 4) -> None:
    """Four groups of rows, written a block at a time (memory stays small)."""
    from numpy.lib.format import open_memmap

    rng = np.random.default_rng(16)
    centres = rng.normal(0.0, 6.0, size=(4, n_features))
    out = open_memmap(path, mode="w+", dtype=np.float64, shape=(n_rows, n_features))
    for start in range(0, n_rows, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n_rows)
        group = rng.integers(4, size=stop - start)
        out[start:stop] = centres[group] + rng.normal(size=(stop - start, n_features))
    out.flush()
    del out


def _longest(ticks: TickGaps) -> float:
    return ticks.longest_ms


def scenario_big(app, window, args, tmp: Path) -> None:
    n_rows = args.big_rows
    size = n_rows * 4 * 8
    folder = Path(tempfile.gettempdir())
    free = shutil.disk_usage(folder).free
    print(f"a {size / 1e6:.0f} MB .npy ({n_rows:,} rows x 4) streamed by the window:")
    if free < size + SPARE_BYTES:
        print(f"  skipped: {folder} has {free / 1e9:.1f} GB free, the file needs "
              f"{(size + SPARE_BYTES) / 1e9:.1f} GB with room to spare")
        return
    path = folder / f"em_studio_bench_big_{n_rows}.npy"
    started = time.perf_counter()
    try:
        write_big(path, n_rows)
        print(f"  written in {time.perf_counter() - started:.1f} s")
        _measure(app, window, args, path)
    finally:
        path.unlink(missing_ok=True)


def _measure(app, window, args, path: Path) -> None:
    from emgui.runs.streamed import SampledTable

    loaded: list[str] = []
    window.document.data_changed.connect(loaded.append)
    ticks = TickGaps()
    ticks.start()
    started = time.perf_counter()
    window.open_file(path, ask=False)
    wait_until(lambda: bool(loaded), timeout_s=600)
    idle(300)  # the first paint of the sample belongs to the opening
    ticks.stop()
    window.document.data_changed.disconnect(loaded.append)
    table = window.document.table
    if not isinstance(table, SampledTable):
        print(f"  not sampled: {window.status_label.text()}")
        return
    print(f"  opened in {time.perf_counter() - started:.1f} s, showing {table.n_samples:,} of "
          f"{table.n_total:,} rows; longest GUI gap while opening {_longest(ticks):.0f} ms")

    gaussian_for(window, 4, args.big_iterations)
    idle(300)
    passes: list[tuple[int, int]] = []
    window.controller.pass_progress.connect(lambda number, done: passes.append((number, done)))
    ticks = TickGaps()
    ticks.start()
    started = time.perf_counter()
    window.run()
    wait_until(lambda: not window.document.is_running, timeout_s=3600)
    app.processEvents()
    fit_s = time.perf_counter() - started
    ticks.stop()
    gaps = np.array(ticks.gaps) * 1e3
    ends = np.cumsum(gaps)
    over = [f"{gap:.0f} ms at {end - gap:.0f} ms" for gap, end in zip(gaps, ends) if gap > 50]
    shown = sorted({number for number, _ in passes if number})
    result = window.document.result
    print(f"  fit K=4, {args.big_iterations} iterations in {fit_s:.1f} s "
          f"({'finished' if result is not None else window.document.run_state.value}); "
          f"GUI gaps max {gaps.max():.0f} ms, 99th percentile {np.percentile(gaps, 99):.0f} ms, "
          f"median {np.median(gaps):.1f} ms over {len(gaps)} ticks; pass progress shown for "
          f"{len(shown)} passes")
    if over:
        print(f"  gaps over 50 ms (after Run): {', '.join(over[:8])}")

    window.run()
    wait_until(lambda: bool(passes) and window.document.n_snapshots >= 2, timeout_s=600)
    idle(700)  # in the middle of a pass
    ticks = TickGaps()
    ticks.start()
    started = time.perf_counter()
    window.stop()
    wait_until(lambda: window.controller.threads_running == 0, timeout_s=600)
    ended_s = time.perf_counter() - started
    ticks.stop()
    print(f"  Stop in the middle of a pass: the fit's thread ended {ended_s * 1e3:.0f} ms later; "
          f"longest GUI gap meanwhile {_longest(ticks):.0f} ms")
