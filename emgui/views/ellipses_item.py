"""Every covariance ellipse of a fit as one plot item.

Fifteen ``PlotCurveItem`` objects (five components, three radii) cost about
8 ms a frame during a fit, most of it pyqtgraph's per-item bookkeeping
(bounds, pixel vectors, change notifications) rather than drawing. One item
that strokes prepared paths pays that bookkeeping once.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPainterPath, QPen

#: Pixels added around the curves' bounds, for the widest pen and its antialiasing.
_PEN_MARGIN_PX = 3.0


class EllipsesItem(pg.GraphicsObject):
    """Closed curves, each with its own pen, drawn by one ``paint`` call."""

    def __init__(self, antialias: bool = True) -> None:
        super().__init__()
        self._antialias = antialias
        self._points: dict[tuple[int, float], np.ndarray] = {}
        self._paths: list[tuple[QPainterPath, QPen]] = []
        self._data_rect = QRectF()
        self._bounds: QRectF | None = None

    def set_curves(self, curves: list[tuple[int, float, np.ndarray, QPen]]) -> None:
        """Replace the curves: ``(component, n_std, points of shape (n, 2), pen)`` each."""
        self.prepareGeometryChange()
        self._points = {(k, float(n_std)): xy for k, n_std, xy, _ in curves}
        self._paths = [(pg.arrayToQPath(xy[:, 0], xy[:, 1]), pen) for _, _, xy, pen in curves]
        if curves:
            stacked = np.concatenate([xy for _, _, xy, _ in curves])
            low, high = stacked.min(axis=0), stacked.max(axis=0)
            self._data_rect = QRectF(low[0], low[1], high[0] - low[0], high[1] - low[1])
        else:
            self._data_rect = QRectF()
        self._bounds = None
        self.update()

    def points(self, k: int, n_std: float) -> np.ndarray:
        """The points of component ``k``'s curve at ``n_std``, shape (n, 2); (0, 2) if none."""
        return self._points.get((k, float(n_std)), np.empty((0, 2)))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        if self._bounds is None:
            if not self._paths:
                self._bounds = QRectF()
            else:
                # Cosmetic pens are measured in pixels: widen the data bounds by a few.
                # None while the view has no size yet (before layout, or squeezed to 0 px).
                px, py = self.pixelSize()
                if px is None or py is None:
                    px = py = 0.0
                dx, dy = _PEN_MARGIN_PX * px, _PEN_MARGIN_PX * py
                self._bounds = self._data_rect.adjusted(-dx, -dy, dx, dy)
        return self._bounds

    def viewTransformChanged(self) -> None:  # noqa: N802 - pyqtgraph's name
        # A zoom changes how much data a pixel of pen covers.
        self.prepareGeometryChange()
        self._bounds = None

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, self._antialias)
        for path, pen in self._paths:
            painter.setPen(pen)
            painter.drawPath(path)
