"""Views of a multi-start run: every start's curve, the spread of finals, the list of starts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from emgui.features.analysis.rows_model import RowsModel, bold
from emgui.views.axis_item import axes
from emgui.views.colors import component_color
from emgui.views.likelihood_plot import IterationAxis
from emgui.views.plot_style import FOREGROUND, ink, paper, set_axis_label, style_plot_item
from engine.selection import stack_levels

_Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole
OTHER_PEN = pg.mkPen(QColor(110, 120, 135, 150), width=1.2)
BEST_COLOR = component_color(0)
SELECTED_COLOR = component_color(1)
BEST_PEN = pg.mkPen(BEST_COLOR, width=2.6)
BEST_SELECTED_PEN = pg.mkPen(BEST_COLOR, width=3.6)
SELECTED_PEN = pg.mkPen(SELECTED_COLOR, width=3.0)
#: Curves stay clickable within this many pixels.
CLICK_WIDTH = 6
#: Diameter of a start's dot in the strip of finals, in pixels (smaller for tall stacks).
DOT_SIZE = 11.0


@dataclass
class StartRow:
    """What the views show of one start."""

    restart: int
    values: np.ndarray  # the objective after each iteration
    final: float  # -inf for a start that failed
    converged: bool
    seconds: float

    @property
    def failed(self) -> bool:
        return not math.isfinite(self.final)

    @property
    def n_iter(self) -> int:
        return max(len(self.values) - 1, 0)


def _new_plot(bottom: pg.AxisItem | None = None) -> pg.PlotWidget:
    widget = pg.PlotWidget(background=paper(), axisItems=axes(bottom=bottom))
    style_plot_item(widget.getPlotItem())
    return widget


class StartCurves(QWidget):
    """One curve per start: the objective against the iteration. Click a curve to select it."""

    start_clicked = Signal(int)
    """The restart index of the clicked curve."""

    def __init__(self, label: str = "log-likelihood", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = _new_plot(IterationAxis("bottom"))
        self.plot_widget.setMinimumHeight(200)
        self._plot = self.plot_widget.getPlotItem()
        set_axis_label(self._plot, "bottom", "iteration")
        legend = self._plot.addLegend(offset=(-10, -10), labelTextColor=ink(),
                                      brush=pg.mkBrush(paper()),
                                      pen=pg.mkPen("#C8C8C8"))
        for pen, text in ((BEST_PEN, "best start"), (SELECTED_PEN, "selected start"),
                          (OTHER_PEN, "other starts")):
            legend.addItem(pg.PlotDataItem(pen=pen), text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self._curves: dict[int, pg.PlotCurveItem] = {}
        self._rows: dict[int, StartRow] = {}
        self._best: int | None = None
        self._selected: int | None = None
        self.set_label(label)

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    def curve(self, restart: int) -> pg.PlotCurveItem:
        return self._curves[restart]

    def set_label(self, label: str) -> None:
        set_axis_label(self._plot, "left", label)

    def clear(self) -> None:
        for curve in self._curves.values():
            self._plot.removeItem(curve)
        self._curves, self._rows = {}, {}
        self._best = self._selected = None

    def add(self, row: StartRow) -> None:
        curve = pg.PlotCurveItem(x=np.arange(len(row.values)), y=row.values, pen=OTHER_PEN,
                                 antialias=True)
        curve.setClickable(True, width=CLICK_WIDTH)
        curve.sigClicked.connect(self._on_curve_clicked)
        self._plot.addItem(curve)
        self._curves[row.restart] = curve
        self._rows[row.restart] = row
        self._restyle()
        self._fit_range()

    def set_best(self, restart: int | None) -> None:
        self._best = restart
        self._restyle()

    def set_selected(self, restart: int | None) -> None:
        self._selected = restart
        self._restyle()

    def _restyle(self) -> None:
        for restart, curve in self._curves.items():
            if restart == self._selected == self._best:
                curve.setPen(BEST_SELECTED_PEN)
                curve.setZValue(3)
            elif restart == self._selected:
                curve.setPen(SELECTED_PEN)
                curve.setZValue(3)
            elif restart == self._best:
                curve.setPen(BEST_PEN)
                curve.setZValue(2)
            else:
                curve.setPen(OTHER_PEN)
                curve.setZValue(1)

    def _fit_range(self) -> None:
        # The starting values (iteration 0) are often far below everything after
        # them; from iteration 1 on is where starts part ways.
        rows = [r for r in self._rows.values() if len(r.values)]
        if not rows:
            return
        lows = [r.values[min(1, len(r.values) - 1)] for r in rows]
        highs = [np.max(r.values) for r in rows]
        low, high = float(np.min(lows)), float(np.max(highs))
        if not (math.isfinite(low) and math.isfinite(high)):
            return
        pad = 0.06 * max(high - low, 1e-9)
        self._plot.setYRange(low - pad, high + pad, padding=0)
        self._plot.setXRange(0, max(len(r.values) for r in rows) - 1, padding=0.02)

    def _on_curve_clicked(self, curve: pg.PlotCurveItem, event: object = None) -> None:
        restart = next((r for r, item in self._curves.items() if item is curve), None)
        if restart is not None:
            self.start_clicked.emit(restart)


class FinalsStrip(QWidget):
    """A dot per start at its final value; starts that end at the same optimum stack up."""

    start_clicked = Signal(int)
    """The restart index of the clicked dot."""

    def __init__(
        self, label: str = "final log-likelihood of each start", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.plot_widget = _new_plot()
        self.plot_widget.setMinimumHeight(130)
        self._plot = self.plot_widget.getPlotItem()
        self._plot.hideAxis("left")
        self._plot.setMouseEnabled(y=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self._dots = pg.ScatterPlotItem(size=DOT_SIZE, pen=pg.mkPen("w", width=1),
                                        brush=pg.mkBrush(110, 120, 135, 200))
        self._dots.sigClicked.connect(self._on_dots_clicked)
        self._plot.addItem(self._dots)
        self._best_ring = pg.ScatterPlotItem(size=22, pen=pg.mkPen(BEST_COLOR, width=2.5),
                                             brush=None)
        self._selected_dot = pg.ScatterPlotItem(size=13, pen=pg.mkPen(FOREGROUND, width=1),
                                                brush=pg.mkBrush(SELECTED_COLOR))
        for item, z in ((self._best_ring, 5), (self._selected_dot, 6)):
            item.setZValue(z)
            self._plot.addItem(item)
        self._positions: dict[int, tuple[float, float]] = {}
        self._counts: list[pg.TextItem] = []
        self._top = 0
        self._rows: list[StartRow] = []
        self._tolerance = 0.0
        self._x_range = (0.0, 1.0)
        self._best: int | None = None
        self._selected: int | None = None
        self._plot.getViewBox().sigResized.connect(self._on_view_box_resized)
        self.set_label(label)

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    def set_label(self, label: str) -> None:
        set_axis_label(self._plot, "bottom", label)

    def positions(self) -> dict[int, tuple[float, float]]:
        """Where each start's dot is: (final value, stack level)."""
        return dict(self._positions)

    def set_starts(self, rows: Sequence[StartRow], tolerance: float) -> None:
        """Show ``rows`` (failed ones are left out); finals within ``tolerance`` stack.

        Dots closer than a dot's width stack too, so none hides behind another.
        """
        self._rows = [row for row in rows if not row.failed]
        self._tolerance = tolerance
        if self._rows:
            finals = np.array([row.final for row in self._rows])
            span = max(float(np.ptp(finals)), 1e-3 * max(1.0, float(np.abs(finals).max())))
            self._x_range = (finals.min() - 0.08 * span, finals.max() + 0.08 * span)
            self._plot.setXRange(*self._x_range, padding=0)
        self._place()

    def _place(self) -> None:
        width = self._plot.getViewBox().width()
        tolerance = self._tolerance
        if self._rows and width > 0:
            per_pixel = (self._x_range[1] - self._x_range[0]) / width
            tolerance = max(tolerance, DOT_SIZE * per_pixel)
        levels = stack_levels([row.final for row in self._rows], tolerance)
        shown = list(zip(self._rows, levels))
        self._positions = {row.restart: (row.final, float(level)) for row, level in shown}
        spots = [{"pos": self._positions[row.restart], "data": row.restart} for row, _ in shown]
        self._dots.setData(spots)
        self._top = max((int(level) for _, level in shown), default=0)
        self._layout()
        self._label_stacks(shown)
        self.set_best(self._best)
        self.set_selected(self._selected)

    def _layout(self) -> None:
        """Fit the tallest stack and its count label; dots as large as that leaves room for."""
        height = self._plot.getViewBox().height()
        stack = max(self._top, 2) + 1.6  # from 0.8 below the first dot to above the last
        label_px = 20.0
        span = stack / (1.0 - label_px / height) if height > 3 * label_px else stack + 1.5
        self._plot.setYRange(-0.8, span - 0.8, padding=0)
        size = DOT_SIZE if height <= 0 else max(4.0, min(DOT_SIZE, 0.95 * height / span))
        self._dots.setSize(size)

    def _on_view_box_resized(self, view_box: object = None) -> None:
        self._place()

    def _label_stacks(self, shown: list[tuple[StartRow, int]]) -> None:
        """The number of starts above each stack of two or more."""
        for item in self._counts:
            self._plot.removeItem(item)
        self._counts = []
        groups: list[list[float]] = []  # [x, count]; level 0 opens a stack
        for row, level in sorted(shown, key=lambda item: (item[0].final, item[1])):
            if level == 0 or not groups:
                groups.append([row.final, 0])
            groups[-1][1] += 1
        for x, count in groups:
            if count >= 2:
                text = pg.TextItem(f"{count:.0f}", color=self.palette().color(QPalette.ColorRole.Text),
                                   anchor=(0.5, 1.0))
                text.follows_ink = True  # emgui.shell.palette gives it a new theme's ink
                text.setPos(x, count - 1 + 0.6)
                self._plot.addItem(text, ignoreBounds=True)
                self._counts.append(text)

    def set_best(self, restart: int | None) -> None:
        self._best = restart
        self._mark(self._best_ring, restart)

    def set_selected(self, restart: int | None) -> None:
        self._selected = restart
        self._mark(self._selected_dot, restart)

    def _mark(self, item: pg.ScatterPlotItem, restart: int | None) -> None:
        position = self._positions.get(restart) if restart is not None else None
        item.setData(pos=[] if position is None else [position])

    def _on_dots_clicked(
        self, item: pg.ScatterPlotItem, points: list, event: object = None
    ) -> None:
        if len(points):
            self.start_clicked.emit(int(points[0].data()))


