"""Seeing more of a fit: the scatter's own column pickers and density contours, and the
Pairs, Projection, Uncertainty and Cluster Sizes docks (issue 19).

:func:`install` adds them through the host: the docks are listed in the View menu,
hidden until asked for, and draw nothing while hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget

from emgui.features.seeing.columns_docks import PairsDock, ProjectionDock
from emgui.features.seeing.reading_docks import ClusterSizesDock, UncertaintyDock
from emgui.shell.actions import make_action
from emgui.shell.host import Host
from emgui.views.column_picker import ColumnPicker

CONTOURS_KEY = "view/show_contours"
#: The known labels' comparison dock (emgui.features.labels), installed before this feature.
COMPARISON_DOCK = "label_comparison_dock"

__all__ = ["Seeing", "install"]


class Seeing(QObject):
    """The column pickers, the contour switch and the four docks of one window."""

    def __init__(self, host: Host) -> None:
        super().__init__(host.parent_widget)
        self._host = host
        document = host.document
        views = host.canvas.views
        self.picker = ColumnPicker()
        views.scatter.add_header(self.picker)
        self.contours_action = make_action(
            host.parent_widget, "Show Density &Contours",
            "Draw the fitted mixture's density on the scatter's two columns: the lines "
            "enclose 25, 50, 75 and 95% of the rows",
        )
        self.contours_action.setCheckable(True)
        self.contours_action.setChecked(host.settings.value(CONTOURS_KEY, False, type=bool))
        views.set_show_contours(self.contours_action.isChecked())
        host.add_actions("view", [self.contours_action])
        # The bottom docks share one place as tabs, each the row's whole width: with the
        # known labels' comparison when there is one (side by side, one squeezed the other).
        comparison = host.parent_widget.findChild(QDockWidget, COMPARISON_DOCK)
        self.pairs = PairsDock(host, tabify_with=comparison)
        self.projection = ProjectionDock(host, tabify_with=self.pairs.dock)
        self.uncertainty = UncertaintyDock(host, tabify_with=self.pairs.dock)
        self.sizes = ClusterSizesDock(host)
        self.picker.columns_requested.connect(self._on_picker_columns_requested)
        self.contours_action.toggled.connect(self._on_contours_action_toggled)
        document.data_changed.connect(self._on_document_data_changed)
        document.columns_changed.connect(self._on_document_columns_changed)

    def _sync_picker(self) -> None:
        table = self._host.document.table
        if table is not None:
            self.picker.set_columns(list(table.columns), *self._host.document.columns)

    def _on_document_data_changed(self, name: str) -> None:
        self._sync_picker()

    def _on_document_columns_changed(self, x: int, y: int) -> None:
        self._sync_picker()

    def _on_picker_columns_requested(self, x: int, y: int) -> None:
        self._host.document.set_columns(x, y)

    def _on_contours_action_toggled(self, checked: bool) -> None:
        self._host.settings.setValue(CONTOURS_KEY, checked)
        self._host.canvas.views.set_show_contours(checked)


def install(host: Host) -> Seeing:
    """Add the column pickers above the scatter, View ▸ Show Density Contours and the docks."""
    return Seeing(host)
