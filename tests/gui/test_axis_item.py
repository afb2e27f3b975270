"""The plots' axes (emgui.views.axis_item): their ticks and grid drawn as pixel
rectangles cover the pixels the lines covered, and an axis draws itself again only
when what it shows has changed."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from emgui.views.axis_item import Axis, fill_line
from emgui.views.plot_style import new_plot_widget

GRID_INK = QColor(32, 32, 32, 40)  # the faint ink of a grid line


def _pixels(draw, ratio: float, dx: float, dy: float) -> np.ndarray:
    image = QImage(120, 120, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(0)
    painter = QPainter(image)
    painter.translate(dx, dy)
    draw(painter)
    painter.end()
    bits = image.constBits()
    return np.frombuffer(bits, np.uint8, count=image.sizeInBytes()).copy()


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_a_grid_line_filled_as_a_rectangle_covers_the_pixels_of_the_line(ratio) -> None:
    pen = QPen(GRID_INK)
    pen.setWidth(1)
    pen.setCosmetic(True)
    rng = np.random.default_rng(3)
    for _ in range(150):
        a, b, across = rng.uniform(1.0, 25.0), rng.uniform(30.0, 55.0), rng.uniform(3.0, 55.0)
        dx, dy = rng.choice([0.0, 0.25, 0.5, 0.73, 2.0]), rng.choice([0.0, 0.4, 0.5, 1.0])
        if rng.random() < 0.5:
            start, end = QPointF(a, across), QPointF(b, across)
        else:
            start, end = QPointF(across, a), QPointF(across, b)
        if rng.random() < 0.5:
            start, end = end, start

        def line(painter: QPainter) -> None:
            painter.setPen(pen)
            painter.drawLine(start, end)

        def rectangle(painter: QPainter) -> None:
            assert fill_line(painter, pen, start, end, pixel=1.0 / ratio)

        drawn = _pixels(line, ratio, dx, dy)
        assert drawn.any()
        assert np.array_equal(_pixels(rectangle, ratio, dx, dy), drawn), (start, end, dx, dy)


def test_a_slanted_line_or_a_wide_or_dashed_pen_is_left_to_qt() -> None:
    image = QImage(20, 20, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    thin = QPen(GRID_INK)
    thin.setCosmetic(True)
    wide = QPen(thin)
    wide.setWidth(3)
    dashed = QPen(thin)
    dashed.setStyle(pg.QtCore.Qt.PenStyle.DashLine)
    assert not fill_line(painter, thin, QPointF(1, 1), QPointF(9, 7))
    assert not fill_line(painter, wide, QPointF(1, 1), QPointF(9, 1))
    assert not fill_line(painter, dashed, QPointF(1, 1), QPointF(9, 1))
    painter.end()
    assert not any(image.constBits().tobytes())  # nothing was drawn


def test_a_new_plot_shows_its_own_axes_left_and_bottom_only(qtbot) -> None:
    widget = new_plot_widget()
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    item = widget.getPlotItem()
    for side in ("left", "bottom"):
        assert isinstance(item.getAxis(side), Axis)
        assert item.getAxis(side).isVisible()
    for side in ("top", "right"):
        assert not item.getAxis(side).isVisible()
    assert item.getAxis("left").geometry().top() <= 1.0  # no room kept for a top axis


def test_an_axis_draws_itself_again_only_when_its_range_or_size_changes(qtbot) -> None:
    widget = new_plot_widget()
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    view = widget.getPlotItem().getViewBox()
    view.setRange(xRange=(0, 10), yRange=(0, 5), padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    axis = widget.getPlotItem().getAxis("left")
    qtbot.waitUntil(lambda: axis.picture is not None)
    drawn = axis.picture
    # The view announces the range it already shows (as it does after many updates).
    view.sigYRangeChanged.emit(view, tuple(view.viewRange()[1]))
    assert axis.picture is drawn
    view.setYRange(0, 50, padding=0)
    assert axis.picture is None
    qtbot.waitUntil(lambda: axis.picture is not None)
    drawn = axis.picture
    view.sigResized.emit(view)  # the grid's lines change length
    assert axis.picture is None