_HEADERS = (
    ("Start", "Start number (its seed is the run's seed spawned for this start)"),
    ("Final", "The objective where this start ended (higher is better)"),
    ("Below best", "How far below the best start this one ended"),
    ("Iterations", "Iterations this start ran"),
    ("Ended", "converged, stopped at max_iter, or failed (a component collapsed)"),
    ("Seconds", "Time this start took"),
)


class StartsTableModel(RowsModel):
    """One row per start, in the order they ran."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_HEADERS, parent)
        self._best: int | None = None
        self._max_iter = 0

    def clear(self, max_iter: int = 0) -> None:
        self._best, self._max_iter = None, max_iter
        self._replace([])

    def add(self, row: StartRow) -> None:
        self._append(row)
        self._restyle()

    def set_rows(self, rows: Sequence[StartRow]) -> None:
        self._replace(rows)

    def set_best(self, restart: int | None) -> None:
        self._best = restart
        self._restyle()

    def row_at(self, row: int) -> StartRow:
        return self._rows[row]

    def row_of(self, restart: int) -> int:
        return next(i for i, row in enumerate(self._rows) if row.restart == restart)

    @property
    def rows(self) -> list[StartRow]:
        return list(self._rows)

    def _best_final(self) -> float:
        finals = [r.final for r in self._rows if not r.failed]
        return max(finals) if finals else math.nan

    def _ended(self, row: StartRow) -> str:
        if row.failed:
            return "failed"
        return "converged" if row.converged else "max_iter"

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        below = self._best_final() - row.final
        values = (row.restart + 1, row.final, below, row.n_iter, self._ended(row), row.seconds)
        column = index.column()
        if role == SORT_ROLE:
            value = values[column]
            if isinstance(value, float) and not math.isfinite(value):
                return math.inf if column == 2 else -math.inf
            return value
        if role == Qt.ItemDataRole.DisplayRole:
            if column in (1, 2) and row.failed:
                return "–"
            texts = (str(values[0]), f"{row.final:.4f}", f"{below:.4f}", str(row.n_iter),
                     values[4], f"{row.seconds:.2f}")
            return texts[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column != 4:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.FontRole and row.restart == self._best:
            return bold()
        if role == Qt.ItemDataRole.ForegroundRole and row.failed:
            return QColor("#A03030")
        return None
