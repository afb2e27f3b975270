"""Shared look of every plot: the palette's background and ink (white and dark by default),
readable fonts.

Applied per widget, never through ``pg.setConfigOption``, so importing a view
does not change plots made elsewhere in the process.
"""

from __future__ import annotations

import html

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QGraphicsItem
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from emgui.views.axis_item import axes
from emgui.views.layout_first import lay_out_before_painting

BACKGROUND = "w"
BACKGROUND_HEX = "#ffffff"
FOREGROUND = "#202020"
GRID_ALPHA = 0.15
#: Space below zero on axes that start at zero, as a fraction of the top. pyqtgraph drops a
#: tick label that would stick out of the axis, so the "0" needs half a text height of room.
ZERO_MARGIN = 0.03
LABEL_STYLE = {"color": FOREGROUND, "font-size": "11pt"}
TICK_POINT_SIZE = 9


def tick_font() -> QFont:
    font = QFont()
    font.setPointSize(TICK_POINT_SIZE)
    return font


def ink() -> QColor:
    """The palette's text colour: axes and their titles (emgui.shell.palette follows changes)."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Text)


def paper() -> QColor:
    """The palette's base colour: the plots' background."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Base)


def new_plot_widget(parent: QWidget | None = None, **kwargs: object) -> pg.PlotWidget:
    """A ``PlotWidget`` with the palette's background.

    It is made without pyqtgraph's own right-click menu (about 3 ms of widgets a plot):
    the window gives each of its plots the application's menu instead
    (:mod:`emgui.features.plot_menus`). Its axes are :class:`~emgui.views.axis_item.Axis`
    unless ``axisItems`` gives others.
    """
    kwargs.setdefault("enableMenu", False)
    kwargs["axisItems"] = axes(**kwargs.get("axisItems") or {})
    widget = pg.PlotWidget(parent=parent, background=paper(), **kwargs)
    style_plot_item(widget.getPlotItem())
    return widget


def style_plot_item(plot_item: pg.PlotItem, grid: bool = True) -> None:
    """Dark axes, tick fonts and a faint grid on ``plot_item``."""
    font = tick_font()
    for name in ("left", "bottom"):
        axis = plot_item.getAxis(name)
        axis.setPen(pg.mkPen(ink()))
        axis.setTextPen(pg.mkPen(ink()))
        axis.setTickFont(font)
        # Densities of order 1e-3 would otherwise read "density (x0.001)" with ticks 0..40.
        axis.enableAutoSIPrefix(False)
        # Tick text costs several ms per axis to paint; a cached pixmap is redrawn only
        # when the axis (its range or size) changes, not on every frame of a fit.
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    for name in ("top", "right"):  # hidden, but told every range: no label to redo
        plot_item.getAxis(name).enableAutoSIPrefix(False)
    # Room for markers drawn at the extreme data values.
    plot_item.getViewBox().setDefaultPadding(0.05)
    if plot_item.scene() is not None:
        lay_out_before_painting(plot_item.scene())
    if grid:
        plot_item.showGrid(x=True, y=True, alpha=GRID_ALPHA)


def set_axis_label(plot_item: pg.PlotItem, axis: str, text: str, fit: bool = True) -> None:
    """Title ``axis`` of ``plot_item`` with ``text`` in the palette's ink. With ``fit`` the
    title keeps fitting its axis as the plot is resized (:func:`fitted_title`: smaller, on
    two lines, else shortened; its tooltip has it whole), so a short plot never cuts it;
    without, ``text`` is shown as given (rich text fitted by the caller)."""
    item = plot_item.getAxis(axis)
    fitter = item.findChild(_TitleFitter)
    if not fit:
        if fitter is not None:
            fitter.text = None
        plot_item.setLabel(axis, text, **{**LABEL_STYLE, "color": ink().name()})
        return
    if fitter is None:
        fitter = _TitleFitter(item)
    fitter.text = text
    fitter.fit(force=True)
    plot_item.showAxis(axis)


