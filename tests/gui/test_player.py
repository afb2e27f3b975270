"""The iteration player: step, play/pause and a frame box beside the slider (issue 19 point 7)."""

from __future__ import annotations

import engine
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTableView
from emgui.shell.main_window import MainWindow
from emgui.shell.player import FRAMES_PER_SECOND


def run_blobs(qtbot, window: MainWindow) -> engine.FitResult:
    assert window.open_sample("blobs")
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        with qtbot.assertNotEmitted(window.controller.run_failed):
            window.run_actions.run.trigger()
    return finished.args[0]


def test_the_player_is_idle_until_a_fit_has_iterations(qtbot, window):
    player = window.player
    assert window.open_sample("blobs")
    for button in (player.play_button, player.back_button, player.forward_button):
        assert not button.isEnabled()
    assert not player.frame_box.isEnabled()


def test_step_buttons_and_frame_box_move_the_shown_iteration(qtbot, window):
    result = run_blobs(qtbot, window)
    player, slider = window.player, window.iteration_slider
    last = result.n_iter
    # The frame box follows the slider the display set quietly at the end of the run.
    qtbot.waitUntil(lambda: player.frame_box.value() == last and player.frame_box.maximum() == last)
    assert not player.forward_button.isEnabled() and player.back_button.isEnabled()
    player.back_button.click()
    assert slider.value() == last - 1
    assert window.document.shown_index == last - 1
    assert window.iteration_label.text() == f"iteration {last - 1}"
    player.first_button.click()
    assert window.document.shown_index == 0 and not player.back_button.isEnabled()
    player.forward_button.click()
    assert window.document.shown_index == 1
    player.frame_box.setValue(2)
    assert window.document.shown_index == 2 and slider.value() == 2
    player.last_button.click()
    assert window.document.shown_index == last
    qtbot.waitUntil(lambda: player.frame_box.value() == last)


def test_play_walks_through_every_iteration_and_stops_at_the_last(qtbot, window):
    result = run_blobs(qtbot, window)
    player = window.player
    player.first_button.click()
    shown: list[int] = []
    window.document.shown_changed.connect(shown.append)
    player.play_button.click()
    assert player.is_playing and player.play_button.isChecked()
    qtbot.waitUntil(lambda: not player.is_playing, timeout=20_000)
    assert shown == list(range(1, result.n_iter + 1))
    assert not player.play_button.isChecked()
    # Play at the last iteration starts again from the first.
    shown.clear()
    player.play()
    assert window.document.shown_index == 0
    qtbot.waitUntil(lambda: len(shown) >= 3)
    player.pause()
    with qtbot.assertNotEmitted(window.document.shown_changed, wait=3000 // FRAMES_PER_SECOND):
        pass
    assert not player.is_playing


def test_reset_stops_playing_and_disables_the_player(qtbot, window):
    run_blobs(qtbot, window)
    player = window.player
    player.first_button.click()
    player.play()
    window.run_actions.reset.trigger()
    qtbot.waitUntil(lambda: not player.play_button.isEnabled())
    assert not player.is_playing and not player.frame_box.isEnabled()


def test_keys_move_the_shown_iteration_and_are_named_where_they_show(qtbot, window):
    """Space plays and pauses, Left/comma and Right/period step, Home and End jump; View ▸
    Iterations lists them and the buttons' tips name them (issue 19 point 7)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMenu

    from emgui.shell.player_keys import PLAYER_KEYS

    result = run_blobs(qtbot, window)
    last = result.n_iter
    document, player = window.document, window.player
    qtbot.waitUntil(lambda: player.frame_box.value() == last)
    window.activateWindow()
    window.views.scatter.plot_widget.setFocus()
    for key, where in ((Qt.Key.Key_Home, 0), (Qt.Key.Key_Right, 1), (Qt.Key.Key_Period, 2),
                       (Qt.Key.Key_Left, 1), (Qt.Key.Key_Comma, 0), (Qt.Key.Key_End, last)):
        qtbot.keyClick(window.views.scatter.plot_widget, key)
        assert document.shown_index == where, key
    qtbot.keyClick(window.views.scatter.plot_widget, Qt.Key.Key_Home)
    qtbot.keyClick(window.views.scatter.plot_widget, Qt.Key.Key_Space)
    assert player.is_playing
    qtbot.keyClick(window.views.scatter.plot_widget, Qt.Key.Key_Space)
    assert not player.is_playing
    menu = window.findChild(QMenu, "iterations_menu")
    assert [a.text() for a in menu.actions()] == [k.text for k in PLAYER_KEYS]
    assert "Left" in player.back_button.toolTip() and "Space" in player.play_button.toolTip()
    assert "End" in player.last_button.toolTip()
    # No key is taken from the menus' own shortcuts.
    others = {k.toString() for a in window.findChildren(QAction) if a not in menu.actions()
              for k in a.shortcuts()}
    assert not others & {k for spec in PLAYER_KEYS for k in spec.keys}


def test_a_focused_control_keeps_the_keys_it_uses(qtbot, window):
    """Space on a focused check box ticks it, an arrow in the parameters table moves its
    cursor: the player's keys do not take them."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QCheckBox

    run_blobs(qtbot, window)
    document = window.document
    qtbot.waitUntil(lambda: window.player.frame_box.value() == document.shown_index)
    shown = document.shown_index
    box = next(b for b in window.settings_panel.findChildren(QCheckBox) if b.isVisible())
    window.activateWindow()
    box.setFocus()
    assert not box.isChecked()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() and not window.player.is_playing
    table = window.params_table
    assert isinstance(table, QTableView)
    window.params_dock.raise_()
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert table.currentIndex().column() == 1
    assert document.shown_index == shown
