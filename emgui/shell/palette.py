"""Plots that follow the palette: their backgrounds, axes, grids, axis titles and the lines
drawn in the house's dark ink take the palette's colours, now and whenever it changes (a
dark system theme, a theme switched while the window is open).

pyqtgraph draws with colours given once; :class:`PaletteFollower` walks the window's
plots and gives them the palette's base (background) and text (ink) colours. Lines
drawn in :data:`~emgui.views.plot_style.FOREGROUND` (the mixture's density, the
trace's marker) become the text colour; colours that mean something (components,
classes) stay as they are.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from emgui.views.plot_style import FOREGROUND, WARNING_PROPERTY, renew_warning

_AXES = ("left", "bottom", "right", "top")
_INK = QColor(FOREGROUND)


def dark_palette() -> QPalette:
    """A palette like a dark system theme's (for trying the window in one)."""
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#2a2a2a",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.ToolTipBase: "#3a3a3a",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.Highlight: "#2a82da",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: "#6cb4ff",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a", QPalette.ColorRole.Mid: "#5a5a5a",
        QPalette.ColorRole.Light: "#505050", QPalette.ColorRole.Midlight: "#424242",
        QPalette.ColorRole.Dark: "#1a1a1a", QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.BrightText: "#ff5555",
    }
    for role, code in colors.items():
        palette.setColor(role, QColor(code))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def _recolor(item: pg.InfiniteLine | pg.PlotCurveItem | pg.PlotDataItem | pg.ScatterPlotItem,
             pen: object, ink: QColor) -> None:
    """Give ``item`` ``pen`` in ``ink`` if it is drawn in the house's dark ink (or in the ink
    this gave it before)."""
    if pen is None:
        return
    pen = pg.mkPen(pen)
    if pen.color().rgb() == _INK.rgb() or pen.color() == getattr(item, "_palette_ink", None):
        pen.setColor(ink)
        item.setPen(pen)
        item._palette_ink = ink


def _is_per_point(style: object) -> bool:
    """Whether ``style`` gives each point its own brush or pen (the components' colours,
    never the ink), rather than one colour written as numbers or a name."""
    if isinstance(style, (list, tuple)):
        return bool(style) and not isinstance(style[0], (int, float))
    return hasattr(style, "ndim") and getattr(style, "dtype", None) == object


def _recolor_symbols(item: pg.PlotDataItem, ink: QColor) -> None:
    """Give ``item``'s markers the ink if they are filled with the house's dark ink (or the
    ink this gave them before)."""
    brush = item.opts.get("symbolBrush")
    if brush is None or item.opts.get("symbol") is None or _is_per_point(brush):
        return
    color = pg.mkBrush(brush).color()
    if color.rgb() == _INK.rgb() or color == getattr(item, "_palette_symbol_ink", None):
        item.setSymbolBrush(pg.mkBrush(ink))
        item._palette_symbol_ink = ink


def restyle(root: QWidget) -> None:
    """Give every plot under ``root`` the palette's background and ink."""
    palette = root.palette()
    base = palette.color(QPalette.ColorRole.Base)
    ink = palette.color(QPalette.ColorRole.Text)
    for widget in (root, *root.findChildren(QWidget)):
        # Frames the views paint in their plots' background (``root`` may be one).
        if (widget.autoFillBackground() and not isinstance(widget, pg.GraphicsView)
                and widget.palette().isBrushSet(QPalette.ColorGroup.Active,
                                                QPalette.ColorRole.Window)):
            own = widget.palette()
            own.setColor(QPalette.ColorRole.Window, base)
            widget.setPalette(own)
    for view in root.findChildren(pg.GraphicsView):
        view.setBackground(base)
        scene = view.scene()
        for item in scene.items() if scene is not None else ():
            if isinstance(item, pg.AxisItem):
                _restyle_axis(item, ink)
            elif isinstance(item, pg.InfiniteLine):
                _recolor(item, item.pen, ink)
            elif isinstance(item, (pg.PlotCurveItem, pg.PlotDataItem)):
                _recolor(item, item.opts.get("pen"), ink)
                if isinstance(item, pg.PlotDataItem):
                    _recolor_symbols(item, ink)
            elif isinstance(item, pg.ScatterPlotItem):
                _recolor(item, item.opts.get("pen"), ink)  # its default outline
            elif isinstance(item, pg.LegendItem):
                _restyle_legend(item, palette)
            elif not isinstance(item, pg.TextItem) and getattr(item, "follows_ink", False):
                item.update()  # it paints in the palette's colours itself
            elif isinstance(item, pg.TextItem) and getattr(item, "follows_ink", False):
                item.setColor(ink)
                alpha = getattr(item, "follows_paper", None)
                if alpha is not None:  # a veil in the background's colour
                    item.fill = pg.mkBrush(base.red(), base.green(), base.blue(), alpha)
                    item.update()
    # Warnings keep a colour readable on the window's background (the window hears of a
    # new palette before its children are given it).
    for label in root.findChildren(QLabel):
        if label.property(WARNING_PROPERTY):
            renew_warning(label, palette)


def _restyle_legend(legend: pg.LegendItem, palette: QPalette) -> None:
    """A legend's box in the plot's background (a little see-through), its frame in the
    palette's mid tone and its words in the ink."""
    base = palette.color(QPalette.ColorRole.Base)
    legend.setBrush(pg.mkBrush(base.red(), base.green(), base.blue(), 220))
    legend.setPen(pg.mkPen(palette.color(QPalette.ColorRole.Mid)))
    legend.setLabelTextColor(palette.color(QPalette.ColorRole.Text))


def share_palette(owner: QWidget, dialog: QWidget) -> None:
    """Give ``dialog`` (a window of its own, which Qt does not give its parent's palette)
    the palette set on ``owner``, or the application's when ``owner`` has none of its own."""
    if owner.testAttribute(Qt.WidgetAttribute.WA_SetPalette):
        dialog.setPalette(owner.palette())
    elif dialog.testAttribute(Qt.WidgetAttribute.WA_SetPalette):
        dialog.setPalette(QPalette())
        dialog.setAttribute(Qt.WidgetAttribute.WA_SetPalette, False)


def _restyle_axis(axis: pg.AxisItem, ink: QColor) -> None:
    if (axis.pen().color() == ink and axis.textPen().color() == ink
            and axis.labelStyle.get("color") in (None, ink.name())):
        return  # in the ink already (a new window's plots): each setter lays the title out again
    axis.setPen(pg.mkPen(ink))
    axis.setTextPen(pg.mkPen(ink))
    if axis.labelStyle.get("color") is not None:
        axis.labelStyle["color"] = ink.name()
        axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix, **axis.labelStyle)


class PaletteFollower(QObject):
    """Keeps the plots of ``window`` in its palette's colours, and the dialogs it owns in
    its palette."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        window.installEventFilter(self)
        restyle(window)

    def follow(self, widget: QWidget) -> None:
        """Give ``widget``, put in the window after it was built (a view made on first use),
        the palette's colours; later changes reach it with the window's."""
        restyle(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is getattr(self, "_window", None) and event.type() == QEvent.Type.PaletteChange:
            restyle(self._window)
            for dialog in self._window.findChildren(QDialog):
                if dialog.isWindow() and dialog.parentWidget() is self._window:
                    share_palette(self._window, dialog)
        return False
