"""The 'seeing' feature in the window: column pickers above the scatter, density contours,
and the Pairs, Projection, Uncertainty and Cluster Sizes docks following the fit shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtWidgets import QComboBox, QFileDialog

from emgui.features import installed
from emgui.features.seeing import CONTOURS_KEY, Seeing
from emgui.features.sessions.actions import SessionActions
from emio import session as sessions
from emio.tables import read_table


@pytest.fixture(scope="module")
def five_csv(tmp_path_factory):
    rng = np.random.default_rng(11)
    centres = np.array([[0, 0, 0, 0, 0], [5, 2, -1, 3, 1], [-2, 6, 2, -1, 4]], float)
    X = np.vstack([rng.normal(c, 0.9, size=(120, 5)) for c in centres])
    path = tmp_path_factory.mktemp("five") / "five.csv"
    pd.DataFrame(X, columns=list("abcde")).to_csv(path, index=False)
    return path


def _load(window, path) -> Seeing:
    window.document.set_data(read_table(path), path.name)
    window.document.set_options(window.document.options.replace(n_components=3, seed=2))
    return installed(window.host, Seeing)


def _run(qtbot, window) -> None:
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        with qtbot.assertNotEmitted(window.controller.run_failed):
            window.run_actions.run.trigger()


def test_the_pickers_above_the_scatter_choose_its_columns(qtbot, window, five_csv) -> None:
    seeing = _load(window, five_csv)
    assert seeing.picker.isVisible()
    assert seeing.picker.columns == (0, 1)
    seeing.picker.y_combo.setCurrentIndex(3)
    assert window.document.columns == (0, 3)
    assert window.views.scatter.plot_item.getAxis("left").labelText == "d"
    window.document.set_columns(2, 4)
    assert seeing.picker.columns == (2, 4)


def test_the_settings_panel_no_longer_chooses_the_columns(qtbot, window, five_csv) -> None:
    """The x/y pickers sit above the scatter only (issue 19 point 1): no list in the
    Settings column offers the data's columns."""
    _load(window, five_csv)
    names = set(window.document.table.columns)
    for combo in window.settings_dock.findChildren(QComboBox):
        items = {combo.itemText(i) for i in range(combo.count())}
        assert not items & names, items


def test_a_session_keeps_the_columns_the_picker_chose(
    qtbot, window, new_window, five_csv, tmp_path, monkeypatch
) -> None:
    seeing = _load(window, five_csv)
    seeing.picker.x_combo.setCurrentIndex(4)
    seeing.picker.y_combo.setCurrentIndex(2)
    assert window.document.columns == (4, 2)
    _run(qtbot, window)
    path = tmp_path / f"cols{sessions.SUFFIX}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    saving = installed(window.host, SessionActions)
    with qtbot.waitSignal(saving.session_saved, timeout=30_000):
        saving.save_session_action.trigger()
    again = new_window()
    opening = installed(again.host, SessionActions)
    with qtbot.waitSignal(opening.open_finished, timeout=30_000) as opened:
        opening.open_session_action.trigger()
    assert opened.args[0]
    assert again.document.columns == (4, 2)
    assert installed(again.host, Seeing).picker.columns == (4, 2)
    assert again.views.scatter.plot_item.getAxis("bottom").labelText == "e"


def test_the_pairs_dock_follows_every_frame_of_a_run(qtbot, window, five_csv) -> None:
    seeing = _load(window, five_csv)
    seeing.pairs.dock.show()
    drawn = []

    def check(index: int) -> None:
        means = np.asarray(window.document.snapshot(index).params["means"])
        drawn.append(np.allclose(seeing.pairs.view.cell_means(1, 0), means[:, [0, 1]]))

    window.document.shown_changed.connect(check)
    _run(qtbot, window)
    qtbot.waitUntil(lambda: window.document.shown_index == window.document.n_snapshots - 1)
    assert drawn and all(drawn)
    final = np.asarray(window.document.result.params["means"])
    np.testing.assert_allclose(seeing.pairs.view.cell_means(4, 2), final[:, [2, 4]])


def test_hidden_docks_draw_nothing_until_shown(qtbot, window, five_csv) -> None:
    seeing = _load(window, five_csv)
    _run(qtbot, window)
    assert seeing.projection.view.projection is None  # never drawn while hidden
    seeing.projection.dock.show()
    qtbot.waitUntil(lambda: seeing.projection.view.projection is not None)
    assert seeing.projection.view.component_means().shape == (3, 2)


