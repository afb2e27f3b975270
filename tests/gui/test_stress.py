"""The window under abuse (issue 13): random actions at a machine's pace and at a hand's,
windows closed in the middle of fits, damaged sessions. Nothing escapes as an exception,
no thread is left behind, and every problem reaches the user as a message.

``python -m bench.gui`` plays the same abuse and reports the longest GUI-thread gaps;
these tests time nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from bench.gui.abuse import (
    HAND_PACE_MS,
    MACHINE_PACE_MS,
    damaged_sessions,
    random_actions,
    valid_session,
)
from bench.gui.harness import find_action, settled
from emgui import dialogs
from emgui.features.sessions import questions


@pytest.fixture
def unasked(monkeypatch) -> list[tuple]:
    """Every question is answered no, as the benchmark's answers are; the questions asked."""
    asked: list[tuple] = []

    def ask_data_action(*args: object, **kwargs: object) -> str:
        asked.append(args)
        return questions.DATA_CANCEL

    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, question: asked.append(question))
    monkeypatch.setattr(questions, "ask_data_action", ask_data_action)
    return asked


@pytest.mark.parametrize("seed", [11, 12])
def test_random_actions_raise_nothing_and_leave_no_thread(qtbot, window, errors, unasked,
                                                          threads, seed):
    rng = np.random.default_rng(seed)
    actions = random_actions(window, rng)
    names = list(actions)
    with qtbot.capture_exceptions() as raised:
        # Back to back (the next action before the last is drawn), then at a hand's pace
        # (timers come between: a worked example's start, live frames, results).
        for count, pauses in ((120, MACHINE_PACE_MS), (30, HAND_PACE_MS)):
            for _ in range(count):
                try:
                    actions[names[int(rng.integers(0, len(names)))]]()
                except LookupError:  # the window has no such action now
                    pass
                qtbot.wait(int(rng.integers(*pauses)))
        window.stop()
        qtbot.waitUntil(lambda: not window.document.is_running, timeout=30_000)
        qtbot.waitUntil(lambda: not threads.busy(owner=window), timeout=30_000)
    assert raised == []
    for message, _details in errors:  # each one a sentence for the user
        assert message.strip() and "Traceback" not in message


def test_windows_closed_in_the_middle_of_fits_leave_nothing_running(qtbot, new_window,
                                                                    threads, errors):
    rng = np.random.default_rng(5)
    with qtbot.capture_exceptions() as raised:
        for _ in range(6):
            window = new_window()
            window.open_sample(str(rng.choice(["blobs", "elongated", "heights"])))
            window.settings_panel.tol_combo.setCurrentText("0")
            window.settings_panel.max_iter_spin.setValue(100_000)
            window.run()
            qtbot.waitUntil(lambda: window.document.n_snapshots >= 2, timeout=30_000)
            assert window.document.is_running
            window.close()
            qtbot.waitUntil(lambda: not threads.busy(owner=window), timeout=10_000)
    assert raised == []
    assert errors == []


def test_every_damaged_session_is_a_message_and_changes_nothing(qtbot, window, errors,
                                                                unasked, tmp_path, monkeypatch):
    valid = valid_session(tmp_path, 500, "valid")
    window.open_sample("blobs")
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()
    action = find_action(window, "Open Session…")
    refused = set()
    with qtbot.capture_exceptions() as raised:
        for label, path in damaged_sessions(valid, tmp_path).items():
            monkeypatch.setattr(QFileDialog, "getOpenFileName",
                                lambda *args, path=path, **kwargs: (str(path), ""))
            result, said = window.document.result, len(errors) + len(unasked)
            action.trigger()
            qtbot.waitUntil(settled(window), timeout=60_000)
            if window.document.result is result:
                # Refused with one message, or one question declined; the fit stays.
                assert len(errors) + len(unasked) == said + 1, label
                refused.add(label)
            else:  # damage that does not matter (a row count the data's file corrects)
                assert len(errors) + len(unasked) == said, label
                assert window.document.result is not None, label
    assert raised == []
    assert {"JSON nested 100 000 deep", "a 5000-digit max_iter", "cut off halfway",
            "wrong types in the options", "data path /dev/zero"} <= refused
