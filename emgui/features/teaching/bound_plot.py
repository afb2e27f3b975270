"""The log-likelihood and its lower bound at every half-step, with the gap between them."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from emgui.features.teaching.plot_panel import lay_out_plot_panel
from emgui.features.teaching.table_content import gap_text, is_round_off
from emgui.views.axis_item import Axis
from emgui.views.plot_style import FOREGROUND, new_plot_widget, set_axis_label

LIKELIHOOD_COLOR = FOREGROUND
BOUND_COLOR = "#2B88CC"
GAP_COLOR = "#D55E00"
EDIT_COLOR = "#B35900"
#: Least room for one tick label along the axis, in pixels.
TICK_ROOM = 30
#: The vertical axis spans at least this fraction of the values' size (and at least
#: MIN_SPAN): values equal but for round-off would otherwise fill the plot with the
#: round-off, and ticks would be labelled with every digit.
MIN_SPAN_FRACTION = 1e-4
MIN_SPAN = 1e-3
#: Room above and below the values, as a fraction of the span shown.
Y_PADDING = 0.12
EMPTY_TEXT = "Press E-step (F7) to draw the log-likelihood and its lower bound."

EXPLANATION = (
    "log-likelihood = bound + gap, and the gap is the KL divergence between the "
    "responsibilities and the posterior, never negative. The E-step makes the "
    "responsibilities the posterior: the gap closes. The M-step raises the bound with the "
    "responsibilities held, and the log-likelihood rises at least as much. So it never falls."
)


def _unbroken(text: str) -> str:
    """``text`` with spaces and hyphens that do not break a line (a word joiner after a dash)."""
    return text.replace(" ", "&nbsp;").replace("-", "\u2011").replace("—", "—\u2060")


LEGEND = " &nbsp; ".join(
    # nowrap: the line wraps between entries, never inside one. The log-likelihood's glyph
    # is in the text's own colour, as its curve is in the palette's ink.
    f"<span style='white-space:nowrap'><span style='{'' if color is None else f'color:{color}'}'>"
    # Non-breaking spaces and hyphens too: a QLabel wraps inside a nowrap span.
    f"<b>{_unbroken(glyph)}</b></span>&nbsp;{_unbroken(text)}</span>"
    for color, glyph, text in (
        (None, "●—", "log-likelihood"),
        (BOUND_COLOR, "■ - -", "lower bound"),
        (GAP_COLOR, "▍", "gap (KL divergence)"),
    )
)
HARD_NOTE = (
    " With the hard E-step each row goes wholly to one component, which is not the "
    "posterior, so a gap stays open after every E-step."
)


class HalfStepAxis(Axis):
    """A bottom axis labelled start, E1, M1, E2, ... at whole positions."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.names: list[str] = []

    def set_names(self, names: list[str]) -> None:
        self.names = names
        self.picture = None  # drawn again with the new names
        self.update()

    # pyqtgraph overrides keep pyqtgraph's names.
    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802, N803
        low, high = max(math.ceil(minVal), 0), min(math.floor(maxVal), len(self.names) - 1)
        if high < low:
            return []
        step = max(1, math.ceil((high - low + 1) * TICK_ROOM / max(size, 1.0)))
        return [(float(step), [float(v) for v in range(low, high + 1, step)])]

    def tickStrings(  # noqa: N802
        self, values: list[float], scale: float, spacing: float
    ) -> list[str]:
        return [self.names[int(v)] if 0 <= int(v) < len(self.names) else "" for v in values]


