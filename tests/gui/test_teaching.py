"""The lesson, driven as a student would: half-steps, the table, the bound, hard vs soft, dragging."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

import engine
from emgui.features.teaching import half_steps as session_module
from emgui.features import installed
from emgui.features.teaching.lesson import Lesson
from emgui.features.teaching.resp_table import ResponsibilityModel
from emgui.shell.document import RunState
from emgui.shell.main_window import MainWindow
from emgui.views import declared
from emgui.views.geometry import ellipse_points, project
from engine.halfsteps import half_steps
from emio.samples import load_catalogue

HEADS = np.array([3.0, 2.0, 1.0, 3.0, 2.0])
USER = Qt.ItemDataRole.UserRole


@pytest.fixture
def lesson(window) -> Lesson:
    return installed(window.host, Lesson)


def sample_options(sample_id: str, **changes) -> engine.FitOptions:
    sample = next(s for s in load_catalogue() if s.id == sample_id)
    return sample.fit_options(**changes)


def column(lesson: Lesson, header: str) -> int:
    headers = lesson.resp_panel.model.header_texts()
    assert header in headers, headers
    return headers.index(header)


def cell(lesson: Lesson, row: int, header: str, role=USER):
    model = lesson.resp_panel.model
    return model.index(row, column(lesson, header)).data(role)


def column_values(lesson: Lesson, header: str, n_rows: int) -> np.ndarray:
    return np.array([cell(lesson, row, header) for row in range(n_rows)])


def hand_two_coins(p1: float, p2: float):
    like = np.stack([p1**HEADS * (1 - p1) ** (5 - HEADS), p2**HEADS * (1 - p2) ** (5 - HEADS)], 1)
    resp = like / like.sum(axis=1, keepdims=True)
    heads = resp * HEADS[:, None]
    tails = resp * (5 - HEADS)[:, None]
    return like, resp, heads, tails


def press_e_step(qtbot, lesson: Lesson) -> None:
    """Press E-step as a student does: a window's first half-step is taken a turn after
    the lesson's docks are shown."""
    lesson.e_step_action.trigger()
    qtbot.waitUntil(lambda: not lesson.step_pending)


def params_column(window: MainWindow, header: str) -> np.ndarray:
    model = window.params_table.params_model
    col = model.headers().index(header)
    return np.array([model.index(r, col).data(Qt.ItemDataRole.EditRole)
                     for r in range(model.rowCount())])


