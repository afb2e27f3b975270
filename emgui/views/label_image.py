"""Many points as one image: each pixel takes the colour of a point's component.

Recolouring a pyqtgraph scatter costs about 2 microseconds per point, so a
hundred thousand points cost a fifth of a second per frame. Splatting the
points into a fixed pixel grid instead costs one indexed assignment and one
colour lookup per frame, a few milliseconds whatever the number of points.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from emgui.views.colors import component_rgb

#: Pixels along the longer side of the data's bounding box.
RESOLUTION = 480


class LabelImage(pg.ImageItem):
    """An image of points coloured by label, alpha rising with the point density."""

    def __init__(self, resolution: int = RESOLUTION) -> None:
        super().__init__(axisOrder="row-major")
        #: Pixels along the data's longer side (fewer: each point a bigger block).
        self.resolution = int(resolution)
        self._shape = (1, 1)
        #: The pixels holding at least one point, and the point each shows.
        self._occupied = np.zeros(0, dtype=np.intp)
        self._shown_point = np.zeros(0, dtype=np.intp)
        #: RGBA of every pixel, flat; only the colours of occupied pixels change.
        self._rgba = np.zeros((1, 4), dtype=np.uint8)
        self._lut = np.zeros((1, 3), dtype=np.uint8)
        self.setZValue(-10)

    def set_points(self, points: np.ndarray) -> None:
        """Place ``points`` (n, 2) once; later frames only change their labels."""
        # A row with a missing coordinate has no pixel (the scatter marks it otherwise).
        finite = np.flatnonzero(np.isfinite(points).all(axis=1))
        placed = points[finite] if finite.size else np.zeros((1, 2))
        low = placed.min(axis=0)
        span = np.maximum(placed.max(axis=0) - low, 1e-12)
        scale = self.resolution / span.max()
        width, height = (np.maximum(np.ceil(span * scale), 1).astype(int) + 1)
        col = np.minimum(((points[finite, 0] - low[0]) * scale).astype(np.intp), width - 1)
        row = np.minimum(((points[finite, 1] - low[1]) * scale).astype(np.intp), height - 1)
        pixels = row * width + col
        self._shape = (int(height), int(width))
        # A pixel shows its last point (the highest index among its points): linear
        # time, where the sort of np.unique was not.
        last = np.full(height * width, -1, dtype=np.intp)
        np.maximum.at(last, pixels, np.arange(pixels.shape[0]))
        self._occupied = np.flatnonzero(last >= 0)
        self._shown_point = finite[last[self._occupied]]
        counts = np.bincount(pixels, minlength=height * width)
        # Alpha grows with the log of the count so sparse and dense regions both show.
        top = np.log1p(max(int(counts.max()), 1))
        alpha = np.where(counts > 0, 110 + 145 * np.log1p(counts) / top, 0)
        self._rgba = np.zeros((height * width, 4), dtype=np.uint8)
        self._rgba[:, 3] = alpha
        # setRect scales the image it has: give it one of the new shape first.
        self.show_labels(np.full(points.shape[0], -1), 0)
        self.setRect(QRectF(low[0], low[1], width / scale, height / scale))

    def show_labels(self, labels: np.ndarray, n_components: int) -> None:
        """Colour every pixel by the label of (one of) its points; -1 draws grey."""
        if self._lut.shape[0] != n_components + 1:
            self._lut = np.array(
                [component_rgb(k) for k in range(n_components)] + [(150, 150, 150)],
                dtype=np.uint8,
            )
        shown = labels[self._shown_point]
        self._rgba[self._occupied, :3] = self._lut[np.where(shown < 0, n_components, shown)]
        self.setImage(self._rgba.reshape(self._shape + (4,)), autoLevels=False, levels=(0, 255))

    def pixel_colors(self) -> np.ndarray:
        """The RGBA image shown, shape (height, width, 4); row 0 is the lowest data row."""
        return self._rgba.reshape(self._shape + (4,)).copy()
