"""The window under abuse (issue 13, point 9): what used to stall the GUI thread."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.gui.harness import Answers, blobs, find_action, gaps, idle, report, settled, wait_until


#: The pause after each random action, in ms (from, to): as fast as the machine goes, so
#: that actions pile up, and as fast as a quick hand clicks.
MACHINE_PACE_MS = (0, 40)
HAND_PACE_MS = (150, 400)
#: Issue 13's point 9 measured Apply Model and a valid session at this many rows.
ISSUE_13_ROWS = 200_000


def row_counts(args) -> list[int]:
    """The sizes the Apply Model and session cases run at: issue 13's, and ``--rows``."""
    return sorted({ISSUE_13_ROWS, args.rows})


def scenario_apply(app, window, args, tmp: Path, answers: Answers) -> None:
    import engine
    from emio import exports

    print("Apply Model to Data:")
    huge = tmp / "huge_columns.json"
    huge.write_text(json.dumps({
        "format": "em-studio-params", "version": 1, "model": "gaussian", "covariance": "full",
        "regularisation": "prior", "n_components": 1, "n_features": 100_000_000,
        "weights": [1.0], "means": [[0.0]], "covariances": [[[1.0]]],
    }), encoding="utf-8")
    action = find_action(window, "Apply Model to Data…")
    answers.open_path = str(huge)
    errors = len(answers.errors)
    with gaps() as ticks:
        action.trigger()
        wait_until(settled(window))
    report("a 1 KB PARAMS.json declaring 1e8 columns (refused)", ticks.longest_ms,
            f"({answers.errors[-1][:60]}…)" if len(answers.errors) > errors else "")

    from PySide6.QtWidgets import QFileDialog

    for n_rows in row_counts(args):
        X = blobs(n_rows, seed=5)
        csv = tmp / f"apply_rows_{n_rows}.csv"
        np.savetxt(csv, X, delimiter=",", header="x,y", comments="", fmt="%.6f")
        result = engine.fit(X[:20_000], engine.FitOptions(n_components=5, seed=1))
        params = tmp / "apply_params.json"
        exports.write_params(params, result, ["x", "y"])
        paths = iter([str(params), str(csv)])
        QFileDialog.getOpenFileName = lambda *a, paths=paths, **k: (next(paths), "")
        errors = len(answers.errors)
        with gaps() as ticks:
            action.trigger()
            wait_until(settled(window))
        report(f"a fit applied to {n_rows:,} rows", ticks.longest_ms,
               "refused" if len(answers.errors) > errors else "applied")
    answers.install()


def scenario_compare(app, window, args, tmp: Path, answers: Answers) -> None:
    from emio.tables import Table

    print("Run > Compare hard and soft E-step:")
    action = find_action(window, "Compare hard and soft E-step")
    lesson = next(o for o in window.findChildren(object) if type(o).__name__ == "Lesson")
    for n_rows, tol in ((20_000, "1e-6"), (20_000, "0")):
        X = blobs(n_rows, seed=2)
        window.document.set_data(Table(data=X, columns=["x", "y"]), f"blobs {n_rows}")
        panel = window.settings_panel
        panel.model_combo.setCurrentIndex(panel.model_combo.findData("gaussian"))
        panel.k_spin.setValue(5)
        panel.tol_combo.setCurrentText(tol)
        panel.max_iter_spin.setValue(500)
        idle(200)
        lesson.hard_soft.clear()
        with gaps() as ticks:
            action.trigger()
            wait_until(settled(window))
        report(f"{n_rows:,} rows, K = 5, tolerance {tol}, max 500 iterations", ticks.longest_ms)


