"""Where each component sits on a plot: its mean as a ringed dot, its spread as 1, 2, 3 sd ellipses.

One :class:`ComponentMarks` per plot; the scatter, every cell of the pairs view and
the projection draw their components with it, so all look alike and cost alike
(two scatter items and one ellipse item, whatever the number of components).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPen

from emgui.views.colors import OUTLINE_COLOR, component_color
from emgui.views.ellipses_item import EllipsesItem
from emgui.views.geometry import ellipses_points
from emgui.views.scatter_legend import MeanMarker

#: Points per ellipse curve.
ELLIPSE_POINTS = 64
# Solid, dashed, dotted: 1, 2 and 3 sd stay distinguishable in grey-scale print too.
ELLIPSE_STYLES = {
    1.0: (2.4, Qt.PenStyle.SolidLine, 255),
    2.0: (1.8, Qt.PenStyle.DashLine, 220),
    3.0: (1.4, Qt.PenStyle.DotLine, 190),
}
#: Radii of the covariance ellipses, in standard deviations.
N_STDS: tuple[float, ...] = tuple(ELLIPSE_STYLES)
#: A mean is a coloured dot in a white ring with a dark rim (the legend draws the same).
MEAN_MARKER = MeanMarker(ring_size=21, dot_size=13, rim_width=2)
Z_ELLIPSES, Z_MEANS = 10, 20


class ComponentMarks:
    """The means and ellipses of a fit on one plot, items made once and updated in place."""

    def __init__(self, plot: pg.PlotItem, marker: MeanMarker = MEAN_MARKER,
                 styles: dict[float, tuple[float, Qt.PenStyle, int]] | None = None,
                 antialias: bool = True) -> None:
        #: Pen width, style and alpha of the ellipse at each radius (in sd) drawn.
        self._styles = ELLIPSE_STYLES if styles is None else styles
        self._n_stds = tuple(self._styles)
        # A mean is a coloured dot in a white ring with a dark rim: it stands out both
        # on a dense cloud of its own colour and on empty background.
        self._halo = pg.ScatterPlotItem(
            symbol="o", size=marker.ring_size, brush=pg.mkBrush("w"),
            pen=pg.mkPen(OUTLINE_COLOR, width=marker.rim_width), antialias=True,
        )
        self._halo.setZValue(Z_MEANS)
        plot.addItem(self._halo, ignoreBounds=True)
        self._dots = pg.ScatterPlotItem(
            symbol="o", size=marker.dot_size, pen=pg.mkPen(None), antialias=True
        )
        self._dots.setZValue(Z_MEANS + 1)
        plot.addItem(self._dots, ignoreBounds=True)
        self._ellipses = EllipsesItem(antialias)
        self._ellipses.setZValue(Z_ELLIPSES)
        plot.addItem(self._ellipses, ignoreBounds=True)
        self._pens: dict[tuple[int, float], QPen] = {}
        self._brushes: list = []
        self._means = np.empty((0, 2))

    @property
    def means(self) -> np.ndarray:
        """The means drawn now, shape (n_components, 2)."""
        return self._means

    def ellipse(self, k: int, n_std: float) -> np.ndarray:
        """The points of component ``k``'s ellipse at ``n_std`` sd, shape (n, 2); (0, 2) if none."""
        return self._ellipses.points(k, n_std)

    def show(self, means: np.ndarray | None, covariances: np.ndarray | None,
             n_slots: int | None = None) -> None:
        """Draw ``means`` (n_components, 2) and, unless ``None``, the ellipses of
        ``covariances`` (n_components, 2, 2); at most ``n_slots`` ellipses."""
        self._draw_means(means)
        self._draw_ellipses(means, covariances, n_slots)

    def clear(self) -> None:
        self.show(None, None)

    def _draw_means(self, means: np.ndarray | None) -> None:
        if means is None:
            self._means = np.empty((0, 2))
            self._halo.setData(pos=self._means)
            self._dots.setData(pos=self._means)
            return
        self._means = np.asarray(means, dtype=np.float64).reshape(-1, 2)
        # The same brush objects every frame: new ones make pyqtgraph render the symbols anew.
        for k in range(len(self._brushes), self._means.shape[0]):
            self._brushes.append(pg.mkBrush(component_color(k)))
        brushes = self._brushes[: self._means.shape[0]]
        self._halo.setData(pos=self._means)
        self._dots.setData(pos=self._means, brush=brushes)

    def _draw_ellipses(self, means: np.ndarray | None, covariances: np.ndarray | None,
                       n_slots: int | None) -> None:
        curves: list[tuple[int, float, np.ndarray, QPen]] = []
        if means is not None and covariances is not None:
            means = np.asarray(means, dtype=np.float64).reshape(-1, 2)
            covariances = np.asarray(covariances, dtype=np.float64).reshape(-1, 2, 2)
            n = min(means.shape[0], covariances.shape[0])
            if n_slots is not None:
                n = min(n, n_slots)
            means, covariances = means[:n], covariances[:n]
            drawable = np.flatnonzero(
                np.isfinite(covariances).all(axis=(1, 2)) & np.isfinite(means).all(axis=1)
            )
            xy = ellipses_points(
                means[drawable], covariances[drawable], self._n_stds, ELLIPSE_POINTS
            )
            for row, k in enumerate(drawable.tolist()):
                for i, n_std in enumerate(self._n_stds):
                    curves.append((k, n_std, xy[row, i], self._pen(k, n_std)))
        self._ellipses.set_curves(curves)

    def _pen(self, k: int, n_std: float) -> QPen:
        pen = self._pens.get((k, n_std))
        if pen is None:
            width, style, alpha = self._styles[n_std]
            # Darker than the points so a 1 sd ellipse shows inside its own dense cloud.
            line_color = component_color(k).darker(150)
            line_color.setAlpha(alpha)
            pen = self._pens[(k, n_std)] = pg.mkPen(line_color, width=width, style=style)
        return pen
