"""Handles a student can drag on the component means: rings on the scatter, lines on a histogram.

The handles only report where they are dragged; what a moved mean means (a
new start, an edited half-step) is the caller's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

from emgui.views.colors import component_color
from emgui.views.plot_style import FOREGROUND

#: Above the means (20, 21) and below placed starting means (30).
HANDLE_Z = 25
HANDLE_SIZE = 28
TIP = "Drag to move this mean; EM goes on from where you leave it (E-step, Step or Run)."


class MeanHandles(QObject):
    """One draggable handle per component mean in the view the data are shown in."""

    moved = Signal(int, object)
    """While dragging: the component and its mean in the shown columns (tuple of float)."""
    released = Signal(int, object)
    """When a drag ends: the component and its new mean in the shown columns."""

    def __init__(
        self,
        scatter_plot: pg.PlotItem,
        histogram_plot: Callable[[], pg.PlotItem],
        parent: QObject | None = None,
    ) -> None:
        """``histogram_plot`` gives the histogram's plot when lines are first put on it
        (the histogram is made only when data need it)."""
        super().__init__(parent)
        self._scatter_plot = scatter_plot
        self._histogram_plot = histogram_plot
        self._targets: list[pg.TargetItem] = []
        self._lines: list[pg.InfiniteLine] = []
        self._placing = False

    @property
    def handles(self) -> list[pg.TargetItem | pg.InfiniteLine]:
        """The visible handles, in component order."""
        items = self._targets + self._lines
        return [item for item in items if item.isVisible()]

    def show(self, positions: np.ndarray, colors: Sequence[int], kind: str) -> None:
        """Put handles at ``positions``: shape (K, 2) on the scatter, (K, 1) on the histogram."""
        positions = np.asarray(positions, dtype=np.float64)
        self._placing = True
        try:
            if kind == "scatter":
                self._show_targets(positions, colors)
                self._hide(self._lines)
            else:
                self._show_lines(positions[:, 0], colors)
                self._hide(self._targets)
        finally:
            self._placing = False

    def hide(self) -> None:
        self._hide(self._targets)
        self._hide(self._lines)

    def _show_targets(self, positions: np.ndarray, colors: Sequence[int]) -> None:
        self._ensure(self._targets, len(positions), self._new_target, self._scatter_plot)
        for k, target in enumerate(self._targets[: len(positions)]):
            color = component_color(colors[k])
            target.setPen(pg.mkPen(color.darker(130), width=2.5))
            target.setHoverBrush(component_color(colors[k], 70))
            target.setPos(float(positions[k, 0]), float(positions[k, 1]))

    def _show_lines(self, positions: np.ndarray, colors: Sequence[int]) -> None:
        self._ensure(self._lines, len(positions), self._new_line, self._histogram_plot())
        for k, line in enumerate(self._lines[: len(positions)]):
            color = component_color(colors[k])
            line.setPen(pg.mkPen(color.darker(130), width=2))
            line.setHoverPen(pg.mkPen(FOREGROUND, width=3))
            line.setValue(float(positions[k]))

    @staticmethod
    def _new_target() -> pg.TargetItem:
        return pg.TargetItem(
            size=HANDLE_SIZE, symbol="o", movable=True, brush=(0, 0, 0, 0),
            hoverPen=pg.mkPen(FOREGROUND, width=3),
        )

    @staticmethod
    def _new_line() -> pg.InfiniteLine:
        return pg.InfiniteLine(angle=90, movable=True)

    def _ensure(
        self,
        items: list[pg.GraphicsObject],
        count: int,
        make: Callable[[], pg.GraphicsObject],
        plot: pg.PlotItem,
    ) -> None:
        """Make handles on ``plot`` until there are ``count``; show exactly ``count``."""
        for _ in range(len(items), count):
            item = make()
            item.setZValue(HANDLE_Z)
            item.setToolTip(TIP)
            item.sigPositionChanged.connect(self._on_handle_position_changed)
            item.sigPositionChangeFinished.connect(self._on_handle_position_change_finished)
            plot.addItem(item, ignoreBounds=True)
            items.append(item)
        for k, item in enumerate(items):
            item.setVisible(k < count)

    @staticmethod
    def _hide(items: Sequence[pg.GraphicsObject]) -> None:
        for item in items:
            item.setVisible(False)

    def _where(self, item: pg.GraphicsObject) -> tuple[int, tuple[float, ...]] | None:
        if item in self._targets:
            pos = item.pos()
            return self._targets.index(item), (float(pos.x()), float(pos.y()))
        if item in self._lines:
            return self._lines.index(item), (float(item.value()),)
        return None

    def _on_handle_position_changed(self, item: pg.GraphicsObject) -> None:
        where = self._where(item)
        if not self._placing and where is not None and item.isVisible():
            self.moved.emit(*where)

    def _on_handle_position_change_finished(self, item: pg.GraphicsObject) -> None:
        where = self._where(item)
        if where is not None and item.isVisible():
            self.released.emit(*where)
