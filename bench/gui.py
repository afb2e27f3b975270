"""How the window behaves with a million points and under abuse: load time, GUI stalls, refresh cost.

Run ``python -m bench.gui`` (offscreen by default). It measures

- the time to open a 1e6 x 10 CSV through the window's loader, against a plain
  ``pandas.read_csv`` of the same file;
- the longest gap between ticks of a 5 ms timer in the GUI thread while a fit
  of 1e6 x 2 points with K = 5 runs (the window must never block for 50 ms);
- the cost of one plot refresh (drawing a snapshot) at 1e6 points;
- the longest GUI-thread gap while a person does things that used to stall the
  window (issue 13, point 9): Apply Model (a PARAMS.json declaring 1e8 columns,
  and a fit applied to a million rows), Compare hard and soft E-step (defaults,
  and tolerance 0), opening damaged sessions and a large one, closing windows
  in the middle of fits, and a seeded run of random actions.

``--scenarios`` chooses among ``load fit refresh apply compare sessions close random``.
Timings are printed, never asserted: they depend on the machine. Every modal
question is answered by the benchmark (errors are collected, not shown).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCENARIOS = ("load", "fit", "refresh", "apply", "compare", "sessions", "close", "random")
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


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


def _wait_until(done: Callable[[], bool], timeout_s: float = 120.0) -> bool:
    """Let the event loop run until ``done()`` (looked at every 5 ms); False on timeout."""
    ends = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > ends:
            return False
        _idle(5)
    return True


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
        # A block that ran to the end of the measurement has not been ticked out yet.
        self.gaps.append(time.perf_counter() - self._last)

    @property
    def longest_ms(self) -> float:
        return 1e3 * max(self.gaps, default=0.0)

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now


@contextmanager
def _gaps() -> Iterator[_TickGaps]:
    ticks = _TickGaps()
    ticks.start()
    try:
        yield ticks
    finally:
        ticks.stop()


class _Answers:
    """Answers every modal question and collects every error instead of showing it."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.open_path = ""

    def install(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from emgui import dialogs

        dialogs.show_error = lambda parent, message, details="": self.errors.append(message)
        dialogs.ask_yes_no = lambda parent, question: False
        QFileDialog.getOpenFileName = lambda *args, **kwargs: (self.open_path, "")
        try:
            from emgui.features.sessions import questions
        except ImportError:
            return
        questions.ask_data_action = lambda *args, **kwargs: questions.DATA_CANCEL


def _action(window, text: str):
    """The window's action whose text (without '&') is ``text``."""
    from PySide6.QtGui import QAction

    for action in window.findChildren(QAction):
        if action.text().replace("&", "") == text:
            return action
    raise LookupError(f"no action {text!r}")


def _report(name: str, ms: float, note: str = "") -> None:
    print(f"  {name:<58} longest GUI gap {ms:7.0f} ms{('  ' + note) if note else ''}")


# --- the scenarios --------------------------------------------------------------------------


def _scenario_load(app, window, args, tmp: Path) -> None:
    import pandas as pd

    csv = tmp / "big.csv"
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


def _scenario_fit(app, window, args, tmp: Path) -> None:
    from emio.tables import Table

    X = _blobs(args.rows)
    window.document.set_data(Table(data=X, columns=["x", "y"]), "blobs")
    panel = window.settings_panel
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("gaussian"))
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


def _scenario_refresh(app, window, args, tmp: Path) -> None:
    if window.document.n_snapshots == 0:
        _scenario_fit(app, window, args, tmp)
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


def _scenario_apply(app, window, args, tmp: Path, answers: _Answers) -> None:
    import engine
    from emio import exports

    print("Apply Model to Data:")
    huge = tmp / "huge_columns.json"
    huge.write_text(json.dumps({
        "format": "em-studio-params", "version": 1, "model": "gaussian", "covariance": "full",
        "regularisation": "prior", "n_components": 1, "n_features": 100_000_000,
        "weights": [1.0], "means": [[0.0]], "covariances": [[[1.0]]],
    }), encoding="utf-8")
    action = _action(window, "Apply Model to Data…")
    answers.open_path = str(huge)
    errors = len(answers.errors)
    with _gaps() as ticks:
        action.trigger()
        _wait_until(_settled(window))
    _report("a 1 KB PARAMS.json declaring 1e8 columns (refused)", ticks.longest_ms,
            f"({answers.errors[-1][:60]}…)" if len(answers.errors) > errors else "")

    X = _blobs(args.rows, seed=5)
    csv = tmp / "apply_rows.csv"
    np.savetxt(csv, X, delimiter=",", header="x,y", comments="", fmt="%.6f")
    result = engine.fit(X[:20_000], engine.FitOptions(n_components=5, seed=1))
    params = tmp / "apply_params.json"
    exports.write_params(params, result, ["x", "y"])
    paths = iter([str(params), str(csv)])
    from PySide6.QtWidgets import QFileDialog

    QFileDialog.getOpenFileName = lambda *a, **k: (next(paths), "")
    errors = len(answers.errors)
    with _gaps() as ticks:
        action.trigger()
        _wait_until(_settled(window))
    _report(f"a fit applied to {args.rows:,} rows", ticks.longest_ms,
            "refused" if len(answers.errors) > errors else "applied")
    answers.install()