def test_two_coins_by_half_steps_reads_like_the_textbook(qtbot, window, lesson):
    window.open_sample("two_coins")
    qtbot.waitUntil(lambda: "Press E-step (F7)" in window.status_label.text())
    assert lesson.e_step_action.isEnabled() and not lesson.m_step_action.isEnabled()

    press_e_step(qtbot, lesson)
    like, resp, heads, tails = hand_two_coins(0.2, 0.7)
    assert lesson.resp_dock.isVisible()
    assert lesson.resp_panel.title_label.text().startswith("After E1")
    # Round 1, three heads and two tails: 0.2^3 0.8^2 = 0.00512 against 0.7^3 0.3^2 = 0.03087.
    assert cell(lesson, 0, "likelihood\ncomp. 1", Qt.ItemDataRole.DisplayRole) == "0.00512"
    assert cell(lesson, 0, "likelihood\ncomp. 2", Qt.ItemDataRole.DisplayRole) == "0.0309"
    assert cell(lesson, 0, "responsibility\ncomp. 1", Qt.ItemDataRole.DisplayRole) == "0.14"
    assert cell(lesson, 0, "responsibility\ncomp. 2", Qt.ItemDataRole.DisplayRole) == "0.86"
    np.testing.assert_allclose(
        column_values(lesson, "likelihood\ncomp. 1", 5), like[:, 0], rtol=1e-12)
    for k in (0, 1):
        np.testing.assert_allclose(
            column_values(lesson, f"responsibility\ncomp. {k + 1}", 5), resp[:, k], rtol=1e-12)
        np.testing.assert_allclose(
            column_values(lesson, f"successes\ncomp. {k + 1}", 5), heads[:, k], rtol=1e-12)
        np.testing.assert_allclose(
            column_values(lesson, f"failures\ncomp. {k + 1}", 5), tails[:, k], rtol=1e-12)
        # The totals line: what the M-step will divide.
        for name, values in (("successes", heads), ("failures", tails)):
            total = cell(lesson, 5, f"{name}\ncomp. {k + 1}")
            assert total == pytest.approx(values[:, k].sum(), rel=1e-12)
    # After the E-step: new colours, old parameters.
    np.testing.assert_array_equal(window.views.labels, np.argmax(resp, axis=1))
    np.testing.assert_allclose(params_column(window, "p(heads)"), [0.2, 0.7])
    assert not lesson.e_step_action.isEnabled() and lesson.m_step_action.isEnabled()

    lesson.m_step_action.trigger()
    new_p = heads.sum(axis=0) / (heads.sum(axis=0) + tails.sum(axis=0))
    assert lesson.resp_panel.title_label.text().startswith("After M1")
    footer = lesson.resp_panel.footer_label.text()
    for k in (0, 1):
        sub = "₁₂"[k]
        tosses = heads[:, k].sum() + tails[:, k].sum()
        assert (f"new p{sub} = Σ successes / (Σ successes + Σ failures) = "
                f"{heads[:, k].sum():.2f} / {tosses:.2f} = {new_p[k]:.4f}") in footer
    np.testing.assert_allclose(params_column(window, "p(heads)"), new_p, rtol=1e-12)
    assert round(new_p[0], 2) == 0.35
    # The M-step used these responsibilities: the table still shows them.
    assert cell(lesson, 0, "responsibility\ncomp. 1") == pytest.approx(resp[0, 0], rel=1e-12)

    # The slider moves by half-steps; scrubbing back shows that half-step's table.
    window.run_actions.step.trigger()  # Step in a session: the next E-step and M-step
    assert [s.phase for s in lesson.session.states] == ["start", "E", "M", "E", "M"]
    assert window.iteration_slider.maximum() == 4 and window.iteration_slider.value() == 4
    _, resp2, _, _ = hand_two_coins(*new_p)
    assert cell(lesson, 0, "responsibility\ncomp. 1") == pytest.approx(resp2[0, 0], rel=1e-12)
    window.iteration_slider.setValue(1)
    assert lesson.resp_panel.title_label.text().startswith("After E1")
    assert cell(lesson, 0, "responsibility\ncomp. 1") == pytest.approx(resp[0, 0], rel=1e-12)
    np.testing.assert_allclose(params_column(window, "p(heads)"), [0.2, 0.7])
    assert window.iteration_label.text().startswith("E1")
    window.iteration_slider.setValue(0)
    assert cell(lesson, 0, "responsibility\ncomp. 1") is None  # no responsibilities at the start
    assert window.views.labels is None


def test_bound_plot_holds_the_engine_values(qtbot, window, lesson):
    window.open_sample("two_coins")
    press_e_step(qtbot, lesson)
    lesson.m_step_action.trigger()
    for _ in range(3):
        window.run_actions.step.trigger()  # in a session: the next E-step and M-step
    expected = list(half_steps(HEADS[:, None], sample_options("two_coins", max_iter=4)))
    ll, bound = lesson.bound_plot.values()
    np.testing.assert_allclose(ll, [s.log_likelihood for s in expected], rtol=1e-12)
    assert np.isnan(bound[0])
    np.testing.assert_allclose(bound[1:], [s.lower_bound for s in expected[1:]], rtol=1e-12)
    assert np.all(bound[1:] <= ll[1:] + 1e-12)
    np.testing.assert_allclose(bound[1::2], ll[1::2], rtol=1e-12)  # equal after every E-step
    assert np.all(ll[2::2] - bound[2::2] > 1e-6)  # and apart after every M-step
    assert lesson.bound_plot.axis.names == ["start", "E1", "M1", "E2", "M2", "E3", "M3", "E4", "M4"]
    assert "M4" in lesson.bound_plot.info_label.text()
    # The main trace has one value per iteration: the start and each M-step.
    np.testing.assert_allclose(window.likelihood_plot.history, ll[0::2], rtol=1e-12)


