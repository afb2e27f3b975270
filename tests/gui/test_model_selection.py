"""Analyse > Choose K and Model and Analyse > Explore Restarts, driven as a user would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QFont
from scipy.optimize import linear_sum_assignment

import engine
from emgui.features import installed
from emgui.features.analysis import ModelSelection
from emgui.features.analysis.restarts_dialog import RestartsDialog
from emgui.features.analysis.selection_dialog import ModelSelectionDialog
from emgui.features.analysis.sweep_table import COLUMNS, CRITERION_COLUMN
from emgui.shell.main_window import MainWindow
from emgui.views.colors import component_color
from engine.selection import DEFAULT_SPECS, ModelSpec, sweep

ROOT = Path(__file__).resolve().parents[2]
COUNTS = ROOT / "emio" / "resources" / "samples" / "counts.csv"
FULL, TIED = ModelSpec("gaussian", "full"), ModelSpec("gaussian", "tied")
TIMEOUT = 60_000


class AnalysisThreads:
    """The threads of the analysis dialogs (sweeps, restarts, replays) of one window."""

    def __init__(self, qtbot, threads, window: MainWindow) -> None:
        self._qtbot, self._threads, self._window = qtbot, threads, window

    def _dialogs(self) -> list:
        found = feature(self._window)
        return [d for d in (found.selection_dialog, found.restarts_dialog) if d is not None]

    def running(self) -> list:
        return [t for d in self._dialogs() for t in self._threads.running(owner=d)]

    def wait(self) -> None:
        """Until every thread of the dialogs has ended."""
        self._qtbot.waitUntil(
            lambda: not any(self._threads.busy(owner=d) for d in self._dialogs()), timeout=20_000
        )


@pytest.fixture(autouse=True)
def analysis_threads(qtbot, threads, window):
    analysis = AnalysisThreads(qtbot, threads, window)
    yield analysis
    # Every test must wait for its own threads; anything still running here leaked.
    leaked = analysis.running()
    if leaked:
        threads.request_stop(owner=window)
        analysis.wait()
        pytest.fail(f"{len(leaked)} analysis thread(s) were left running by this test")


def feature(window: MainWindow) -> ModelSelection:
    return installed(window.host, ModelSelection)


@pytest.fixture
def open_faithful(window, datasets):
    """Opens Old Faithful with a seed, as a user would; returns its data."""

    def open_it(seed: int = 3) -> np.ndarray:
        assert window.open_file(datasets / "faithful.csv", ask=False)
        window.settings_panel.seed_spin.setValue(seed)
        return window.document.table.data

    return open_it


def selection_dialog(window: MainWindow) -> ModelSelectionDialog:
    """Open the dialog through the Analyse menu, as a user does."""
    menu = window.analyse_menu
    action = next(a for a in menu.actions() if a.text().startswith("Choose"))
    action.trigger()
    dialog = feature(window).selection_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    return dialog


def restarts_dialog(window: MainWindow) -> RestartsDialog:
    action = next(a for a in window.analyse_menu.actions() if "Restarts" in a.text())
    action.trigger()
    dialog = feature(window).restarts_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def run_small_sweep(qtbot, dialog: ModelSelectionDialog, analysis: AnalysisThreads) -> list:
    dialog.k_edit.setText("1-3")
    dialog.set_checked_specs([FULL, TIED])
    dialog.n_init_spin.setValue(2)
    with qtbot.waitSignal(dialog.sweep_finished, timeout=TIMEOUT) as finished:
        qtbot.mouseClick(dialog.run_bar.run_button, Qt.MouseButton.LeftButton)
    analysis.wait()
    return finished.args[0]


def make_slow(window: MainWindow) -> None:
    """Cells that never converge: tolerance 0 runs each start to max_iter."""
    window.settings_panel.tol_combo.setCurrentText("0")
    window.settings_panel.max_iter_spin.setValue(3000)


def double_click_row(qtbot, dialog, row: int) -> None:
    view = dialog.table_view
    pos = view.visualRect(dialog.proxy.index(row, 1)).center()
    # A real double-click starts with a click; QTest's double-click alone is not one.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


# --- the scenario: a small sweep, a second one cancelled midway, a cell opened -----


def test_sweep_then_cancel_a_second_then_open_a_cell(
    qtbot, window, errors, open_faithful, analysis_threads
):
    X = open_faithful()
    dialog = selection_dialog(window)
    arrived: list = []
    dialog.cell_added.connect(arrived.append)

    cells = run_small_sweep(qtbot, dialog, analysis_threads)

    # Cells arrived one by one, in the sweep's order, and are what the engine gives.
    assert arrived == cells == dialog.cells
    assert [(c.spec, c.n_components) for c in cells] == [
        (FULL, 1), (FULL, 2), (FULL, 3), (TIED, 1), (TIED, 2), (TIED, 3)]
    base = window.settings_panel.options().replace(n_init=2, trials=5, init="hc")
    expected = list(sweep(X, [FULL, TIED], [1, 2, 3], base, window.document.table.columns))
    assert [c.result.bic for c in cells] == [c.result.bic for c in expected]
    assert dialog.run_bar.progress.value() == dialog.run_bar.progress.maximum() == 6
    assert dialog.run_bar.status_label.text().startswith("Done: 6 cells")
    assert dialog.run_bar.run_button.isEnabled()
    assert not dialog.run_bar.cancel_button.isEnabled()

    # A second, slow sweep: cancelled after a few cells, which stay shown.
    make_slow(window)
    dialog.k_edit.setText("1-9")
    dialog.set_checked_specs(list(DEFAULT_SPECS))  # full, tied, diag, spherical
    qtbot.mouseClick(dialog.run_bar.run_button, Qt.MouseButton.LeftButton)
    assert dialog.run_bar.cancel_button.isEnabled()
    assert not dialog.run_bar.run_button.isEnabled()
    qtbot.waitUntil(lambda: len(dialog.cells) >= 2, timeout=TIMEOUT)
    assert "left" in dialog.run_bar.status_label.text()  # an estimate from finished cells
    with qtbot.waitSignal(dialog.sweep_cancelled, timeout=TIMEOUT):
        with qtbot.assertNotEmitted(dialog.sweep_finished, wait=0):
            qtbot.mouseClick(dialog.run_bar.cancel_button, Qt.MouseButton.LeftButton)
    analysis_threads.wait()
    shown = dialog.cells
    assert 2 <= len(shown) < 36
    assert [(c.spec, c.n_components) for c in shown] == [
        (FULL, k) for k in range(1, len(shown) + 1)]
    assert dialog.run_bar.status_label.text() == f"Cancelled after {len(shown)} of 36 cells."
    assert dialog.table_model.rowCount() == len(shown)
    assert dialog.run_bar.run_button.isEnabled()

    # Open a cell of the cancelled sweep by double-clicking its row.
    cell = shown[1]
    with qtbot.waitSignal(dialog.cell_opened, timeout=TIMEOUT) as opened:
        double_click_row(qtbot, dialog, dialog.proxy.mapFromSource(
            dialog.table_model.index(1, 0)).row())
    analysis_threads.wait()
    assert opened.args[0] is cell
    assert_window_shows(window, cell.result)
    assert errors == []


def assert_one_numbering(window: MainWindow) -> None:
    """The parameters table lists the shown fit's components in its own order, each in the
    colour the views give that component: row k is component k, in palette colour k."""
    table = window.params_table
    assert table.shown_params is window.document.shown_snapshot().params
    model = table.model()
    n = window.document.result.options.n_components
    assert model.rowCount() == n
    decoration = Qt.ItemDataRole.DecorationRole
    assert [model.data(model.index(row, 0), decoration).name() for row in range(n)] == [
        component_color(k).name() for k in range(n)]


def assert_window_shows(window: MainWindow, result: engine.FitResult) -> None:
    """The window shows ``result`` as if it had just run there: settings, trace, slider."""
    shown = window.document.result
    assert shown.params.allclose(result.params, rtol=0)
    assert shown.history == result.history
    assert shown.bic == result.bic
    options = window.settings_panel.options()
    assert (options.model, options.covariance_type, options.n_components) == (
        result.options.model, result.options.covariance_type, result.options.n_components)
    assert (options.n_init, options.seed, options.tol) == (
        result.options.n_init, result.options.seed, result.options.tol)
    snapshots = window.document.snapshots
    assert [s.iteration for s in snapshots] == list(range(result.n_iter + 1))
    assert snapshots[-1].params.allclose(result.params, rtol=0)
    assert window.iteration_slider.maximum() == result.n_iter
    assert window.iteration_slider.value() == result.n_iter
    np.testing.assert_allclose(window.likelihood_plot.history, result.objective_history, rtol=0)
    assert window.likelihood_plot.current() == result.n_iter
    assert window.document.shown_snapshot() is snapshots[-1]
    assert f"BIC {result.bic:.6g}" in window.status_label.text()


# --- the sweep dialog in detail ------------------------------------------------------------


def test_chart_and_table_show_every_criterion_and_the_best_cell(
    qtbot, window, errors, open_faithful, analysis_threads
):
    open_faithful()
    dialog = selection_dialog(window)
    cells = run_small_sweep(qtbot, dialog, analysis_threads)
    for criterion in ("bic", "aic", "icl"):
        dialog.criterion_buttons[criterion].click()
        assert dialog.criterion == criterion
        best = min(cells, key=lambda c: c.score(criterion))
        assert dialog.best() is best
        for spec in (FULL, TIED):
            x, y = dialog.chart.line(spec).getData()
            assert list(x) == [1, 2, 3]
            assert list(y) == [c.score(criterion) for c in cells if c.spec == spec]
        assert dialog.chart.ring_position() == (best.n_components, best.score(criterion))
        assert best.spec.title in dialog.summary_label.text()  # mclust's name
        low, high = dialog.chart.y_range()
        assert low < best.score(criterion) < high
        # The best row is highlighted, and sorting by the criterion puts it first.
        row = dialog.table_model.row_of(best)
        font = dialog.table_model.data(dialog.table_model.index(row, 0), Qt.ItemDataRole.FontRole)
        assert isinstance(font, QFont) and font.bold()
        dialog.table_view.sortByColumn(CRITERION_COLUMN[criterion], Qt.SortOrder.AscendingOrder)
        first = dialog.proxy.mapToSource(dialog.proxy.index(0, 0)).row()
        assert dialog.table_model.cell_at(first) is best
        other = next(c for c in cells if c is not best)
        other_row = dialog.table_model.row_of(other)
        font = dialog.table_model.data(dialog.table_model.index(other_row, 0),
                                       Qt.ItemDataRole.FontRole)
        assert font is None
    # K sorts as a number, not as text.
    dialog.table_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    ks = [int(dialog.proxy.index(r, 1).data()) for r in range(dialog.proxy.rowCount())]
    assert ks == sorted(ks, reverse=True)
    assert errors == []


def test_clicking_a_chart_marker_opens_that_cell(
    qtbot, window, errors, open_faithful, analysis_threads
):
    open_faithful()
    dialog = selection_dialog(window)
    cells = run_small_sweep(qtbot, dialog, analysis_threads)
    target = next(c for c in cells if c.spec == TIED and c.n_components == 2)
    plot = dialog.chart.plot_widget
    view_box = dialog.chart.plot_item.getViewBox()
    # Show every cell, so the marker is inside the view.
    dialog.chart.focus_box.setChecked(False)
    qtbot.waitUntil(lambda: plot.isVisible())
    scene_pos = view_box.mapViewToScene(QPointF(target.n_components, target.result.bic))
    pos = plot.mapFromScene(scene_pos)
    with qtbot.waitSignal(dialog.cell_opened, timeout=TIMEOUT) as opened:
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))
    analysis_threads.wait()
    assert opened.args[0] is target
    assert_window_shows(window, target.result)
    assert_one_numbering(window)
    assert errors == []


def test_models_offered_follow_the_data(qtbot, window, open_faithful):
    open_faithful()
    dialog = selection_dialog(window)
    boxes = dialog.model_boxes
    assert {s.label for s, b in boxes.items() if b.isEnabled()} == {
        *engine.COVARIANCE_TYPES, "kmeans"}
    assert "Not for these data" in boxes[ModelSpec("bernoulli")].toolTip()
    assert "0/1" in boxes[ModelSpec("bernoulli")].toolTip()
    # The sweep's default: full, tied, diag and spherical; mclust's ten others offered.
    assert dialog.checked_specs() == list(DEFAULT_SPECS)
    assert [s.label for s in DEFAULT_SPECS] == ["full", "tied", "diag", "spherical"]
    assert boxes[ModelSpec("gaussian", "EVE")].text() == "EVE"
    assert "one volume and orientation" in boxes[ModelSpec("gaussian", "EVE")].toolTip()
    # Counts: the count models become available; a new data set updates the boxes.
    assert window.open_file(COUNTS, ask=False)
    assert boxes[ModelSpec("poisson")].isEnabled()
    assert not boxes[ModelSpec("bernoulli")].isEnabled()
    window.settings_panel.option_field("trials").edit.setText("1")
    assert not boxes[ModelSpec("binomial")].isEnabled()  # counts above one trial


def test_count_models_can_be_swept(qtbot, window, errors, analysis_threads):
    assert window.open_file(COUNTS, ask=False)
    dialog = selection_dialog(window)
    dialog.k_edit.setText("1,2,4")
    dialog.set_checked_specs([ModelSpec("poisson"), ModelSpec("kmeans")])
    with qtbot.waitSignal(dialog.sweep_finished, timeout=TIMEOUT) as finished:
        dialog.run()
    analysis_threads.wait()
    cells = finished.args[0]
    assert [(c.spec.label, c.n_components) for c in cells] == [
        ("kmeans", 1), ("kmeans", 2), ("kmeans", 4), ("poisson", 1), ("poisson", 2),
        ("poisson", 4)]
    assert all(c.result is not None for c in cells)
    poisson = cells[4].result
    assert poisson.n_parameters == 1 + 2 * 2
    assert errors == []


def test_bad_input_says_what_to_do(qtbot, window, errors, open_faithful, analysis_threads):
    dialog = selection_dialog(window)
    dialog.run()
    assert "open some data first" in errors[-1][0]
    open_faithful()
    dialog.k_edit.setText("three")
    dialog.run()
    assert "K range" in errors[-1][0]
    dialog.k_edit.setText("1-2")
    dialog.set_checked_specs([])
    dialog.run()
    assert "tick at least one model" in errors[-1][0]
    assert not analysis_threads.running()


def test_a_failing_cell_is_shown_not_fatal(qtbot, window, errors, open_faithful, analysis_threads):
    open_faithful()
    dialog = selection_dialog(window)
    dialog.k_edit.setText("2,300")  # 272 rows: K = 300 cannot be fitted
    dialog.set_checked_specs([TIED])
    with qtbot.waitSignal(dialog.sweep_finished, timeout=TIMEOUT) as finished:
        dialog.run()
    analysis_threads.wait()
    good, bad = finished.args[0]
    assert good.result is not None and bad.result is None
    assert "at most 272" in bad.error
    row = dialog.table_model.row_of(bad)
    assert dialog.table_model.data(dialog.table_model.index(row, 2)) == "failed"
    assert "at most 272" in dialog.table_model.data(dialog.table_model.index(row, 0),
                                                    Qt.ItemDataRole.ToolTipRole)
    assert "could not be fitted" in dialog.run_bar.status_label.text()
    assert dialog.best() is good
    dialog.open_cell(bad)  # nothing to open: says why, starts nothing
    assert "could not be fitted" in dialog.run_bar.status_label.text()
    assert not analysis_threads.running()
    assert errors == []


def test_choices_persist(qtbot, window, new_window, open_faithful, analysis_threads):
    open_faithful()
    dialog = selection_dialog(window)
    dialog.k_edit.setText("2-4")
    dialog.set_checked_specs([TIED, ModelSpec("kmeans")])
    dialog.n_init_spin.setValue(2)
    dialog.criterion_buttons["icl"].click()
    with qtbot.waitSignal(dialog.sweep_finished, timeout=TIMEOUT):
        dialog.run()
    analysis_threads.wait()
    again = new_window()
    restored = feature(again).show_selection_dialog()
    assert restored.k_edit.text() == "2-4"
    assert restored.n_init_spin.value() == 2
    assert restored.criterion == "icl"
    assert set(restored.checked_specs()) == {TIED, ModelSpec("kmeans")}


def test_opening_after_the_data_changed_is_refused(
    qtbot, window, errors, open_faithful, analysis_threads
):
    open_faithful()
    dialog = selection_dialog(window)
    cells = run_small_sweep(qtbot, dialog, analysis_threads)
    assert window.open_file(COUNTS, ask=False)
    dialog.open_cell(cells[0])
    assert "data have changed" in errors[-1][0]
    assert not analysis_threads.running()


# --- closing during a run -------------------------------------------------------------------


def test_closing_the_dialog_stops_its_sweep(qtbot, window, errors, open_faithful, analysis_threads):
    open_faithful()
    make_slow(window)
    dialog = selection_dialog(window)
    dialog.k_edit.setText("1-9")
    dialog.run()
    qtbot.waitUntil(lambda: len(dialog.cells) >= 1, timeout=TIMEOUT)
    with qtbot.assertNotEmitted(dialog.sweep_finished, wait=0):
        dialog.close()
        analysis_threads.wait()
    assert dialog.run_bar.status_label.text().startswith("Stopped after")
    assert not dialog.is_running
    assert errors == []


def test_closing_the_window_waits_for_the_sweep_to_stop(
    qtbot, window, open_faithful, analysis_threads
):
    open_faithful()
    make_slow(window)
    dialog = selection_dialog(window)
    dialog.k_edit.setText("1-9")
    dialog.run()
    qtbot.waitUntil(lambda: len(dialog.cells) >= 1, timeout=TIMEOUT)
    assert analysis_threads.running()
    window.close()
    # Closing stops the sweep; the window closes once its thread has ended.
    analysis_threads.wait()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)


# --- restarts ----------------------------------------------------------------------------------


def engine_starts(X, options) -> tuple[engine.FitResult, dict[int, list[engine.Snapshot]]]:
    by_start: dict[int, list[engine.Snapshot]] = {}
    steps = engine.iterate(X, options)
    while True:
        try:
            snapshot = next(steps)
        except StopIteration as stop:
            return stop.value, by_start
        by_start.setdefault(snapshot.restart, []).append(snapshot)


def scaled_assignment(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    scale = np.concatenate([reference, other]).std(axis=0)
    cost = (((reference[:, None] - other[None]) / scale) ** 2).sum(-1)
    rows, cols = linear_sum_assignment(cost)
    return cols[np.argsort(rows)]


def test_restarts_show_every_start_and_open_any_with_matched_colours(
    qtbot, window, errors, open_faithful, analysis_threads
):
    X = open_faithful(seed=0)
    window.settings_panel.k_spin.setValue(4)
    covariance = window.settings_panel.option_field("covariance_type").combo
    covariance.setCurrentIndex(covariance.findData("tied"))
    dialog = restarts_dialog(window)
    assert "EEE covariance (tied: one shared ellipse)" in dialog.setting_label.text()
    assert "K = 4" in dialog.setting_label.text()
    dialog.starts_spin.setValue(8)
    with qtbot.waitSignal(dialog.run_finished, timeout=TIMEOUT) as finished:
        qtbot.mouseClick(dialog.run_bar.run_button, Qt.MouseButton.LeftButton)
    analysis_threads.wait()
    best = finished.args[0]
    options = window.settings_panel.options().replace(n_init=8)
    expected, by_start = engine_starts(X, options)
    assert best.params.allclose(expected.params, rtol=0)
    rows = dialog.rows
    assert [row.restart for row in rows] == list(range(8))
    for row in rows:
        objectives = [s.objective for s in by_start[row.restart]]
        np.testing.assert_array_equal(row.values, objectives)
        _, y = dialog.curves.curve(row.restart).getData()
        np.testing.assert_array_equal(y, objectives)
        assert row.final == expected.restart_objectives[row.restart]
    assert dialog.best_restart() == expected.restart == dialog.selected
    assert set(dialog.strip.positions()) == set(range(8))
    assert f"of 8</b> starts ended within" in dialog.summary_label.text()

    # The best start opens as the run's own result.
    with qtbot.waitSignal(dialog.start_opened, timeout=TIMEOUT):
        dialog.open_start(best.restart)
    assert_window_shows(window, best)
    best_means = window.document.result.params.means

    # Another start (one that ended elsewhere, if any) opens matched to the best.
    others = sorted((r for r in rows if r.restart != best.restart),
                    key=lambda r: r.final)
    other = others[0]
    with qtbot.waitSignal(dialog.start_opened, timeout=TIMEOUT) as opened:
        double_click_row(qtbot, dialog, dialog.proxy.mapFromSource(
            dialog.table_model.index(dialog.table_model.row_of(other.restart), 0)).row())
    analysis_threads.wait()
    assert opened.args[0] == other.restart
    shown = window.document.result
    assert shown.objective_history[-1] == other.final  # the same start, retraced bit for bit
    assert list(shown.objective_history) == list(other.values)
    np.testing.assert_array_equal(window.document.snapshots[-1].params.means,
                                  shown.params.means)
    # Component i is the one nearest the best start's component i, and takes its colour.
    np.testing.assert_array_equal(scaled_assignment(best_means, shown.params.means),
                                  np.arange(4))
    np.testing.assert_array_equal(shown.order, best.order)
    assert_one_numbering(window)
    assert f"start {other.restart + 1} of 8" in window.status_label.text()
    # The labels follow the matched components.
    _, log_resp = engine.predict_log_resp(X, shown.params, shown.options)
    np.testing.assert_array_equal(shown.labels, np.argmax(log_resp, axis=1))
    assert errors == []


def test_restarts_can_be_cancelled_and_still_explored(
    qtbot, window, errors, open_faithful, analysis_threads
):
    open_faithful(seed=1)
    window.settings_panel.k_spin.setValue(3)
    make_slow(window)
    window.settings_panel.max_iter_spin.setValue(400)
    dialog = restarts_dialog(window)
    dialog.starts_spin.setValue(200)
    dialog.run()
    qtbot.waitUntil(lambda: len(dialog.rows) >= 2, timeout=TIMEOUT)
    with qtbot.waitSignal(dialog.run_cancelled, timeout=TIMEOUT):
        with qtbot.assertNotEmitted(dialog.run_finished, wait=0):
            dialog.cancel()
    analysis_threads.wait()
    rows = dialog.rows
    assert 2 <= len(rows) < 200 and dialog.result is None
    assert dialog.run_bar.status_label.text() == f"Cancelled after {len(rows)} of 200 starts."
    best = dialog.best_restart()
    assert best == max(rows, key=lambda r: r.final).restart
    other = next(r.restart for r in rows if r.restart != best)
    with qtbot.waitSignal(dialog.start_opened, timeout=TIMEOUT):
        dialog.open_start(other)
    analysis_threads.wait()
    shown = window.document.result
    assert shown.objective_history[-1] == dialog.trace(other).final
    reference = dialog.trace(best).snapshots[-1].params.means
    np.testing.assert_array_equal(scaled_assignment(reference, shown.params.means), np.arange(3))
    assert errors == []


def test_closing_the_window_stops_the_restarts(qtbot, window, open_faithful, analysis_threads):
    open_faithful()
    make_slow(window)
    dialog = restarts_dialog(window)
    dialog.starts_spin.setValue(200)
    dialog.run()
    qtbot.waitUntil(lambda: len(dialog.rows) >= 1, timeout=TIMEOUT)
    window.close()
    analysis_threads.wait()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert dialog.result is None


def test_collapsed_cells_are_marked_and_never_best(
    qtbot, window, errors, open_faithful, analysis_threads
):
    # One diag start at K = 5 (seed 39) ends with a component on waiting = 83 (whole
    # minutes) held up by the regularisation alone; it has the lowest BIC, but is marked
    # and passed over. (With several starts a fit keeps one that is not degenerate.)
    open_faithful(seed=39)
    dialog = selection_dialog(window)
    dialog.k_edit.setText("3,5")
    dialog.set_checked_specs([TIED, ModelSpec("gaussian", "diag")])
    dialog.n_init_spin.setValue(1)
    dialog.hc_box.setChecked(False)  # k-means++ alone; the hierarchical start finds no collapse
    with qtbot.waitSignal(dialog.sweep_finished, timeout=TIMEOUT) as finished:
        dialog.run()
    analysis_threads.wait()
    tied3, tied5, diag3, diag5 = finished.args[0]
    assert diag5.collapsed and not (tied3.collapsed or tied5.collapsed or diag3.collapsed)
    assert all(diag5.result.bic < cell.result.bic for cell in (tied3, tied5, diag3))
    proper = min((tied3, tied5, diag3), key=lambda cell: cell.result.bic)
    assert dialog.best() is proper
    assert dialog.chart.ring_position() == (proper.n_components, proper.result.bic)
    note = dialog.table_model.data(dialog.table_model.index(3, len(COLUMNS) - 1))
    assert note == f"component {diag5.collapsed[0] + 1} collapsed"
    points = dialog.chart.line(ModelSpec("gaussian", "diag")).scatter.points()
    fills = [p.brush().color().name() for p in sorted(points, key=lambda p: p.pos().x())]
    assert fills[1] == "#ffffff" and fills[0] != "#ffffff"  # K = 5 hollow, K = 3 filled
    assert "Hollow markers: 1 cell" in dialog.summary_label.text()
    assert errors == []


def test_restarts_report_a_setting_that_cannot_be_fitted(
    qtbot, window, errors, open_faithful, analysis_threads
):
    open_faithful()
    panel = window.settings_panel
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("bernoulli"))
    dialog = restarts_dialog(window)
    dialog.starts_spin.setValue(3)
    dialog.run()
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT)
    analysis_threads.wait()
    assert "0/1" in errors[0][0] and "Traceback" in errors[0][1]
    assert dialog.run_bar.status_label.text() == "The run stopped on an error."
    assert dialog.run_bar.run_button.isEnabled() and not dialog.is_running
    assert dialog.rows == []


def test_the_restarts_dialog_says_the_settings_of_a_sample_opened_while_it_is_open(
        qtbot, window, errors, analysis_threads):
    window.open_sample("elongated")
    window.settings_panel.k_spin.setValue(4)
    dialog = restarts_dialog(window)
    assert "K = 4" in dialog.setting_label.text()
    window.open_sample("two_coins")  # its model and K come in force with its data
    options = window.document.options
    assert (options.model, options.n_components) == ("binomial", 2)
    assert "K = 2" in dialog.setting_label.text()
    assert "Binomial" in dialog.setting_label.text()
