"""Each component's value per column (a probability, a rate) as bars grouped by column."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from emgui.views.colors import component_color
from emgui.views.plot_style import ZERO_MARGIN, set_axis_label

#: Fraction of a column's slot the grouped bars fill.
GROUP_WIDTH = 0.8
#: Headroom above the tallest bar or point, as a fraction of it.
HEADROOM = 0.08
_SELECTED_BRUSH = QColor(0, 0, 0, 18)


def set_y_top(plot: pg.PlotItem, top: float) -> None:
    """Let ``plot``'s value axis run from just below zero to a little above ``top``."""
    top = max(top, 1e-12)
    plot.setYRange(-ZERO_MARGIN * top, top * (1 + HEADROOM), padding=0.0)


class ParamBars:
    """The grouped bars of one plot, with the selected column shaded."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self._plot = plot
        self._n_columns = 0
        self._region = pg.LinearRegionItem(
            values=(-0.5, 0.5), movable=False, brush=pg.mkBrush(_SELECTED_BRUSH),
            pen=pg.mkPen(None),
        )
        self._region.setZValue(-10)
        plot.addItem(self._region, ignoreBounds=True)
        self._bars: list[pg.BarGraphItem] = []

    def set_title(self, title: str) -> None:
        set_axis_label(self._plot, "left", title)

    def set_columns(self, names: list[str]) -> None:
        self._n_columns = len(names)
        self._plot.getAxis("bottom").setTicks([[(d, name) for d, name in enumerate(names)]])
        set_axis_label(self._plot, "bottom", "column" if len(names) > 1 else "")
        self._plot.setXRange(-0.5, max(len(names), 1) - 0.5, padding=0.02)

    def select(self, column: int) -> None:
        self._region.setRegion((column - 0.5, column + 0.5))
        self._region.setVisible(self._n_columns > 1)

    def draw(self, values: np.ndarray | None, bounded: bool) -> None:
        """Draw ``values`` (n_components, n_features), or no bars for ``None``; the axis
        ends at 1 when ``bounded``."""
        n_components = 0 if values is None else values.shape[0]
        for k in range(len(self._bars), n_components):
            bars = pg.BarGraphItem(
                x=[], height=[], width=0.1, brush=pg.mkBrush(component_color(k)),
                pen=pg.mkPen(component_color(k).darker(130)),
            )
            self._plot.addItem(bars)
            self._bars.append(bars)
        width = GROUP_WIDTH / max(n_components, 1)
        for k, bars in enumerate(self._bars):
            if k < n_components:
                x = np.arange(values.shape[1]) - GROUP_WIDTH / 2 + (k + 0.5) * width
                bars.setOpts(x=x, height=values[k], width=width * 0.92)
                bars.setVisible(True)
            else:
                bars.setOpts(x=[], height=[])
                bars.setVisible(False)
        if bounded:
            top = 1.0
        else:
            finite = values[np.isfinite(values)] if values is not None else np.empty(0)
            top = float(finite.max()) if finite.size else 1.0
        set_y_top(self._plot, top)