def test_hard_and_soft_traces_side_by_side(qtbot, window, lesson):
    window.open_sample("two_coins")
    with qtbot.waitSignal(lesson.compared, timeout=30_000):
        lesson.compare_action.trigger()
    assert lesson.compare_dock.isVisible()
    X = HEADS[:, None]
    seed = window.settings_panel.seed_spin.value()
    options = sample_options("two_coins", max_iter=500, seed=seed)
    soft = engine.fit(X, options.replace(e_step="soft"))
    hard = engine.fit(X, options.replace(e_step="hard"))
    np.testing.assert_allclose(lesson.hard_soft.curve_values("soft"), soft.history, rtol=1e-12)
    np.testing.assert_allclose(lesson.hard_soft.curve_values("hard"), hard.history, rtol=1e-12)
    assert soft.history[0] == hard.history[0]  # the same start
    assert soft.log_likelihood > hard.log_likelihood
    summary = lesson.hard_soft.summary_label.text()
    assert f"{soft.log_likelihood:.4f}" in summary and f"{hard.log_likelihood:.4f}" in summary


def test_hard_e_step_gives_whole_rows_and_leaves_a_gap(qtbot, window, lesson):
    window.open_sample("two_coins")
    panel = window.settings_panel
    panel.e_step_combo.setCurrentIndex(panel.e_step_combo.findData("hard"))
    press_e_step(qtbot, lesson)
    _, resp, _, _ = hand_two_coins(0.2, 0.7)
    hard = (resp == resp.max(axis=1, keepdims=True)).astype(float)
    for k in (0, 1):
        np.testing.assert_array_equal(
            column_values(lesson, f"responsibility\ncomp. {k + 1}", 5), hard[:, k])
    assert lesson.resp_panel.footer_label.text().startswith("Hard E-step: each row goes wholly")
    ll, bound = lesson.bound_plot.values()
    assert ll[1] - bound[1] > 0.1  # no longer the posterior: the E-step leaves a gap
    assert "a gap stays open" in lesson.bound_plot.explanation_label.text()


def test_three_coins_open_with_the_textbook_start(qtbot, window, lesson):
    window.open_sample("three_coins")
    qtbot.waitUntil(lambda: "Press E-step (F7)" in window.status_label.text())
    assert window.settings_panel.init_mode == "sample"
    press_e_step(qtbot, lesson)
    start = lesson.session.states[0].params
    np.testing.assert_array_equal(start.weights, [0.4, 0.6])
    np.testing.assert_array_equal(start.probs[:, 0], [0.6, 0.7])
    lesson.m_step_action.trigger()
    weights = params_column(window, "weight")
    probs = params_column(window, "p(toss)")
    assert [round(weights[0], 4), *np.round(probs, 4)] == [0.4064, 0.5368, 0.6432]
    assert "new w₁ = Σ r₁ / N = " in lesson.resp_panel.footer_label.text()


def test_dragging_a_mean_continues_from_it_and_marks_the_trace(qtbot, window, lesson):
    window.open_sample("blobs")
    press_e_step(qtbot, lesson)
    lesson.m_step_action.trigger()
    session = lesson.session
    assert [s.phase for s in session.states] == ["start", "E", "M"]
    handles = lesson.dragging.handles.handles
    assert len(handles) == 3
    np.testing.assert_allclose([(h.pos().x(), h.pos().y()) for h in handles],
                               session.states[-1].params.means)
    # While dragging, the ellipse moves with the mean.
    handles[0].setPos(1.5, -2.0)
    shown = session.states[-1].params
    moved = shown.replace(means=np.vstack([[1.5, -2.0], shown.means[1:]]))
    options = window.document.options
    means, covs = project(moved, declared.location_spec(options), declared.spread_spec(options),
                          (0, 1))
    x, y = window.views.scatter.ellipse_curves(0, 1)
    np.testing.assert_allclose(np.column_stack([x, y]),
                               ellipse_points(means[0], covs[0], 1, n=len(x)), atol=1e-10)
    assert len(session.states) == 3  # nothing is taken until the drag ends
    handles[0].sigPositionChangeFinished.emit(handles[0])

    assert [s.phase for s in session.states] == ["start", "E", "M", "edit"]
    edit = session.states[-1]
    np.testing.assert_array_equal(edit.params.means[0], [1.5, -2.0])
    np.testing.assert_array_equal(edit.params.covariances, shown.covariances)
    assert edit.iteration == 2
    assert lesson.trace_markers() == [(2.0, "you moved a mean")]
    assert lesson.bound_plot.edit_positions() == [3.0]
    assert len(window.likelihood_plot.history) == 3
    assert window.likelihood_plot.history[-1] == pytest.approx(edit.log_likelihood, rel=1e-12)

    press_e_step(qtbot, lesson)
    e_state = session.states[-1]
    assert (e_state.phase, e_state.iteration) == ("E", 3)
    X = window.document.table.data
    _, log_resp = engine.predict_log_resp(X, edit.params, session.options)
    np.testing.assert_allclose(e_state.resp, np.exp(log_resp), rtol=1e-10, atol=1e-300)
    assert lesson.trace_markers() == [(2.0, "you moved a mean")]

    # Run now starts from the moved mean, and its trace says so.
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        window.run_actions.run.trigger()
    result = finished.args[0]
    assert result.options.explicit_init
    np.testing.assert_array_equal(result.options.init.means[0], [1.5, -2.0])
    assert result.history[0] == pytest.approx(edit.log_likelihood, rel=1e-12)
    assert lesson.session is None
    assert lesson.trace_markers() == [(0.0, "you moved a mean: the run starts here")]


