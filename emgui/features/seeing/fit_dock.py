"""A dock that draws the fit the window shows: the document's data when they change, the
shown snapshot (live during a run, about 30 times a second at most, as the main views),
and nothing while hidden, so a closed dock costs nothing. Its view is made when the dock
is first shown: a window is quicker to open without plots nobody has asked for."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget

import engine
from emgui.shell.host import Host
from emgui.shell.lazy_view import LazyView

#: The share of the window's height a bottom dock takes when it is turned on, and of the
#: bottom row's width it takes at least when other docks sit beside it (they keep the width
#: their content asks for, if the rest allows): a scatter matrix needs room.
ROOM_HEIGHT_SHARE = 0.4
ROOM_WIDTH_SHARE = 0.5
#: Below this height at the bottom (a window under about 750 px high) the dock floats
#: instead, at :data:`FLOAT_SIZE` where the screen has room: the plots keep their height.
LEAST_DOCKED_HEIGHT = 300
FLOAT_SIZE = (720, 560)


def _content_width(dock: QDockWidget) -> int:
    """The width ``dock``'s content asks for (through the scroll area a panel sits in)."""
    content = dock.widget()
    if content is None:
        return 0
    inner = content.widget() if isinstance(content, QScrollArea) else None
    return (inner or content).sizeHint().width() + 4


class FitDock(QObject):
    """Base of the docks of this feature: subclasses draw in :meth:`show_data` and
    :meth:`show_params` on :attr:`view`, which ``make_view`` makes when first needed
    (``at_once``: now)."""

    title = ""
    object_name = ""
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, host: Host, make_view: Callable[[], QWidget],
                 tabify_with: QDockWidget | None = None, at_once: bool = False) -> None:
        super().__init__(host.parent_widget)
        self._host = host
        self.document = host.document
        self.dock = QDockWidget(self.title, host.parent_widget)
        self.dock.setObjectName(self.object_name)
        self._view = LazyView(self.dock, make_view, at_once)
        host.add_dock(self.dock, self.area, tabify_with=tabify_with)
        self._data_stale = True
        self._state_stale = True
        self.document.data_changed.connect(self._on_document_data_changed)
        self.document.shown_changed.connect(self._on_document_shown_changed)
        self.document.fit_changed.connect(self._on_document_fit_changed)
        self.dock.visibilityChanged.connect(self._on_dock_visibility_changed)
        self.dock.toggleViewAction().toggled.connect(self._on_toggle_view_action_toggled)

    @property
    def view(self) -> QWidget:
        """The dock's view (made, and put in the dock, on first use)."""
        return self._view.view

    @property
    def is_shown(self) -> bool:
        return self.dock.isVisible()

    def refresh(self) -> None:
        """Draw what is stale (the data, the state) now."""
        table = self.document.table
        if table is None:
            return
        if self._data_stale:
            self._data_stale = False
            self._state_stale = True
            self.show_data(table.data, list(table.columns))
        if self._state_stale:
            self._state_stale = False
            snapshot = self.document.shown_snapshot()
            if snapshot is None:
                self.clear_state()
            else:
                self.show_params(snapshot.params, self.document.fit_options())

    def show_data(self, X, names: list[str]) -> None:  # noqa: ANN001 - an ndarray
        raise NotImplementedError

    def show_params(self, params: engine.Params, options: engine.FitOptions) -> None:
        raise NotImplementedError

    def clear_state(self) -> None:
        raise NotImplementedError

    def data_stale(self) -> None:
        """Draw the data again (another column chosen, say), when next shown."""
        self._data_stale = True
        self._refresh_if_shown()

    def _refresh_if_shown(self) -> None:
        if self.is_shown:
            self.refresh()

    def _on_document_data_changed(self, name: str) -> None:
        self._data_stale = True
        self._refresh_if_shown()

    def _on_document_shown_changed(self, index: int) -> None:
        self._state_stale = True
        self._refresh_if_shown()

    def _on_document_fit_changed(self, result: object) -> None:
        self._state_stale = True
        self._refresh_if_shown()

    def make_room(self) -> None:
        """Give the dock, docked at the bottom, :data:`ROOM_HEIGHT_SHARE` of the window's
        height and :data:`ROOM_WIDTH_SHARE` of the row's width beside other docks (never
        less than it has)."""
        window = self._host.parent_widget
        dock = self.dock
        if not isinstance(window, QMainWindow) or dock.isFloating() or not dock.isVisible():
            return
        if window.dockWidgetArea(dock) != Qt.DockWidgetArea.BottomDockWidgetArea:
            return
        dock.raise_()
        share = int(ROOM_HEIGHT_SHARE * window.height())
        if share < LEAST_DOCKED_HEIGHT:
            self._float(window)
            return
        height = max(dock.height(), share)
        window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
        tabbed = set(window.tabifiedDockWidgets(dock))
        beside = [other for other in window.findChildren(QDockWidget)
                  if other is not dock and other not in tabbed and other.isVisible()
                  and not other.isFloating()
                  and window.dockWidgetArea(other) == Qt.DockWidgetArea.BottomDockWidgetArea]
        if beside:
            row = dock.width() + sum(other.width() for other in beside)
            wanted = [_content_width(other) for other in beside]
            room = int(row * (1 - ROOM_WIDTH_SHARE))
            if sum(wanted) > room:
                wanted = [room // len(beside)] * len(beside)
            window.resizeDocks([dock, *beside], [row - sum(wanted), *wanted],
                               Qt.Orientation.Horizontal)

    def _float(self, window: QMainWindow) -> None:
        """Float the dock over the window's lower right, as large as :data:`FLOAT_SIZE`
        where the window's screen has room."""
        dock = self.dock
        area = window.screen().availableGeometry()
        width = min(FLOAT_SIZE[0], int(area.width() * 0.8))
        height = min(FLOAT_SIZE[1], int(area.height() * 0.8))
        dock.setFloating(True)
        dock.resize(width, height)
        frame = window.frameGeometry()
        x = min(max(frame.right() - width, area.left()), area.right() - width)
        y = min(max(frame.bottom() - height, area.top()), area.bottom() - height)
        dock.move(QPoint(x, y))

    def _on_toggle_view_action_toggled(self, checked: bool) -> None:
        if checked:
            # Once the dock has been laid out: its width and its neighbours' are known then.
            QTimer.singleShot(0, self, self.make_room)

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.view  # noqa: B018 - made now, drawn on at once
            self.refresh()
