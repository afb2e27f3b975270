"""Rows with a missing shown coordinate: a faint line along the missing axis, and once a
fit is shown a hollow marker where EM expects the row (it moves as EM iterates)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from emgui.views.colors import component_color
from emgui.views.scatter_points import NO_ROWS, Z_POINTS

_Z_GAP_LINES = -1
#: The faint line a row with one missing coordinate lies on (along the missing axis).
GAP_LINE_COLOR = QColor(90, 90, 90, 110)


class GapMarks:
    """The gap lines and expected positions of one scatter plot."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self._lines = pg.PlotCurveItem(
            pen=pg.mkPen(GAP_LINE_COLOR, width=1, style=Qt.PenStyle.DotLine), connect="pairs"
        )
        self._lines.setZValue(_Z_GAP_LINES)
        plot.addItem(self._lines, ignoreBounds=True)
        self._imputed = pg.ScatterPlotItem(brush=pg.mkBrush(None), antialias=True)
        self._imputed.setZValue(Z_POINTS + 1)
        plot.addItem(self._imputed, ignoreBounds=True)
        self.rows = NO_ROWS
        self.positions = np.empty((0, 2))

    def set_points(self, points: np.ndarray) -> None:
        """Find the rows of ``points`` (n, 2) with a gap, and for each with one coordinate
        observed draw a line along the other axis across the data's range."""
        missing = np.isnan(points)
        self.rows = np.flatnonzero(missing.any(axis=1))
        self.hide_positions()
        one = self.rows[missing[self.rows].sum(axis=1) == 1]
        if not one.size or missing.all(axis=0).any():
            self._lines.setData(x=np.empty(0), y=np.empty(0))
            return
        low, high = np.nanmin(points, axis=0), np.nanmax(points, axis=0)
        start = np.where(missing[one], low, points[one])
        end = np.where(missing[one], high, points[one])
        segments = np.stack([start, end], axis=1).reshape(-1, 2)
        self._lines.setData(x=segments[:, 0], y=segments[:, 1])

    def hide_positions(self) -> None:
        self.positions = np.empty((0, 2))
        self._imputed.setData(pos=self.positions)
        self._imputed.setVisible(False)

    def show_positions(self, xy: np.ndarray, labels: np.ndarray, n_colors: int,
                       size: float) -> None:
        """Draw row ``rows[i]`` hollow at ``xy[i]`` in the colour of component ``labels[i]``."""
        xy = np.asarray(xy, dtype=np.float64)
        if xy.shape != (self.rows.size, 2):
            raise ValueError(
                f"xy must have one row per displayed row with a gap ({self.rows.size}), "
                f"got shape {xy.shape}"
            )
        self.positions = xy
        pens = [pg.mkPen(component_color(k), width=1.6) for k in range(n_colors)]
        self._imputed.setData(pos=xy, pen=[pens[k] for k in labels], size=size)
        self._imputed.setVisible(True)
