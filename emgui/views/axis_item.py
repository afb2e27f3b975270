"""The plots' axes: pyqtgraph's ``AxisItem`` with two costs of its paint removed.

An axis draws its plot's grid: a line across the plot per tick, in the ink at a low
opacity. Qt's raster engine draws an aliased line that is not opaque about twenty
times slower than an opaque one (3 ms for the 31 lines of a 500 x 400 plot, against
0.15 ms), and an axis with a grid took 2.4 ms a paint, half of all the plots' paint
time in ``python -m bench.gui``. A horizontal or vertical line one pixel wide covers
the same pixels as a rectangle one pixel thick, which Qt fills at the speed of an
opaque line: :class:`Axis` draws such ticks as rectangles, which cover the pixels the
lines covered (the axis's picture, recorded and played back, may place a line that
falls on the edge between two pixels on the other one).

Its linked view also announces ranges that have not changed (three of five times
in the same benchmark), and each announcement made the axis draw itself again: an
axis now keeps its picture when the range it is given is the one it shows.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

#: The sides whose axes a plot shows (pyqtgraph shows every axis it is given).
SHOWN = ("left", "bottom")


class Axis(pg.AxisItem):
    """A pyqtgraph axis that draws its ticks and grid as pixel rectangles."""

    def __init__(self, orientation: str, **kwargs: object) -> None:
        #: The size of a device pixel the picture was drawn for (in the item's units).
        self._pixel = 1.0
        super().__init__(orientation, **kwargs)
        # Densities of order 1e-3 would otherwise read "density (x0.001)" with ticks 0..40.
        self.enableAutoSIPrefix(False)

    # pyqtgraph overrides keep pyqtgraph's names.
    def linkedViewChanged(self, view: pg.ViewBox, newRange: object = None) -> None:  # noqa: N802, N803
        # newRange is None when the view was resized: the grid's lines change length.
        if newRange is not None:
            vertical = self.orientation in ("left", "right")
            inverted = view.yInverted() if vertical else view.xInverted()
            low, high = newRange[::-1] if inverted else newRange
            if [low, high] == getattr(self, "range", None):
                return
        super().linkedViewChanged(view, newRange)

    def paint(self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None) -> None:
        ratio = p.device().devicePixelRatioF() if p.device() is not None else 1.0
        pixel = 1.0 / ratio if ratio > 0 else 1.0
        if pixel != self._pixel:  # a screen of another pixel ratio
            self._pixel = pixel
            self.picture = None
        super().paint(p, opt, widget)

    def drawPicture(self, p: QPainter, axisSpec: tuple, tickSpecs: list,  # noqa: N802, N803
                    textSpecs: list) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        lines = [spec for spec in tickSpecs if not fill_line(p, *spec, pixel=self._pixel)]
        super().drawPicture(p, axisSpec, lines, textSpecs)


def fill_line(p: QPainter, pen: QPen, start: QPointF, end: QPointF, pixel: float = 1.0) -> bool:
    """Draw the aliased line from ``start`` to ``end`` as the rectangle of pixels it covers,
    if it is horizontal or vertical and ``pen`` a plain cosmetic one a pixel wide (a
    device pixel being ``pixel`` units); say whether it was drawn."""
    plain = (pen.style() == Qt.PenStyle.SolidLine and pen.isCosmetic() and pen.widthF() <= 1.0
             and pen.brush().style() == Qt.BrushStyle.SolidPattern)
    if not plain:
        return False
    x1, y1, x2, y2 = start.x(), start.y(), end.x(), end.y()
    half = pixel / 2
    if y1 == y2:
        rect = QRectF(min(x1, x2) - half, y1 - half, abs(x2 - x1) + pixel, pixel)
    elif x1 == x2:
        rect = QRectF(x1 - half, min(y1, y2) - half, pixel, abs(y2 - y1) + pixel)
    else:
        return False
    p.fillRect(rect, pen.color())
    return True


def axes(**given: pg.AxisItem | None) -> dict[str, pg.AxisItem]:
    """The axes of a new plot: the ``given`` ones, and an :class:`Axis` on the sides of
    :data:`SHOWN` not given."""
    made = {side: Axis(side) for side in SHOWN if given.get(side) is None}
    return {**{side: axis for side, axis in given.items() if axis is not None}, **made}