class _TitleFitter(QObject):
    """Keeps an axis's title fitted to the axis's length (a child of the axis)."""

    def __init__(self, axis: pg.AxisItem) -> None:
        super().__init__(axis)
        self._axis = axis
        self.text: str | None = None
        axis.geometryChanged.connect(self._on_axis_geometry_changed)

    def _on_axis_geometry_changed(self) -> None:
        # Items being destroyed with a window never closed (at exit) still signal.
        if shiboken6.isValid(self._axis):
            self.fit()

    def fit(self, force: bool = False) -> None:
        axis, text = self._axis, self.text
        if text is None:
            return
        vertical = axis.orientation in ("left", "right")
        length = (axis.geometry().height() if vertical else axis.geometry().width()) - 4.0
        title = fitted_title(text, length) if text else ""
        if force or title != axis.labelText:
            # The colour the palette gave it last, else the palette's ink now.
            axis.setLabel(title, **{**LABEL_STYLE, "color": ink().name(), **axis.labelStyle})
        if title != html.escape(text, quote=False):
            axis.setToolTip(text)
        elif axis.toolTip() == text:
            axis.setToolTip("")


#: The size a title too long for its axis is tried at before it is shortened.
SMALL_LABEL_POINTS = 9.0


def label_font(points: float | None = None) -> QFont:
    """The font of the axes' titles (:data:`LABEL_STYLE`), or at ``points``."""
    font = QFont()
    font.setPointSizeF(points or float(LABEL_STYLE["font-size"].removesuffix("pt")))
    return font


def _title_lines(text: str) -> list[str]:
    """``text`` on two lines: broken before a " + ", else at its middle space."""
    if " + " in text:
        first, rest = text.split(" + ", 1)
        return [first, f"+ {rest}"]
    words = text.split(" ")
    half = max(1, len(words) // 2)
    return [" ".join(words[:half]), " ".join(words[half:])] if len(words) > 1 else [text]


def fitted_title(text: str, length: float, elide: bool = True) -> str | None:
    """``text`` as an axis title (HTML) that fits ``length`` pixels along its axis: whole
    when it fits, else on two lines, else both again at :data:`SMALL_LABEL_POINTS`, else
    elided (``elide`` false: ``None``). A ``length`` of 0 or less (an axis not laid out
    yet) takes the text whole."""
    if length <= 0:
        return html.escape(text, quote=False)
    lines = _title_lines(text)
    for points in (None, SMALL_LABEL_POINTS):
        metrics = QFontMetricsF(label_font(points))
        for candidate in ([text], lines):
            if all(metrics.horizontalAdvance(line) <= length for line in candidate):
                body = "<br>".join(html.escape(line, quote=False) for line in candidate)
                return body if points is None else f'<span style="font-size: {points:g}pt">{body}</span>'
    if not elide:
        return None
    metrics = QFontMetricsF(label_font(SMALL_LABEL_POINTS))
    body = html.escape(metrics.elidedText(text, Qt.TextElideMode.ElideRight, length), quote=False)
    return f'<span style="font-size: {SMALL_LABEL_POINTS:g}pt">{body}</span>'


#: Text that warns, on a light and on a dark background.
WARNING_ON_LIGHT = "#8A3B12"
WARNING_ON_DARK = "#F2A36B"
#: The property marking a label drawn in the warning colour (emgui.shell.palette renews it).
WARNING_PROPERTY = "warning_text"


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette``'s window is dark (a dark theme)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def warning_color(palette: QPalette) -> QColor:
    """A warning's text colour readable on ``palette``'s window."""
    return QColor(WARNING_ON_DARK if is_dark(palette) else WARNING_ON_LIGHT)


def mute(label: QLabel) -> QLabel:
    """Draw ``label`` in the palette's secondary text colour (its placeholder text), which
    follows the palette, light or dark."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def show_as_warning(label: QLabel) -> QLabel:
    """Draw ``label`` in :func:`warning_color` of its palette (renewed when it changes)."""
    label.setProperty(WARNING_PROPERTY, True)
    renew_warning(label)
    return label


def renew_warning(label: QLabel, around: QPalette | None = None) -> None:
    """Give ``label`` the warning colour for the palette ``around`` it (default its own)."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, warning_color(around or palette))
    label.setPalette(palette)


def paint_background_white(widget: QWidget) -> None:
    """Give a view's frame (around its plots) the plots' white background."""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Window, paper())
    widget.setPalette(palette)
    widget.setAutoFillBackground(True)
