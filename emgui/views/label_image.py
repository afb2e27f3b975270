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

    def __init__(self) -> None:
        super().__init__(axisOrder="row-major")
        self._pixels: np.ndarray = np.zeros(0, dtype=np.intp)
        self._shape = (1, 1)
        self._alpha = np.zeros((1, 1), dtype=np.uint8)
        self._lut = np.zeros((1, 4), dtype=np.uint8)
        self.setZValue(-10)

    def set_points(self, points: np.ndarray) -> None:
        """Place ``points`` (n, 2) once; later frames only change their labels."""
        low = points.min(axis=0)
        span = np.maximum(points.max(axis=0) - low, 1e-12)
        scale = RESOLUTION / span.max()
        width, height = (np.maximum(np.ceil(span * scale), 1).astype(int) + 1)
        col = np.minimum(((points[:, 0] - low[0]) * scale).astype(np.intp), width - 1)
        row = np.minimum(((points[:, 1] - low[1]) * scale).astype(np.intp), height - 1)
        self._shape = (int(height), int(width))
        self._pixels = row * width + col
        counts = np.bincount(self._pixels, minlength=height * width).reshape(self._shape)
        # Alpha grows with the log of the count so sparse and dense regions both show.
        alpha = np.where(counts > 0, 110 + 145 * np.log1p(counts) / np.log1p(counts.max()), 0)
        self._alpha = alpha.astype(np.uint8)
        # setRect scales the image it has: give it one of the new shape first.
        self.show_labels(np.full(points.shape[0], -1), 0)
        self.setRect(QRectF(low[0], low[1], width / scale, height / scale))

    def show_labels(self, labels: np.ndarray, n_components: int) -> None:
        """Colour every pixel by the label of (one of) its points; -1 draws grey."""
        if self._lut.shape[0] != n_components + 1:
            self._lut = np.array(
                [component_rgb(k) + (255,) for k in range(n_components)] + [(150, 150, 150, 255)],
                dtype=np.uint8,
            )
        image = np.full(self._shape[0] * self._shape[1], n_components, dtype=np.intp)
        image[self._pixels] = np.where(labels < 0, n_components, labels)
        rgba = self._lut[image].reshape(self._shape + (4,))
        rgba[..., 3] = self._alpha
        self.setImage(rgba, autoLevels=False, levels=(0, 255))
