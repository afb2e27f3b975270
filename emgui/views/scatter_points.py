"""The points of a scatter, coloured by component (or by a known class), cheaply.

Few points: one ``ScatterPlotItem`` per component and confidence bin (far cheaper
than a brush per point). Many: one label image. Either way the items are made
once and updated with ``setData``; a bin whose rows did not change is skipped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from emgui.views.colors import UNASSIGNED_COLOR, component_color
from emgui.views.label_image import RESOLUTION, LabelImage

#: More rows than this are shown as a fixed random subset (the fit still uses all).
MAX_DISPLAY_POINTS = 50_000
#: Above this many displayed points they are drawn as one label image: recolouring
#: scatter items costs about 2 microseconds a point, the image a few ms in all.
IMAGE_THRESHOLD = 8_000
#: Seed of the display subset, so the same data always shows the same points.
THINNING_SEED = 20_240_617
#: Upper edges of the confidence bins in uncertainty mode; the last bin is open.
CONFIDENCE_EDGES: tuple[float, ...] = (0.6, 0.9)
#: Alpha of each confidence bin, least confident first.
CONFIDENCE_ALPHAS: tuple[int, ...] = (40, 110, 210)
#: Alpha of points when uncertainty is not shown; large data sets get the lower one
#: so that dense regions still show their density.
POINT_ALPHA = 170
DENSE_POINT_ALPHA = 110
Z_POINTS = 0
NO_ROWS = np.empty(0, dtype=np.intp)


def point_size(n_points: int) -> float:
    if n_points <= 2_000:
        return 7.0
    if n_points <= 20_000:
        return 5.0
    return 3.0


def plain_alpha(n_points: int) -> int:
    return POINT_ALPHA if n_points <= 20_000 else DENSE_POINT_ALPHA


def display_rows(n_samples: int, limit: int = MAX_DISPLAY_POINTS) -> np.ndarray:
    """The rows shown of ``n_samples``: all, or a fixed random ``limit`` of them, ascending
    (read-only: the same array is given for the same sizes)."""
    return _display_rows(int(n_samples), int(limit))


@functools.lru_cache(maxsize=8)
def _display_rows(n_samples: int, limit: int) -> np.ndarray:
    # Drawn once per size: every view of a data set (and reopening it) asks again.
    if n_samples <= limit:
        rows = np.arange(n_samples)
    else:
        rng = np.random.default_rng(THINNING_SEED)
        rows = np.sort(rng.choice(n_samples, limit, replace=False))
    rows.flags.writeable = False
    return rows


@dataclass
class _ComponentItems:
    """The plot items of one component, created once and reused."""

    bins: list[pg.ScatterPlotItem]
    #: The displayed rows each bin item currently shows.
    rows: list[np.ndarray] = field(default_factory=list)


class PointLayers:
    """The displayed points of one plot, grey or coloured by a palette index per point."""

    def __init__(self, plot: pg.PlotItem, image_threshold: int = IMAGE_THRESHOLD,
                 image_resolution: int = RESOLUTION, fixed_size: float | None = None) -> None:
        self._plot = plot
        self._fixed_size = fixed_size
        self._image_threshold = image_threshold
        self._points = np.empty((0, 2))
        self._size = point_size(0)
        self._n_slots = 0
        self._components: list[_ComponentItems] = []
        self._raw = pg.ScatterPlotItem(
            pen=pg.mkPen(None), brush=pg.mkBrush(QColor(UNASSIGNED_COLOR)), antialias=True
        )
        self._raw.setZValue(Z_POINTS)
        plot.addItem(self._raw)
        self._image = LabelImage(image_resolution)
        self._image.setVisible(False)
        plot.addItem(self._image)

    @property
    def points(self) -> np.ndarray:
        return self._points

    @property
    def image(self) -> LabelImage:
        """The label image many points are drawn as."""
        return self._image

    @property
    def size(self) -> float:
        return self._size

    @property
    def n_slots(self) -> int:
        """Components (palette colours) with items so far."""
        return self._n_slots

    @property
    def uses_image(self) -> bool:
        """Whether the points are drawn as one label image (many points)."""
        return self._points.shape[0] > self._image_threshold

    def set_points(self, points: np.ndarray) -> None:
        """Show ``points`` (n_display, 2) in grey."""
        self._points = points
        n = points.shape[0]
        self._size = point_size(n) if self._fixed_size is None else self._fixed_size
        plain = QColor(UNASSIGNED_COLOR)
        plain.setAlpha(plain_alpha(n))
        self._raw.setBrush(pg.mkBrush(plain))
        for k, items in enumerate(self._components):
            items.rows = [NO_ROWS] * len(items.bins)  # rows of other positions now
            items.bins[0].setBrush(pg.mkBrush(component_color(k, plain_alpha(n))))
            for item in items.bins:
                item.setSize(self._size)
        self._raw.setSize(self._size)
        self._raw.setData(pos=points if not self.uses_image else np.empty((0, 2)))
        self._image.setVisible(self.uses_image)
        if self.uses_image:
            self._image.set_points(points)

    def ensure(self, n_components: int) -> None:
        """Keep colours for ``n_components`` components."""
        self._n_slots = max(self._n_slots, n_components)
        if not self.uses_image:
            self._ensure_items()

    def _ensure_items(self) -> None:
        for k in range(len(self._components), self._n_slots):
            bins = []
            for alpha in (plain_alpha(self._points.shape[0]), *CONFIDENCE_ALPHAS):
                item = pg.ScatterPlotItem(
                    pen=pg.mkPen(None), brush=pg.mkBrush(component_color(k, alpha)),
                    size=self._size, antialias=True,
                )
                item.setZValue(Z_POINTS + alpha / 1000.0)
                item.setVisible(False)  # until it has points (see _show_rows)
                self._plot.addItem(item)
                bins.append(item)
            self._components.append(_ComponentItems(bins=bins, rows=[NO_ROWS] * len(bins)))

    def draw(self, labels: np.ndarray | None, confidence: np.ndarray | None = None,
             n_counted: int = 0) -> list[int]:
        """Colour point ``i`` with palette colour ``labels[i]`` (``None``: all grey), faded
        by ``confidence`` when given; returns the points of each of the first
        ``n_counted`` colours."""
        if self.uses_image:
            self._raw.setVisible(False)
            if labels is None:
                self._image.show_labels(np.full(self._points.shape[0], -1), 0)
                return []
            self._image.show_labels(labels, max(self._n_slots, 1))
            counts = np.bincount(labels, minlength=n_counted)
            return [int(c) for c in counts[:n_counted]]
        self._ensure_items()
        if labels is None:
            self._raw.setVisible(True)
            for items in self._components:
                for b in range(len(items.bins)):
                    self._show_rows(items, b, NO_ROWS)
            return []
        self._raw.setVisible(False)
        n_components = len(self._components)
        faded = confidence is not None
        n_bins = len(CONFIDENCE_ALPHAS) if faded else 1
        key = labels * n_bins
        if faded:
            key = key + np.searchsorted(CONFIDENCE_EDGES, confidence, side="right")
        order = np.argsort(key, kind="stable")
        sizes = np.bincount(key, minlength=n_components * n_bins)
        bounds = np.concatenate(([0], np.cumsum(sizes)))
        for k, items in enumerate(self._components):
            # bins[0] holds every point in plain mode; bins[1:] the confidence bins.
            for b in range(len(items.bins)):
                if faded and b > 0:
                    cell = k * n_bins + b - 1
                elif not faded and b == 0:
                    cell = k
                else:
                    self._show_rows(items, b, NO_ROWS)
                    continue
                # A stable sort keeps each cell's rows ascending, so equal sets compare equal.
                self._show_rows(items, b, order[bounds[cell] : bounds[cell + 1]])
        per_component = sizes.reshape(-1, n_bins).sum(axis=1)
        return [int(c) for c in per_component[:n_counted]]

    def _show_rows(self, items: _ComponentItems, b: int, rows: np.ndarray) -> None:
        # pyqtgraph spends about 2 microseconds per point in setData; near convergence
        # few rows change component, so most items are skipped.
        if np.array_equal(items.rows[b], rows):
            return
        items.rows[b] = rows
        items.bins[b].setData(pos=self._points[rows])
        # An empty item still costs bounding-box work in every paint: hide it.
        items.bins[b].setVisible(rows.size > 0)
