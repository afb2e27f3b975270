"""The fitted mixture's density on the two shown columns, drawn as contour lines.

The marginal of a Gaussian mixture on two columns is the mixture of the
components' marginals (means and 2 x 2 covariances on those columns), so the
contours are exact for every Gaussian model. The levels are those of highest
density regions, as mclust draws them: the density above which 25, 50, 75 and
95 % of the rows lie (read off the density at the displayed rows), so a line
says how much of the data it encloses whatever the units.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from emgui.views.plot_style import ink

#: The shares of rows the contours enclose, innermost last.
MASSES: tuple[float, ...] = (0.95, 0.75, 0.5, 0.25)
#: Grid points along each axis.
GRID_SIZE = 120
_CONTOUR_ALPHA = 200
_Z_CONTOURS = 5


def mixture_density(points: np.ndarray, weights: np.ndarray, means: np.ndarray,
                    covariances: np.ndarray) -> np.ndarray:
    """The density of a 2-D Gaussian mixture at ``points`` (n, 2), shape (n,).

    ``weights`` (K,), ``means`` (K, 2), ``covariances`` (K, 2, 2); a component whose
    covariance is not positive definite is left out.
    """
    points = np.asarray(points, dtype=np.float64)
    total = np.zeros(points.shape[0])
    for w, mean, cov in zip(np.asarray(weights), np.asarray(means), np.asarray(covariances)):
        det = cov[0, 0] * cov[1, 1] - cov[0, 1] * cov[1, 0]
        if not (np.isfinite(det) and det > 0 and np.isfinite(mean).all()):
            continue
        inverse = np.array([[cov[1, 1], -cov[0, 1]], [-cov[1, 0], cov[0, 0]]]) / det
        d = points - mean
        distance = np.einsum("ni,ij,nj->n", d, inverse, d)
        with np.errstate(under="ignore"):  # far from a component its density is zero
            total += w * np.exp(-0.5 * distance) / (2.0 * np.pi * np.sqrt(det))
    return total


def hdr_levels(density_at_rows: np.ndarray, masses: tuple[float, ...] = MASSES) -> np.ndarray:
    """The density above which each share of ``masses`` of the rows lies: the
    ``1 - mass`` quantile of the density at the rows."""
    values = np.asarray(density_at_rows, dtype=np.float64)
    values = values[np.isfinite(values)]
    if not values.size:
        return np.empty(0)
    return np.quantile(values, 1.0 - np.asarray(masses))


class DensityContours(pg.PlotCurveItem):
    """Contour lines of a density on a grid, all levels in one item (segments in pairs)."""

    def __init__(self) -> None:
        color = ink()  # the palette's text colour: dark on light plots, light on dark ones
        color.setAlpha(_CONTOUR_ALPHA)
        super().__init__(pen=pg.mkPen(color, width=1.3, style=Qt.PenStyle.SolidLine),
                         connect="pairs", antialias=True)
        self.setZValue(_Z_CONTOURS)
        self.levels = np.empty(0)
        self.segments: dict[float, np.ndarray] = {}

    def show_density(self, x: np.ndarray, y: np.ndarray, density: np.ndarray,
                     levels: np.ndarray) -> None:
        """Draw the ``levels`` of ``density`` (len(x), len(y)) over the grid of ``x`` and ``y``."""
        self.levels = np.asarray(levels, dtype=np.float64)
        self.segments = {}
        parts = []
        dx, dy = x[1] - x[0], y[1] - y[0]
        for level in self.levels:
            lines = pg.isocurve(density, float(level), connected=False)
            if not lines:
                continue
            # Grid indices to data: isocurve's (i, j) are (x index, y index), each half a
            # cell on (it puts value [i, j] at the cell's centre, i + 0.5).
            xy = np.asarray(lines, dtype=np.float64).reshape(-1, 2) - 0.5
            xy = np.column_stack([x[0] + xy[:, 0] * dx, y[0] + xy[:, 1] * dy])
            self.segments[float(level)] = xy
            parts.append(xy)
        stacked = np.concatenate(parts) if parts else np.empty((0, 2))
        self.setData(x=stacked[:, 0], y=stacked[:, 1])

    def clear_density(self) -> None:
        self.levels = np.empty(0)
        self.segments = {}
        self.setData(x=np.empty(0), y=np.empty(0))


def density_grid(points: np.ndarray, weights: np.ndarray, means: np.ndarray,
                 covariances: np.ndarray, size: int = GRID_SIZE
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The mixture's density over the points' range (a tenth wider each way) and its
    highest-density levels at the points: ``x``, ``y``, density (size, size), levels."""
    finite = points[np.isfinite(points).all(axis=1)]
    low, high = finite.min(axis=0), finite.max(axis=0)
    pad = 0.1 * np.where(high > low, high - low, 1.0)
    x = np.linspace(low[0] - pad[0], high[0] + pad[0], size)
    y = np.linspace(low[1] - pad[1], high[1] + pad[1], size)
    gx, gy = np.meshgrid(x, y, indexing="ij")
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    density = mixture_density(grid, weights, means, covariances).reshape(size, size)
    levels = hdr_levels(mixture_density(finite, weights, means, covariances))
    return x, y, density, levels
