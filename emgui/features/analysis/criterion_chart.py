"""The criterion against K: one line per model, a marker per cell, the best cell ringed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from engine.selection import Cell, ModelSpec
from emgui.views.axis_item import axes
from emgui.views.colors import component_color
from emgui.views.likelihood_plot import IterationAxis
from emgui.views.plot_style import FOREGROUND, ink, paper, set_axis_label, style_plot_item

#: One marker shape per model line, so lines differ without colour too.
SYMBOLS = ("o", "s", "t", "d", "h", "star", "p", "t1")
CRITERION_LABELS = {"bic": "BIC", "aic": "AIC", "icl": "ICL"}
MARKER_SIZE = 9
RING_SIZE = 26
#: Where the word "best" hangs under the best cell: its top this many of its heights
#: below the cell's centre.
BEST_DROP = 0.9
#: "Zoom to the best cells" shows scores up to this quantile; the worst cells
#: (often a poor model at K = 1) would otherwise squash the differences that matter.
FOCUS_QUANTILE = 0.75
#: Legend entries per column: more lines (mclust's fourteen) spread over more columns,
#: so that the legend stays inside the chart.
LEGEND_ROWS = 7


class CriterionChart(QWidget):
    """Draws cells as they arrive; a click on a marker asks to open that cell."""

    cell_clicked = Signal(object)
    """The :class:`engine.selection.Cell` whose marker was clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(
            background=paper(), axisItems=axes(bottom=IterationAxis("bottom"))
        )
        self.plot_widget.setMinimumHeight(220)
        self._plot = self.plot_widget.getPlotItem()
        style_plot_item(self._plot)
        set_axis_label(self._plot, "bottom", "K (number of components)")
        self._legend = self._plot.addLegend(
            offset=(-10, 10), labelTextColor=ink(), labelTextSize="10pt",
            brush=pg.mkBrush(paper()), pen=pg.mkPen("#C8C8C8"),
        )
        self.focus_box = QCheckBox("Zoom to the best cells")
        self.focus_box.setChecked(True)
        self.focus_box.setToolTip(
            "Show the best three quarters of the scores, where the choice is made; untick "
            "to show every cell.")
        self.focus_box.toggled.connect(self._on_focus_box_toggled)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.focus_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot_widget, 1)
        layout.addLayout(row)
        self._lines: dict[ModelSpec, pg.PlotDataItem] = {}
        self._colors: dict[ModelSpec, QColor] = {}
        self._cells: dict[ModelSpec, list[Cell]] = {}
        self._criterion = "bic"
        self._best: Cell | None = None
        self._ring = pg.ScatterPlotItem(
            size=RING_SIZE, symbol="o", pen=pg.mkPen(FOREGROUND, width=2.5), brush=None,
        )
        self._ring.setZValue(20)
        self._plot.addItem(self._ring)
        # Below the ring: nothing scores lower than the best cell, so the space is free.
        self._best_label = pg.TextItem("best", color=FOREGROUND, anchor=(0.5, -BEST_DROP))
        self._best_label.setZValue(20)
        self._best_label.follows_ink = True  # emgui.shell.palette gives it a new theme's ink
        self._plot.addItem(self._best_label, ignoreBounds=True)
        self._plot.getViewBox().sigResized.connect(self._on_view_box_resized)
        self._best_label.setVisible(False)
        self._set_axis_label()

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    @property
    def criterion(self) -> str:
        return self._criterion

    def line(self, spec: ModelSpec) -> pg.PlotDataItem:
        return self._lines[spec]

    def ring_position(self) -> tuple[float, float] | None:
        """Where the best-cell ring is drawn, or ``None``."""
        x, y = self._ring.getData()
        return None if x is None or len(x) == 0 else (float(x[0]), float(y[0]))

    # --- changing -----------------------------------------------------------------------

    def start(self, specs: Sequence[ModelSpec], ks: Sequence[int]) -> None:
        """Clear the chart for a sweep of ``specs`` over ``ks``."""
        for item in self._lines.values():
            self._plot.removeItem(item)
        self._legend.clear()
        self._legend.setColumnCount(max(1, -(-len(specs) // LEGEND_ROWS)))
        self._lines, self._cells, self._colors = {}, {}, {}
        for index, spec in enumerate(specs):
            color = component_color(index)
            self._colors[spec] = color
            style = dict(pen=pg.mkPen(color, width=2), symbol=SYMBOLS[index % len(SYMBOLS)],
                         symbolSize=MARKER_SIZE, symbolBrush=pg.mkBrush(color),
                         symbolPen=pg.mkPen("w", width=1), antialias=True)
            line = pg.PlotDataItem(connect="finite", **style)
            line.sigPointsClicked.connect(self._on_line_points_clicked)
            self._plot.addItem(line)
            # The legend gets its own sample: the line's markers take one brush per cell.
            self._legend.addItem(pg.PlotDataItem(**style), spec.title)
            self._lines[spec] = line
            self._cells[spec] = []
        self._plot.setXRange(min(ks) - 0.5, max(ks) + 0.5, padding=0)
        self.set_best(None)
        self._fit_y()

    def add_cell(self, cell: Cell) -> None:
        self._cells.setdefault(cell.spec, []).append(cell)
        self._redraw(cell.spec)
        self._fit_y()

    def set_criterion(self, criterion: str) -> None:
        self._criterion = criterion
        self._set_axis_label()
        for spec in self._lines:
            self._redraw(spec)
        self.set_best(self._best)
        self._fit_y()

    def y_range(self) -> tuple[float, float]:
        (_, _), (low, high) = self._plot.getViewBox().viewRange()
        return low, high

    def set_best(self, cell: Cell | None) -> None:
        """Ring ``cell`` (or nothing)."""
        self._best = cell
        if cell is None or cell.result is None:
            self._ring.setData(x=[], y=[])
            self._best_label.setVisible(False)
            return
        x, y = float(cell.n_components), cell.score(self._criterion)
        self._ring.setData(x=[x], y=[y])
        self._best_label.setPos(x, y)
        self._best_label.setVisible(True)

    # --- internals ----------------------------------------------------------------------

    def _set_axis_label(self) -> None:
        set_axis_label(self._plot, "left",
                       f"{CRITERION_LABELS[self._criterion]} (lower is better)")

    def _fit_y(self) -> None:
        scores = np.array([c.score(self._criterion) for cells in self._cells.values()
                           for c in cells], dtype=np.float64)
        scores = scores[np.isfinite(scores)]
        if scores.size == 0:
            self._plot.enableAutoRange(axis="y")
            return
        low = float(scores.min())
        high = float(np.quantile(scores, FOCUS_QUANTILE)) if self.focus_box.isChecked() \
            else float(scores.max())
        if high - low < 1e-9 * max(1.0, abs(low)):
            high = float(scores.max())
        span = max(high - low, 1e-6 * max(1.0, abs(low)))
        # Room below the best cell for its ring and label (in pixels, so that a short chart
        # does not cut "best" off at the axis), a little above the top.
        below = 0.2 * span
        height = self._plot.getViewBox().height()
        room = (BEST_DROP + 1.0) * self._best_label.boundingRect().height() + 4.0
        if height > 2.0 * room:
            share = room / height
            below = max(below, share * 1.05 * span / (1.0 - share))
        self._plot.setYRange(low - below, high + 0.05 * span, padding=0)

    def _on_view_box_resized(self, view_box: object = None) -> None:
        if self._cells:
            self._fit_y()

    def _on_focus_box_toggled(self, checked: bool) -> None:
        self._fit_y()

    def _redraw(self, spec: ModelSpec) -> None:
        cells = sorted(self._cells.get(spec, []), key=lambda c: c.n_components)
        x = np.array([c.n_components for c in cells], dtype=np.float64)
        y = np.array([c.score(self._criterion) for c in cells], dtype=np.float64)
        y[~np.isfinite(y)] = np.nan
        line = self._lines[spec]
        # Hollow markers: cells where a component collapsed (see the table's note).
        fill = self._colors[spec]
        brushes = [pg.mkBrush("w") if c.collapsed else pg.mkBrush(fill) for c in cells]
        pens = [pg.mkPen(fill, width=1.5) if c.collapsed else pg.mkPen("w", width=1)
                for c in cells]
        line.setData(x=x, y=y, symbolBrush=brushes, symbolPen=pens)

    def _on_line_points_clicked(self, line: pg.PlotDataItem, points: list, event: object) -> None:
        spec = next((s for s, item in self._lines.items() if item is line), None)
        if spec is None or not len(points):
            return
        k = int(round(points[0].pos().x()))
        cell = next((c for c in self._cells[spec] if c.n_components == k), None)
        if cell is not None:
            self.cell_clicked.emit(cell)
