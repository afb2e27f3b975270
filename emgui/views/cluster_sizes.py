"""How big each cluster is: the rows assigned to it (its most probable component) as a
bar, and the size its weight gives (n times the weight) as an outline over the bar."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from emgui.views.colors import component_color
from emgui.views.plot_style import ink, mute, new_plot_widget, paint_background_white
from emgui.views.param_bars import set_y_top
from emgui.views.plot_style import set_axis_label

_BAR_WIDTH = 0.6


class ClusterSizesView(QWidget):
    """A bar per component: rows assigned, and n times its weight."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        paint_background_white(self)
        self.plot_widget = new_plot_widget()
        self._plot = self.plot_widget.getPlotItem()
        self._plot.showGrid(x=False, y=True, alpha=0.15)
        self._plot.setMouseEnabled(x=False, y=False)
        self._plot.setMenuEnabled(False)
        self._plot.hideButtons()
        set_axis_label(self._plot, "left", "rows")
        set_axis_label(self._plot, "bottom", "component")
        self._note = QLabel(
            "Bars: rows whose most probable component it is.  Outline: n × weight."
        )
        self._note.setStyleSheet("padding: 2px 6px;")
        mute(self._note)
        self._note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot_widget, stretch=1)
        layout.addWidget(self._note)
        self._bars = pg.BarGraphItem(x=[], height=[], width=_BAR_WIDTH)
        self._plot.addItem(self._bars)
        self._expected = pg.BarGraphItem(
            x=[], height=[], width=_BAR_WIDTH + 0.2, brush=pg.mkBrush(None),
            pen=pg.mkPen(ink(), width=1.5),
        )
        self._expected.setZValue(5)
        self._plot.addItem(self._expected)
        self.counts = np.empty(0)
        self.expected = np.empty(0)

    def show_sizes(self, counts: np.ndarray, weights: np.ndarray, n_samples: int,
                   estimated: bool = False) -> None:
        """Draw ``counts`` (rows assigned to each component) and ``n_samples * weights``;
        ``estimated`` says the counts were scaled up from a sample of the rows."""
        counts = np.asarray(counts, dtype=np.float64)
        weights = np.asarray(weights, dtype=np.float64)
        k = max(counts.size, weights.size)
        counts = np.pad(counts, (0, k - counts.size))
        self.counts, self.expected = counts, n_samples * np.pad(weights, (0, k - weights.size))
        x = np.arange(1, k + 1)
        self._bars.setOpts(
            x=x, height=counts, width=_BAR_WIDTH,
            brushes=[pg.mkBrush(component_color(i)) for i in range(k)],
            pens=[pg.mkPen(component_color(i).darker(130)) for i in range(k)],
        )
        self._expected.setOpts(x=x, height=self.expected, width=_BAR_WIDTH + 0.2)
        self._plot.getAxis("bottom").setTicks([[(int(i), str(int(i))) for i in x]])
        self._plot.setXRange(0.4, k + 0.6, padding=0.0)
        set_y_top(self._plot, float(max(counts.max(initial=0), self.expected.max(initial=0))))
        self._note.setText(
            "Bars: rows whose most probable component it is"
            + (" (estimated from a sample of the rows)" if estimated else "")
            + ".  Outline: n × weight."
        )

    def clear(self) -> None:
        self.counts = self.expected = np.empty(0)
        self._bars.setOpts(x=[], height=[])
        self._expected.setOpts(x=[], height=[])
