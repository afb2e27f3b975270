"""The window as features see it: the :class:`~emgui.shell.host.Host` interface over its parts.

:mod:`emgui.app` installs each feature with the :class:`WindowHost` of a
window, never the window itself: a feature can add menu items and docks,
say things, show a fit, open a sample, start from parameters of its own and
take Step first, and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QObject, QSettings, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QDockWidget,
    QFrame,
    QMenu,
    QScrollArea,
    QToolBar,
    QWidget,
)

import engine
from emgui import dialogs
from emgui.runs.fit_controller import FitController
from emgui.runs.registry import ThreadRegistry
from emgui.runs.task import Task
from emgui.shell.document import Document
from emgui.shell.fit_display import FitDisplay
from emgui.shell.host import Canvas, Place, StartProvider, StepHandler
from emgui.shell.run_actions import RunActions
from emgui.shell.screen_fit import grow_within_screen
from emgui.shell.starts import MissingStart, next_start
from emgui.shell.task_bar import TaskBar

#: Heights of the docks a feature shows beside the views (see show_docks): the Parameters and
#: Results keep half the right-hand column (150 px left the Results about 60 px of text).
BOTTOM_DOCK_HEIGHT = 250
PARAMS_BESIDE_HEIGHTS = (300, 300)
#: The share of the plots' height a bottom dock takes when the window cannot grow for it.
BOTTOM_DOCK_SHARE = 0.2


class _Window(Protocol):
    """What the host needs of the window (MainWindow has it)."""

    settings: QSettings
    document: Document
    controller: FitController
    display: FitDisplay
    file_menu: QMenu
    quit_action: QAction
    run_menu: QMenu
    run_toolbar: QToolBar
    view_menu: QMenu
    panels_menu: QMenu
    analyse_menu: QMenu
    help_menu: QMenu
    params_dock: QDockWidget
    run_actions: RunActions

    task_bar: TaskBar

    def set_status(self, text: str) -> None: ...
    def show_note(self, text: str) -> None: ...
    def reset(self) -> None: ...
    def open_sample(self, sample_id: str) -> bool: ...
    # QMainWindow's own.
    def centralWidget(self) -> QWidget: ...  # noqa: N802
    def addDockWidget(self, area: Qt.DockWidgetArea, dock: QDockWidget) -> None: ...  # noqa: N802
    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None: ...  # noqa: N802
    def setCorner(self, corner: Qt.Corner, area: Qt.DockWidgetArea) -> None: ...  # noqa: N802
    def resizeDocks(  # noqa: N802
        self, docks: list[QDockWidget], sizes: list[int], orientation: Qt.Orientation
    ) -> None: ...


class WindowHost(QObject):
    """Serves features for ``window``; see :class:`~emgui.shell.host.Host` for each member."""

    def __init__(self, window: _Window, threads: ThreadRegistry) -> None:
        super().__init__()
        self._window = window
        self._threads = threads
        self._step_handlers: list[StepHandler] = []
        self._start_providers: list[StartProvider] = []

    @property
    def document(self) -> Document:
        return self._window.document

    @property
    def settings(self) -> QSettings:
        return self._window.settings

    @property
    def threads(self) -> ThreadRegistry:
        return self._threads

    @property
    def canvas(self) -> Canvas:
        return self._window.display

    @property
    def parent_widget(self) -> QWidget:
        return self._window  # the window as a plain QWidget: the parent of dialogs

    # --- menus and docks ------------------------------------------------------------------

    def add_actions(self, place: Place, items: Sequence[QAction | QMenu | None]) -> None:
        window = self._window
        if place == "steps":
            for menu_or_bar in (window.run_menu, window.run_toolbar):
                menu_or_bar.insertActions(window.run_actions.stop, list(items))
            return
        if place == "file":
            # Before Quit, which stays last.
            for item in items:
                if item is None:
                    window.file_menu.insertSeparator(window.quit_action)
                elif isinstance(item, QMenu):
                    window.file_menu.insertMenu(window.quit_action, item)
                else:
                    window.file_menu.insertAction(window.quit_action, item)
            return
        menu = {"run": window.run_menu, "view": window.view_menu,
                "analyse": window.analyse_menu, "help": window.help_menu}[place]
        for item in items:
            if item is None:
                menu.addSeparator()
            elif isinstance(item, QMenu):
                menu.addMenu(item)
            else:
                menu.addAction(item)

    def add_dock(
        self, dock: QDockWidget, area: Qt.DockWidgetArea, tabify_with: QDockWidget | None = None
    ) -> None:
        content = dock.widget()
        if content is not None and not isinstance(content, QAbstractScrollArea):
            # On a small screen a panel scrolls rather than cut its text off.
            scroll = QScrollArea()
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidgetResizable(True)
            scroll.setWidget(content)
            dock.setWidget(scroll)
        if tabify_with is not None:
            self._window.tabifyDockWidget(tabify_with, dock)
        else:
            self._window.addDockWidget(area, dock)
        dock.hide()
        self._window.panels_menu.addAction(dock.toggleViewAction())

    def show_docks(self, bottom: QDockWidget, right: QDockWidget) -> None:
        main = self._window
        # The settings column keeps its full height, so a sample's "what to watch" text
        # stays in view; the bottom dock spans the plots and the right-hand docks.
        main.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        # The panels take their room from the screen first (the window grows downwards
        # where it can), then a share of the plots' height; the right-hand column keeps
        # its width, so the plots do not lose a third of their area at once.
        column = [self._window.params_dock, right]
        width = self._window.params_dock.width()
        plots = main.centralWidget().height()
        grown = grow_within_screen(main, QSize(0, BOTTOM_DOCK_HEIGHT)).height()
        height = min(BOTTOM_DOCK_HEIGHT, grown + int(BOTTOM_DOCK_SHARE * plots))
        bottom.show()
        right.show()
        right.raise_()
        main.resizeDocks([bottom], [height], Qt.Orientation.Vertical)
        main.resizeDocks(column, list(PARAMS_BESIDE_HEIGHTS), Qt.Orientation.Vertical)
        main.resizeDocks(column, [width] * 2, Qt.Orientation.Horizontal)

    # --- saying things ----------------------------------------------------------------------

    def show_status(self, text: str) -> None:
        self._window.set_status(text)

    def show_note(self, text: str) -> None:
        self._window.show_note(text)

    def show_error(self, message: str, details: str = "") -> None:
        dialogs.show_error(self.parent_widget, message, details)

    def run_task(self, task: Task) -> Task:
        self._window.task_bar.add(task)
        return task.start()

    # --- fits and starts --------------------------------------------------------------------

    def show_fit(self, result: engine.FitResult | None, snapshots: Sequence[engine.Snapshot],
                 index: int = -1, options: engine.FitOptions | None = None) -> None:
        window = self._window
        # Stopped first: a running fit keeps the views as the settings had them.
        window.controller.stop()
        if options is not None:
            window.document.set_options(options)
        window.controller.restore(result, list(snapshots))
        window.display.show_fit(result, index)

    def open_sample(self, sample_id: str) -> bool:
        return self._window.open_sample(sample_id)

    def reset(self) -> None:
        self._window.reset()

    def next_start(self) -> engine.FitOptions | None:
        try:
            return next_start(self.document, self._start_providers)
        except MissingStart as exc:
            self.show_error(str(exc))
            return None

    def add_step_handler(self, handler: StepHandler) -> None:
        self._step_handlers.append(handler)

    def add_start_provider(self, provider: StartProvider) -> None:
        self._start_providers.append(provider)

    def take_step(self) -> bool:
        """Offer Step to the features first; True when one of them took it."""
        return any(handle() for handle in self._step_handlers)