def _scenario_compare(app, window, args, tmp: Path, answers: _Answers) -> None:
    from emio.tables import Table

    print("Run > Compare hard and soft E-step:")
    action = _action(window, "Compare hard and soft E-step")
    lesson = next(o for o in window.findChildren(object) if type(o).__name__ == "Lesson")
    for n_rows, tol in ((20_000, "1e-6"), (20_000, "0")):
        X = _blobs(n_rows, seed=2)
        window.document.set_data(Table(data=X, columns=["x", "y"]), f"blobs {n_rows}")
        panel = window.settings_panel
        panel.model_combo.setCurrentIndex(panel.model_combo.findData("gaussian"))
        panel.k_spin.setValue(5)
        panel.tol_combo.setCurrentText(tol)
        panel.max_iter_spin.setValue(500)
        _idle(200)
        lesson.hard_soft.clear()
        with _gaps() as ticks:
            action.trigger()
            _wait_until(_settled(window))
        _report(f"{n_rows:,} rows, K = 5, tolerance {tol}, max 500 iterations", ticks.longest_ms)


def _valid_session(tmp: Path, n_rows: int, name: str) -> Path:
    import engine
    from emio import session as sessions
    from emio.tables import read_table
    from engine.restarts import replay

    csv = tmp / f"{name}.csv"
    np.savetxt(csv, _blobs(n_rows, seed=3), delimiter=",", header="x,y", comments="",
               fmt="%.6f")
    table = read_table(csv)
    options = engine.FitOptions(n_components=3, seed=2, max_iter=40)
    result, snapshots = replay(table.data, options, table.columns)
    path = tmp / f"{name}.emsession"
    sessions.save_session(path, sessions.Session(
        data=sessions.data_source(table, csv.name), options=options, result=result,
        snapshots=tuple(snapshots), shown_index=len(snapshots) - 1,
    ))
    return path


