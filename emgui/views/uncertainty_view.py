"""Which rows the fit is unsure of, in mclust's manner: the uncertainty of a row is one
minus its largest responsibility; on the scatter's two columns the rows above the 75th
percentile of uncertainty are drawn larger, those above the 95th larger still and
darker, and the most uncertain rows are listed beside the plot."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from emgui.views.colors import component_color
from emgui.views.plot_style import new_plot_widget, paint_background_white, set_axis_label
from emgui.views.scatter_points import display_rows

#: Quantiles of uncertainty that start the medium and the large points (mclust's breaks).
BREAKS: tuple[float, float] = (0.75, 0.95)
#: Point sizes of the three groups, least uncertain first.
SIZES: tuple[float, float, float] = (3.0, 7.0, 12.0)
#: Rows listed in the table.
N_LISTED = 12
#: Most rows drawn.
MAX_UNCERTAINTY_POINTS = 20_000


class UncertaintyView(QWidget):
    """The scatter of two columns with point size by uncertainty, and the rows most in doubt."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        paint_background_white(self)
        self.plot_widget = new_plot_widget()
        self._plot = self.plot_widget.getPlotItem()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["row", "cluster", "next", "uncertainty"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip("The rows the fit is least sure of (row numbers from 1)")
        self.table.resizeColumnsToContents()
        self.table.setMinimumWidth(240)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, stretch=3)
        layout.addWidget(self.table, stretch=1)
        self._items = []
        for size in SIZES:
            item = pg.ScatterPlotItem(size=size, pen=pg.mkPen(None), antialias=True)
            self._plot.addItem(item)
            self._items.append(item)
        self._rows = np.empty(0, dtype=np.intp)
        self._points = np.empty((0, 2))
        self._brushes: dict[tuple[int, int], object] = {}
        #: The uncertainty of each displayed row in the last state.
        self.uncertainty = np.empty(0)
        #: The group (0 small, 1 medium, 2 large) of each displayed row in the last state.
        self.groups = np.empty(0, dtype=np.intp)

    @property
    def display_rows(self) -> np.ndarray:
        return self._rows

    def group_sizes(self) -> list[int]:
        """Points drawn at each size, least uncertain first."""
        return [len(item.data) for item in self._items]

    def set_data(self, X: np.ndarray, x_label: str, y_label: str,
                 columns: tuple[int, int]) -> None:
        """Show columns ``columns`` of ``X`` (n_samples, n_features), without a fit."""
        self._rows = display_rows(X.shape[0], MAX_UNCERTAINTY_POINTS)
        self._points = np.asarray(X[np.ix_(self._rows, list(columns))], dtype=np.float64)
        set_axis_label(self._plot, "bottom", x_label)
        set_axis_label(self._plot, "left", y_label)
        self.clear_state()
        self._items[0].setData(pos=self._points, brush=pg.mkBrush(150, 150, 150, 160))
        view_box = self._plot.getViewBox()
        view_box.autoRange()
        view_box.disableAutoRange()

    def clear_state(self) -> None:
        self.uncertainty = np.empty(0)
        self.groups = np.empty(0, dtype=np.intp)
        for item in self._items:
            item.setData(pos=np.empty((0, 2)))
        self.table.setRowCount(0)

    def show_state(self, resp: np.ndarray) -> None:
        """Draw the responsibilities ``resp`` (n_display, n_components) of the displayed rows."""
        resp = np.asarray(resp, dtype=np.float64)
        if resp.ndim != 2 or resp.shape[0] != self._rows.size:
            raise ValueError(
                f"resp must have shape ({self._rows.size}, n_components), got {resp.shape}"
            )
        labels = np.argmax(resp, axis=1)
        uncertainty = 1.0 - resp.max(axis=1)
        cuts = np.quantile(uncertainty, BREAKS) if uncertainty.size else np.zeros(2)
        # Ties at zero (a clear fit): no row is marked out for an uncertainty of nothing.
        groups = np.where(uncertainty > 0, np.searchsorted(cuts, uncertainty, side="right"), 0)
        self.uncertainty, self.groups = uncertainty, groups
        for g, item in enumerate(self._items):
            chosen = np.flatnonzero(groups == g)
            alpha = (110, 190, 255)[g]
            brushes = [self._brush(int(k), alpha, g == 2) for k in labels[chosen]]
            item.setData(pos=self._points[chosen], brush=brushes)
        self._list(resp, labels, uncertainty)

    def _brush(self, k: int, alpha: int, dark: bool) -> object:
        brush = self._brushes.get((k, alpha))
        if brush is None:
            color = component_color(k, alpha)
            brush = self._brushes[(k, alpha)] = pg.mkBrush(color.darker(140) if dark else color)
        return brush

    def _list(self, resp: np.ndarray, labels: np.ndarray, uncertainty: np.ndarray) -> None:
        order = np.argsort(-uncertainty, kind="stable")[:N_LISTED]
        runner_up = np.argsort(resp, axis=1)[:, -2] if resp.shape[1] > 1 else labels
        self.table.setRowCount(order.size)
        for r, i in enumerate(order.tolist()):
            cells = (
                str(int(self._rows[i]) + 1), str(int(labels[i]) + 1),
                str(int(runner_up[i]) + 1), f"{uncertainty[i]:.3f}",
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def listed_rows(self) -> list[int]:
        """The data rows (from 0) the table lists, most uncertain first."""
        return [int(self.table.item(r, 0).text()) - 1 for r in range(self.table.rowCount())]
