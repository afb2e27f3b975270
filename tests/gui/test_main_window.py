"""The real window, driven as a user would: open, run, pause, step, scrub, close."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog

import engine
from emgui import main_window as main_window_module
from emgui.app import user_settings
from emgui.fit_controller import RunState
from emgui.import_dialog import ImportDialog
from emgui.main_window import MainWindow
from emgui.views.geometry import ellipse_points, project_gaussian

ROOT = Path(__file__).resolve().parents[2]
FAITHFUL = ROOT.parent / "shared" / "datasets" / "faithful.csv"
FAITHFUL_SEMICOLON = ROOT.parent / "shared" / "datasets" / "faithful_semicolon.csv"


def faithful() -> np.ndarray:
    return np.loadtxt(FAITHFUL, delimiter=",", skiprows=1)


@pytest.fixture
def window(qtbot):
    window = MainWindow(user_settings())
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    controller = window.controller
    try:
        qtbot.waitUntil(lambda: controller.threads_running == 0, timeout=10_000)
    except qtbot.TimeoutError:
        workers = list(controller._threads.items())
        state = [(t.isRunning(), t.isFinished(), w.stop_requested, w.is_waiting) for t, w in workers]
        pytest.fail(f"fit threads still registered after close: (running, finished, stop, waiting) {state}")


def open_faithful(window: MainWindow, k: int = 2) -> None:
    assert window.open_file(FAITHFUL, ask=False)
    window.settings_panel.k_spin.setValue(k)
    window.settings_panel.seed_spin.setValue(3)


def run_to_end(qtbot, window: MainWindow) -> engine.FitResult:
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        with qtbot.assertNotEmitted(window.controller.run_failed):
            window.run_actions.run.trigger()
    return finished.args[0]


def make_slow(window: MainWindow) -> None:
    """A fit that never converges: tolerance 0 and a huge iteration limit."""
    window.settings_panel.tol_combo.setCurrentText("0")
    window.settings_panel.max_iter_spin.setValue(100_000)


def test_open_through_the_file_dialog_and_import_preview(qtbot, window, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(FAITHFUL_SEMICOLON), ""))
    monkeypatch.setattr(ImportDialog, "exec", lambda self: ImportDialog.DialogCode.Accepted)
    with qtbot.waitSignal(window.data_loaded, timeout=5000):
        window.open_action.trigger()
    np.testing.assert_array_equal(window.table.data, faithful())
    assert window.table.columns == ["eruptions", "waiting"]
    assert window.recent_files()[0] == str(FAITHFUL_SEMICOLON.resolve())
    assert window.settings.value("last_dir", type=str) == str(FAITHFUL_SEMICOLON.parent)
    assert window.settings_panel.k_spin.maximum() == 50
    assert window.run_actions.run.isEnabled()


def test_cancelled_import_keeps_what_was_open(qtbot, window, monkeypatch):
    open_faithful(window)
    monkeypatch.setattr(ImportDialog, "exec", lambda self: ImportDialog.DialogCode.Rejected)
    assert not window.open_file(FAITHFUL_SEMICOLON)
    assert window.table.source == FAITHFUL


def test_drag_and_drop_opens_the_file(qtbot, window, tmp_path):
    path = tmp_path / "points.npy"
    np.save(path, faithful()[:50])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPointF(10, 10).toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.data_loaded, timeout=5000):
        window.dropEvent(drop)
    assert window.table.data.shape == (50, 2)
    assert window.settings_panel.k_spin.maximum() == 50


def test_run_to_convergence_draws_the_engines_result(qtbot, window):
    open_faithful(window, k=3)
    result = run_to_end(qtbot, window)
    expected = engine.fit(faithful(), window.settings_panel.options())
    assert result.log_likelihood == expected.log_likelihood
    assert result.params.allclose(expected.params, rtol=0)
    qtbot.waitUntil(lambda: window._shown_index == len(window.controller.snapshots) - 1)
    scatter = window.views.scatter
    # Labels drawn are the engine's labels for the displayed rows.
    np.testing.assert_array_equal(window.views.labels, expected.labels[scatter.display_index])
    assert sorted(scatter.component_point_counts()) == sorted(np.bincount(expected.labels))
    # Every ellipse is the engine's covariance at 1, 2 and 3 sd, in the colour it had all run.
    means, covs = project_gaussian(expected.params, "full", (0, 1))
    run_slot = np.argsort(result.order)
    for k in range(3):
        slot = result.order[k]
        for n_std in (1, 2, 3):
            x, y = scatter.ellipse_curves(slot, n_std)
            np.testing.assert_allclose(np.column_stack([x, y]),
                                       ellipse_points(means[k], covs[k], n_std, n=len(x)),
                                       rtol=1e-10, atol=1e-10)
    assert sorted(run_slot) == [0, 1, 2]
    assert window.params_table.params_model.rowCount() == 3
    assert "converged" in window.status_label.text()
    assert window.iteration_slider.maximum() == result.n_iter
    assert window.likelihood_plot.history == pytest.approx(list(result.history))


def test_pause_step_resume_stop_and_the_actions_follow(qtbot, window):
    open_faithful(window)
    make_slow(window)
    actions = window.run_actions
    assert not actions.pause.isEnabled() and not actions.stop.isEnabled()
    actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.controller.snapshots) > 3, timeout=10_000)
    assert actions.pause.isEnabled() and actions.stop.isEnabled() and not actions.step.isEnabled()
    actions.pause.trigger()
    assert window.controller.state is RunState.PAUSED
    assert actions.pause.text() == "Resume" and actions.step.isEnabled()
    # An iteration already under way when Pause was pressed may still arrive.
    qtbot.waitUntil(lambda: window.controller.is_waiting, timeout=10_000)
    count = len(window.controller.snapshots)
    actions.step.trigger()
    qtbot.waitUntil(lambda: len(window.controller.snapshots) == count + 1, timeout=10_000)
    with qtbot.assertNotEmitted(window.controller.snapshot_added, wait=200):
        pass
    actions.pause.trigger()  # resume
    assert window.controller.state is RunState.RUNNING
    qtbot.waitUntil(lambda: len(window.controller.snapshots) > count + 10, timeout=10_000)
    actions.stop.trigger()
    assert window.controller.state is RunState.CANCELLED
    assert not actions.stop.isEnabled() and actions.run.isEnabled() and actions.reset.isEnabled()
    stopped_at = len(window.controller.snapshots)
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    assert len(window.controller.snapshots) == stopped_at
    actions.reset.trigger()
    assert window.controller.snapshots == [] and len(window.likelihood_plot.history) == 0


def test_step_from_idle_starts_paused_at_the_initial_parameters(qtbot, window):
    open_faithful(window)
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: len(window.controller.snapshots) == 1, timeout=10_000)
    assert window.controller.state is RunState.PAUSED
    assert window.controller.snapshots[0].iteration == 0
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: len(window.controller.snapshots) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: window._shown_index == 1, timeout=5000)
    assert window.iteration_label.text() == "iteration 1"


def test_the_slider_scrubs_back_through_iterations(qtbot, window):
    open_faithful(window, k=3)
    result = run_to_end(qtbot, window)
    snapshots = window.controller.snapshots
    assert len(snapshots) == result.n_iter + 1
    window.iteration_slider.setValue(0)
    assert window.likelihood_plot.current() == 0
    first = snapshots[0].params
    weights = [window.params_table.params_model.index(r, 1).data(Qt.ItemDataRole.EditRole)
               for r in range(3)]
    np.testing.assert_array_equal(weights, first.weights)
    _, log_resp = engine.predict_log_resp(faithful(), first, result.options)
    np.testing.assert_array_equal(window.views.labels, np.argmax(log_resp, axis=1))
    assert window.iteration_label.text() == "iteration 0"
    window.iteration_slider.setValue(window.iteration_slider.maximum())
    np.testing.assert_array_equal(window.views.labels, result.labels)


def test_live_frames_draw_one_snapshot_in_every_view(qtbot, window):
    # During a run a frame is drawn in stages, one per turn of the event loop; when it
    # is done, the views, trace and table all show the same snapshot.
    open_faithful(window, k=3)
    make_slow(window)
    checked: list[int] = []
    mismatches: list[str] = []

    def on_snapshot_shown(index: int) -> None:
        snapshot = window.controller.snapshots[index]
        model = window.params_table.params_model
        weights = [model.index(r, 1).data(Qt.ItemDataRole.EditRole) for r in range(3)]
        _, log_resp = engine.predict_log_resp(faithful(), snapshot.params, window.current_options())
        if not np.array_equal(weights, snapshot.params.weights):
            mismatches.append(f"table at {index}")
        if window.likelihood_plot.current() != snapshot.iteration:
            mismatches.append(f"trace at {index}")
        if not np.array_equal(window.views.labels, np.argmax(log_resp, axis=1)):
            mismatches.append(f"points at {index}")
        checked.append(index)

    window.snapshot_shown.connect(on_snapshot_shown)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: len(checked) >= 5, timeout=20_000)
    window.run_actions.stop.trigger()
    assert mismatches == []
    assert checked == sorted(checked) and checked[-1] > 0


def test_a_whole_redraw_cancels_the_rest_of_a_live_frame(qtbot, window):
    open_faithful(window, k=3)
    make_slow(window)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.controller.snapshots) > 5, timeout=10_000)
    window.run_actions.pause.trigger()
    qtbot.waitUntil(lambda: window.controller.is_waiting, timeout=10_000)
    qtbot.waitUntil(lambda: window._live_frame is None, timeout=5_000)
    window._dirty = True
    window._on_draw_timer_timeout()  # a live frame of the newest snapshot begins ...
    assert window._live_frame is not None
    window.iteration_slider.setValue(0)  # ... and the user scrubs back before it ends
    qtbot.wait(100)
    first = window.controller.snapshots[0].params
    model = window.params_table.params_model
    weights = [model.index(r, 1).data(Qt.ItemDataRole.EditRole) for r in range(3)]
    np.testing.assert_array_equal(weights, first.weights)
    assert window.likelihood_plot.current() == 0 and window.current_snapshot().iteration == 0


def test_run_again_during_a_fit_never_draws_the_old_run(qtbot, window):
    open_faithful(window, k=4)
    make_slow(window)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.controller.snapshots) > 5, timeout=10_000)
    window.settings_panel.k_spin.setValue(2)
    window.settings_panel.tol_combo.setCurrentText("1e-6")
    window.settings_panel.max_iter_spin.setValue(500)
    result = run_to_end(qtbot, window)
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    assert result.options.n_components == 2
    assert all(s.params.n_components == 2 for s in window.controller.snapshots)
    assert window.params_table.params_model.rowCount() == 2


def test_opening_another_file_during_a_fit_stops_it(qtbot, window, tmp_path):
    open_faithful(window)
    make_slow(window)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.controller.snapshots) > 2, timeout=10_000)
    path = tmp_path / "other.npy"
    np.save(path, faithful()[:40])
    assert window.open_file(path, ask=False)
    assert window.controller.state is RunState.CANCELLED
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    assert window.table.data.shape == (40, 2)


def test_closing_the_window_during_a_fit_stops_it_cleanly(qtbot):
    window = MainWindow(user_settings())
    qtbot.addWidget(window)
    window.show()
    open_faithful(window)
    make_slow(window)
    window.run_actions.run.trigger()
    qtbot.waitUntil(lambda: len(window.controller.snapshots) > 2, timeout=10_000)
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert window.controller.threads_running == 0


def test_a_bad_file_gives_a_message_and_keeps_the_data(qtbot, window, errors, tmp_path):
    open_faithful(window)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n4,5\n")
    assert not window.open_file(bad, ask=False)
    assert len(errors) == 1 and "bad.csv" in errors[0][0] and "'x'" in errors[0][0]
    assert window.table.source == FAITHFUL


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


def test_click_to_place_starting_means(qtbot, window):
    open_faithful(window)
    panel = window.settings_panel
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("click"))
    window.views.scatter.point_placed.emit(2.0, 55.0)
    window.views.scatter.point_placed.emit(4.5, 80.0)
    window.settings_panel.max_iter_spin.setValue(0)
    result = run_to_end(qtbot, window)
    np.testing.assert_array_equal(result.params.means, [[2.0, 55.0], [4.5, 80.0]])
    assert result.options.explicit_init


def test_click_to_place_asks_for_the_missing_points(qtbot, window, errors):
    open_faithful(window)
    panel = window.settings_panel
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("click"))
    window.views.scatter.point_placed.emit(2.0, 55.0)
    window.run_actions.run.trigger()
    assert errors and "1 more point" in errors[0][0]
    assert window.controller.state is RunState.IDLE


def test_recent_files_that_are_gone_are_dropped(qtbot, tmp_path):
    settings = user_settings()
    settings.setValue("recent_files", [str(tmp_path / "gone.csv"), str(FAITHFUL)])
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.recent_files() == [str(FAITHFUL)]
    assert [a.data() for a in window.recent_menu.actions()] == [str(FAITHFUL)]
    assert "no longer exist" in window.statusBar().currentMessage()


def test_settings_persist_between_launches(qtbot, window):
    open_faithful(window, k=4)
    panel = window.settings_panel
    panel.covariance_combo.setCurrentIndex(panel.covariance_combo.findData("diag"))
    run_to_end(qtbot, window)
    again = MainWindow(user_settings())
    qtbot.addWidget(again)
    options = again.settings_panel.options()
    assert (options.n_components, options.covariance_type, options.seed) == (4, "diag", 3)


def test_impossible_k_cannot_be_entered(qtbot, window, tmp_path):
    path = tmp_path / "five.npy"
    np.save(path, faithful()[:5])
    window.open_file(path, ask=False)
    window.settings_panel.k_spin.setValue(9)
    assert window.settings_panel.k_spin.value() == 5


def test_controls_that_do_not_apply_are_hidden(qtbot, window):
    panel = window.settings_panel
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("poisson"))
    assert not panel.covariance_combo.isVisibleTo(panel)
    assert not panel.trials_spin.isVisibleTo(panel)
    assert panel.fixed_boxes["rates"].isVisibleTo(panel)
    assert not panel.fixed_boxes["means"].isVisibleTo(panel)
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("binomial"))
    assert panel.trials_spin.isVisibleTo(panel)
    for widget in (panel.model_combo, panel.k_spin, panel.init_combo, panel.tol_combo,
                   panel.reg_combo, panel.seed_spin, panel.n_init_spin, panel.e_step_combo):
        assert widget.toolTip(), widget


def test_thousands_of_emits_and_redraws_in_one_process(qtbot, window):
    """Guards against binding regressions (PySide6 6.12.0 aborted after some hundreds)."""
    open_faithful(window)
    window.settings_panel.tol_combo.setCurrentText("0")
    window.settings_panel.max_iter_spin.setValue(2000)
    run_to_end(qtbot, window)
    assert len(window.controller.snapshots) == 2001
    for index in range(0, 2001, 2):
        window.show_snapshot(index)
    assert window.iteration_label.text() == "iteration 2000"


def test_samples_open_ready_to_run(qtbot, window):
    for action in window.sample_menu.actions():
        action.trigger()
        assert window.table is not None and window.run_actions.run.isEnabled()
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


def test_large_files_load_off_the_gui_thread_with_a_busy_indicator(qtbot, window, tmp_path,
                                                                    monkeypatch):
    import threading

    import emgui.data_loader as data_loader

    path = tmp_path / "big.csv"
    rows = np.random.default_rng(0).normal(size=(60_000, 3))
    np.savetxt(path, rows, delimiter=",", header="a,b,c", comments="", fmt="%.12f")
    assert path.stat().st_size > main_window_module.BACKGROUND_LOAD_BYTES
    threads: list[str] = []
    original = data_loader.read_table

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(data_loader, "read_table", recording)
    busy: list[bool] = []
    window.loader.busy_changed.connect(busy.append)
    with qtbot.waitSignal(window.data_loaded, timeout=20_000):
        assert window.open_file(path, ask=False)
        assert window.load_progress.isVisibleTo(window)
        assert "Reading big.csv" in window.status_label.text()
    assert threads and threads[0] != threading.main_thread().name
    assert busy == [True, False] and not window.load_progress.isVisibleTo(window)
    np.testing.assert_allclose(window.table.data, rows, rtol=0, atol=1e-12)  # written with 12 decimals
    # Drawn as a label image: beyond a few thousand points recolouring items is too slow.
    assert window.views.scatter.uses_image
