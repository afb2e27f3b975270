"""Two displayed columns of the data, coloured by component, with means and covariance ellipses."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from emgui.views.colors import OUTLINE_COLOR, UNASSIGNED_COLOR, component_color
from emgui.views.ellipses_item import EllipsesItem
from emgui.views.geometry import ellipses_points
from emgui.views.label_image import LabelImage
from emgui.views.scatter_legend import MeanMarker, ScatterLegend
from emgui.views.plot_style import (
    FOREGROUND,
    new_plot_widget,
    paint_background_white,
    set_axis_label,
)

#: More rows than this are shown as a fixed random subset (the fit still uses all).
MAX_DISPLAY_POINTS = 50_000
#: Above this many displayed points they are drawn as one label image: recolouring
#: scatter items costs about 2 microseconds a point, the image a few ms in all.
IMAGE_THRESHOLD = 8_000
#: Seed of the display subset, so the same data always shows the same points.
THINNING_SEED = 20_240_617
#: Radii of the covariance ellipses, in standard deviations.
N_STDS: tuple[float, ...] = (1.0, 2.0, 3.0)
#: Points per ellipse curve.
ELLIPSE_POINTS = 64
#: Upper edges of the confidence bins in uncertainty mode; the last bin is open.
CONFIDENCE_EDGES: tuple[float, ...] = (0.6, 0.9)
#: Alpha of each confidence bin, least confident first.
CONFIDENCE_ALPHAS: tuple[int, ...] = (40, 110, 210)
#: Alpha of points when uncertainty is not shown; large data sets get the lower one
#: so that dense regions still show their density.
POINT_ALPHA = 170
DENSE_POINT_ALPHA = 110

# Solid, dashed, dotted: 1, 2 and 3 sd stay distinguishable in grey-scale print too.
_ELLIPSE_STYLES = {
    1.0: (2.4, Qt.PenStyle.SolidLine, 255),
    2.0: (1.8, Qt.PenStyle.DashLine, 220),
    3.0: (1.4, Qt.PenStyle.DotLine, 190),
}
#: A mean is a coloured dot in a white ring with a dark rim (the legend draws the same).
MEAN_MARKER = MeanMarker(ring_size=21, dot_size=13, rim_width=2)
_Z_GAP_LINES, _Z_POINTS, _Z_ELLIPSES, _Z_MEANS, _Z_PLACED = -1, 0, 10, 20, 30
#: The faint line a row with one missing coordinate lies on (along the missing axis).
GAP_LINE_COLOR = QColor(90, 90, 90, 110)
_NO_ROWS = np.empty(0, dtype=np.intp)


def _point_size(n_points: int) -> float:
    if n_points <= 2_000:
        return 7.0
    if n_points <= 20_000:
        return 5.0
    return 3.0


def _plain_alpha(n_points: int) -> int:
    return POINT_ALPHA if n_points <= 20_000 else DENSE_POINT_ALPHA


@dataclass
class _ComponentItems:
    """The plot items of one component, created once and reused."""

    bins: list[pg.ScatterPlotItem]
    #: The displayed rows each bin item currently shows.
    rows: list[np.ndarray] = field(default_factory=list)


class ScatterView(QWidget):
    """Scatter plot of two columns with the live state of a fit: points by component, each
    component's location and, where the model has one, its spread as ellipses.

    Call :meth:`set_data` once per data set, then :meth:`show_state` as often
    as the fit produces states. Plot items are created once per component and
    only updated with ``setData`` afterwards.
    """

    point_placed = Signal(float, float)
    """A left click while placing: its x and y in data coordinates."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = new_plot_widget()
        self._plot = self.plot_widget.getPlotItem()
        self._info_label = QLabel()
        self._info_label.setStyleSheet("color: #555555; padding: 0 8px 2px 8px;")
        self._info_label.setMinimumHeight(self._info_label.fontMetrics().height() + 4)
        paint_background_white(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot_widget, stretch=1)
        layout.addWidget(self._info_label)

        self._points = np.empty((0, 2))
        self._display_index = np.empty(0, dtype=np.intp)
        self._n_total = 0
        self._point_size = _point_size(0)
        self._labels: np.ndarray | None = None
        self._confidence: np.ndarray | None = None
        self._show_uncertainty = False
        self._placing: int | None = None
        #: Components drawn so far (their colours stay reserved), and the point items of
        #: each, made only when points are drawn as items rather than as the label image.
        self._n_slots = 0
        self._components: list[_ComponentItems] = []
        self._n_state_components = 0
        self._counts: list[int] = []

        self._raw_item = pg.ScatterPlotItem(
            pen=pg.mkPen(None), brush=pg.mkBrush(QColor(UNASSIGNED_COLOR)), antialias=True
        )
        self._raw_item.setZValue(_Z_POINTS)
        self._plot.addItem(self._raw_item)
        self._image = LabelImage()
        self._image.setVisible(False)
        self._plot.addItem(self._image)
        # A mean is a coloured dot in a white ring with a dark rim: it stands out both
        # on a dense cloud of its own colour and on empty background.
        self._mean_halo_item = pg.ScatterPlotItem(
            symbol="o", size=MEAN_MARKER.ring_size, brush=pg.mkBrush("w"),
            pen=pg.mkPen(OUTLINE_COLOR, width=MEAN_MARKER.rim_width),
            antialias=True,
        )
        self._mean_halo_item.setZValue(_Z_MEANS)
        self._plot.addItem(self._mean_halo_item, ignoreBounds=True)
        self._mean_item = pg.ScatterPlotItem(
            symbol="o", size=MEAN_MARKER.dot_size, pen=pg.mkPen(None), antialias=True
        )
        self._mean_item.setZValue(_Z_MEANS + 1)
        self._plot.addItem(self._mean_item, ignoreBounds=True)
        self._placed_item = pg.ScatterPlotItem(
            symbol="x", size=22, pen=pg.mkPen("w", width=1.5), antialias=True
        )
        self._placed_item.setZValue(_Z_PLACED)
        self._plot.addItem(self._placed_item, ignoreBounds=True)
        self._placed_labels: list[pg.TextItem] = []
        # Rows with a missing coordinate: a faint line along the missing axis, and once a
        # fit is shown a hollow marker where EM expects the row (it moves as EM iterates).
        self._gap_lines = pg.PlotCurveItem(
            pen=pg.mkPen(GAP_LINE_COLOR, width=1, style=Qt.PenStyle.DotLine), connect="pairs"
        )
        self._gap_lines.setZValue(_Z_GAP_LINES)
        self._plot.addItem(self._gap_lines, ignoreBounds=True)
        self._imputed_item = pg.ScatterPlotItem(brush=pg.mkBrush(None), antialias=True)
        self._imputed_item.setZValue(_Z_POINTS + 1)
        self._plot.addItem(self._imputed_item, ignoreBounds=True)
        self._gap_rows = _NO_ROWS
        self._imputed_xy = np.empty((0, 2))
        self._ellipses = EllipsesItem()
        self._ellipses.setZValue(_Z_ELLIPSES)
        self._plot.addItem(self._ellipses, ignoreBounds=True)
        self._ellipse_pens: dict[tuple[int, float], QPen] = {}
        #: Palette index of each displayed point when coloured by something else than its
        #: component (a known class); None: by component.
        self._point_colors: np.ndarray | None = None
        self.legend = ScatterLegend(_ELLIPSE_STYLES, MEAN_MARKER)
        self.legend.place(self._plot.getViewBox())

        self.plot_widget.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self._update_info()

    # ------------------------------------------------------------------ data

    @property
    def uses_image(self) -> bool:
        """Whether the points are drawn as one label image (many points)."""
        return self._points.shape[0] > IMAGE_THRESHOLD

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    @property
    def display_index(self) -> np.ndarray:
        """Indices into the full data of the displayed rows, ascending, shape (n_display,)."""
        return self._display_index

    @property
    def is_thinned(self) -> bool:
        """Whether only a subset of the rows is displayed."""
        return self._display_index.shape[0] < self._n_total

    def set_data(
        self,
        points: np.ndarray,
        x_label: str = "",
        y_label: str = "",
        columns: tuple[int, int] | None = None,
    ) -> None:
        """Show a new data set in grey, forgetting any fitted state.

        Parameters
        ----------
        points : ndarray of shape (n_samples, 2), or (n_samples, n_features) with ``columns``
            The two displayed columns of every row.
        x_label, y_label : str
            Axis titles (usually the column names).
        columns : (int, int), optional
            The two columns of ``points`` to show; only the displayed rows of
            them are copied (a million-row table is not copied whole).
        """
        points = np.asarray(points)
        if columns is None:
            columns = (0, 1)
            if points.ndim != 2 or points.shape[1] != 2:
                raise ValueError(f"points must have shape (n_samples, 2), got {points.shape}")
        self._n_total = points.shape[0]
        if self._n_total > MAX_DISPLAY_POINTS:
            rng = np.random.default_rng(THINNING_SEED)
            index = np.sort(rng.choice(self._n_total, MAX_DISPLAY_POINTS, replace=False))
        else:
            index = np.arange(self._n_total)
        self._display_index = index
        self._point_colors = None  # the caller colours the new points again
        self._points = np.ascontiguousarray(points[np.ix_(index, list(columns))], dtype=np.float64)
        self._point_size = _point_size(index.shape[0])
        plain = QColor(UNASSIGNED_COLOR)
        plain.setAlpha(_plain_alpha(index.shape[0]))
        self._raw_item.setBrush(pg.mkBrush(plain))
        for k, items in enumerate(self._components):
            items.bins[0].setBrush(pg.mkBrush(component_color(k, _plain_alpha(index.shape[0]))))
            for item in items.bins:
                item.setSize(self._point_size)
        set_axis_label(self._plot, "bottom", x_label)
        set_axis_label(self._plot, "left", y_label)

        self._raw_item.setSize(self._point_size)
        self._raw_item.setData(pos=self._points if not self.uses_image else np.empty((0, 2)))
        self._set_gap_lines()
        self._image.setVisible(self.uses_image)
        if self.uses_image:
            self._image.set_points(self._points)
        self.clear_state()
        # Fit the view to the data once, then hold it: with auto-range left on,
        # every update of any item during a fit recomputes the bounds of all of
        # them and repaints the axes (the ``A`` button still refits on demand).
        view_box = self._plot.getViewBox()
        view_box.autoRange()
        view_box.disableAutoRange()
        self._update_info()

    def set_equal_aspect(self, equal: bool) -> None:
        """Give both axes the same scale (circles in the data look round), or let each
        fit its column; the view fits the data again."""
        view_box = self._plot.getViewBox()
        if bool(view_box.state["aspectLocked"]) == equal:
            return
        view_box.setAspectLocked(equal, ratio=1.0)
        view_box.autoRange()
        view_box.disableAutoRange()

    @property
    def equal_aspect(self) -> bool:
        return bool(self._plot.getViewBox().state["aspectLocked"])

    def clear_state(self) -> None:
        """Forget the fitted state: grey points, no means, no ellipses."""
        self._labels = None
        self._confidence = None
        for items in self._components:
            for b in range(len(items.bins)):
                self._show_rows(items, b, _NO_ROWS)
        self._counts = []
        self._ellipses.set_curves([])
        self._draw_means(None)
        self.legend.set_components(None)
        self.show_imputed(None)
        self._raw_item.setVisible(not self.uses_image)
        if self.uses_image:
            self._draw_points()

    # ----------------------------------------------------------------- state

    def show_state(
        self,
        means_2d: np.ndarray | None,
        covariances_2d: np.ndarray | None,
        labels: np.ndarray | None,
        confidence: np.ndarray | None = None,
    ) -> None:
        """Draw one state of the fit.

        Parameters
        ----------
        means_2d : ndarray of shape (n_components, 2) or None
            Component means in the displayed columns.
        covariances_2d : ndarray of shape (n_components, 2, 2) or None
            Covariances in the displayed columns (see
            :func:`~emgui.views.geometry.project`); ``None`` hides
            the ellipses.
        labels : ndarray of shape (n_display,) or None
            Most probable component of each displayed row; ``None`` shows
            the points in grey.
        confidence : ndarray of shape (n_display,) or None
            Largest responsibility of each displayed row, used to fade
            uncertain rows when :meth:`set_show_uncertainty` is on.
        """
        n_components = 0
        if means_2d is not None:
            means_2d = np.asarray(means_2d, dtype=np.float64).reshape(-1, 2)
            n_components = means_2d.shape[0]
        if labels is not None:
            labels = np.asarray(labels).astype(np.intp, copy=False)
            if labels.shape != (self._points.shape[0],):
                raise ValueError(
                    f"labels must have one entry per displayed point "
                    f"({self._points.shape[0]}), got shape {labels.shape}"
                )
            if labels.size and labels.min() < 0:
                raise ValueError("labels must be non-negative component indices")
            top = int(labels.max()) + 1 if labels.size else 0
            n_components = max(n_components, top)
        confidence = self._checked_confidence(confidence)
        self._ensure_components(n_components)
        self._n_state_components = n_components
        self._labels = labels
        self._confidence = confidence
        self._draw_points()
        self._draw_means(means_2d)
        self._draw_ellipses(means_2d, covariances_2d)

    @property
    def gap_rows(self) -> np.ndarray:
        """Displayed rows (indices into the displayed points) with a missing coordinate:
        they have no place of their own, only the one EM expects (:meth:`show_imputed`)."""
        return self._gap_rows

    @property
    def imputed_positions(self) -> np.ndarray:
        """Where the rows of :attr:`gap_rows` are drawn now, shape (n_gap_rows, 2); empty
        while no fit is shown."""
        return self._imputed_xy

    def show_imputed(self, xy: np.ndarray | None) -> None:
        """Draw each row of :attr:`gap_rows` hollow at ``xy`` (its expected position under
        the parameters shown, shape (n_gap_rows, 2)) in its component's colour (from the
        last :meth:`show_state`); ``None`` hides them."""
        if xy is None or self._labels is None or not self._gap_rows.size:
            self._imputed_xy = np.empty((0, 2))
            self._imputed_item.setData(pos=self._imputed_xy)
            self._imputed_item.setVisible(False)
            return
        xy = np.asarray(xy, dtype=np.float64)
        if xy.shape != (self._gap_rows.size, 2):
            raise ValueError(
                f"xy must have one row per displayed row with a gap ({self._gap_rows.size}), "
                f"got shape {xy.shape}"
            )
        self._imputed_xy = xy
        labels = self._labels[self._gap_rows]
        pens = [pg.mkPen(component_color(int(k)), width=1.6) for k in range(self._n_slots)]
        self._imputed_item.setData(
            pos=xy, pen=[pens[k] for k in labels], size=self._point_size + 2.0
        )
        self._imputed_item.setVisible(True)

    def _set_gap_lines(self) -> None:
        """The rows with a missing coordinate, and for each with one coordinate observed a
        line along the other axis across the data's range (where EM will place it)."""
        missing = np.isnan(self._points)
        self._gap_rows = np.flatnonzero(missing.any(axis=1))
        self._imputed_xy = np.empty((0, 2))
        self._imputed_item.setVisible(False)
        one = self._gap_rows[missing[self._gap_rows].sum(axis=1) == 1]
        if not one.size or missing.all(axis=0).any():
            self._gap_lines.setData(x=np.empty(0), y=np.empty(0))
            return
        low, high = np.nanmin(self._points, axis=0), np.nanmax(self._points, axis=0)
        start = np.where(missing[one], low, self._points[one])
        end = np.where(missing[one], high, self._points[one])
        segments = np.stack([start, end], axis=1).reshape(-1, 2)
        self._gap_lines.setData(x=segments[:, 0], y=segments[:, 1])

    def set_show_uncertainty(self, show: bool) -> None:
        """Fade points whose largest responsibility is low (needs ``confidence``)."""
        show = bool(show)
        if show != self._show_uncertainty:
            self._show_uncertainty = show
            self._draw_points()

    def set_confidence(self, confidence: np.ndarray | None) -> None:
        """Replace the largest responsibility of each displayed row (see :meth:`show_state`)."""
        confidence = self._checked_confidence(confidence)
        self._confidence = confidence
        if self._show_uncertainty:
            self._draw_points()

    def _checked_confidence(self, confidence: np.ndarray | None) -> np.ndarray | None:
        if confidence is None:
            return None
        confidence = np.asarray(confidence, dtype=np.float64)
        if confidence.shape != (self._points.shape[0],):
            raise ValueError(
                f"confidence must have one entry per displayed point "
                f"({self._points.shape[0]}), got shape {confidence.shape}"
            )
        return confidence

    def component_point_counts(self) -> list[int]:
        """Displayed points per component in the last state, indexed by component."""
        return list(self._counts)

    def ellipse_curves(self, k: int, n_std: float) -> tuple[np.ndarray, np.ndarray]:
        """The x and y currently drawn for component ``k``'s ellipse at ``n_std`` sd."""
        xy = self._ellipses.points(k, n_std)
        return xy[:, 0], xy[:, 1]

    def _ensure_components(self, n_components: int) -> None:
        self._n_slots = max(self._n_slots, n_components)
        if not self.uses_image:
            self._ensure_point_items()

    def _ensure_point_items(self) -> None:
        for k in range(len(self._components), self._n_slots):
            bins = []
            for alpha in (_plain_alpha(self._points.shape[0]), *CONFIDENCE_ALPHAS):
                item = pg.ScatterPlotItem(
                    pen=pg.mkPen(None), brush=pg.mkBrush(component_color(k, alpha)),
                    size=self._point_size, antialias=True,
                )
                item.setZValue(_Z_POINTS + alpha / 1000.0)
                item.setVisible(False)  # until it has points (see _show_rows)
                self._plot.addItem(item)
                bins.append(item)
            rows = [_NO_ROWS] * len(bins)
            self._components.append(_ComponentItems(bins=bins, rows=rows))

    def set_point_colors(self, colors: np.ndarray | None) -> None:
        """Colour each displayed point by palette index ``colors`` (shape (n_display,),
        a known class, say) whatever its component; ``None``: by component again. The
        means and ellipses keep their components' colours."""
        if colors is not None:
            colors = np.asarray(colors).astype(np.intp, copy=False)
            if colors.shape != (self._points.shape[0],) or (colors.size and colors.min() < 0):
                raise ValueError(
                    f"colors must hold a palette index per displayed point "
                    f"({self._points.shape[0]}), got shape {colors.shape}"
                )
            self._ensure_components(int(colors.max()) + 1 if colors.size else 0)
        self._point_colors = colors
        self._draw_points()

    def _draw_points(self) -> None:
        labels = self._labels if self._point_colors is None else self._point_colors
        if self.uses_image:
            self._raw_item.setVisible(False)
            if labels is None:
                self._image.show_labels(np.full(self._points.shape[0], -1), 0)
                self._counts = []
            else:
                self._image.show_labels(labels, max(self._n_slots, 1))
                counts = np.bincount(labels, minlength=self._n_state_components)
                self._counts = [int(c) for c in counts[: self._n_state_components]]
            return
        self._ensure_point_items()
        if labels is None:
            self._raw_item.setVisible(True)
            for items in self._components:
                for b in range(len(items.bins)):
                    self._show_rows(items, b, _NO_ROWS)
            self._counts = []
            return
        self._raw_item.setVisible(False)
        n_components = len(self._components)
        faded = self._show_uncertainty and self._confidence is not None
        n_bins = len(CONFIDENCE_ALPHAS) if faded else 1
        key = labels * n_bins
        if faded:
            key = key + np.searchsorted(CONFIDENCE_EDGES, self._confidence, side="right")
        order = np.argsort(key, kind="stable")
        sizes = np.bincount(key, minlength=n_components * n_bins)
        bounds = np.concatenate(([0], np.cumsum(sizes)))
        for k, items in enumerate(self._components):
            # bins[0] holds every point in plain mode; bins[1:] the confidence bins.
            for b in range(len(items.bins)):
                if faded and b > 0:
                    cell = k * n_bins + b - 1
                elif not faded and b == 0:
                    cell = k
                else:
                    self._show_rows(items, b, _NO_ROWS)
                    continue
                # A stable sort keeps each cell's rows ascending, so equal sets compare equal.
                self._show_rows(items, b, order[bounds[cell] : bounds[cell + 1]])
        per_component = sizes.reshape(-1, n_bins).sum(axis=1)
        self._counts = [int(c) for c in per_component[: self._n_state_components]]

    def _show_rows(self, items: _ComponentItems, b: int, rows: np.ndarray) -> None:
        # pyqtgraph spends about 2 microseconds per point in setData; near convergence
        # few rows change component, so most items are skipped.
        if np.array_equal(items.rows[b], rows):
            return
        items.rows[b] = rows
        items.bins[b].setData(pos=self._points[rows])
        # An empty item still costs bounding-box work in every paint: hide it.
        items.bins[b].setVisible(rows.size > 0)

    def _draw_means(self, means_2d: np.ndarray | None) -> None:
        if means_2d is None:
            self._mean_halo_item.setData(pos=np.empty((0, 2)))
            self._mean_item.setData(pos=np.empty((0, 2)))
            return
        brushes = [pg.mkBrush(component_color(k)) for k in range(means_2d.shape[0])]
        self._mean_halo_item.setData(pos=means_2d)
        self._mean_item.setData(pos=means_2d, brush=brushes)

    def _draw_ellipses(
        self, means_2d: np.ndarray | None, covariances_2d: np.ndarray | None
    ) -> None:
        curves: list[tuple[int, float, np.ndarray, QPen]] = []
        if means_2d is not None and covariances_2d is not None:
            covariances_2d = np.asarray(covariances_2d, dtype=np.float64).reshape(-1, 2, 2)
            n = min(self._n_slots, means_2d.shape[0], covariances_2d.shape[0])
            means, covariances = means_2d[:n], covariances_2d[:n]
            drawable = np.flatnonzero(
                np.isfinite(covariances).all(axis=(1, 2)) & np.isfinite(means).all(axis=1)
            )
            xy = ellipses_points(means[drawable], covariances[drawable], N_STDS, ELLIPSE_POINTS)
            for row, k in enumerate(drawable.tolist()):
                for i, n_std in enumerate(N_STDS):
                    curves.append((k, n_std, xy[row, i], self._ellipse_pen(k, n_std)))
        self._ellipses.set_curves(curves)

    def _ellipse_pen(self, k: int, n_std: float) -> QPen:
        pen = self._ellipse_pens.get((k, n_std))
        if pen is None:
            width, style, alpha = _ELLIPSE_STYLES[n_std]
            # Darker than the points so a 1 sd ellipse shows inside its own dense cloud.
            line_color = component_color(k).darker(150)
            line_color.setAlpha(alpha)
            pen = self._ellipse_pens[(k, n_std)] = pg.mkPen(line_color, width=width, style=style)
        return pen

    # --------------------------------------------------------------- placing

    def set_placing(self, k: int | None) -> None:
        """Turn click-to-place on, with ``k`` means still to place, or off with ``None``.

        While on, every left click (not a double click) inside the plot emits
        :attr:`point_placed`, also when ``k`` is 0; what a click means is the
        caller's choice. ``k`` only changes the hint under the plot.
        """
        self._placing = None if k is None else int(k)
        if self._placing is None:
            self.plot_widget.unsetCursor()
        else:
            self.plot_widget.setCursor(Qt.CursorShape.CrossCursor)
        self._update_info()

    def set_placed(self, points: np.ndarray | None) -> None:
        """Show placed starting means as numbered crosses, shape (m, 2)."""
        points = np.empty((0, 2)) if points is None else np.asarray(points, dtype=np.float64)
        points = points.reshape(-1, 2)
        brushes = [pg.mkBrush(component_color(i)) for i in range(points.shape[0])]
        self._placed_item.setData(pos=points, brush=brushes)
        for i in range(len(self._placed_labels), points.shape[0]):
            # Up and to the right of its cross, on a white tag so it reads over the points.
            label = pg.TextItem(
                anchor=(-0.3, 1.2), color=FOREGROUND, fill=pg.mkBrush(255, 255, 255, 230),
                border=pg.mkPen(component_color(i), width=1.5),
            )
            font = label.textItem.font()
            font.setPointSize(10)
            font.setBold(True)
            label.setFont(font)
            label.setZValue(_Z_PLACED)
            self._plot.addItem(label, ignoreBounds=True)
            self._placed_labels.append(label)
        for i, label in enumerate(self._placed_labels):
            if i < points.shape[0]:
                label.setText(str(i + 1), color=component_color(i).darker(130))
                label.setPos(float(points[i, 0]), float(points[i, 1]))
                label.setVisible(True)
            else:
                label.setVisible(False)

    def _on_scene_mouse_clicked(self, event: MouseClickEvent) -> None:
        if self._placing is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if event.double():
            # The second press of a quick double click would put a mean on top of the first.
            return
        view_box = self._plot.getViewBox()
        scene_pos = event.scenePos()
        if not view_box.sceneBoundingRect().contains(scene_pos):
            return
        point = view_box.mapSceneToView(scene_pos)
        event.accept()
        self.point_placed.emit(float(point.x()), float(point.y()))

    def _update_info(self) -> None:
        parts = []
        if self._placing is not None:
            if self._placing > 0:
                means = "mean" if self._placing == 1 else "means"
                parts.append(f"Click on the plot to place {self._placing} more starting {means}.")
            else:
                parts.append("All starting means placed.")
        if self.is_thinned:
            parts.append(
                f"Showing a random {self._display_index.shape[0]:,} of {self._n_total:,} points; "
                "the fit uses all."
            )
        self._info_label.setText("  ".join(parts))