def test_dragging_a_mean_of_a_paused_run_turns_it_into_half_steps(qtbot, window, lesson):
    window.open_sample("heights")
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) == 1, timeout=10_000)
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: window.document.shown_snapshot() is not None
                    and window.document.shown_snapshot().iteration == 1, timeout=10_000)
    assert window.document.run_state is RunState.PAUSED
    assert not lesson.e_step_action.isEnabled()
    snapshot = window.document.shown_snapshot()
    run_trace = [s.log_likelihood for s in window.document.snapshots]
    lines = lesson.dragging.handles.handles
    assert len(lines) == 2
    np.testing.assert_allclose([line.value() for line in lines], snapshot.params.means[:, 0])
    lines[1].setValue(185.0)
    lines[1].sigPositionChangeFinished.emit(lines[1])

    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    session = lesson.session
    assert [s.phase for s in session.states] == ["start", "edit"]
    assert session.states[-1].params.means[1, 0] == 185.0
    assert session.prior_trace == run_trace[:1]
    assert session.states[0].log_likelihood == pytest.approx(run_trace[1], rel=1e-12)
    assert len(window.likelihood_plot.history) == 3  # iteration 0, 1 and the edit
    assert lesson.trace_markers() == [(2.0, "you moved a mean")]
    assert lesson.e_step_action.isEnabled()
    press_e_step(qtbot, lesson)
    assert session.states[-1].params.means[1, 0] == 185.0


def test_half_steps_refuse_to_freeze_the_window(qtbot, window, lesson, monkeypatch):
    monkeypatch.setattr(session_module, "MAX_HALF_STEP_SECONDS", 0.0)
    window.open_sample("two_coins")
    press_e_step(qtbot, lesson)
    assert lesson.session.blocked and "too long to step by hand" in lesson.session.blocked
    assert "press Run (F5)" in window.status_label.text()
    assert not lesson.e_step_action.isEnabled() and not lesson.m_step_action.isEnabled()
    # Step then falls back to a normal, threaded run.
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) == 1, timeout=10_000)
    assert lesson.session is None
    window.stop()


def test_half_steps_stop_at_the_iteration_limit_and_the_memory_budget(
    qtbot, window, lesson, monkeypatch
):
    window.open_sample("two_coins")
    window.settings_panel.max_iter_spin.setValue(1)
    press_e_step(qtbot, lesson)
    lesson.m_step_action.trigger()
    assert lesson.session.blocked is None and lesson.e_step_action.isEnabled()
    press_e_step(qtbot, lesson)
    assert [s.phase for s in lesson.session.states] == ["start", "E", "M"]
    assert "reached the limit of 1 iterations" in window.status_label.text()
    assert not lesson.e_step_action.isEnabled()

    monkeypatch.setattr(session_module, "MAX_STATE_BYTES", 1)
    window.settings_panel.max_iter_spin.setValue(500)
    press_e_step(qtbot, lesson)
    assert [s.phase for s in lesson.session.states] == ["start"]
    assert "fill the memory set aside for them" in lesson.session.blocked


