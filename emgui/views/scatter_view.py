"""Two displayed columns of the data, coloured by component, with means and covariance ellipses."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from emgui.views.colors import component_color
from emgui.views.component_marks import ELLIPSE_STYLES, MEAN_MARKER, ComponentMarks
from emgui.views.density_contours import DensityContours
from emgui.views.gap_marks import GapMarks
from emgui.views.label_image import LabelImage
from emgui.views.plot_style import (
    FOREGROUND,
    mute,
    new_plot_widget,
    paint_background_white,
    set_axis_label,
)
from emgui.views.scatter_legend import ScatterLegend
from emgui.views.scatter_points import PointLayers, display_rows

_Z_PLACED = 30


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
        self._info_label.setStyleSheet("padding: 0 8px 2px 8px;")
        mute(self._info_label)
        self._info_label.setMinimumHeight(self._info_label.fontMetrics().height() + 4)
        paint_background_white(self)
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot_widget, stretch=1)
        layout.addWidget(self._info_label)

        self._display_index = np.empty(0, dtype=np.intp)
        self._n_total = 0
        self._labels: np.ndarray | None = None
        self._confidence: np.ndarray | None = None
        self._show_uncertainty = False
        self._placing: int | None = None
        self._n_state_components = 0
        self._counts: list[int] = []
        self._layers = PointLayers(self._plot)
        self._marks = ComponentMarks(self._plot)
        #: The fitted density's contour lines, when asked for (see FitViews).
        self.contours = DensityContours()
        self._plot.addItem(self.contours, ignoreBounds=True)
        self._placed_item = pg.ScatterPlotItem(
            symbol="x", size=22, pen=pg.mkPen("w", width=1.5), antialias=True
        )
        self._placed_item.setZValue(_Z_PLACED)
        self._plot.addItem(self._placed_item, ignoreBounds=True)
        self._placed_labels: list[pg.TextItem] = []
        self._gaps = GapMarks(self._plot)
        #: Palette index of each displayed point when coloured by something else than its
        #: component (a known class); None: by component.
        self._point_colors: np.ndarray | None = None
        self.legend = ScatterLegend(ELLIPSE_STYLES, MEAN_MARKER)
        self.legend.place(self._plot.getViewBox())

        self.plot_widget.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self._update_info()

    # ------------------------------------------------------------------ data

    @property
    def uses_image(self) -> bool:
        """Whether the points are drawn as one label image (many points)."""
        return self._layers.uses_image

    @property
    def label_image(self) -> LabelImage:
        """The image the points are drawn as when there are many (:attr:`uses_image`)."""
        return self._layers.image

    @property
    def points(self) -> np.ndarray:
        """The displayed points, shape (n_display, 2)."""
        return self._layers.points

    @property
    def labels(self) -> np.ndarray | None:
        """The component of each displayed point in the last state, or ``None``."""
        return self._labels

    def add_header(self, widget: QWidget) -> None:
        """Put ``widget`` (controls of this plot) above it."""
        self._layout.insertWidget(0, widget)

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
        index = display_rows(self._n_total)
        self._display_index = index
        self._point_colors = None  # the caller colours the new points again
        self._layers.set_points(
            np.ascontiguousarray(points[np.ix_(index, list(columns))], dtype=np.float64)
        )
        set_axis_label(self._plot, "bottom", x_label)
        set_axis_label(self._plot, "left", y_label)
        self._gaps.set_points(self._layers.points)
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
        self._counts = []
        self._marks.clear()
        self.contours.clear_density()
        self.legend.set_components(None)
        self.show_imputed(None)
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
            if labels.shape != (self._layers.points.shape[0],):
                raise ValueError(
                    f"labels must have one entry per displayed point "
                    f"({self._layers.points.shape[0]}), got shape {labels.shape}"
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
        self._marks.show(means_2d, covariances_2d, self._layers.n_slots)

    @property
    def gap_rows(self) -> np.ndarray:
        """Displayed rows (indices into the displayed points) with a missing coordinate:
        they have no place of their own, only the one EM expects (:meth:`show_imputed`)."""
        return self._gaps.rows

    @property
    def imputed_positions(self) -> np.ndarray:
        """Where the rows of :attr:`gap_rows` are drawn now, shape (n_gap_rows, 2); empty
        while no fit is shown."""
        return self._gaps.positions

    def show_imputed(self, xy: np.ndarray | None) -> None:
        """Draw each row of :attr:`gap_rows` hollow at ``xy`` (its expected position under
        the parameters shown, shape (n_gap_rows, 2)) in its component's colour (from the
        last :meth:`show_state`); ``None`` hides them."""
        if xy is None or self._labels is None or not self._gaps.rows.size:
            self._gaps.hide_positions()
            return
        self._gaps.show_positions(
            xy, self._labels[self._gaps.rows], self._layers.n_slots, self._layers.size + 2.0
        )

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
        if confidence.shape != (self._layers.points.shape[0],):
            raise ValueError(
                f"confidence must have one entry per displayed point "
                f"({self._layers.points.shape[0]}), got shape {confidence.shape}"
            )
        return confidence

    def component_point_counts(self) -> list[int]:
        """Displayed points per component in the last state, indexed by component."""
        return list(self._counts)

    def ellipse_curves(self, k: int, n_std: float) -> tuple[np.ndarray, np.ndarray]:
        """The x and y currently drawn for component ``k``'s ellipse at ``n_std`` sd."""
        xy = self._marks.ellipse(k, n_std)
        return xy[:, 0], xy[:, 1]

    def _ensure_components(self, n_components: int) -> None:
        self._layers.ensure(n_components)

    def set_point_colors(self, colors: np.ndarray | None) -> None:
        """Colour each displayed point by palette index ``colors`` (shape (n_display,),
        a known class, say) whatever its component; ``None``: by component again. The
        means and ellipses keep their components' colours."""
        if colors is not None:
            colors = np.asarray(colors).astype(np.intp, copy=False)
            if colors.shape != (self._layers.points.shape[0],) or (colors.size and colors.min() < 0):
                raise ValueError(
                    f"colors must hold a palette index per displayed point "
                    f"({self._layers.points.shape[0]}), got shape {colors.shape}"
                )
            self._ensure_components(int(colors.max()) + 1 if colors.size else 0)
        self._point_colors = colors
        self._draw_points()

    def _draw_points(self) -> None:
        labels = self._labels if self._point_colors is None else self._point_colors
        faded = self._show_uncertainty and self._confidence is not None
        self._counts = self._layers.draw(
            labels, self._confidence if faded else None, self._n_state_components
        )

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
