"""One column: a density histogram with each component's and the mixture's density."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from emgui.views.colors import component_color
from emgui.views.plot_style import FOREGROUND, ZERO_MARGIN, new_plot_widget, set_axis_label

MIN_BINS = 10
MAX_BINS = 80
#: The most bins a person may choose.
MAX_CHOSEN_BINS = 500
#: Evenly spaced grid points across the whole drawn range.
GRID_POINTS = 400
#: Extra grid points across each component's mean +- GRID_SPAN sd, so narrow peaks stay smooth.
COMPONENT_GRID_POINTS = 80
#: Half-width of the drawn range around each component, in its standard deviations.
GRID_SPAN = 4.0

_HIST_FILL = QColor(200, 200, 200, 160)
_HIST_EDGE = QColor(150, 150, 150)
_Z_HIST, _Z_COMPONENTS, _Z_MIXTURE = 0, 10, 20


def freedman_diaconis_bins(values: np.ndarray) -> int:
    """Number of histogram bins by the Freedman-Diaconis rule, clipped to 10..80."""
    values = np.asarray(values, dtype=np.float64)
    span = float(np.ptp(values)) if values.size else 0.0
    if values.size < 2 or span == 0.0:
        return MIN_BINS
    q75, q25 = np.percentile(values, [75, 25])
    width = 2.0 * (q75 - q25) * values.size ** (-1.0 / 3.0)
    if width <= 0.0:
        # Over half the values are equal; Sturges still gives a sensible count.
        n_bins = int(np.ceil(np.log2(values.size))) + 1
    else:
        n_bins = int(np.ceil(span / width))
    return int(np.clip(n_bins, MIN_BINS, MAX_BINS))


class HistogramView(QWidget):
    """Histogram of one column, overlaid with the fitted mixture's density on it.

    :meth:`set_data` draws the histogram once; :meth:`show_state` updates the
    component curves (coloured, weighted by the mixing proportions) and the
    mixture curve (black, thicker) in place.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = new_plot_widget()
        self._plot = self.plot_widget.getPlotItem()
        # 0 in the box means the Freedman-Diaconis rule chooses (shown as "auto").
        self.bins_box = QSpinBox()
        self.bins_box.setRange(0, MAX_CHOSEN_BINS)
        self.bins_box.setSpecialValueText("auto")
        self.bins_box.setToolTip(
            "Number of histogram bins; auto lets the Freedman-Diaconis rule choose"
        )
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 6, 0)
        header.addStretch(1)
        header.addWidget(QLabel("Bins:"))
        header.addWidget(self.bins_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget)
        self.bins_box.valueChanged.connect(self._on_bins_box_value_changed)
        set_axis_label(self._plot, "left", "density")
        self._plot.showGrid(x=False, y=True, alpha=0.15)

        self._values = np.empty(0)
        self._data_range = (0.0, 1.0)
        self._hist_top = 0.0
        self._hist_item = pg.PlotCurveItem(
            x=np.array([0.0, 1.0]),
            y=np.zeros(1),
            stepMode="center",
            fillLevel=0.0,
            brush=pg.mkBrush(_HIST_FILL),
            pen=pg.mkPen(_HIST_EDGE, width=1),
        )
        self._hist_item.setZValue(_Z_HIST)
        self._plot.addItem(self._hist_item)
        self._mixture_item = pg.PlotCurveItem(
            pen=pg.mkPen(FOREGROUND, width=3), antialias=True
        )
        self._mixture_item.setZValue(_Z_MIXTURE)
        self._plot.addItem(self._mixture_item)
        self._component_items: list[pg.PlotCurveItem] = []

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    def set_data(self, values: np.ndarray, label: str = "") -> None:
        """Draw the density histogram of ``values``, shape (n_samples,), and forget any state."""
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        values = values[np.isfinite(values)]
        self._values = values
        self._draw_histogram()
        set_axis_label(self._plot, "bottom", label)
        self.clear_state()
        low, high = self._data_range
        pad = 0.05 * (high - low or 1.0)
        self._plot.setXRange(low - pad, high + pad, padding=0.0)
        self._update_y_range(0.0)

    @property
    def n_bins(self) -> int:
        """The number of bars drawn now."""
        x, _ = self._hist_item.getData()
        return 0 if x is None else len(x) - 1

    def set_bins(self, n_bins: int | None) -> None:
        """Draw ``n_bins`` bars (``None``: as the Freedman-Diaconis rule says)."""
        self.bins_box.setValue(0 if n_bins is None else int(n_bins))

    def _on_bins_box_value_changed(self, value: int) -> None:
        self._draw_histogram()
        _, y = self._mixture_item.getData()
        self._update_y_range(0.0 if y is None or not len(y) else float(np.max(y)))

    def _draw_histogram(self) -> None:
        values = self._values
        if values.size:
            chosen = self.bins_box.value()
            n_bins = chosen if chosen > 0 else freedman_diaconis_bins(values)
            density, edges = np.histogram(values, bins=n_bins, density=True)
            self._data_range = (float(edges[0]), float(edges[-1]))
        else:
            density, edges = np.zeros(1), np.array([0.0, 1.0])
            self._data_range = (0.0, 1.0)
        self._hist_item.setData(x=edges, y=density)
        self._hist_top = float(density.max())

    def clear_state(self) -> None:
        """Remove the fitted curves, keeping the histogram."""
        self._mixture_item.setData(x=np.empty(0), y=np.empty(0))
        for item in self._component_items:
            item.setData(x=np.empty(0), y=np.empty(0))

    def show_state(
        self,
        weights: np.ndarray,
        log_density: Callable[[np.ndarray], np.ndarray],
        centres: np.ndarray | None = None,
        spreads: np.ndarray | None = None,
    ) -> None:
        """Draw the mixture with weights of shape (n_components,).

        ``log_density(x)`` gives each component's log-density at the points ``x``,
        shape (n_points,) to (n_points, n_components). ``centres`` and ``spreads``
        (standard deviations), shape (n_components,) when the model has them, put
        extra points where a component is narrow and reach components outside the data.
        """
        weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        usable = np.isfinite(weights)
        focus_centres = focus_spreads = None
        if centres is not None and spreads is not None:
            centres = np.asarray(centres, dtype=np.float64).reshape(-1)
            spreads = np.asarray(spreads, dtype=np.float64).reshape(-1)
            good = np.isfinite(centres) & np.isfinite(spreads) & (spreads > 0)
            focus_centres, focus_spreads = centres[good], spreads[good]
        grid = self._grid(focus_centres, focus_spreads)
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            densities = (weights[:, None] * np.exp(np.asarray(log_density(grid)).T))
        densities[~np.isfinite(densities)] = 0.0
        # A collapsed or diverged component has no drawable density; leave it out.
        usable &= densities.any(axis=1)
        densities[~usable] = 0.0
        self._ensure_components(weights.shape[0])
        for k, item in enumerate(self._component_items):
            if k < weights.shape[0] and usable[k]:
                item.setData(x=grid, y=densities[k])
            else:
                item.setData(x=np.empty(0), y=np.empty(0))
        mixture = densities.sum(axis=0)
        self._mixture_item.setData(x=grid, y=mixture)
        low, high = self._data_range
        shown = (grid >= low) & (grid <= high)
        self._update_y_range(float(mixture[shown].max()) if np.any(shown) else 0.0)

    def _update_y_range(self, curve_top: float) -> None:
        # Set explicitly rather than auto-ranged: the axis starts at zero like the bars, and
        # grows only as far as the histogram and the curves over the data need.
        top = max(self._hist_top, curve_top, 1e-300)
        self._plot.setYRange(-ZERO_MARGIN * top, top * 1.08, padding=0.0)

    def component_curve(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The x and y currently drawn for component ``k`` (weighted density)."""
        return self._curve_data(self._component_items[k])

    def bars(self) -> tuple[np.ndarray, np.ndarray]:
        """The bin edges and the density of each bin currently drawn."""
        return self._curve_data(self._hist_item)

    def mixture_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """The x and y currently drawn for the mixture density."""
        return self._curve_data(self._mixture_item)

    @staticmethod
    def _curve_data(item: pg.PlotCurveItem) -> tuple[np.ndarray, np.ndarray]:
        x, y = item.getData()
        if x is None:
            return np.empty(0), np.empty(0)
        return np.asarray(x), np.asarray(y)

    def _grid(self, centres: np.ndarray | None, spreads: np.ndarray | None) -> np.ndarray:
        low, high = self._data_range
        parts = []
        if centres is not None and centres.size:
            low = min(low, float(np.min(centres - GRID_SPAN * spreads)))
            high = max(high, float(np.max(centres + GRID_SPAN * spreads)))
            parts += [
                np.linspace(c - GRID_SPAN * sd, c + GRID_SPAN * sd, COMPONENT_GRID_POINTS)
                for c, sd in zip(centres, spreads)
            ]
        parts.insert(0, np.linspace(low, high, GRID_POINTS))
        return np.unique(np.concatenate(parts))

    def _ensure_components(self, n_components: int) -> None:
        for k in range(len(self._component_items), n_components):
            item = pg.PlotCurveItem(
                pen=pg.mkPen(component_color(k), width=2),
                brush=pg.mkBrush(component_color(k, 45)),
                fillLevel=0.0,
                antialias=True,
            )
            item.setZValue(_Z_COMPONENTS)
            self._plot.addItem(item)
            self._component_items.append(item)