def test_large_tables_are_paged_with_totals_over_every_row(qtbot, window, lesson, tmp_path):
    rng = np.random.default_rng(5)
    data = np.vstack([rng.normal(0, 1, (230, 2)), rng.normal(5, 1, (220, 2))])
    path = tmp_path / "450.npy"
    np.save(path, data)
    window.open_file(path, ask=False)
    window.settings_panel.k_spin.setValue(2)
    press_e_step(qtbot, lesson)
    panel = lesson.resp_panel
    resp = lesson.session.states[-1].resp
    assert panel.model.rowCount() == 201 and panel.next_button.isVisible()
    assert panel.page_label.text().startswith("rows 1–200 of 450")
    panel.next_button.click()
    panel.next_button.click()
    assert panel.model.rowCount() == 51 and not panel.next_button.isEnabled()
    assert panel.model.headerData(0, Qt.Orientation.Vertical) == "401"
    assert cell(lesson, 0, "responsibility\ncomp. 1") == resp[400, 0]
    assert cell(lesson, 50, "r·x1\ncomp. 2") == pytest.approx(
        resp[:, 1] @ data[:, 0], rel=1e-12)
    lesson.m_step_action.trigger()
    assert panel.first_row == 400  # the page stays while stepping


@pytest.mark.parametrize("sample", ["binary_features", "counts", "heights_weights_gaps"])
def test_the_tables_columns_are_as_wide_as_qt_sizes_them_to_their_text(
        qtbot, window, lesson, sample):
    """The widths measured from the page's texts: never narrower than Qt's own
    resizeColumnsToContents over the same rows (nothing cut off)."""
    assert window.open_sample(sample)
    press_e_step(qtbot, lesson)
    table = lesson.resp_panel.table
    columns = range(lesson.resp_panel.model.columnCount())
    ours = [table.columnWidth(j) for j in columns]
    table.resizeColumnsToContents()
    assert all(a >= b for a, b in zip(ours, [table.columnWidth(j) for j in columns]))


def test_changing_the_settings_or_running_ends_the_half_steps(qtbot, window, lesson):
    window.open_sample("two_coins")
    press_e_step(qtbot, lesson)
    window.run_actions.step.trigger()  # completes the first iteration
    trace = lesson.session.trace()
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        window.run_actions.run.trigger()
    assert lesson.session is None and lesson.trace_markers() == []
    # Without an edit, Run starts from the settings' start, so it retraces the half-steps.
    np.testing.assert_allclose(finished.args[0].history[:2], trace, rtol=1e-12)
    assert window.iteration_slider.maximum() == finished.args[0].n_iter

    press_e_step(qtbot, lesson)
    assert lesson.session is not None and window.document.snapshots == ()
    window.settings_panel.max_iter_spin.setValue(7)
    assert lesson.session is None and "settings changed" in window.status_label.text()
    press_e_step(qtbot, lesson)
    window.run_actions.reset.trigger()
    assert lesson.session is None and len(window.likelihood_plot.history) == 0


def test_worked_examples_open_ready_to_step(qtbot, window, lesson):
    for sample_id in ("two_coins", "three_coins", "heights", "blobs"):
        window.open_sample(sample_id)
        qtbot.waitUntil(lambda: "Press E-step (F7)" in window.status_label.text())
        assert "E-step" in window.description_label.text(), sample_id
        assert lesson.e_step_action.isEnabled() and not lesson.m_step_action.isEnabled()
    window.open_sample("counts")
    qtbot.wait(20)  # let a pending invitation arrive (a turn later), if one were due
    assert "Press E-step" not in window.status_label.text()


def test_shortcuts_are_unique_and_the_actions_sit_with_run(window, lesson):
    from PySide6.QtGui import QAction

    shortcuts = [a.shortcut().toString() for a in window.findChildren(QAction)
                 if not a.shortcut().isEmpty()]
    assert len(shortcuts) == len(set(shortcuts)), shortcuts
    assert lesson.e_step_action.shortcut() == QKeySequence("F7")
    assert lesson.m_step_action.shortcut() == QKeySequence("F8")
    names = [a.text() for a in window.run_menu.actions()]
    assert names.index("E-step") == names.index("Step") + 1
    assert lesson.compare_action in window.run_menu.actions()
    assert lesson.e_step_action in window.run_toolbar.actions()


