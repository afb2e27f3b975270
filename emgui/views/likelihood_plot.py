"""The objective per iteration (log-likelihood or k-means inertia), marking the shown one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from emgui.views.axis_item import Axis
from emgui.views.colors import component_color
from emgui.views.plot_style import (
    FOREGROUND,
    SMALL_LABEL_POINTS,
    fitted_title,
    ink,
    new_plot_widget,
    paper,
    set_axis_label,
)

#: Histories up to this long show a marker on every iteration.
MARKER_LIMIT = 60
#: The shown iterations grow by this factor when the curve reaches the right edge.
X_GROWTH = 1.5
#: Room left above and below the values, as a fraction of their span.
Y_HEADROOM = 0.2
#: The opacity of the background behind a title written in the plot's corner.
CORNER_VEIL_ALPHA = 150


def _veil(base: QColor) -> QColor:
    return QColor(base.red(), base.green(), base.blue(), CORNER_VEIL_ALPHA)


class IterationAxis(Axis):
    """A bottom axis whose ticks fall on whole iterations only."""

    # A pyqtgraph override, so pyqtgraph's names.
    def tickSpacing(  # noqa: N802
        self, minVal: float, maxVal: float, size: float  # noqa: N803
    ) -> list[tuple[float, float]]:
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(spacing, offset) for spacing, offset in levels if spacing >= 1.0]
        return whole or [(1.0, 0.0)]


class LikelihoodPlot(QWidget):
    """One curve of the objective against the iteration, updated in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = new_plot_widget(axisItems={"bottom": IterationAxis("bottom")})
        self._plot = self.plot_widget.getPlotItem()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        set_axis_label(self._plot, "bottom", "iteration")
        self._label = ""
        #: The axis length the title was last fitted to (see _fit_title), and the title
        #: written across the plot's top left corner when the axis is too short for it.
        self._title_length = -1.0
        self._corner_title = pg.TextItem("", color=ink(), anchor=(0, 0),
                                         fill=pg.mkBrush(_veil(paper())))
        self._corner_title.follows_ink = True  # emgui.shell.palette: a new theme's colours
        self._corner_title.follows_paper = CORNER_VEIL_ALPHA
        font = self._corner_title.textItem.font()
        font.setPointSizeF(SMALL_LABEL_POINTS)
        self._corner_title.setFont(font)
        self._corner_title.setParentItem(self._plot.getViewBox())
        self._corner_title.setPos(2, 0)
        self._corner_title.setZValue(20)
        self._corner_title.setVisible(False)
        self._plot.getAxis("left").geometryChanged.connect(self._on_left_axis_geometry_changed)
        self._n_values = 0
        self._current: int | None = None
        # The range follows the curve in steps (see _follow_range) until the user
        # pans or zooms; a new run follows again.
        self._following = True
        self._range: tuple[float, float, float, float] | None = None
        self._plot.getViewBox().sigRangeChangedManually.connect(self._on_range_changed_manually)

        color = component_color(0)
        self._pen, self._thin_pen = pg.mkPen(color, width=2), pg.mkPen(color, width=1)
        self._curve = pg.PlotDataItem(
            pen=self._pen, symbol="o", symbolSize=5,
            symbolBrush=pg.mkBrush(color), symbolPen=pg.mkPen(None), antialias=True,
        )
        self._plot.addItem(self._curve)
        # A long trace (a session of many thousand iterations) is drawn a few points per
        # pixel, keeping each pixel's highest and lowest value.
        self._plot.setDownsampling(auto=True, mode="peak")
        self._plot.setClipToView(True)
        self._marker = pg.InfiniteLine(
            angle=90, movable=False,
            pen=pg.mkPen(FOREGROUND, width=1.2, style=Qt.PenStyle.DashLine),
        )
        self._marker.setVisible(False)
        self._plot.addItem(self._marker, ignoreBounds=True)
        self._current_dot = pg.ScatterPlotItem(
            size=10, symbol="o", brush=pg.mkBrush(color), pen=pg.mkPen(FOREGROUND, width=1.5),
        )
        self._current_dot.setZValue(10)
        self._plot.addItem(self._current_dot, ignoreBounds=True)
        #: Dashed lines marking iterations (made on first use, then reused).
        self._marks: list[pg.InfiniteLine] = []
        self.set_history([], "log-likelihood")

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    @property
    def history(self) -> np.ndarray:
        """The values currently drawn, one per iteration from 0 (every one, though a long
        trace is drawn thinned to the pixels)."""
        _, y = self._curve.getOriginalDataset()
        return np.empty(0) if y is None else np.asarray(y)

    @property
    def label(self) -> str:
        """What the curve shows (the vertical axis's title)."""
        return self._label

    def set_history(self, values: Sequence[float], label: str) -> None:
        """Draw ``values[i]``, the objective after ``i`` iterations; ``label`` names it."""
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        # A new run (a label change or a shorter history) shows everything again;
        # while a run grows, a range the user zoomed to is kept.
        restart = label != self._label or values.shape[0] < self._n_values
        if label != self._label:
            self._label = label
            self._title_length = -1.0
            self._fit_title()
        self._n_values = values.shape[0]
        marked = self._n_values <= MARKER_LIMIT
        self._curve.setSymbol("o" if marked else None)
        # Without markers, a thin line: a 2 px stroke of a trace that zigzags across the
        # plot (a session's trace repeated) took the GUI thread 0.2 s per paint, 1 px 3 ms.
        self._curve.setPen(self._pen if marked else self._thin_pen)
        self._curve.setData(x=np.arange(self._n_values), y=values)
        if restart:
            self._following = True
            self._range = None
        if self._following:
            self._follow_range(values)
        if self._current is not None:
            self.set_current(self._current)

    def _fit_title(self) -> None:
        """Title the vertical axis with the label, smaller or on two lines when the plot
        is short (a short trace cut "log-likelihood + log prior" to "g-likelihood + lo");
        when even that does not fit, the label goes across the plot's top left corner."""
        axis = self._plot.getAxis("left")
        length = axis.geometry().height() - 4.0
        if abs(length - self._title_length) < 1.0:
            return
        self._title_length = length
        title = fitted_title(self._label, length, elide=False)
        self._corner_title.setText(self._label)
        self._corner_title.setVisible(title is None)
        if title is None:
            axis.showLabel(False)
        elif title != axis.labelText or not axis.label.isVisible():
            set_axis_label(self._plot, "left", title, fit=False)
        axis.setToolTip(self._label)

    @property
    def title_in_corner(self) -> bool:
        """Whether the label is written in the plot's corner (the axis too short for it)."""
        return self._corner_title.isVisible()

    def _on_left_axis_geometry_changed(self) -> None:
        self._fit_title()

    def set_current(self, iteration: int | None) -> None:
        """Mark ``iteration`` (for example the one scrubbed to); ``None`` hides the marker."""
        self._current = None if iteration is None else int(iteration)
        if self._current is None:
            self._marker.setVisible(False)
            self._current_dot.setData(pos=np.empty((0, 2)))
            return
        self._marker.setValue(self._current)
        self._marker.setVisible(True)
        y = self.history
        if 0 <= self._current < y.shape[0] and np.isfinite(y[self._current]):
            self._current_dot.setData(pos=[(self._current, y[self._current])])
        else:
            self._current_dot.setData(pos=np.empty((0, 2)))

    def _follow_range(self, values: np.ndarray) -> None:
        """Keep every value in view, changing the range only in steps.

        Plain auto-range moves both axes with every iteration, and repainting
        their tick labels was the largest single cost of a redraw during a
        fit (several ms). Here the range grows only when the curve would leave it,
        with room to spare, so most iterations repaint the curve alone.
        """
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return
        last = values.shape[0] - 1
        low, high = float(finite.min()), float(finite.max())
        old = self._range
        x_high = old[1] if old is not None and last <= old[1] else max(10.0, np.ceil(last * X_GROWTH))
        if old is not None and old[2] <= low and high <= old[3]:
            y_low, y_high = old[2], old[3]
        else:
            span = high - low or max(abs(high) * 1e-3, 1e-9)
            y_low, y_high = low - Y_HEADROOM * span, high + Y_HEADROOM * span
        new = (0.0, x_high, y_low, y_high)
        if new != old:
            self._range = new
            self._plot.getViewBox().setRange(
                xRange=new[:2], yRange=new[2:], padding=0.0, disableAutoRange=True
            )

    def _on_range_changed_manually(self, *_: object) -> None:
        self._following = False

    def set_marks(self, positions: Sequence[float], text: str, color: str) -> None:
        """Dashed lines at ``positions`` (iterations), each labelled ``text``; none hides them."""
        for _ in range(len(self._marks), len(positions)):
            line = pg.InfiniteLine(
                angle=90, movable=False, label="", labelOpts={"position": 0.85}
            )
            self._plot.addItem(line, ignoreBounds=True)
            self._marks.append(line)
        for i, line in enumerate(self._marks):
            line.setVisible(i < len(positions))
            if i < len(positions):
                line.setPen(pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine))
                line.label.setColor(color)
                line.setValue(positions[i])
                line.label.setFormat(text)

    def marks(self) -> list[tuple[float, str]]:
        """Where the dashed lines stand, and what each says."""
        return [(line.value(), line.label.format) for line in self._marks if line.isVisible()]

    def current(self) -> int | None:
        """The marked iteration, or ``None``."""
        return self._current

    def clear(self) -> None:
        """Remove the curve and the marker, keeping the label."""
        self._current = None
        self.set_history([], self._label)
        self.set_current(None)
