"""Where the window's parts sit: the plots in the middle, Settings and Parameters docked beside
them, the Run toolbar with its speed slider, and the status bar."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QScrollArea,
    QSlider,
    QSplitter,
    QStatusBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from emgui.shell.run_actions import RunActions
from emgui.shell.task_bar import TaskBar

SPEED_STEPS = 20
#: The narrowest the panels and the plots get: at 1024 px the window still holds all three,
#: and a narrowing window takes from the panels before the plots are squeezed (the plots
#: give way first, down to their least width; at 320 px they lost a third to the panels).
SETTINGS_MIN_WIDTH = 300
PARAMS_MIN_WIDTH = 240
CENTRAL_MIN_WIDTH = 380
#: The Settings column's width on a first opening wide enough for its longest choices.
SETTINGS_WIDTH = 360
#: The right-hand column's (Results, Parameters) on such a first opening.
RESULTS_WIDTH = 330
SETTINGS_WIDE_FROM = 1200
#: On a first opening from this width on, the right-hand column is wider still: three
#: components' columns beside the long row names of five columns' covariances (at 330 px
#: the third column was cut at 1600x1000, with room to spare in the plots).
RESULTS_WIDE_WIDTH = 430
RESULTS_WIDE_FROM = 1500
#: The trace keeps room for its tick labels and a readable curve on small screens.
TRACE_MIN_HEIGHT = 110
#: Characters a settings field shows at least when the column is narrow (its list shows all).
FIELD_MIN_CHARACTERS = 12
SPEED_TIP = (
    "Slow the fit down to watch each iteration (left: up to one second per "
    "iteration; right: full speed)."
)


def central_splitter(views: QWidget, trace: QWidget, player: QWidget) -> QSplitter:
    """The views above, the trace and the iteration player below them."""
    bottom = QWidget()
    bottom_layout = QVBoxLayout(bottom)
    bottom_layout.setContentsMargins(0, 0, 0, 0)
    trace.setMinimumHeight(TRACE_MIN_HEIGHT)
    bottom_layout.addWidget(trace)
    bottom_layout.addWidget(player)
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.addWidget(views)
    splitter.addWidget(bottom)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 1)
    splitter.setMinimumWidth(CENTRAL_MIN_WIDTH)
    return splitter


def settings_dock(window: QMainWindow, panel: QWidget, description: QLabel) -> QDockWidget:
    """The Settings panel with the sample's description under it, scrolling as one."""
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 0, 0)
    left_layout.addWidget(panel)
    left_layout.addWidget(description)
    left_layout.addStretch(1)
    # A choice's field may be narrower than its longest choice: the column can then
    # be narrow without anything cut off (the list shows each choice whole).
    for combo in panel.findChildren(QComboBox):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(FIELD_MIN_CHARACTERS)
    scroll = QScrollArea()
    scroll.setWidget(left)
    scroll.setWidgetResizable(True)
    # Room for the fields and a vertical scroll bar: a short window scrolls the column
    # up and down, never sideways.
    scroll.setMinimumWidth(max(SETTINGS_MIN_WIDTH, left.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width()
                               + 2 * scroll.frameWidth()))
    return panel_dock(window, "Settings", "settings_dock", scroll, Qt.DockWidgetArea.LeftDockWidgetArea)


def first_widths(window: QMainWindow, settings: QDockWidget, right: QDockWidget) -> None:
    """Widths on a first opening where there is room: Settings wide enough for its choices,
    the Results wide enough for three components' columns."""
    if window.width() >= SETTINGS_WIDE_FROM:
        results = RESULTS_WIDE_WIDTH if window.width() >= RESULTS_WIDE_FROM else RESULTS_WIDTH
        window.resizeDocks([settings, right], [SETTINGS_WIDTH, results],
                           Qt.Orientation.Horizontal)


def params_dock(window: QMainWindow, table: QWidget) -> QDockWidget:
    """The parameters table, docked on the right."""
    table.setMinimumWidth(PARAMS_MIN_WIDTH)
    return panel_dock(window, "Parameters", "params_dock", table, Qt.DockWidgetArea.RightDockWidgetArea)


def results_dock(window: QMainWindow, pane: QWidget, beside: QDockWidget) -> QDockWidget:
    """The Results pane, a tab beside ``beside`` (the Parameters), in front of it."""
    dock = panel_dock(window, "Results", "results_dock", pane, Qt.DockWidgetArea.RightDockWidgetArea)
    window.tabifyDockWidget(beside, dock)
    dock.raise_()
    return dock


def panel_dock(window: QMainWindow, title: str, name: str, widget: QWidget,
               area: Qt.DockWidgetArea) -> QDockWidget:
    """A panel that can be moved, floated and closed (View ▸ Panels brings it back)."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def run_toolbar(window: QMainWindow, actions: RunActions) -> tuple[QToolBar, QSlider]:
    """The Run toolbar: the run actions, then the speed slider (returned with it)."""
    toolbar = window.addToolBar("Run")
    toolbar.setObjectName("run_toolbar")
    for action in actions.all:
        toolbar.addAction(action)
    toolbar.addSeparator()
    toolbar.addWidget(QLabel(" Speed "))
    speed = QSlider(Qt.Orientation.Horizontal)
    speed.setRange(0, SPEED_STEPS)
    speed.setValue(SPEED_STEPS)
    speed.setFixedWidth(140)
    speed.setToolTip(SPEED_TIP)
    toolbar.addWidget(speed)
    return toolbar, speed


@dataclass(frozen=True)
class StatusParts:
    """What the status bar holds: the status line, the tasks under way, the reading indicator."""

    label: QLabel
    task_bar: TaskBar
    load_progress: QProgressBar


def status_parts(bar: QStatusBar) -> StatusParts:
    # The status line is a normal widget, not a permanent one: a passing message (a
    # menu item's status tip, a warning) then takes the bar's width while it shows.
    label = QLabel("Ready")
    label.setMinimumWidth(1)
    bar.addWidget(label, 1)
    task_bar = TaskBar()
    bar.addPermanentWidget(task_bar)
    load_progress = QProgressBar()
    load_progress.setRange(0, 0)  # busy: reading reports no progress
    load_progress.setMaximumWidth(160)
    load_progress.setVisible(False)
    bar.addPermanentWidget(load_progress)
    return StatusParts(label, task_bar, load_progress)


def close_own_windows(window: QWidget) -> None:
    """Close ``window``'s dialogs and floating panels: they go with it."""
    for child in window.findChildren(QWidget):
        if child.isWindow() and child.isVisible():
            child.close()
