"""How the window behaves with a million points and under abuse: load time, GUI stalls, refresh cost.

Run ``python -m bench.gui`` (offscreen by default). It measures

- the time to open a 1e6 x 10 CSV through the window's loader, against a plain
  ``pandas.read_csv`` of the same file;
- the longest gap between ticks of a 5 ms timer in the GUI thread while a fit
  of 1e6 x 2 points with K = 5 runs (the window must never block for 50 ms);
- the cost of one plot refresh (drawing a snapshot) at 1e6 points;
- a 768 MB ``.npy`` (2.4e7 rows, ``--big-rows``) opened as a sample and fitted by
  streaming it: the longest GUI gap while it opens, while the fit runs and after
  Stop (issue 16, point 10; skipped when the disk is short);
- the longest GUI-thread gap while a person does things that used to stall the
  window (issue 13, point 9): Apply Model (a PARAMS.json declaring 1e8 columns,
  and a fit applied to a million rows), Compare hard and soft E-step (defaults,
  and tolerance 0), opening damaged sessions and a large one, closing windows
  in the middle of fits, and a seeded run of random actions.

``--scenarios`` chooses among ``load fit refresh big apply compare sessions close random``.
Timings are printed, never asserted: they depend on the machine. Every modal
question is answered by the benchmark (errors are collected, not shown).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.gui import abuse, big, speed  # noqa: E402 - after the platform is chosen
from bench.gui.harness import Answers  # noqa: E402

SCENARIOS = ("load", "fit", "refresh", "big", "apply", "compare", "sessions", "close", "random")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3, help="loads per side; the best counts")
    parser.add_argument("--cycles", type=int, default=30, help="windows closed mid-fit")
    parser.add_argument("--actions", type=int, default=300, help="random actions")
    parser.add_argument("--seed", type=int, default=0, help="of the random actions")
    parser.add_argument("--big-rows", type=int, default=24_000_000,
                        help="rows (x 4) of the .npy the big scenario streams")
    parser.add_argument("--big-iterations", type=int, default=3,
                        help="iterations of the big scenario's fit")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    args = parser.parse_args(argv)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    settings_dir = tempfile.mkdtemp()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    from emgui import gc_guard
    from emgui.app import build_window, prepare_application, user_settings

    prepare_application()  # as emgui.app does: the GC guard, the thread registry
    answers = Answers()
    answers.install()
    window = build_window(user_settings())
    window.show_with_default_size()
    gc_guard.settle()  # as emgui.app does

    plain = {"load": speed.scenario_load, "fit": speed.scenario_fit,
             "refresh": speed.scenario_refresh, "big": big.scenario_big}
    asked = {"apply": abuse.scenario_apply, "compare": abuse.scenario_compare,
             "sessions": abuse.scenario_sessions, "close": abuse.scenario_close,
             "random": abuse.scenario_random}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.scenarios:
            if name in plain:
                plain[name](app, window, args, Path(tmp))
            else:
                asked[name](app, window, args, Path(tmp), answers)
    window.stop()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