def test_a_dock_first_shown_gets_the_room_it_would_with_its_view_made_at_once(
        qtbot, window, five_csv) -> None:
    """The views are made when their dock is first shown; until then a stand-in asks for the
    same room, so the dock is laid out as if its view had been there from the start (an
    empty dock opened as a sliver), and the view scrolls on a small screen as others do."""
    from PySide6.QtWidgets import QScrollArea

    window.resize(1400, 950)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1400, 950))
    seeing = _load(window, five_csv)
    holder = seeing.sizes.dock.widget()
    asked = holder.sizeHint(), holder.minimumSizeHint()
    seeing.sizes.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: seeing.sizes.dock.isVisible())
    assert isinstance(holder, QScrollArea) and holder.widget() is seeing.sizes.view
    assert seeing.sizes.dock.widget() is holder
    assert (holder.sizeHint(), holder.minimumSizeHint()) == asked
    assert seeing.sizes.dock.height() >= 120


def test_cluster_sizes_after_a_fit_count_the_rows_assigned(qtbot, window, five_csv) -> None:
    seeing = _load(window, five_csv)
    seeing.sizes.dock.show()
    _run(qtbot, window)
    result = window.document.result
    qtbot.waitUntil(lambda: seeing.sizes.view.counts.size == 3)
    np.testing.assert_allclose(seeing.sizes.view.counts, np.bincount(result.labels, minlength=3))
    np.testing.assert_allclose(seeing.sizes.view.expected, 360 * result.params.weights)


def test_the_uncertainty_dock_lists_the_rows_the_fit_is_least_sure_of(
        qtbot, window, five_csv) -> None:
    seeing = _load(window, five_csv)
    seeing.uncertainty.dock.show()
    _run(qtbot, window)
    qtbot.waitUntil(lambda: seeing.uncertainty.view.uncertainty.size == 360)
    view = seeing.uncertainty.view
    listed = view.listed_rows()
    assert listed[0] == int(np.argmax(view.uncertainty))
    assert np.all(np.diff(view.uncertainty[listed]) <= 0)


def test_density_contours_toggle_and_are_remembered(qtbot, window, five_csv) -> None:
    seeing = _load(window, five_csv)
    _run(qtbot, window)
    contours = window.views.scatter.contours
    assert contours.levels.size == 0
    seeing.contours_action.setChecked(True)
    assert contours.levels.size == 4 and contours.segments
    assert window.settings.value(CONTOURS_KEY, type=bool) is True
    seeing.contours_action.setChecked(False)
    assert contours.levels.size == 0


def test_the_pairs_dock_takes_room_or_floats_on_a_short_window(qtbot, window, five_csv) -> None:
    """Turned on, the Pairs dock took a sliver beside the label comparison: now it takes a
    share of the window's height (or floats at a useful size when the window is short),
    and the bottom docks are tabs of one place."""
    from PySide6.QtWidgets import QDockWidget

    from emgui.features.seeing.fit_dock import FLOAT_SIZE, LEAST_DOCKED_HEIGHT

    seeing = _load(window, five_csv)
    window.resize(1320, 840)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1320, 840))
    seeing.pairs.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: seeing.pairs.dock.height() >= LEAST_DOCKED_HEIGHT)
    assert not seeing.pairs.dock.isFloating()
    assert seeing.pairs.view.layout_widget.height() >= 4 * 50  # cells of some height
    assert window.views.height() >= 200
    comparison = window.findChild(QDockWidget, "label_comparison_dock")
    for dock in (comparison, seeing.projection.dock, seeing.uncertainty.dock):
        dock.show()
    qtbot.waitUntil(lambda: len(window.tabifiedDockWidgets(seeing.pairs.dock)) == 3)
    tabbed = window.tabifiedDockWidgets(seeing.pairs.dock)
    assert {comparison, seeing.projection.dock, seeing.uncertainty.dock} == set(tabbed)
    for dock in (comparison, seeing.pairs.dock, seeing.projection.dock, seeing.uncertainty.dock):
        dock.hide()
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1024, 700))
    seeing.projection.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: seeing.projection.dock.isFloating())
    size = seeing.projection.dock.size().toTuple()
    assert size[0] >= min(FLOAT_SIZE[0], 0.8 * window.screen().availableGeometry().width()) - 1
