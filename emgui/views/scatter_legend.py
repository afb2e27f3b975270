"""The scatter's legend: each component's colour and weight, the 1, 2 and 3 sd ellipses'
line styles, the mean marker, and the known classes when points are coloured by them.

The window redraws every iteration, so the legend is one item that paints
itself from a few strings: an update that changes no text repaints nothing,
and a cached pixmap stands in between changes. Drag it where it hides nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from emgui.views.colors import OUTLINE_COLOR, UNASSIGNED_COLOR, component_color
from emgui.views.plot_style import FOREGROUND

#: Components listed at most; the rest are summed up in one line.
MAX_ROWS = 12
_PAD = 6.0
_SWATCH = 14.0
_LINE_SAMPLE = 24.0
_GAP = 5.0
_POINT_SIZE = 9


@dataclass(frozen=True)
class MeanMarker:
    """How the scatter draws a mean: a coloured dot in a white ring with a dark rim."""

    ring_size: float
    dot_size: float
    rim_width: float


def weight_text(weight: float) -> str:
    """A weight as the legend shows it: three decimals, enough to see small ones move."""
    return f"{weight:.3f}"


class ScatterLegend(pg.GraphicsWidgetAnchor, pg.GraphicsWidget):
    """A legend drawn in one ``paint``; anchor it with :meth:`place` on a view box.

    Parameters
    ----------
    ellipse_styles : mapping of float to (width, Qt.PenStyle, alpha)
        The scatter's pen for each ellipse radius in standard deviations.
    mean : MeanMarker
        The scatter's mean marker.
    """

    def __init__(self, ellipse_styles: Mapping[float, tuple[float, Qt.PenStyle, int]],
                 mean: MeanMarker) -> None:
        pg.GraphicsWidget.__init__(self)
        pg.GraphicsWidgetAnchor.__init__(self)
        self._ellipse_pens = []
        for n_std, (width, style, _) in sorted(ellipse_styles.items()):
            self._ellipse_pens.append((f"{n_std:g}", pg.mkPen(FOREGROUND, width=width, style=style)))
        self._mean = mean
        self._font = QFont()
        self._font.setPointSize(_POINT_SIZE)
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._metrics = QFontMetricsF(self._font)
        #: (palette index, text) per component row, in the parameters table's order.
        self._components: list[tuple[int, str]] = []
        self._class_title = ""
        #: (palette index or -1 for grey, text) per class row.
        self._classes: list[tuple[int, str]] = []
        self._wanted = True
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._ink = QColor(FOREGROUND)
        self.follows_ink = True  # emgui.shell.palette repaints it in a new theme's colours
        self.setZValue(100)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._relayout()

    # --- content ------------------------------------------------------------------------

    def set_components(self, weights: np.ndarray | None,
                       colors: Sequence[int] | None = None) -> None:
        """One row per component: ``weights[i]`` beside palette colour ``colors[i]``
        (default ``i``); ``None`` lists none (the data alone)."""
        rows: list[tuple[int, str]] = []
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64).reshape(-1)
            palette = range(weights.size) if colors is None else [int(c) for c in colors]
            for i, (weight, color) in enumerate(zip(weights.tolist(), palette)):
                if i == MAX_ROWS - 1 and weights.size > MAX_ROWS:
                    rest = weights[i:].sum()
                    rows.append((-1, f"{weights.size - i} more   {weight_text(rest)}"))
                    break
                rows.append((color, f"{i + 1}   {weight_text(weight)}"))
        if rows != self._components:
            self._components = rows
            self._relayout()

    def set_classes(self, title: str, names: Sequence[str], colors: Sequence[int]) -> None:
        """List the known classes the points are coloured by (``colors``: palette index, -1
        for grey); no names: none are listed."""
        rows = [(int(c), str(n) or "(no label)") for n, c in zip(names, colors)][:MAX_ROWS]
        title = title if rows else ""
        if rows != self._classes or title != self._class_title:
            self._classes, self._class_title = rows, title
            self._relayout()

    def set_wanted(self, wanted: bool) -> None:
        """Whether to show the legend at all (it hides itself while it has nothing to say)."""
        self._wanted = bool(wanted)
        self.setVisible(self._wanted and bool(self.texts()))

    @property
    def is_wanted(self) -> bool:
        return self._wanted

    def texts(self) -> list[str]:
        """Every line of text shown, top to bottom (for tests and the accessible name)."""
        lines = []
        if self._components:
            lines.append("Component   weight")
            lines += [text for _, text in self._components]
            lines.append("  ".join(f"{n} sd" for n, _ in self._ellipse_pens))
            lines.append("mean")
        if self._classes:
            lines.append(self._class_title)
            lines += [text for _, text in self._classes]
        return lines

    def colors(self) -> list[int]:
        """The palette index of each row's dot (-1 for grey), components then classes, top
        to bottom, as :meth:`texts` lists the rows."""
        return [color for color, _ in self._components + self._classes]

    # --- placing and moving -------------------------------------------------------------

    def place(self, view_box: pg.ViewBox) -> None:
        """Put the legend in the top right corner of ``view_box``."""
        self.setParentItem(view_box)
        self.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-8, 8))

    def mouseDragEvent(self, ev) -> None:  # noqa: N802, ANN001 - pyqtgraph override
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.autoAnchor(self.pos() + ev.pos() - ev.lastPos())

    # --- drawing ------------------------------------------------------------------------

    def _row_height(self) -> float:
        return max(self._metrics.height(), _SWATCH) + 3.0

    def _mean_row_height(self) -> float:
        return max(self._row_height(), self._mean.ring_size + 2.0)

    def _relayout(self) -> None:
        texts = self.texts()
        self.setVisible(self._wanted and bool(texts))
        self.setToolTip("Drag to move the legend.\n" + "\n".join(texts))
        if not texts:
            self.update()
            return
        text_width = max(self._metrics.horizontalAdvance(t) for t in texts)
        ellipse_width = sum(
            _LINE_SAMPLE + _GAP + self._metrics.horizontalAdvance(f"{n} sd") + 2 * _GAP
            for n, _ in self._ellipse_pens
        )
        width = max(_SWATCH + _GAP + text_width, ellipse_width) + 2 * _PAD
        height = 2 * _PAD
        if self._components:
            rows = len(self._components) + 2  # the title, the rows, the ellipses
            height += rows * self._row_height() + self._mean_row_height()
        if self._classes:
            height += (len(self._classes) + 1) * self._row_height()
            if self._components:
                height += _GAP
        self.prepareGeometryChange()
        self.setMinimumSize(width, height)
        self.setMaximumSize(width, height)
        self.resize(width, height)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(0.0, 0.0, self.size().width(), self.size().height())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if not self._components and not self._classes:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self._palette()
        paper = palette.color(QPalette.ColorRole.Base)
        self._ink = palette.color(QPalette.ColorRole.Text)
        painter.setPen(pg.mkPen(palette.color(QPalette.ColorRole.Mid), width=1))
        painter.setBrush(pg.mkBrush(paper.red(), paper.green(), paper.blue(), 225))
        painter.drawRoundedRect(self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        y = _PAD
        row = self._row_height()
        if self._components:
            y = self._draw_title(painter, y, "Component   weight")
            for color, text in self._components:
                self._draw_dot(painter, y, color)
                self._draw_text(painter, _PAD + _SWATCH + _GAP, y, row, text)
                y += row
            x = _PAD
            for n, pen in self._ellipse_pens:
                middle = y + row / 2
                pen = QPen(pen)
                pen.setColor(self._ink)
                painter.setPen(pen)
                painter.drawLine(QPointF(x, middle), QPointF(x + _LINE_SAMPLE, middle))
                x += _LINE_SAMPLE + _GAP
                label = f"{n} sd"
                self._draw_text(painter, x, y, row, label)
                x += self._metrics.horizontalAdvance(label) + 2 * _GAP
            y += row
            self._draw_mean(painter, y)
            y += self._mean_row_height()
        if self._classes:
            if self._components:
                y += _GAP
            y = self._draw_title(painter, y, self._class_title)
            for color, text in self._classes:
                self._draw_dot(painter, y, color)
                self._draw_text(painter, _PAD + _SWATCH + _GAP, y, row, text)
                y += row

    def _palette(self) -> QPalette:
        """The palette of the plot showing the legend (a cached paint is given no widget),
        so its box and words follow a dark theme (emgui.shell.palette asks for a repaint)."""
        scene = self.scene()
        views = scene.views() if scene is not None else []
        return views[0].palette() if views else QGuiApplication.palette()

    def _draw_title(self, painter: QPainter, y: float, text: str) -> float:
        painter.setFont(self._bold)
        self._draw_text(painter, _PAD, y, self._row_height(), text, font_set=True)
        painter.setFont(self._font)
        return y + self._row_height()

    def _draw_text(self, painter: QPainter, x: float, y: float, height: float, text: str,
                   font_set: bool = False) -> None:
        if not font_set:
            painter.setFont(self._font)
        painter.setPen(self._ink)
        rect = QRectF(x, y, self.size().width() - x - _PAD, height)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)

    def _draw_dot(self, painter: QPainter, y: float, color: int) -> None:
        fill = QColor(UNASSIGNED_COLOR) if color < 0 else component_color(color)
        painter.setPen(QPen(Qt.PenStyle.NoPen))
        painter.setBrush(fill)
        centre = QPointF(_PAD + _SWATCH / 2, y + self._row_height() / 2)
        painter.drawEllipse(centre, _SWATCH / 2 - 1, _SWATCH / 2 - 1)

    def _draw_mean(self, painter: QPainter, y: float) -> None:
        mean = self._mean
        height = self._mean_row_height()
        centre = QPointF(_PAD + mean.ring_size / 2, y + height / 2)
        painter.setPen(pg.mkPen(OUTLINE_COLOR, width=mean.rim_width))
        painter.setBrush(pg.mkBrush("w"))
        painter.drawEllipse(centre, mean.ring_size / 2, mean.ring_size / 2)
        painter.setPen(QPen(Qt.PenStyle.NoPen))
        painter.setBrush(QColor(UNASSIGNED_COLOR))
        painter.drawEllipse(centre, mean.dot_size / 2, mean.dot_size / 2)
        x = _PAD + mean.ring_size + _GAP
        self._draw_text(painter, x, y, height, "mean")