class BoundPlot(QWidget):
    """Two curves over the half-steps of a session: the log-likelihood and the lower bound."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.axis = HalfStepAxis()
        self.plot_widget = new_plot_widget(axisItems={"bottom": self.axis})
        self._plot = self.plot_widget.getPlotItem()
        set_axis_label(self._plot, "left", "log-likelihood")
        set_axis_label(self._plot, "bottom", "half-step")
        self.plot_widget.setToolTip(EXPLANATION)
        self._likelihood = pg.PlotDataItem(
            pen=pg.mkPen(LIKELIHOOD_COLOR, width=2.2), symbol="o", symbolSize=7,
            symbolBrush=pg.mkBrush(LIKELIHOOD_COLOR), symbolPen=pg.mkPen(None), antialias=True,
        )
        self._bound = pg.PlotDataItem(
            pen=pg.mkPen(BOUND_COLOR, width=2.2, style=Qt.PenStyle.DashLine), symbol="s",
            symbolSize=7, symbolBrush=pg.mkBrush(BOUND_COLOR), symbolPen=pg.mkPen(None),
            antialias=True, connect="finite",
        )
        self._gaps = pg.PlotDataItem(pen=pg.mkPen(GAP_COLOR, width=3), connect="pairs")
        for item in (self._gaps, self._likelihood, self._bound):
            self._plot.addItem(item)
        self._current = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen("#888888", width=1.2, style=Qt.PenStyle.DotLine)
        )
        self._current.setVisible(False)
        self._plot.addItem(self._current, ignoreBounds=True)
        self._edit_lines: list[pg.InfiniteLine] = []
        # The legend above the plot rather than in it: a climbing curve leaves no corner
        # free for long.
        self.legend_label, self.info_label, self.explanation_label = lay_out_plot_panel(
            self, LEGEND, self.plot_widget, EXPLANATION, wrap_legend=True
        )
        self._labels: list[str] = []
        self._values = (np.empty(0), np.empty(0))
        self._current_index: int | None = None
        self._set_ranges(*self._values)

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """The drawn log-likelihoods and bounds, one per half-step (NaN: no bound)."""
        return self._values

    def edit_positions(self) -> list[float]:
        """Half-step positions of the visible 'you moved a mean' lines."""
        return [line.value() for line in self._edit_lines if line.isVisible()]

    def set_states(
        self,
        labels: Sequence[str],
        log_likelihood: Sequence[float],
        bound: Sequence[float | None],
        edits: Sequence[int] = (),
        hard: bool = False,
    ) -> None:
        """Draw one value of each per half-step; ``edits`` are where the student moved a mean."""
        self._labels = list(labels)
        self.axis.set_names(self._labels)
        ll = np.asarray(log_likelihood, dtype=np.float64)
        lb = np.array([np.nan if b is None else b for b in bound], dtype=np.float64)
        # A gap below the round-off of the log-likelihood is no gap: draw it as none.
        closed = np.isfinite(lb) & np.array(
            [is_round_off(l - b, l) if np.isfinite(b) else False for l, b in zip(ll, lb)],
            dtype=bool,
        )
        lb = np.where(closed, ll, lb)
        self._values = (ll, lb)
        x = np.arange(len(ll), dtype=np.float64)
        self._likelihood.setData(x=x, y=ll)
        with_bound = np.flatnonzero(np.isfinite(lb))
        if len(with_bound):
            self._bound.setData(x=x, y=lb)
        else:
            # pyqtgraph warns on curves without a single finite value.
            self._bound.setData(x=np.empty(0), y=np.empty(0))
        open_gaps = with_bound[~closed[with_bound]]
        segments = np.empty((2 * len(open_gaps), 2))
        segments[0::2, 0] = segments[1::2, 0] = x[open_gaps]
        segments[0::2, 1], segments[1::2, 1] = lb[open_gaps], ll[open_gaps]
        self._gaps.setData(x=segments[:, 0], y=segments[:, 1])
        self._show_edits(edits)
        self.explanation_label.setText(EXPLANATION + (HARD_NOTE if hard else ""))
        self._set_ranges(ll, lb)
        if self._current_index is not None:
            self.set_current(self._current_index)

    def _set_ranges(self, ll: np.ndarray, lb: np.ndarray) -> None:
        """Show every value, with a span no smaller than the values' size calls for; with
        none, neutral axes without numbers (nothing from an earlier session lingers)."""
        values = np.concatenate([ll[np.isfinite(ll)], lb[np.isfinite(lb)]])
        for name in ("left", "bottom"):
            self._plot.getAxis(name).setStyle(showValues=bool(values.size))
        if not values.size:
            self._plot.getViewBox().setRange(xRange=(0.0, 4.0), yRange=(0.0, 1.0), padding=0.0)
            self.info_label.setText(EMPTY_TEXT)
            return
        low, high = float(values.min()), float(values.max())
        span = max(high - low, MIN_SPAN_FRACTION * max(abs(low), abs(high)), MIN_SPAN)
        middle = (low + high) / 2
        y_range = (middle - span / 2 - Y_PADDING * span, middle + span / 2 + Y_PADDING * span)
        x_range = (-0.5, max(len(ll) - 1, 1) + 0.5)
        self._plot.getViewBox().setRange(xRange=x_range, yRange=y_range, padding=0.0)

    def set_current(self, index: int | None) -> None:
        """Mark half-step ``index`` and say its values under the plot."""
        self._current_index = index
        ll, lb = self._values
        if index is None or not 0 <= index < len(ll):
            self._current.setVisible(False)
            self.info_label.setText("" if len(ll) else EMPTY_TEXT)
            return
        self._current.setValue(index)
        self._current.setVisible(True)
        text = f"<b>{self._labels[index]}</b> · log-likelihood {ll[index]:.4f}"
        if np.isfinite(lb[index]):
            text += f" · bound {lb[index]:.4f} · gap {gap_text(ll[index] - lb[index], ll[index])}"
        else:
            text += " · no responsibilities yet, so no bound"
        self.info_label.setText(text)

    def clear(self) -> None:
        self._current_index = None
        self.set_states([], [], [])
        self.set_current(None)

    def _show_edits(self, edits: Sequence[int]) -> None:
        for i in range(len(self._edit_lines), len(edits)):
            line = pg.InfiniteLine(
                angle=90, movable=False,
                pen=pg.mkPen(EDIT_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
                label="you moved a mean",
                labelOpts={"position": 0.12, "color": EDIT_COLOR, "anchors": [(0, 1), (0, 1)]},
            )
            self._plot.addItem(line, ignoreBounds=True)
            self._edit_lines.append(line)
        for i, line in enumerate(self._edit_lines):
            line.setVisible(i < len(edits))
            if i < len(edits):
                line.setValue(edits[i])
