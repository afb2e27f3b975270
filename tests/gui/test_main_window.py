"""The real window, driven as a user would: open, run, pause, step, scrub, close."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog

import engine
from emgui.app import user_settings
from emgui.runs import data_loader
from emgui.shell import data_opener
from emgui.shell import main_window as main_window_module
from emgui.shell.document import RunState
from emgui.shell.import_dialog import ImportDialog
from emgui.shell.main_window import MainWindow
from emgui.views import declared
from emgui.views.geometry import ellipse_points, project
from emio.samples import load_catalogue

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_faithful(window, faithful_csv) -> Callable[..., None]:
    """Opens Old Faithful in the window, with K and the seed set as a user would."""

    def open_it(k: int = 2) -> None:
        assert window.open_file(faithful_csv, ask=False)
        window.settings_panel.k_spin.setValue(k)
        window.settings_panel.seed_spin.setValue(3)

    return open_it


def run_to_end(qtbot, window: MainWindow) -> engine.FitResult:
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        with qtbot.assertNotEmitted(window.controller.run_failed):
            window.run_actions.run.trigger()
    return finished.args[0]


def make_slow(window: MainWindow) -> None:
    """A fit that never converges: tolerance 0 and a huge iteration limit."""
    window.settings_panel.tol_combo.setCurrentText("0")
    window.settings_panel.max_iter_spin.setValue(100_000)


def table_weights(window: MainWindow, n: int) -> list[float]:
    model = window.params_table.params_model
    return [model.index(r, 1).data(Qt.ItemDataRole.EditRole) for r in range(n)]


def test_open_through_the_file_dialog_and_import_preview(
    qtbot, window, monkeypatch, faithful, datasets
):
    semicolon = datasets / "faithful_semicolon.csv"
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(semicolon), ""))
    monkeypatch.setattr(ImportDialog, "exec", lambda self: ImportDialog.DialogCode.Accepted)
    with qtbot.waitSignal(window.document.data_changed, timeout=5000):
        window.open_action.trigger()
    np.testing.assert_array_equal(window.document.table.data, faithful)
    assert window.document.table.columns == ["eruptions", "waiting"]
    assert window.recent_files()[0] == str(semicolon.resolve())
    assert window.settings.value("last_dir", type=str) == str(semicolon.parent)
    assert window.settings_panel.k_spin.maximum() == 50
    assert window.run_actions.run.isEnabled()


def test_cancelled_import_keeps_what_was_open(
    qtbot, window, monkeypatch, open_faithful, faithful_csv, datasets
):
    semicolon = datasets / "faithful_semicolon.csv"
    open_faithful()
    monkeypatch.setattr(ImportDialog, "exec", lambda self: ImportDialog.DialogCode.Rejected)
    assert not window.open_file(semicolon)
    assert window.document.table.source == faithful_csv


def test_drag_and_drop_opens_the_file(qtbot, window, tmp_path, faithful):
    path = tmp_path / "points.npy"
    np.save(path, faithful[:50])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPointF(10, 10).toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.document.data_changed, timeout=5000):
        window.dropEvent(drop)
    assert window.document.table.data.shape == (50, 2)
    assert window.settings_panel.k_spin.maximum() == 50


def test_run_to_convergence_draws_the_engines_result(qtbot, window, open_faithful, faithful):
    open_faithful(k=3)
    result = run_to_end(qtbot, window)
    expected = engine.fit(faithful, window.document.options)
    assert result.log_likelihood == expected.log_likelihood
    assert result.params.allclose(expected.params, rtol=0)
    qtbot.waitUntil(lambda: window.document.shown_index == len(window.document.snapshots) - 1)
    scatter = window.views.scatter
    # Labels drawn are the engine's labels for the displayed rows.
    np.testing.assert_array_equal(window.views.labels, expected.labels[scatter.display_index])
    assert sorted(scatter.component_point_counts()) == sorted(np.bincount(expected.labels))
    # Every ellipse is the engine's covariance at 1, 2 and 3 sd; component k (row k of the
    # table, numbered k + 1) has colour k.
    options = window.document.options
    means, covs = project(expected.params, declared.location_spec(options),
                          declared.spread_spec(options), (0, 1))
    for k in range(3):
        for n_std in (1, 2, 3):
            x, y = scatter.ellipse_curves(k, n_std)
            np.testing.assert_allclose(np.column_stack([x, y]),
                                       ellipse_points(means[k], covs[k], n_std, n=len(x)),
                                       rtol=1e-10, atol=1e-10)
    assert window.params_table.params_model.rowCount() == 3
    assert "converged" in window.status_label.text()
    assert window.iteration_slider.maximum() == result.n_iter
    # The trace shows what EM climbs (the log-likelihood plus the log prior), and says so.
    assert window.likelihood_plot.history == pytest.approx(list(result.objective_history))
    assert window.likelihood_plot.label == "log-likelihood + log prior"


def test_pause_step_resume_stop_and_the_actions_follow(qtbot, window, open_faithful):
    open_faithful()
    make_slow(window)
    actions = window.run_actions
    assert not actions.pause.isEnabled() and not actions.stop.isEnabled()
    actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) > 3, timeout=10_000)
    assert actions.pause.isEnabled() and actions.stop.isEnabled() and not actions.step.isEnabled()
    actions.pause.trigger()
    assert window.document.run_state is RunState.PAUSED
    assert actions.pause.text() == "Resume" and actions.step.isEnabled()
    # An iteration already under way when Pause was pressed may still arrive.
    qtbot.waitUntil(lambda: window.controller.is_waiting, timeout=10_000)
    count = len(window.document.snapshots)
    actions.step.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) == count + 1, timeout=10_000)
    with qtbot.assertNotEmitted(window.document.snapshot_added, wait=200):
        pass
    actions.pause.trigger()  # resume
    assert window.document.run_state is RunState.RUNNING
    qtbot.waitUntil(lambda: len(window.document.snapshots) > count + 10, timeout=10_000)
    actions.stop.trigger()
    assert window.document.run_state is RunState.CANCELLED
    assert not actions.stop.isEnabled() and actions.run.isEnabled() and actions.reset.isEnabled()
    stopped_at = len(window.document.snapshots)
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    assert len(window.document.snapshots) == stopped_at
    actions.reset.trigger()
    assert window.document.snapshots == () and len(window.likelihood_plot.history) == 0


def test_step_from_idle_starts_paused_at_the_initial_parameters(qtbot, window, open_faithful):
    open_faithful()
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) == 1, timeout=10_000)
    assert window.document.run_state is RunState.PAUSED
    assert window.document.snapshots[0].iteration == 0
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: window.document.shown_index == 1, timeout=5000)
    assert window.iteration_label.text() == "iteration 1"


def test_the_slider_scrubs_back_through_iterations(qtbot, window, open_faithful, faithful):
    open_faithful(k=3)
    result = run_to_end(qtbot, window)
    snapshots = window.document.snapshots
    assert len(snapshots) == result.n_iter + 1
    window.iteration_slider.setValue(0)
    assert window.likelihood_plot.current() == 0
    first = snapshots[0].params
    np.testing.assert_array_equal(table_weights(window, 3), first.weights)
    _, log_resp = engine.predict_log_resp(faithful, first, result.options)
    np.testing.assert_array_equal(window.views.labels, np.argmax(log_resp, axis=1))
    assert window.iteration_label.text() == "iteration 0"
    window.iteration_slider.setValue(window.iteration_slider.maximum())
    np.testing.assert_array_equal(window.views.labels, result.labels)


def test_live_frames_draw_one_snapshot_in_every_view(qtbot, window, open_faithful):
    # During a run a frame is drawn in stages, one per turn of the event loop; when it is
    # done (the document says which snapshot is shown), the views, trace and table all
    # show that snapshot. Each view says what it last drew, compared by identity.
    open_faithful(k=3)
    make_slow(window)
    checked: list[int] = []
    mismatches: list[str] = []

    def on_snapshot_shown(index: int) -> None:
        snapshot = window.document.snapshot(index)
        if window.params_table.shown_params is not snapshot.params:
            mismatches.append(f"table at {index}")
        if window.likelihood_plot.current() != snapshot.iteration:
            mismatches.append(f"trace at {index}")
        if window.views.drawn_params is not snapshot.params:
            mismatches.append(f"points at {index}")
        checked.append(index)

    window.document.shown_changed.connect(on_snapshot_shown)
    staged: list[int] = []
    window.display.live_frame_started.connect(staged.append)
    # Step by step first: which snapshots are drawn does not depend on how fast the
    # engine runs against the draw timer (every one is, as a live frame in stages).
    window.run_actions.step.trigger()
    labeller = engine.Evaluator(window.document.table.data, window.document.fit_options())
    for index in range(6):
        qtbot.waitUntil(lambda: window.document.shown_index == index, timeout=10_000)
        assert window.document.n_snapshots == index + 1
        shown = window.document.shown_snapshot()
        np.testing.assert_array_equal(window.views.labels, labeller.labels(shown.params))
        window.run_actions.step.trigger()
    assert staged == list(range(6)) and checked == list(range(6))
    # Then running: frames coalesce many snapshots, and each still shows one everywhere.
    window.run_actions.pause.trigger()  # resume
    qtbot.waitUntil(lambda: len(checked) >= 11, timeout=20_000)
    window.run_actions.stop.trigger()
    assert mismatches == []
    assert checked == sorted(checked) and checked[-1] > 6


def test_a_whole_redraw_cancels_the_rest_of_a_live_frame(qtbot, window, open_faithful):
    open_faithful(k=3)
    make_slow(window)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: window.document.n_snapshots > 5, timeout=10_000)
    window.run_actions.pause.trigger()
    qtbot.waitUntil(lambda: window.controller.is_waiting, timeout=10_000)

    def scrub_back(index: int) -> None:
        # A live frame of the newest snapshot has drawn its first stage; the user scrubs
        # back to the start before the rest of it is drawn.
        window.iteration_slider.setValue(0)

    window.display.live_frame_started.connect(scrub_back)
    with qtbot.waitSignal(window.display.live_frame_started, timeout=10_000):
        window.run_actions.step.trigger()  # one more iteration, drawn as a live frame
    window.display.live_frame_started.disconnect(scrub_back)
    # The rest of that frame never draws the newer snapshot over the one scrubbed to.
    with qtbot.assertNotEmitted(window.document.shown_changed, wait=200):
        pass
    first = window.document.snapshot(0).params
    np.testing.assert_array_equal(table_weights(window, 3), first.weights)
    assert window.likelihood_plot.current() == 0 and window.document.shown_snapshot().iteration == 0
    window.run_actions.stop.trigger()


def test_run_again_during_a_fit_never_draws_the_old_run(qtbot, window, open_faithful):
    open_faithful(k=4)
    make_slow(window)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) > 5, timeout=10_000)
    window.settings_panel.k_spin.setValue(2)
    window.settings_panel.tol_combo.setCurrentText("1e-6")
    window.settings_panel.max_iter_spin.setValue(500)
    result = run_to_end(qtbot, window)
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    assert result.options.n_components == 2
    assert all(s.params.n_components == 2 for s in window.document.snapshots)
    assert window.params_table.params_model.rowCount() == 2


def test_opening_another_file_during_a_fit_stops_it(
    qtbot, window, tmp_path, open_faithful, faithful
):
    open_faithful()
    make_slow(window)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) > 2, timeout=10_000)
    path = tmp_path / "other.npy"
    np.save(path, faithful[:40])
    assert window.open_file(path, ask=False)
    assert window.document.run_state is RunState.CANCELLED
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    assert window.document.table.data.shape == (40, 2)


def test_closing_the_window_during_a_fit_stops_it_cleanly(qtbot, window, open_faithful, threads):
    open_faithful()
    make_slow(window)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.document.snapshots) > 2, timeout=10_000)
    window.close()
    assert window.isVisible(), "the window waits for its fit to stop"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert window.controller.threads_running == 0 and not threads.busy(owner=window)


def test_a_bad_file_gives_a_message_and_keeps_the_data(
    qtbot, window, errors, tmp_path, open_faithful, faithful_csv
):
    open_faithful()
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n4,5\n")
    assert not window.open_file(bad, ask=False)
    assert len(errors) == 1 and "bad.csv" in errors[0][0] and "'x'" in errors[0][0]
    assert window.document.table.source == faithful_csv


def test_a_failing_fit_reaches_the_user_with_details(qtbot, window, errors, tmp_path):
    path = tmp_path / "dup.npy"
    np.save(path, np.array([[0.0, 0.0]] * 10 + [[5.0, 5.0]] * 10))
    window.open_file(path, ask=False)
    window.settings_panel.k_spin.setValue(2)
    window.settings_panel.reg_combo.setCurrentText("0")
    with qtbot.waitSignal(window.controller.run_failed, timeout=10_000):
        window.run_actions.run.trigger()
    assert len(errors) == 1
    message, details = errors[0]
    assert "collapsed" in message and "reg" in message
    assert "Traceback" in details
    assert window.isVisible()


def test_click_to_place_starting_means(qtbot, window, open_faithful):
    open_faithful()
    panel = window.settings_panel
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("click"))
    window.views.scatter.point_placed.emit(2.0, 55.0)
    window.views.scatter.point_placed.emit(4.5, 80.0)
    window.settings_panel.max_iter_spin.setValue(0)
    result = run_to_end(qtbot, window)
    np.testing.assert_array_equal(result.params.means, [[2.0, 55.0], [4.5, 80.0]])
    assert result.options.explicit_init


def test_click_to_place_asks_for_the_missing_points(qtbot, window, errors, open_faithful):
    open_faithful()
    panel = window.settings_panel
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("click"))
    window.views.scatter.point_placed.emit(2.0, 55.0)
    window.run_actions.run.trigger()
    assert errors and "1 more point" in errors[0][0]
    assert window.document.run_state is RunState.IDLE


def test_recent_files_that_are_gone_are_dropped(qtbot, new_window, tmp_path, faithful_csv):
    settings = user_settings()
    settings.setValue("recent_files", [str(tmp_path / "gone.csv"), str(faithful_csv)])
    window = new_window(settings)
    assert window.recent_files() == [str(faithful_csv)]
    assert [a.data() for a in window.recent_menu.actions()] == [str(faithful_csv)]
    assert "no longer exist" in window.statusBar().currentMessage()


def test_settings_persist_between_launches(qtbot, window, new_window, open_faithful):
    open_faithful(k=4)
    panel = window.settings_panel
    combo = panel.option_field("covariance_type").combo
    combo.setCurrentIndex(combo.findData("diag"))
    run_to_end(qtbot, window)
    again = new_window()
    options = again.settings_panel.options()
    assert (options.n_components, options.covariance_type, options.seed) == (4, "diag", 3)


def test_impossible_k_cannot_be_entered(qtbot, window, tmp_path, faithful):
    path = tmp_path / "five.npy"
    np.save(path, faithful[:5])
    window.open_file(path, ask=False)
    window.settings_panel.k_spin.setValue(9)
    assert window.settings_panel.k_spin.value() == 5


def test_controls_that_do_not_apply_are_hidden(qtbot, window):
    panel = window.settings_panel
    covariance, trials = panel.option_field("covariance_type"), panel.option_field("trials")
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("poisson"))
    assert not covariance.widget.isVisibleTo(panel) and not covariance.label.isVisibleTo(panel)
    assert not trials.widget.isVisibleTo(panel)
    assert panel.fixed_boxes["rates"].isVisibleTo(panel)
    assert not panel.fixed_boxes["means"].isVisibleTo(panel)
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("binomial"))
    assert trials.widget.isVisibleTo(panel) and trials.label.text() == "Trials"
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("gaussian"))
    assert covariance.widget.isVisibleTo(panel)
    assert panel.option_field("regularisation").widget.isVisibleTo(panel)
    for widget in (panel.model_combo, panel.k_spin, panel.init_combo, panel.tol_combo,
                   panel.reg_combo, panel.seed_spin, panel.n_init_spin, panel.e_step_combo,
                   panel.accelerate_combo, covariance.widget, trials.widget):
        assert widget.toolTip(), widget


def test_thousands_of_emits_and_redraws_in_one_process(qtbot, window, open_faithful):
    """Guards against binding regressions (PySide6 6.12.0 aborted after some hundreds)."""
    open_faithful()
    window.settings_panel.tol_combo.setCurrentText("0")
    window.settings_panel.max_iter_spin.setValue(2000)
    run_to_end(qtbot, window)
    assert len(window.document.snapshots) == 2001
    for index in range(0, 2001, 2):
        window.show_snapshot(index)
    assert window.iteration_label.text() == "iteration 2000"


def test_samples_open_ready_to_run(qtbot, window):
    for action in window.sample_menu.actions():
        action.trigger()
        assert window.document.table is not None and window.run_actions.run.isEnabled()
    window.open_sample("two_coins")
    assert window.settings_panel.init_mode == "sample"
    result = run_to_end(qtbot, window)
    assert result.options.fixed == {"weights"}
    np.testing.assert_array_equal(result.params.weights, [0.5, 0.5])


def test_screenshot_from_the_command_line(tmp_path):
    shot = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    completed = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--sample", "blobs", "--k", "3", "--run",
         "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert completed.returncode == 0, completed.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 600
    assert main_window_module.DEFAULT_SIZE[0] == image.width()


@pytest.mark.parametrize(("args", "message"), [
    (["--sample", "two-coins"], "argument --sample: invalid choice: 'two-coins' (choose from "),
    (["--sample", "blobs", "--k", "0"],
     "argument --k: K must be a whole number of at least 1, not '0'"),
    (["no/such/file.csv"], "error: there is no file no/such/file.csv; check the name and the "
     "folder"),
])
def test_bad_arguments_to_the_window_are_a_line_at_the_terminal(tmp_path, args, message):
    # Each failed before a window waited on a dialog or raised StopIteration (an unknown
    # sample); K = 0 was clamped to 1 without a word.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    completed = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args, "--screenshot", str(tmp_path / "s.png")],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert completed.returncode == 2
    assert message in completed.stderr and "Traceback" not in completed.stderr
    assert not (tmp_path / "s.png").exists()


def test_large_files_load_off_the_gui_thread_with_a_busy_indicator(
    qtbot, window, tmp_path, monkeypatch
):
    import threading

    path = tmp_path / "big.csv"
    rows = np.random.default_rng(0).normal(size=(60_000, 3))
    np.savetxt(path, rows, delimiter=",", header="a,b,c", comments="", fmt="%.12f")
    assert path.stat().st_size > data_opener.BACKGROUND_LOAD_BYTES
    read_in: list[str] = []
    original = data_loader.read_table

    def recording(*args, **kwargs):
        read_in.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(data_loader, "read_table", recording)
    busy: list[bool] = []
    window.opener.busy_changed.connect(busy.append)
    with qtbot.waitSignal(window.document.data_changed, timeout=20_000):
        assert window.open_file(path, ask=False)
        assert window.load_progress.isVisibleTo(window)
        assert "Reading big.csv" in window.status_label.text()
    assert read_in and read_in[0] != threading.main_thread().name
    assert busy == [True, False] and not window.load_progress.isVisibleTo(window)
    np.testing.assert_allclose(window.document.table.data, rows, rtol=0, atol=1e-12)  # written with 12 decimals
    # Drawn as a label image: beyond a few thousand points recolouring items is too slow.
    assert window.views.scatter.uses_image


def test_rows_with_a_missing_coordinate_are_drawn_hollow_where_em_expects_them(qtbot, window):
    window.open_sample("heights_weights_gaps")
    scatter = window.views.scatter
    table = window.document.table
    gaps = np.flatnonzero(np.isnan(table.data).any(axis=1))
    np.testing.assert_array_equal(scatter.display_index[scatter.gap_rows], gaps)
    assert scatter.imputed_positions.shape == (0, 2)  # no fit yet: no expected place
    sample = next(s for s in load_catalogue() if s.id == "heights_weights_gaps")
    drawn = []
    for _ in range(3):
        window.run_actions.step.trigger()
        qtbot.waitUntil(lambda: window.views.drawn_params is not None
                        and window.document.shown_snapshot() is not None
                        and window.document.shown_snapshot().iteration == len(drawn), timeout=10_000)
        params = window.document.shown_snapshot().params
        expected = engine.impute(table.data, params, sample.fit_options()).values[gaps]
        np.testing.assert_allclose(scatter.imputed_positions, expected, rtol=1e-12)
        # Each stays on the line of its observed coordinate.
        observed = ~np.isnan(table.data[gaps])
        np.testing.assert_array_equal(scatter.imputed_positions[observed], table.data[gaps][observed])
        drawn.append(scatter.imputed_positions.copy())
    # They move as EM iterates.
    assert not np.array_equal(drawn[0], drawn[-1])
    window.run_actions.stop.trigger()
