"""Drawing a plot widget into a PNG or an SVG, sharp and as vectors, as it looks on screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontInfo, QImage, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

from emgui.features.export.svg_geometry import portable_svg

_WHITE = Qt.GlobalColor.white
_RENDER_FLAGS = QWidget.RenderFlag.DrawChildren | QWidget.RenderFlag.DrawWindowBackground


@contextmanager
def _export_mode(widget: QWidget, painter: QPainter) -> Iterator[None]:
    """Draw pyqtgraph items as vectors, without hover buttons, while exporting.

    Scatter points are normally stamped from a cached bitmap, which would be a
    blurry raster in a 3x PNG and an embedded image in SVG; pyqtgraph's export
    mode draws each symbol as a path instead.
    """
    views = [widget] if isinstance(widget, pg.GraphicsView) else []
    views += widget.findChildren(pg.GraphicsView)
    items = [
        item for view in views for item in view.scene().items() if hasattr(item, "setExportMode")
    ]
    cache_modes = [view.cacheMode() for view in views]
    # Items cached as pixmaps (the axes, whose text is slow to paint) would be pasted
    # in as bitmaps too; draw them afresh as vectors while exporting.
    cached = [
        (item, item.cacheMode())
        for view in views
        for item in view.scene().items()
        if item.cacheMode() != QGraphicsItem.CacheMode.NoCache
    ]
    options = {"antialias": True, "painter": painter, "background": _WHITE}
    try:
        for view in views:
            # A cached background would be pasted in as a bitmap.
            view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        for item, _ in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        for item in items:
            item.setExportMode(True, options)
        yield
    finally:
        for item in items:
            item.setExportMode(False)
        for item, mode in cached:
            item.setCacheMode(mode)
        for view, mode in zip(views, cache_modes):
            view.setCacheMode(mode)


def _render_widget(widget: QWidget, painter: QPainter) -> None:
    # QGraphicsView.render draws the scene, hiding QWidget.render, which draws the
    # widget as it looks (frame, axes and children included).
    QWidget.render(widget, painter, QPoint(), QRegion(), _RENDER_FLAGS)


def _paint(widget: QWidget, device: QImage | QSvgGenerator, *hints: QPainter.RenderHint) -> None:
    """Draw ``widget`` on ``device`` as it looks, with pyqtgraph's items as vectors."""
    painter = QPainter(device)
    for hint in hints:
        painter.setRenderHint(hint)
    try:
        with _export_mode(widget, painter):
            _render_widget(widget, painter)
    finally:
        painter.end()


def _in_memory(write: Callable[[QBuffer], None]) -> bytes:
    """What ``write`` puts in a buffer in memory (written to disk afterwards, atomically)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    write(buffer)
    buffer.close()
    return bytes(data.data())


def render_image(widget: QWidget, scale: float = 1.0) -> QImage:
    """``widget`` drawn into an image ``scale`` times its size (sharp, not enlarged).

    The image's device pixel ratio is ``scale``, so lines, text and points are
    drawn at the higher resolution and keep their size relative to the plot.
    """
    if scale <= 0:
        raise ValueError(f"the scale must be positive, not {scale}")
    size = widget.size()
    image = QImage(
        round(size.width() * scale), round(size.height() * scale),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.setDevicePixelRatio(scale)
    image.fill(_WHITE)
    _paint(widget, image, QPainter.RenderHint.Antialiasing, QPainter.RenderHint.TextAntialiasing)
    return image


def png_bytes(image: QImage) -> bytes:
    """The image encoded as PNG, in memory."""

    def write(buffer: QBuffer) -> None:
        if not image.save(buffer, "PNG"):
            raise ValueError("the image could not be encoded as PNG; try SVG instead")

    return _in_memory(write)


def render_svg(widget: QWidget, title: str = "") -> bytes:
    """``widget`` drawn as an SVG document, through Qt's ``QSvgGenerator``.

    pyqtgraph's own SVG exporter fails on current Qt; this draws the widget
    with its ordinary paint code onto an SVG device instead, then writes its
    one-pixel curves in page coordinates
    (:func:`~emgui.features.export.svg_geometry.flatten_cosmetic_strokes`), so
    that renderers other than Qt's draw them as thin as Qt does, and names the fonts
    the text was drawn with (:func:`~emgui.features.export.svg_geometry.name_drawn_fonts`).
    """

    def write(buffer: QBuffer) -> None:
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        size = widget.size()
        generator.setSize(size)
        generator.setViewBox(QRect(QPoint(0, 0), size))
        # Font sizes in points then come out as they do on screen.
        generator.setResolution(widget.logicalDpiX())
        generator.setTitle(title)
        generator.setDescription("Made with EM Studio")
        _paint(widget, generator, QPainter.RenderHint.Antialiasing)

    def drawn_family(family: str) -> str:
        return QFontInfo(QFont(family)).family()

    return portable_svg(_in_memory(write), drawn_family)
