"""How the window behaves with a million points: load time, GUI stalls, refresh cost.

Run ``python -m bench.gui`` (offscreen by default). It measures

- the time to open a 1e6 x 10 CSV through the window's loader, against a plain
  ``pandas.read_csv`` of the same file;
- the longest gap between ticks of a 5 ms timer in the GUI thread while a fit
  of 1e6 x 2 points with K = 5 runs (the window must never block for 50 ms);
- the cost of one plot refresh (drawing a snapshot) at 1e6 points.

Timings are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _make_csv(path: Path, n_samples: int, n_features: int) -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 8, size=(5, n_features))
    rows = centres[rng.integers(0, 5, n_samples)] + rng.normal(size=(n_samples, n_features))
    header = ",".join(f"x{j + 1}" for j in range(n_features))
    np.savetxt(path, rows, delimiter=",", header=header, comments="", fmt="%.6f")


def _blobs(n_samples: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [8, 0], [0, 8], [8, 8], [4, 4]], dtype=float)
    return centres[rng.integers(0, 5, n_samples)] + rng.normal(size=(n_samples, 2))


def _wait_for(app, signal) -> None:
    """Run the event loop until ``signal`` fires, as the application would: the GUI
    thread sleeps between events (a busy ``processEvents`` loop would take a core
    from the reader's and the engine's threads and distort every figure)."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    signal.connect(loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def _idle(milliseconds: int) -> None:
    """Let the event loop run a while, as when a person looks at the window."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


class _TickGaps:
    """Largest gap between ticks of a fast timer in the GUI thread."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3, help="loads per side; the best counts")
    args = parser.parse_args(argv)

    import pandas as pd
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    settings_dir = tempfile.mkdtemp()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    from emgui import gc_guard
    from emgui.app import build_window, prepare_application, user_settings
    from emio.tables import Table

    prepare_application()  # as emgui.app does: the GC guard, the thread registry
    window = build_window(user_settings())
    window.show_with_default_size()
    gc_guard.settle()  # as emgui.app does

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "big.csv"
        _make_csv(csv, args.rows, 10)
        pandas_times, window_times, load_gaps = [], [], []
        for _ in range(args.repeats):
            started = time.perf_counter()
            pd.read_csv(csv)
            pandas_times.append(time.perf_counter() - started)
            ticks = _TickGaps()
            ticks.start()
            started = time.perf_counter()
            window.open_file(csv, ask=False)
            _wait_for(app, window.document.data_changed)
            window_times.append(time.perf_counter() - started)
            ticks.stop()
            load_gaps.append(max(ticks.gaps, default=0.0))
        pandas_s, load_s, load_gap = min(pandas_times), min(window_times), max(load_gaps)
    print(f"load 1e6 x 10 CSV (best of {args.repeats}): window {load_s:.2f} s, pandas.read_csv "
          f"{pandas_s:.2f} s, ratio {load_s / pandas_s:.2f} (medians {np.median(window_times):.2f} "
          f"and {np.median(pandas_times):.2f} s); longest GUI gap while loading {load_gap * 1e3:.0f} ms")

    X = _blobs(args.rows)
    window.document.set_data(Table(data=X, columns=["x", "y"]), "blobs")
    panel = window.settings_panel
    panel.k_spin.setValue(5)
    panel.tol_combo.setCurrentText("0")
    panel.max_iter_spin.setValue(args.iterations)
    # The data are drawn before anyone presses Run: that first paint belongs to the load.
    _idle(300)
    ticks = _TickGaps()
    ticks.start()
    started = time.perf_counter()
    window.run()
    if window.document.is_running:
        _wait_for(app, window.document.run_state_changed)  # to finished (or failed)
    app.processEvents()  # the last redraw
    fit_s = time.perf_counter() - started
    ticks.stop()
    gaps = np.array(ticks.gaps) * 1e3
    worst_at = float(np.sum(gaps[: int(np.argmax(gaps))]))
    print(f"fit 1e6 x 2, K=5, {args.iterations} iterations in {fit_s:.2f} s: GUI gaps "
          f"max {gaps.max():.0f} ms ({worst_at:.0f} ms after Run), 99th percentile "
          f"{np.percentile(gaps, 99):.0f} ms, median {np.median(gaps):.1f} ms over {len(gaps)} ticks")

    costs = []
    for index in range(window.document.n_snapshots):
        started = time.perf_counter()
        window.show_snapshot(index)
        app.processEvents()
        costs.append(time.perf_counter() - started)
    costs_ms = np.array(costs) * 1e3
    print(f"plot refresh at 1e6 points: median {np.median(costs_ms):.1f} ms, "
          f"max {costs_ms.max():.1f} ms over {len(costs_ms)} snapshots "
          f"({'thinned' if window.views.is_thinned else 'not thinned'})")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
