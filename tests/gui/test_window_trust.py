"""The window never shows a wrong picture (issue 13, points 10-16): settings that belong to
other data go, one numbering, k-means as k-means, passing notes seen, the scrubbed
iteration's own figures, models that cannot fit the data greyed with the reason."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QApplication

import engine
from emgui.shell.main_window import MainWindow
from emgui.views.colors import component_color
from emio.samples import load_catalogue

SAMPLES = [s.id for s in load_catalogue() if s.path.suffix == ".csv"]


def choose(window: MainWindow, model: str) -> None:
    combo = window.settings_panel.model_combo
    combo.setCurrentIndex(combo.findData(model))


def run_to_end(qtbot, window: MainWindow) -> engine.FitResult:
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        window.run_actions.run.trigger()
    return finished.args[0]


def test_every_sample_opens_with_its_own_settings_after_every_other(window, new_window):
    # Opened first in a window of its own, each sample's settings are its own; opened
    # after any other sample (whose model options, such as the trials of the coins,
    # were in force), it must come with exactly the same settings.
    own = {}
    for sample in SAMPLES:
        fresh = new_window()
        fresh.open_sample(sample)
        own[sample] = (fresh.document.options, fresh.settings_panel.options())
        fresh.close()
    for before in SAMPLES:
        for after in SAMPLES:
            window.open_sample(before)
            window.open_sample(after)
            options, panel = own[after]
            assert window.document.options == options, (before, after)
            assert window.settings_panel.options() == panel, (before, after)


def test_new_data_drop_the_model_options_of_the_old(window, tmp_path):
    window.open_sample("two_coins")  # binomial, with its number of tosses
    assert window.document.options.model_options.get("trials") is not None
    counts = tmp_path / "counts.csv"
    counts.write_text("a,b\n0,1\n1,1\n0,0\n1,0\n", encoding="utf-8")
    assert window.open_file(counts, ask=False)
    # The same model, but no trials carried over from data they did not belong to.
    assert window.document.options.model == "binomial"
    assert window.document.options.model_options.get("trials") is None


def test_one_number_and_one_colour_per_component_everywhere(qtbot, window):
    window.open_sample("counts")
    result = run_to_end(qtbot, window)
    # The count view's legend and the table list the result's components in its order,
    # component k in palette colour k, at the last iteration and the first.
    for index in (window.document.n_snapshots - 1, 0):
        window.iteration_slider.setValue(index)
        params = window.document.snapshot(index).params
        assert window.params_table.shown_params is params
        model = window.params_table.params_model
        colours = [model.data(model.index(k, 0), Qt.ItemDataRole.DecorationRole).name()
                   for k in range(model.rowCount())]
        assert colours == [component_color(k).name() for k in range(3)]
        weights = [model.data(model.index(k, 1), Qt.ItemDataRole.EditRole) for k in range(3)]
        np.testing.assert_array_equal(weights, params.weights)
        legend = window.views.discrete.legend
        for k in range(3):
            words = f"component {k + 1} (weight {params.weights[k]:.2f})".replace(" ", "&nbsp;")
            entry = f'color:{component_color(k).name()}; font-weight:bold">&#9632;</span>&nbsp;'
            assert entry + words in legend, (index, k, legend)
    assert np.array_equal(window.document.snapshots[-1].params.weights, result.params.weights)


def test_k_means_runs_as_k_means_with_round_circles(qtbot, window):
    window.open_sample("blobs")
    assert not window.views.scatter.equal_aspect  # ellipses: each axis its own scale
    choose(window, "kmeans")
    assert window.document.options.e_step == "hard"
    assert window.views.scatter.equal_aspect  # circles look round
    result = run_to_end(qtbot, window)
    assert result.options.e_step == "hard"
    inertia = result.metrics_history.get("inertia") or window.likelihood_plot.history
    assert all(b <= a + 1e-9 * abs(a) for a, b in zip(inertia, inertia[1:])), "inertia falls"
    choose(window, "gaussian")
    assert window.document.options.e_step == "soft"


def test_passing_notes_show_over_the_status_line(window):
    window.open_sample("blobs")
    assert window.status_label.text()
    window.show_note("Warning: one component sits on the regularisation floor")
    assert window.statusBar().currentMessage().startswith("Warning: one component")
    # The status line gives way to the note (a permanent widget would keep the width and
    # hide it), and comes back when the note goes.
    assert not window.status_label.isVisible()
    window.statusBar().clearMessage()
    assert window.status_label.isVisible()
    # A menu item's status tip is seen the same way: Qt sends it as a status-tip event.
    action = window.sample_menu.actions()[0]
    assert action.statusTip()
    QApplication.sendEvent(window, QStatusTipEvent(action.statusTip()))
    assert window.statusBar().currentMessage() == action.statusTip()
    assert not window.status_label.isVisible()

def test_scrubbing_back_shows_that_iterations_own_figures(qtbot, window):
    window.open_sample("elongated")
    result = run_to_end(qtbot, window)
    assert "converged" in window.status_label.text()
    window.iteration_slider.setValue(3)
    status = window.status_label.text()
    assert status.startswith("iteration 3 ·")
    assert f"{result.objective_history[3]:.6g}" in status
    assert "converged" not in status and "BIC" not in status
    assert f"looking back: the fit went on to iteration {result.n_iter}" in status
    # The whole curve stays, with a marker at the iteration shown.
    assert len(window.likelihood_plot.history) == result.n_iter + 1
    assert window.likelihood_plot.current() == 3


def test_models_that_cannot_fit_the_data_are_greyed_with_the_reason(window):
    window.open_sample("blobs")  # measurements, some negative
    combo = window.settings_panel.model_combo
    item = combo.model().item(combo.findData("poisson"))
    assert not item.isEnabled()
    assert item.toolTip().startswith("Not for these data: the poisson model needs")
    gaussian = combo.model().item(combo.findData("gaussian"))
    assert gaussian.isEnabled()
    window.open_sample("counts")
    assert combo.model().item(combo.findData("poisson")).isEnabled()


def test_a_problem_in_the_status_goes_when_the_model_changes(window):
    window.open_sample("counts")
    window.set_status("These data do not suit the Bernoulli model: they are counts.", problem=True)
    choose(window, "gaussian")
    assert "do not suit" not in window.status_label.text()


def test_a_model_that_cannot_fit_new_data_is_replaced_with_a_note(window, tmp_path):
    window.open_sample("counts")
    choose(window, "poisson")
    measurements = tmp_path / "measurements.csv"
    measurements.write_text("x,y\n-1.5,2.25\n0.5,-3.0\n2.0,1.0\n", encoding="utf-8")
    assert window.open_file(measurements, ask=False)
    assert window.document.options.model == "gaussian"
    assert window.document.model_problem("poisson") is not None
    note = window.statusBar().currentMessage()
    assert note.startswith("The Poisson model cannot fit these data (the poisson model needs")
    assert note.endswith("so the Gaussian model is chosen instead.")
    # Samples open with a model that suits them.
    for sample in SAMPLES:
        window.open_sample(sample)
        assert window.document.model_problem(window.document.options.model) is None, sample


def test_a_sample_opened_after_a_worked_examples_start_shows_its_own(qtbot, window):
    # A worked example draws its start a turn after it opens. The next sample's settings
    # reached the lesson before the lesson heard of the new data: it drew the old data's
    # start in the old view (a ValueError in a slot) instead of waiting for the new data.
    from emgui.features import installed
    from emgui.features.teaching.lesson import WORKED_EXAMPLES, Lesson

    lesson = installed(window.host, Lesson)
    for before in WORKED_EXAMPLES:
        for after in SAMPLES:
            window.open_sample(before)
            qtbot.waitUntil(lambda: lesson.session is not None)  # its start is drawn
            window.open_sample(after)
            session = lesson.session
            assert session is None or session.X is window.document.table.data, (before, after)
            if after in WORKED_EXAMPLES:
                qtbot.waitUntil(lambda: lesson.session is not None)
                assert lesson.session.X is window.document.table.data


def test_settings_changed_during_a_paused_run_wait_for_the_next_run(qtbot, window):
    # A paused run's snapshots are of the settings it started with: drawn with the new
    # model's (k-means over a Gaussian's means and covariances), they raised in a slot.
    window.open_sample("blobs")
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: window.document.n_snapshots == 1, timeout=10_000)
    choose(window, "kmeans")
    assert window.document.options.model == "kmeans"
    window.run_actions.step.trigger()
    qtbot.waitUntil(lambda: window.document.n_snapshots == 2, timeout=10_000)
    qtbot.waitUntil(lambda: window.document.shown_index == 1, timeout=5000)
    assert window.document.fit_options().model == "gaussian"
    assert window.params_table.shown_params is window.document.snapshot(1).params
    window.results_pane.refresh()  # its report is built with the run's settings too
    # The next run is the new settings'.
    window.reset()
    result = run_to_end(qtbot, window)
    assert result.options.model == "kmeans" and window.document.fit_options().model == "kmeans"
