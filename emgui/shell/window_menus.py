"""The window's menu bar: File (open, recent, samples, quit), Run, View, Analyse and Help.

Features add their own items through the host; this builds what the window itself offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from emgui.shell.run_actions import RunActions
from emio import samples as sample_catalogue


@dataclass(frozen=True)
class WindowMenus:
    file: QMenu
    recent: QMenu
    sample: QMenu
    run: QMenu
    view: QMenu
    panels: QMenu
    analyse: QMenu
    help: QMenu
    open_action: QAction
    quit_action: QAction
    uncertainty_action: QAction
    iterations: QMenu


def build_menus(window: QMainWindow, run_actions: RunActions,
                player_actions: Sequence[QAction] = ()) -> WindowMenus:
    """The menu bar; ``player_actions`` (the iteration player's keys) go in View ▸ Iterations."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    open_action = QAction("&Open…", window)
    open_action.setShortcut(QKeySequence.StandardKey.Open)
    open_action.setStatusTip("Open a data file (CSV, TSV, text, NPY/NPZ, XLSX, Parquet)")
    file_menu.addAction(open_action)
    recent = file_menu.addMenu("Open &Recent")
    sample_menu = file_menu.addMenu("Open &Sample")
    for sample in sample_catalogue.load_catalogue():
        action = sample_menu.addAction(sample.title)
        action.setData(sample.id)
        action.setStatusTip(sample.description)
    file_menu.addSeparator()
    quit_action = QAction("&Quit", window)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    file_menu.addAction(quit_action)
    run_menu = bar.addMenu("&Run")
    for action in run_actions.all:
        run_menu.addAction(action)
    view_menu = bar.addMenu("&View")
    uncertainty = QAction("Fade &uncertain points", window)
    uncertainty.setCheckable(True)
    uncertainty.setStatusTip(
        "Fade points whose cluster is unsure (largest responsibility well below 1)"
    )
    view_menu.addAction(uncertainty)
    iterations = view_menu.addMenu("&Iterations")
    iterations.setObjectName("iterations_menu")
    iterations.addActions(list(player_actions))
    panels = view_menu.addMenu("&Panels")
    panels.setObjectName("panels_menu")
    panels.setStatusTip("Show or hide each panel; a panel can also be dragged out to float")
    view_menu.addSeparator()
    analyse_menu = bar.addMenu("&Analyse")
    help_menu = bar.addMenu("&Help")
    return WindowMenus(file_menu, recent, sample_menu, run_menu, view_menu, panels, analyse_menu,
                       help_menu, open_action, quit_action, uncertainty, iterations)