def test_the_sample_with_gaps_steps_through_em_over_its_gaps(qtbot, window, lesson):
    # Rows with a missing height or weight are kept, and each half-step in the window is
    # the engine's half-step over the observed values.
    window.open_sample("heights_weights_gaps")
    table = window.document.table
    assert np.isnan(table.data).any(axis=1).sum() == 12
    assert "kept 12 rows with missing values" in window.status_label.text()
    for _ in range(3):
        press_e_step(qtbot, lesson)
        lesson.m_step_action.trigger()
    states = lesson.session.states
    assert [s.phase for s in states] == ["start"] + ["E", "M"] * 3
    expected = half_steps(table.data, sample_options("heights_weights_gaps", max_iter=3))
    for shown, engine_state in zip(states, expected, strict=True):
        assert shown.phase == engine_state.phase
        assert np.isfinite(shown.log_likelihood)
        assert shown.log_likelihood == pytest.approx(engine_state.log_likelihood, rel=1e-12)
        np.testing.assert_allclose(shown.params.means, engine_state.params.means, rtol=1e-12)
    # The likelihood of the observed values never falls from one M-step to the next.
    m_steps = [s.log_likelihood for s in states if s.phase != "E"]
    assert all(b >= a - 1e-9 * abs(a) for a, b in zip(m_steps, m_steps[1:]))


def test_the_start_is_drawn_before_the_first_e_step(qtbot, window, lesson):
    # As a textbook shows its starting guess: the coins' 0.2 and 0.7 before any E-step.
    window.open_sample("two_coins")
    qtbot.waitUntil(lambda: "The plots show where EM starts" in window.status_label.text())
    np.testing.assert_allclose(params_column(window, "p(heads)"), [0.2, 0.7])
    assert window.views.drawn_params is not None
    np.testing.assert_allclose(window.views.drawn_params.probs[:, 0], [0.2, 0.7])
    assert lesson.e_step_action.isEnabled()


def test_the_responsibilities_table_says_what_its_likelihoods_leave_out(qtbot, window, lesson):
    window.open_sample("two_coins")
    press_e_step(qtbot, lesson)
    note = lesson.resp_panel.note_label
    assert note.isVisibleTo(lesson.resp_panel)
    # 5 tosses per round: C(5,3) + C(5,2) + C(5,1) + C(5,3) + C(5,2) in logs.
    total = sum(np.log(math.comb(5, int(h))) for h in HEADS)
    assert f"Σ log C(n, x) = {total:.4g}" in note.text()
    window.open_sample("blobs")  # Gaussian rows leave nothing out
    press_e_step(qtbot, lesson)
    assert not lesson.resp_panel.note_label.isVisibleTo(lesson.resp_panel)


def test_the_bound_plot_never_zooms_into_round_off(qtbot, window, lesson):
    window.open_sample("blobs")
    press_e_step(qtbot, lesson)  # on real data: the bound meets the log-likelihood
    ll, bound = lesson.bound_plot.values()
    assert abs(ll[-1] - bound[-1]) < 1e-9 * abs(ll[-1])
    (_, _), (low, high) = lesson.bound_plot.plot_item.getViewBox().viewRange()
    assert high - low >= 1e-4 * abs(ll[-1]), "the axis spans the values' size, not round-off"
    lesson.end_session()
    # No session: neutral axes without numbers, and the panel says what to press.
    assert lesson.bound_plot.info_label.text().startswith("Press E-step")
    assert not lesson.bound_plot.plot_item.getAxis("left").style["showValues"]


def test_the_table_gives_each_component_its_guess_of_a_missing_value(qtbot, window, lesson):
    window.open_sample("heights_weights_gaps")
    press_e_step(qtbot, lesson)
    table = window.document.table
    state = lesson.session.states[-1]
    filled = engine.impute(table.data, state.params, sample_options("heights_weights_gaps"))
    model = lesson.resp_panel.model
    row = int(np.flatnonzero(np.isnan(table.data[:, 0]))[0])  # a missing height, on page 1
    for k in range(2):
        index = model.index(row, column(lesson, f"r·height_cm\ncomp. {k + 1}"))
        guess = filled.per_component[row, k, 0]
        # r × the component's expectation of the height, given the row's weight: in italics.
        assert index.data(USER) == pytest.approx(state.resp[row, k] * guess, rel=1e-12)
        assert index.data(Qt.ItemDataRole.FontRole).italic()
        assert f"{guess:.6g}" in index.data(Qt.ItemDataRole.ToolTipRole)
        observed = model.index(row, column(lesson, f"r·weight_kg\ncomp. {k + 1}"))
        assert observed.data(Qt.ItemDataRole.FontRole) is None
    # The totals are what the M-step uses: its new means.
    lesson.m_step_action.trigger()
    new_means = lesson.session.states[-1].params.means
    for k in range(2):
        total = cell(lesson, model.rowCount() - 1, f"r·height_cm\ncomp. {k + 1}")
        assert total / state.resp[:, k].sum() == pytest.approx(new_means[k, 0], rel=1e-10)