def valid_session(tmp: Path, n_rows: int, name: str) -> Path:
    import engine
    from emio import session as sessions
    from emio.tables import read_table
    from engine.restarts import replay

    csv = tmp / f"{name}.csv"
    np.savetxt(csv, blobs(n_rows, seed=3), delimiter=",", header="x,y", comments="",
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


def damaged_sessions(valid: Path, tmp: Path) -> dict[str, Path]:
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


def scenario_sessions(app, window, args, tmp: Path, answers: Answers) -> None:
    print("File > Open Session:")
    action = find_action(window, "Open Session…")
    valid = valid_session(tmp, 2_000, "small")
    cases = [*damaged_sessions(valid, tmp).items(), *(
        (f"a valid session of {n:,} rows", valid_session(tmp, n, f"large_{n}"))
        for n in row_counts(args))]
    for label, path in cases:
        window.reset()
        answers.open_path = str(path)
        errors, asked, name = len(answers.errors), answers.questions, window.document.name
        with gaps() as ticks:
            action.trigger()
            wait_until(settled(window), timeout_s=300)
        outcome = "refused" if len(answers.errors) > errors else (
            "opened" if window.document.name != name or window.document.n_snapshots else
            "asked where its data are, Cancel" if answers.questions > asked else
            "nothing happened")
        report(label if label.startswith("a valid") else f"damaged: {label}",
                ticks.longest_ms, outcome)


def scenario_close(app, window, args, tmp: Path, answers: Answers) -> None:
    from emgui.app import build_window, user_settings
    from emgui.runs.registry import application_registry
    from emio.tables import Table

    threads = application_registry()
    X = blobs(100_000, seed=4)
    table = Table(data=X, columns=["x", "y"])
    worst: dict[str, float] = {}  # the longest gap that followed each step
    builds: list[float] = []  # the GUI thread's CPU seconds to build each window
    with gaps() as ticks:

        def charge(step: str, since: int) -> int:
            """Charge the gaps ticked since gap number ``since`` to ``step``; the count now."""
            worst[step] = max(worst.get(step, 0.0), 1e3 * max(ticks.gaps[since:], default=0.0))
            return len(ticks.gaps)

        for _ in range(args.cycles):
            # One step a turn of the event loop, as a person's clicks come: nobody closes
            # one window and opens the next in the same turn.
            mark = len(ticks.gaps)
            started = time.thread_time()
            other = build_window(user_settings())
            builds.append(time.thread_time() - started)
            idle(20)
            mark = charge("build", mark)
            other.show()
            idle(20)
            mark = charge("show", mark)
            other.document.set_data(table, "blobs")
            idle(20)
            mark = charge("set data", mark)
            other.settings_panel.tol_combo.setCurrentText("0")
            other.settings_panel.max_iter_spin.setValue(100_000)
            idle(20)
            mark = charge("settings", mark)
            other.run()
            wait_until(lambda: other.document.n_snapshots >= 2, timeout_s=30)
            mark = charge("run", mark)
            other.close()
            wait_until(lambda: not threads.busy(owner=other), timeout_s=30)
            other.deleteLater()
            idle(20)
            charge("close", mark)
    slowest = sorted(worst, key=worst.get, reverse=True)[:3]
    report(f"{args.cycles} windows closed in the middle of a fit", ticks.longest_ms,
           f"({threads.count()} thread(s) left; longest after: "
           + ", ".join(f"{step} {worst[step]:.0f} ms" for step in slowest)
           + f"; a window's build: best {1e3 * min(builds, default=0.0):.0f} ms"
           " of GUI-thread CPU)")


def random_actions(window, rng: np.random.Generator) -> dict[str, Callable[[], None]]:
    """What the random actions choose from, by name: each does what a click or a key does
    (an action that is not there raises ``LookupError``); ``rng`` picks their values. The
    model is picked among all, greyed ones too, as a script could."""
    from emio import samples

    sample_ids = [sample.id for sample in samples.load_catalogue() if sample.id != "large"]
    panel = window.settings_panel

    def trigger(text: str) -> Callable[[], None]:
        return lambda: find_action(window, text).trigger()

    return {
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


def scenario_random(app, window, args, tmp: Path, answers: Answers) -> None:
    from PySide6.QtWidgets import QApplication

    rng = np.random.default_rng(args.seed)
    actions = random_actions(window, rng)
    names = list(actions)
    # At machine speed the next action often comes before the window has drawn the last
    # one, and both are drawn in one turn; at a hand's pace each is drawn on its own.
    for pace, count, pauses in (("", args.actions, MACHINE_PACE_MS),
                                (" at a hand's pace", args.actions // 2, HAND_PACE_MS)):
        messages = len(answers.errors)
        worst: dict[str, float] = {}  # the longest gap that began with each kind of action
        with gaps() as ticks:
            for _ in range(count):
                name = names[int(rng.integers(0, len(names)))]
                before = len(ticks.gaps)
                try:
                    actions[name]()
                except LookupError:
                    pass
                idle(int(rng.integers(*pauses)))
                worst[name] = max(worst.get(name, 0.0),
                                  1e3 * max(ticks.gaps[before:], default=0.0))
            window.stop()
            wait_until(lambda: not window.document.is_running, timeout_s=30)
        for widget in QApplication.topLevelWidgets():
            if widget is not window and widget.isVisible() and widget.isWindow():
                widget.close()
        slowest = sorted(worst, key=worst.get, reverse=True)[:3]
        report(f"{count} random actions{pace} (seed {args.seed})", ticks.longest_ms,
               f"({len(answers.errors) - messages} messages shown; longest after: "
               + ", ".join(f"{name} {worst[name]:.0f} ms" for name in slowest) + ")")