def _damaged_sessions(valid: Path, tmp: Path) -> dict[str, Path]:
    text = valid.read_text(encoding="utf-8")
    kinds: dict[str, str] = {
        "JSON nested 100 000 deep": '{"format": "em-studio-session", "data": '
        + "[" * 100_000 + "]" * 100_000 + "}",
        "a 5000-digit max_iter": text.replace('"max_iter": 40', '"max_iter": ' + "9" * 5000),
        "cut off halfway": text[: len(text) // 2],
    }
    wrong = json.loads(text)
    wrong["settings"]["options"]["n_components"] = [1, 2]
    kinds["wrong types in the options"] = json.dumps(wrong)
    huge = json.loads(text)
    huge["data"]["n_samples"] = 10**15
    kinds["a count of 1e15 rows"] = json.dumps(huge)
    device = json.loads(text)
    device["data"]["path"] = "/dev/zero"
    kinds["data path /dev/zero"] = json.dumps(device)
    snapshots = json.loads(text)
    snapshots["trace"] = snapshots["trace"] * 2000
    kinds["its trace repeated 2000 times"] = json.dumps(snapshots)
    paths = {}
    for number, (label, content) in enumerate(kinds.items()):
        path = tmp / f"damaged_{number}.emsession"
        path.write_text(content, encoding="utf-8")
        paths[label] = path
    return paths


def _settled(window) -> Callable[[], bool]:
    """Whether the window has no background work left (a fit aside): nothing to wait for."""
    from emgui.runs.registry import application_registry

    threads = application_registry()
    controller = window.controller
    # A task (Apply Model, a session, Compare) may chain another: the task bar says when
    # the last has ended.
    return lambda: (threads.count(owner=window) <= threads.count(owner=controller)
                    and not window.task_bar.tasks)


def _scenario_sessions(app, window, args, tmp: Path, answers: _Answers) -> None:
    print("File > Open Session:")
    action = _action(window, "Open Session…")
    valid = _valid_session(tmp, 2_000, "small")
    cases = [*_damaged_sessions(valid, tmp).items(),
             (f"a valid session of {args.rows:,} rows", _valid_session(tmp, args.rows, "large"))]
    for label, path in cases:
        window.reset()
        answers.open_path = str(path)
        errors, name = len(answers.errors), window.document.name
        with _gaps() as ticks:
            action.trigger()
            _wait_until(_settled(window), timeout_s=300)
        outcome = "refused" if len(answers.errors) > errors else (
            "opened" if window.document.name != name or window.document.n_snapshots else
            "nothing happened")
        _report(label if label.startswith("a valid") else f"damaged: {label}",
                ticks.longest_ms, outcome)


def _scenario_close(app, window, args, tmp: Path, answers: _Answers) -> None:
    from emgui.app import build_window, user_settings
    from emgui.runs.registry import application_registry
    from emio.tables import Table

    threads = application_registry()
    X = _blobs(100_000, seed=4)
    table = Table(data=X, columns=["x", "y"])
    with _gaps() as ticks:
        for _ in range(args.cycles):
            other = build_window(user_settings())
            other.show()
            other.document.set_data(table, "blobs")
            other.settings_panel.tol_combo.setCurrentText("0")
            other.settings_panel.max_iter_spin.setValue(100_000)
            other.run()
            _wait_until(lambda: other.document.n_snapshots >= 2, timeout_s=30)
            other.close()
            _wait_until(lambda: not threads.busy(owner=other), timeout_s=30)
            other.deleteLater()
    _report(f"{args.cycles} windows closed in the middle of a fit", ticks.longest_ms,
            f"({threads.count()} thread(s) left)")


def _scenario_random(app, window, args, tmp: Path, answers: _Answers) -> None:
    from PySide6.QtWidgets import QApplication

    from emio import samples

    rng = np.random.default_rng(args.seed)
    sample_ids = [sample.id for sample in samples.load_catalogue() if sample.id != "large"]
    panel = window.settings_panel

    def trigger(text: str) -> Callable[[], None]:
        return lambda: _action(window, text).trigger()

    actions: dict[str, Callable[[], None]] = {
        "open a sample": lambda: window.open_sample(str(rng.choice(sample_ids))),
        "run": trigger("Run"),
        "pause or resume": lambda: window.run_actions.pause.trigger(),
        "step": trigger("Step"),
        "stop": trigger("Stop"),
        "reset": trigger("Reset"),
        "E-step": trigger("E-step"),
        "M-step": trigger("M-step"),
        "compare": trigger("Compare hard and soft E-step"),
        "set K": lambda: panel.k_spin.setValue(int(rng.integers(1, 7))),
        "set the model": lambda: panel.model_combo.setCurrentIndex(
            int(rng.integers(0, panel.model_combo.count()))),
        "set the E-step": lambda: panel.e_step_combo.setCurrentIndex(int(rng.integers(0, 2))),
        "scrub": lambda: window.iteration_slider.setValue(
            int(rng.integers(0, window.iteration_slider.maximum() + 1))),
    }
    names = list(actions)
    done: dict[str, int] = {}
    with _gaps() as ticks:
        for _ in range(args.actions):
            name = names[int(rng.integers(0, len(names)))]
            try:
                actions[name]()
            except LookupError:
                pass
            done[name] = done.get(name, 0) + 1
            _idle(int(rng.integers(0, 40)))
        window.stop()
        _wait_until(lambda: not window.document.is_running, timeout_s=30)
    for widget in QApplication.topLevelWidgets():
        if widget is not window and widget.isVisible() and widget.isWindow():
            widget.close()
    _report(f"{args.actions} random actions (seed {args.seed})", ticks.longest_ms,
            f"({len(answers.errors)} messages shown)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3, help="loads per side; the best counts")
    parser.add_argument("--cycles", type=int, default=30, help="windows closed mid-fit")
    parser.add_argument("--actions", type=int, default=300, help="random actions")
    parser.add_argument("--seed", type=int, default=0, help="of the random actions")
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
    answers = _Answers()
    answers.install()
    window = build_window(user_settings())
    window.show_with_default_size()
    gc_guard.settle()  # as emgui.app does

    plain = {"load": _scenario_load, "fit": _scenario_fit, "refresh": _scenario_refresh}
    asked = {"apply": _scenario_apply, "compare": _scenario_compare,
             "sessions": _scenario_sessions, "close": _scenario_close,
             "random": _scenario_random}
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
