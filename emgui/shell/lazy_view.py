"""A dock's view made when it is first needed: a window opens quicker without plots nobody
has asked for (a pyqtgraph plot costs 8-15 ms to build). Until then a stand-in asks the
window for the room the plot will ask for, so the dock is laid out as it will be."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSize
from PySide6.QtWidgets import QDockWidget, QScrollArea, QWidget

from emgui.shell.palette import restyle

#: The room a plot asks for (pyqtgraph's natural size), and the least it makes do with.
PLOT_ROOM = (600, 500)
PLOT_LEAST = (87, 86)


class Room(QWidget):
    """Stands in for a dock's view until it is made, asking for the room a plot asks for:
    the window lays the dock out as it will with its view (an empty dock got a sliver)."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(*PLOT_ROOM)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(*PLOT_LEAST)


class LazyView(QObject):
    """The view of ``dock``, made by ``make_view`` when first asked for (:attr:`view`) or
    when the dock is first shown, whichever comes first; ``at_once``: now."""

    def __init__(self, dock: QDockWidget, make_view: Callable[[], QWidget],
                 at_once: bool = False) -> None:
        super().__init__(dock)
        self._dock = dock
        self._make_view = make_view
        self._view: QWidget | None = None
        if at_once:
            self.view  # noqa: B018 - in the dock before the window lays it out
        else:
            dock.setWidget(Room())
        dock.visibilityChanged.connect(self._on_dock_visibility_changed)

    @property
    def is_made(self) -> bool:
        return self._view is not None

    @property
    def view(self) -> QWidget:
        """The dock's view (made, and put in the dock, on first use)."""
        if self._view is None:
            self._view = self._make_view()
            holder = self._dock.widget()
            if isinstance(holder, QScrollArea):  # the host's, for small screens
                holder.setWidget(self._view)  # the stand-in goes
            else:
                self._dock.setWidget(self._view)
            restyle(self._dock)  # in the palette's colours, as the window's other plots
        return self._view

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.view  # noqa: B018 - a shown dock shows its view, never the stand-in