def test_the_first_e_step_asks_the_table_for_each_cell_a_few_times_not_every_layout(
    qtbot, window, lesson, monkeypatch
):
    # Rows sized to their contents asked every cell of the page for its font and text at
    # every layout: 850 000 calls and 3.6 s in the GUI thread for the first E-step on
    # 400 rows x 6 columns with K = 3 (bench.gui's random actions found a 6 s freeze).
    window.open_sample("binary_features")
    window.settings_panel.k_spin.setValue(3)
    calls = 0
    data = ResponsibilityModel.data

    def counted(self, index, role=Qt.ItemDataRole.DisplayRole):
        nonlocal calls
        calls += 1
        return data(self, index, role)

    monkeypatch.setattr(ResponsibilityModel, "data", counted)
    window.resize(1280, 900)
    window.show()
    qtbot.waitExposed(window)
    press_e_step(qtbot, lesson)  # the table is filled, shown and laid out
    assert lesson.resp_panel.table.isVisible()
    page = lesson.resp_panel.model
    cells = page.rowCount() * page.columnCount()
    assert cells > 4000  # a full page: 200 rows and a totals row, 21 columns
    assert calls < 10 * cells, f"{calls} calls for {cells} cells"


def test_the_lessons_plots_are_made_when_a_lesson_first_needs_them(qtbot, window, lesson):
    """A window opens without the bound and hard-vs-soft plots (most never show them);
    the first half-step makes the bound plot, the first comparison the other, each in
    its dock where the stand-in was."""
    from emgui.features.teaching.bound_plot import BoundPlot
    from emgui.features.teaching.hard_soft import HardSoftPlot

    window.open_sample("elongated")  # not a worked example: no start shown
    assert window.findChildren(BoundPlot) == [] and window.findChildren(HardSoftPlot) == []
    press_e_step(qtbot, lesson)
    assert lesson.bound_dock.isVisible()
    [bound] = window.findChildren(BoundPlot)
    assert bound is lesson.bound_plot and bound.isVisible()
    assert bound.values()[0].size == 2  # the start and the first E-step
    assert window.findChildren(HardSoftPlot) == []
    with qtbot.waitSignal(lesson.compared, timeout=30_000):
        lesson.compare_action.trigger()
    [plot] = window.findChildren(HardSoftPlot)
    assert plot is lesson.hard_soft and plot.isVisible()
    assert plot.curve_values("soft").size > 1


def test_a_windows_first_e_step_shows_the_docks_then_steps_a_turn_later(qtbot, window, lesson):
    """The docks first (the window makes room for them and paints anew), the half-step a
    turn later: both in one handler blocked the window for 150-250 ms."""
    window.open_sample("elongated")
    lesson.e_step_action.trigger()
    assert lesson.bound_dock.isVisible() and lesson.resp_dock.isVisible()
    assert lesson.session is None and lesson.step_pending
    lesson.e_step_action.trigger()  # pressed again meanwhile: one half-step, not two
    qtbot.waitUntil(lambda: not lesson.step_pending)
    assert [state.phase for state in lesson.session.states] == ["start", "E"]
    lesson.m_step_action.trigger()  # the docks are there: at once
    lesson.e_step_action.trigger()
    assert not lesson.step_pending
    assert [state.phase for state in lesson.session.states] == ["start", "E", "M", "E"]


def test_other_data_cancel_a_first_e_step_still_to_come(qtbot, window, lesson):
    window.open_sample("elongated")
    lesson.e_step_action.trigger()
    assert lesson.step_pending
    window.open_sample("counts")
    assert not lesson.step_pending
    qtbot.wait(20)  # a turn later: no half-step on the new data nobody asked for
    assert lesson.session is None


def test_a_new_sessions_e_step_draws_its_start_then_the_e_step_a_turn_later(
        qtbot, window, lesson):
    window.open_sample("elongated")
    press_e_step(qtbot, lesson)  # the docks are shown
    window.open_sample("counts")
    lesson.e_step_action.trigger()
    assert [state.phase for state in lesson.session.states] == ["start"]
    assert lesson.shown == 0 and lesson.step_pending
    assert window.views.drawn_params is lesson.session.states[0].params
    qtbot.waitUntil(lambda: not lesson.step_pending)
    assert [state.phase for state in lesson.session.states] == ["start", "E"]
    assert lesson.shown == 1
