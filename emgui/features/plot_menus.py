"""The plots' right-click menus: the application's own actions instead of pyqtgraph's raw menu.

Every pyqtgraph ``ViewBox`` in the window (the fit views, the trace, the teaching
panels) gets :class:`PlotMenu`: Reset View (fit the view to what it shows again,
undoing pans and zooms), Equal Aspect for models whose spreads are round (k-means,
spherical Gaussians), Copy Plot Image and Export Plot. It is installed from outside
the view classes: the menu replaces the box's own, and the box raises it in place
of pyqtgraph's menu with its Plot Options and scene Export.
"""

from __future__ import annotations

from collections.abc import Callable
from weakref import WeakSet

import pyqtgraph as pg
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

from emgui.features import installed
from emgui.features.export.actions import ExportActions
from emgui.shell.host import Host
from emgui.views import declared


class PlotMenu(QMenu):
    """The menu of one ``view_box``; ``target()`` gives the widget a copy or export
    shows and its name, ``round_model()`` whether Equal Aspect is offered."""

    def __init__(self, view_box: pg.ViewBox, exports: ExportActions,
                 target: Callable[[], tuple[QWidget, str]], round_model: Callable[[], bool]) -> None:
        super().__init__()
        self._view_box = view_box
        self._exports = exports
        self._target = target
        self._round_model = round_model
        self.reset_action = self.addAction("&Reset View")
        self.reset_action.setStatusTip("Fit the view to what it shows again, undoing pans and zooms")
        self.aspect_action = self.addAction("&Equal Aspect")
        self.aspect_action.setCheckable(True)
        self.aspect_action.setStatusTip("Give both axes the same scale: round spreads look round")
        self.addSeparator()
        self.copy_action = self.addAction("&Copy Plot Image")
        self.export_action = self.addAction("E&xport Plot…")
        self.reset_action.triggered.connect(self._on_reset_action_triggered)
        self.aspect_action.toggled.connect(self._on_aspect_action_toggled)
        self.copy_action.triggered.connect(self._on_copy_action_triggered)
        self.export_action.triggered.connect(self._on_export_action_triggered)
        self.aboutToShow.connect(self._on_about_to_show)

    def setViewList(self, views: list) -> None:  # noqa: N802 - pyqtgraph's ViewBoxMenu's
        """pyqtgraph tells a box's menu of linkable views; this menu links none."""

    def raise_at(self, event: object) -> None:
        """Pop up where the right button was released (pyqtgraph's mouse click event)."""
        self.popup(event.screenPos().toPoint())

    def _on_about_to_show(self) -> None:
        self.reset_action.setVisible(any(self._view_box.state["mouseEnabled"]))
        self.aspect_action.setVisible(self._round_model())
        self.aspect_action.blockSignals(True)
        self.aspect_action.setChecked(bool(self._view_box.state["aspectLocked"]))
        self.aspect_action.blockSignals(False)

    def _on_reset_action_triggered(self) -> None:
        # Fitted once and then held, as the views hold it (auto-range left on would
        # refit at every update of every item during a fit).
        self._view_box.autoRange()
        self._view_box.disableAutoRange()

    def _on_aspect_action_toggled(self, equal: bool) -> None:
        self._view_box.setAspectLocked(equal, ratio=1.0)
        self._on_reset_action_triggered()

    def _on_copy_action_triggered(self) -> None:
        self._exports.copy_widget(self._target()[0])

    def _on_export_action_triggered(self) -> None:
        widget, kind = self._target()
        self._exports.export_widget(widget, kind)


class PlotMenus(QObject):
    """Puts a :class:`PlotMenu` on every plot of the window, now and as plots appear."""

    def __init__(self, host: Host) -> None:
        super().__init__(host.parent_widget)
        self._host = host
        self._exports = installed(host, ExportActions)
        self._done: WeakSet[pg.ViewBox] = WeakSet()
        self.menus: list[PlotMenu] = []
        self.install_all()
        host.document.data_changed.connect(self._on_document_data_changed)
        host.document.fit_changed.connect(self._on_document_fit_changed)
        # The histogram and the count view are made when data first need them (also when
        # only the model changes).
        host.canvas.views.view_made.connect(self._on_views_view_made)
        # A dock makes its plots when first shown (emgui.features.seeing.fit_dock).
        for dock in host.parent_widget.findChildren(QDockWidget):
            dock.visibilityChanged.connect(self._on_dock_visibility_changed)

    def install_all(self) -> None:
        """Give every plot in the window that has none yet its menu."""
        for view in self._host.parent_widget.findChildren(pg.GraphicsView):
            scene = view.scene()
            if scene is None:
                continue
            for item in scene.items():
                if isinstance(item, pg.ViewBox) and item not in self._done:
                    self.install(item, view)

    def install(self, view_box: pg.ViewBox, view: pg.GraphicsView) -> PlotMenu:
        """Give ``view_box`` (shown in ``view``) the application's menu."""
        menu = PlotMenu(view_box, self._exports, lambda: self._target(view),
                        lambda: self._offers_aspect(view))
        menu.setParent(view, menu.windowFlags())
        view_box.menu = menu  # first: enabling a box without a menu would build pyqtgraph's
        view_box.setMenuEnabled(True)  # a plot that cannot be panned may still be copied
        view_box.raiseContextMenu = menu.raise_at
        self._done.add(view_box)
        self.menus.append(menu)
        return menu

    def _target(self, view: pg.GraphicsView) -> tuple[QWidget, str]:
        """The widget a copy of ``view``'s plot shows (all of a view made of several plots)."""
        canvas = self._host.canvas
        for key, kind in (("fit", canvas.kind), ("likelihood", "likelihood")):
            widget = canvas.plot_widget(key)
            if widget is not None and (widget is view or widget.isAncestorOf(view)):
                return widget, kind
        return view, "plot"

    def _offers_aspect(self, view: pg.GraphicsView) -> bool:
        fit = self._host.canvas.plot_widget("fit")
        document = self._host.document
        return (document.table is not None and fit is not None
                and (fit is view or fit.isAncestorOf(view))
                and declared.is_round(document.fit_options()))

    def _on_document_data_changed(self, name: str) -> None:
        self.install_all()

    def _on_document_fit_changed(self, result: object) -> None:
        self.install_all()

    def _on_views_view_made(self, view: QWidget) -> None:
        self.install_all()

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.install_all()


def install(host: Host) -> PlotMenus:
    """Give the window's plots the application's right-click menu (after every other feature,
    so their plots are there)."""
    return PlotMenus(host)
