"""Count data: each component's value per column, and fitted against observed counts.

What the values are called, how far the counts go and how probable each count
is come from the caller (the model's declaration and its densities), so any
model of counts draws here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from emgui.views.colors import component_color
from emgui.views.count_legend import (
    OBSERVED_BRUSH,
    component_pen,
    legend_label,
    legend_texts,
    mixture_pen,
)
from emgui.views.param_bars import ParamBars, set_y_top
from emgui.views.plot_style import (
    FOREGROUND,
    new_plot_widget,
    paint_background_white,
    set_axis_label,
)

#: Count plots up to this many values label every count on the axis.
MAX_LABELLED_COUNTS = 20

_OBSERVED_PEN = QColor(140, 140, 140)
#: Log-probabilities of counts 0..n of one column under each component:
#: ``(column, counts of shape (n_counts,))`` to shape (n_counts, n_components).
LogPmf = Callable[[int, np.ndarray], np.ndarray]


class DiscreteView(QWidget):
    """Two plots for count mixtures.

    Left: each component's value per column (a success probability, a rate), as
    bars grouped by column. Right: for the chosen column, the observed proportion of each
    count next to the fitted mixture's probability mass function (black) and
    each component's weighted share of it (coloured, dashed).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        paint_background_white(self)
        self.param_widget = new_plot_widget()
        self.count_widget = new_plot_widget()
        self._param_plot = self.param_widget.getPlotItem()
        self._count_plot = self.count_widget.getPlotItem()
        for plot in (self._param_plot, self._count_plot):
            plot.showGrid(x=False, y=True, alpha=0.15)
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
        self._param_legend = legend_label()
        self._count_legend = legend_label()
        self._column_combo = QComboBox()
        self._column_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._column_combo.currentIndexChanged.connect(self._on_column_combo_current_index_changed)
        self._column_label = QLabel("Column:")

        count_header = QHBoxLayout()
        count_header.setContentsMargins(0, 0, 6, 0)
        count_header.addWidget(self._count_legend, stretch=1)
        count_header.addWidget(self._column_label)
        count_header.addWidget(self._column_combo)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(0)
        layout.setVerticalSpacing(0)
        layout.addWidget(self._param_legend, 0, 0)
        layout.addLayout(count_header, 0, 1)
        layout.addWidget(self.param_widget, 1, 0)
        layout.addWidget(self.count_widget, 1, 1)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 1)
        layout.setRowStretch(1, 1)

        self._X = np.empty((0, 0))
        self._column_names: list[str] = []
        self._supports: list[int] = []
        self._count_titles: list[str] = []
        self._value_title = "value"
        self._bounded = True
        self._observed: list[np.ndarray] = []
        self._column = 0
        self._weights: np.ndarray | None = None
        self._values: np.ndarray | None = None
        self._log_pmf: LogPmf | None = None
        self._pmf_lines = True

        self._bars = ParamBars(self._param_plot)

        self._observed_bars = pg.BarGraphItem(
            x=[], height=[], width=0.8, brush=pg.mkBrush(OBSERVED_BRUSH),
            pen=pg.mkPen(_OBSERVED_PEN),
        )
        self._count_plot.addItem(self._observed_bars)
        self._mixture_item = pg.PlotDataItem(
            pen=mixture_pen(), symbol="o", symbolSize=7,
            symbolBrush=pg.mkBrush(FOREGROUND), symbolPen=pg.mkPen(None), antialias=True,
        )
        self._mixture_item.setZValue(20)
        self._count_plot.addItem(self._mixture_item)
        self._component_items: list[pg.PlotDataItem] = []
        set_axis_label(self._count_plot, "left", "proportion of rows")
        self._bars.set_title(self._value_title)
        self._update_column_controls()
        self._update_legends()

    @property
    def param_plot(self) -> pg.PlotItem:
        return self._param_plot

    @property
    def count_plot(self) -> pg.PlotItem:
        return self._count_plot

    @property
    def column(self) -> int:
        """The column shown on the right."""
        return self._column

    # ------------------------------------------------------------------ data

    def set_data(
        self,
        X: np.ndarray,
        column_names: list[str],
        supports: Sequence[int] | None = None,
        value_title: str = "value",
        bounded: bool = False,
        count_titles: Sequence[str] | None = None,
    ) -> None:
        """Load count data and forget any fitted state.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Non-negative whole-number counts.
        column_names : list of str
            One name per column.
        supports : sequence of int, optional
            The largest count drawn for each column (by default the largest observed).
        value_title : str
            What the values of :meth:`show_state` are (``probability``, ``rate``).
        bounded : bool
            Whether those values lie between 0 and 1 (the axis then ends at 1).
        count_titles : sequence of str, optional
            The count axis's title for each column (by default ``count of <name>``).
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[:, None]
        if len(column_names) != X.shape[1]:
            raise ValueError(
                f"{X.shape[1]} columns need {X.shape[1]} names, got {len(column_names)}"
            )
        self._X = X
        self._column_names = [str(name) for name in column_names]
        observed_max = [
            int(np.nanmax(X[:, d])) if X.shape[0] and np.isfinite(X[:, d]).any() else 0
            for d in range(X.shape[1])
        ]
        given = observed_max if supports is None else [int(v) for v in supports]
        self._supports = [max(a, b, 0) for a, b in zip(given, observed_max)]
        self._count_titles = (
            [f"count of {name}" for name in self._column_names]
            if count_titles is None else [str(t) for t in count_titles]
        )
        self._value_title = value_title
        self._bounded = bounded
        n_samples = max(X.shape[0], 1)
        self._observed = [
            np.bincount(
                np.clip(X[:, d][np.isfinite(X[:, d])], 0, None).astype(np.int64),
                minlength=self._supports[d] + 1,
            ) / n_samples
            for d in range(X.shape[1])
        ]
        self._weights = None
        self._values = None
        self._log_pmf = None
        self._column = 0
        self._bars.set_title(self._value_title)
        self._update_column_controls()
        self._draw_params()
        self._update_legends()

    def show_state(
        self,
        weights: np.ndarray,
        values: np.ndarray,
        log_pmf: LogPmf,
        column_names: list[str] | None = None,
    ) -> None:
        """Draw one state of the fit.

        Parameters
        ----------
        weights : ndarray of shape (n_components,)
        values : ndarray of shape (n_components, n_features)
            Each component's value per column (a probability, a rate).
        log_pmf : callable
            ``log_pmf(column, counts)``: log-probability of each count under each
            component, shape (n_counts, n_components).
        column_names : list of str or None
            Names of the columns; ``None`` keeps those from :meth:`set_data`.
        """
        weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or values.shape[0] != weights.shape[0]:
            raise ValueError(
                f"values must have shape (n_components, n_features) with n_components = "
                f"{weights.shape[0]}, got {values.shape}"
            )
        if values.shape[1] != len(self._column_names):
            raise ValueError(
                f"values have {values.shape[1]} columns but the data has "
                f"{len(self._column_names)}; call set_data first"
            )
        if column_names is not None and list(column_names) != self._column_names:
            self._column_names = [str(name) for name in column_names]
            self._update_column_controls()
        self._weights = weights
        self._values = values
        self._log_pmf = log_pmf
        self._draw_params()
        self._draw_counts()
        self._update_legends()

    def clear_state(self) -> None:
        """Remove the fitted parameters, keeping the observed counts."""
        self._weights = None
        self._values = None
        self._log_pmf = None
        self._draw_params()
        self._draw_counts()
        self._update_legends()

    def set_column(self, column: int) -> None:
        """Show the counts of ``column`` on the right."""
        if self._column_combo.currentIndex() != column:
            self._column_combo.setCurrentIndex(column)
        else:
            self._select_column(column)

    def fitted_pmf(self, column: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fitted probabilities of each count in ``column`` under the last state.

        Returns
        -------
        counts : ndarray of shape (n_counts,)
            0 to the column's support (see :meth:`set_data`).
        mixture : ndarray of shape (n_counts,)
            The mixture's probability of each count.
        components : ndarray of shape (n_components, n_counts)
            Each component's weighted share; they sum to ``mixture``.
        """
        if self._weights is None or self._log_pmf is None:
            raise ValueError("no fitted state to evaluate; call show_state first")
        counts = np.arange(self._supports[column] + 1)
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            pmf = np.exp(np.asarray(self._log_pmf(column, counts.astype(np.float64)))).T
        pmf[~np.isfinite(pmf)] = 0.0
        components = self._weights[:, None] * pmf
        return counts, components.sum(axis=0), components

    # ------------------------------------------------------------- controls

    def _update_column_controls(self) -> None:
        names = self._column_names
        self._bars.set_columns(names)
        self._column_combo.blockSignals(True)
        self._column_combo.clear()
        self._column_combo.addItems(names)
        self._column = min(self._column, max(len(names) - 1, 0))
        self._column_combo.setCurrentIndex(self._column)
        self._column_combo.blockSignals(False)
        many = len(names) > 1
        self._column_combo.setVisible(many)
        self._column_label.setVisible(many)
        self._select_column(self._column)

    def _on_column_combo_current_index_changed(self, index: int) -> None:
        if index >= 0:
            self._select_column(index)

    def _select_column(self, column: int) -> None:
        self._column = column
        self._bars.select(column)
        self._update_count_axis()
        self._draw_counts()

    def _update_count_axis(self) -> None:
        if not self._column_names:
            return
        title = self._count_titles[self._column]
        set_axis_label(self._count_plot, "bottom", title)
        support = self._supports[self._column]
        axis = self._count_plot.getAxis("bottom")
        if support <= MAX_LABELLED_COUNTS:
            axis.setTicks([[(i, str(i)) for i in range(support + 1)]])
        else:
            axis.setTicks(None)
        self._count_plot.setXRange(-0.6, support + 0.6, padding=0.0)
        self._set_pmf_lines(support > 1)

    def _set_pmf_lines(self, lines: bool) -> None:
        # For a yes/no column a line from 0 to 1 would suggest values in between: markers only.
        if lines == self._pmf_lines:
            return
        self._pmf_lines = lines
        self._mixture_item.setPen(mixture_pen() if lines else None)
        self._mixture_item.setSymbolSize(7 if lines else 11)
        for k, item in enumerate(self._component_items):
            item.setPen(component_pen(k) if lines else None)
            item.setSymbolSize(5 if lines else 9)
        self._update_legends()

    @property
    def legend(self) -> str:
        """The components' legend as shown (rich text): each in its colour, with its weight."""
        return self._param_legend.text()

    def _update_legends(self) -> None:
        param_text, count_text = legend_texts(self._weights, self._pmf_lines)
        self._param_legend.setText(param_text)
        self._count_legend.setText(count_text)

    # -------------------------------------------------------------- drawing

    def _ensure_components(self, n_components: int) -> None:
        for k in range(len(self._component_items), n_components):
            curve = pg.PlotDataItem(
                pen=component_pen(k) if self._pmf_lines else None,
                symbol="o", symbolSize=5 if self._pmf_lines else 9,
                symbolBrush=pg.mkBrush(component_color(k)),
                symbolPen=pg.mkPen(None), antialias=True,
            )
            curve.setZValue(10)
            self._count_plot.addItem(curve)
            self._component_items.append(curve)

    def _draw_params(self) -> None:
        self._ensure_components(0 if self._weights is None else self._weights.shape[0])
        self._bars.draw(self._values, self._bounded)

    def _draw_counts(self) -> None:
        if not self._observed:
            self._observed_bars.setOpts(x=[], height=[])
            return
        observed = self._observed[self._column]
        self._observed_bars.setOpts(x=np.arange(observed.shape[0]), height=observed, width=0.8)
        top = float(observed.max()) if observed.size else 1.0
        if self._weights is None or self._log_pmf is None:
            self._mixture_item.setData(x=[], y=[])
            for item in self._component_items:
                item.setData(x=[], y=[])
        else:
            counts, mixture, components = self.fitted_pmf(self._column)
            self._mixture_item.setData(x=counts, y=mixture)
            show_components = components.shape[0] > 1
            for k, item in enumerate(self._component_items):
                if show_components and k < components.shape[0]:
                    item.setData(x=counts, y=components[k])
                else:
                    item.setData(x=[], y=[])
            top = max(top, float(np.nanmax(mixture)) if mixture.size else 0.0)
        set_y_top(self._count_plot, top)
