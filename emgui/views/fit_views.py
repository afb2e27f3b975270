"""Picks the view that suits the data and model, and draws parameters on it.

Which view draws a model is its declaration's choice (:mod:`emgui.views.declared`):
the first of its ``views`` the data's columns suit. What is drawn comes from the
declared shapes and roles of its parameters (locations as points, spreads as
ellipses, the key array as bars) and from the model's own densities through
:mod:`emgui.views.engine_bridge`, so no model is named here.

Component ``k`` of the parameters shown is numbered ``k + 1`` and has palette
colour ``k`` in every view and in the parameters table.

Labels are computed here, in the GUI thread, for the displayed points only
(at most a few tens of thousands): snapshots carry parameters, never
responsibilities, so scrubbing back through a run costs no memory. They come
from the engine's fast chunk pass over the displayed rows (about 2.5 ms for
50 000 points, a third of a plain E-step); the largest responsibility of each
point is only computed while uncertain points are faded. Views that do not
colour points (the histogram, the count view) get labels only when asked.

Only the scatter is made with the window: the histogram and the count view are
made when data first need them (each about a fifth of a window's build), and
:attr:`FitViews.view_made` lets whoever styles the window's plots style them.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

import engine
from emgui.views import declared
from emgui.views.density_contours import density_grid
from emgui.views.discrete_view import DiscreteView
from emgui.views.engine_bridge import GapPlacer, RowLabeller, marginal_log_prob
from emgui.views.geometry import project
from emgui.views.histogram_view import HistogramView
from emgui.views.mean_handles import MeanHandles
from emgui.views.scatter_view import ScatterView


def _option_key(options: engine.FitOptions) -> tuple:
    """The model's options as a key (values made hashable)."""
    return tuple(
        (name, tuple(np.ravel(value)) if isinstance(value, (tuple, list)) else value)
        for name, value in sorted(options.model_options.items())
    )


class FitViews(QStackedWidget):
    """The scatter, the 1-D histogram or the count view, whichever fits the data and model."""

    point_placed = Signal(float, float)
    """A click on the scatter while placing starting means (data coordinates)."""
    view_made = Signal(QWidget)
    """A view made on first use (the histogram, the count view), just put in the stack."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = QLabel("Open a data file (Ctrl+O) or a sample (File ▸ Open Sample) to begin.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scatter = ScatterView()
        self._histogram: HistogramView | None = None
        self._discrete: DiscreteView | None = None
        for widget in (self.empty, self.scatter):
            self.addWidget(widget)
        self.scatter.point_placed.connect(self._on_scatter_point_placed)
        self._X: np.ndarray | None = None
        self._names: list[str] = []
        self._columns = (0, 1)
        self._data_key: tuple | None = None
        self._labeller_key: tuple | None = None
        self._placer_key: tuple | None = None
        self._placer: GapPlacer | None = None
        self._labeller: RowLabeller | None = None
        self._show_uncertainty = False
        self._show_contours = False
        # The parameters and options last shown, for labels made on demand.
        self._shown: tuple[engine.Params, engine.FitOptions] | None = None
        self._labels: np.ndarray | None = None
        #: The parameters last drawn (the object given), or ``None``.
        self._drawn: engine.Params | None = None
        #: The weights, locations and spreads last drawn on the scatter, for the contours.
        self._contour_inputs: tuple | None = None
        self._display_X: np.ndarray | None = None
        self._display_rows: np.ndarray | slice = slice(None)
        #: Palette index per data row when points are coloured by a known class.
        self._point_classes: np.ndarray | None = None
        #: Draggable handles on the component locations (shown on request).
        self.handles = MeanHandles(self.scatter.plot_item, lambda: self.histogram.plot_item, self)

    # --- the views ------------------------------------------------------------------------

    @property
    def histogram(self) -> HistogramView:
        """The 1-D view (made on first use)."""
        if self._histogram is None:
            self._histogram = self._made(HistogramView())
        return self._histogram

    @property
    def discrete(self) -> DiscreteView:
        """The count view (made on first use)."""
        if self._discrete is None:
            self._discrete = self._made(DiscreteView())
        return self._discrete

    def _made(self, view: QWidget) -> QWidget:
        self.addWidget(view)
        self.view_made.emit(view)
        return view

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """The largest view's own size hint. A stack's takes its height from its pages'
        heights for its width: the count view's (made with the window before) 498 px, the
        scatter's alone 86, which gave the plots half the trace's height."""
        return self.layout().sizeHint()

    def _views(self) -> dict[str, QWidget]:
        """The views made so far, by kind (looking never makes one)."""
        views = {"scatter": self.scatter, "histogram": self._histogram,
                 "discrete": self._discrete}
        return {kind: view for kind, view in views.items() if view is not None}

    # --- data ---------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        current = self.currentWidget()
        return next((kind for kind, view in self._views().items() if view is current), "empty")

    @property
    def is_thinned(self) -> bool:
        return self.kind == "scatter" and self.scatter.is_thinned

    def set_data(
        self,
        X: np.ndarray,
        names: list[str],
        options: engine.FitOptions,
        columns: tuple[int, int] = (0, 1),
        suits: bool = True,
    ) -> None:
        """Show ``X`` without any fit, in the view the model of ``options`` declares for
        data of its columns; ``suits`` False (data the model cannot fit) shows them in a
        neutral view. Cheap when nothing relevant changed."""
        model = options.model if suits else None
        kind = declared.view_for(model, X.shape[1])
        round_contours = suits and declared.is_round(options)
        key = (id(X), kind, columns, model, _option_key(options) if suits else (), round_contours)
        self._X, self._names, self._columns = X, names, columns
        if key == self._data_key:
            return
        self._data_key = key
        self._labeller_key = self._placer_key = None
        if kind == "scatter":
            self.scatter.set_data(X, names[columns[0]], names[columns[1]], columns)
            # Round contours only look round on axes of equal scale.
            self.scatter.set_equal_aspect(round_contours)
            self._display_rows = self.scatter.display_index
            self._display_X = X[self._display_rows]
            self.setCurrentWidget(self.scatter)
            self._apply_point_classes()
        elif kind == "histogram":
            self.histogram.set_data(X[:, 0], names[0])
            self._display_rows = slice(None)
            self._display_X = X
            self.setCurrentWidget(self.histogram)
        else:
            self._set_counts(X, names, options)
            self._display_rows = slice(None)
            self._display_X = X
            self.setCurrentWidget(self.discrete)
        self._shown = self._labels = self._drawn = None

    def _set_counts(self, X: np.ndarray, names: list[str], options: engine.FitOptions) -> None:
        """The count view, worded and bounded as the model declares."""
        n_features = X.shape[1]
        key = declared.key_spec(options)
        limits = np.zeros(n_features, dtype=np.int64)
        per_column = ""
        model = declared.instance(options)
        for spec in declared.option_specs(options.model):
            value = options.model_options.get(spec.name)
            if spec.per_column and value is not None:
                limits = np.broadcast_to(np.asarray(value, dtype=np.int64), (n_features,)).copy()
                per_column = spec.title.lower()
        for value in model.column_constants.values():
            limits = np.maximum(limits, np.broadcast_to(np.asarray(value, dtype=np.int64),
                                                        (n_features,)))
        if declared.data_kind(options.model) == "binary":
            titles = [f"{name}  (0 = no, 1 = yes)" for name in names]
        elif per_column:
            titles = [f"{name}: count out of {n} ({per_column})" for name, n in zip(names, limits)]
        else:
            titles = [f"count of {name}" for name in names]
        self.discrete.set_data(
            X, names, supports=limits, value_title=key.title,
            bounded=key.role == "probability", count_titles=titles,
        )

    def clear(self) -> None:
        self._X = None
        self._data_key = None
        self.setCurrentWidget(self.empty)

    # --- parameters ---------------------------------------------------------------------

    def _labeller_for(self, options: engine.FitOptions) -> RowLabeller:
        """Labels the displayed rows under the model of ``options`` (made once per model)."""
        key = (options.model, _option_key(options), self._data_key)
        if key != self._labeller_key:
            self._labeller = RowLabeller(options, self._display_X)
            self._labeller_key = key
        return self._labeller

    def _gap_placer_for(self, options: engine.FitOptions) -> GapPlacer:
        """Places the displayed rows that miss a shown coordinate (made once per model)."""
        key = (options.model, _option_key(options), self._data_key)
        if key != self._placer_key:
            rows = self.scatter.gap_rows
            self._placer = GapPlacer(options, self._display_X[rows], self._columns)
            self._placer_key = key
        return self._placer

    def show_params(
        self,
        params: engine.Params,
        options: engine.FitOptions,
        resp: np.ndarray | None = None,
        color_points: bool = True,
    ) -> None:
        """Draw ``params`` (from any iteration) over the data.

        Points take the colour of their most probable component under
        ``params``; or under ``resp``, shape (n_samples, n_components) for every
        row, when given (after an E-step, new responsibilities with the old
        parameters); or stay grey when not ``color_points``.
        """
        if self._X is None:
            return
        self._drawn = params
        kind = self.kind
        labels = confidence = None
        self._shown = self._labels = None
        if color_points and resp is not None:
            shown = resp[self._display_rows]
            labels, confidence = np.argmax(shown, axis=1), shown.max(axis=1)
            self._labels = labels
        elif color_points:
            self._shown = (params, options)
            if kind == "scatter":
                labels = self._labels = self._labeller_for(options).labels(params)
                if self._show_uncertainty:
                    confidence = self._labeller_for(options).confidence(params)
        if kind == "scatter":
            locations, spreads = project(
                params, declared.location_spec(options), declared.spread_spec(options),
                self._columns,
            )
            self.scatter.show_state(locations, spreads, labels, confidence)
            self._draw_contours(params.weights, locations, spreads)
            placed = None
            if labels is not None and self.scatter.gap_rows.size:
                placed = self._gap_placer_for(options).positions(params)
            self.scatter.show_imputed(placed)
            # Component k in palette colour k, as the parameters table lists them.
            self.scatter.legend.set_components(params.weights)
        elif kind == "histogram":
            centres, spreads = project(
                params, declared.location_spec(options), declared.spread_spec(options), [0]
            )
            sd = None if spreads is None else np.sqrt(np.clip(spreads[:, 0, 0], 0.0, None))
            self.histogram.show_state(
                params.weights,
                partial(_column_log_density, params, options, 0),
                None if centres is None else centres[:, 0],
                sd,
            )
        elif kind == "discrete":
            values = np.asarray(params[declared.key_spec(options).name])
            self.discrete.show_state(
                params.weights, values, partial(_column_log_density, params, options),
                self._names,
            )

    def set_point_classes(self, colors: np.ndarray | None, title: str = "",
                          names: tuple[str, ...] = (), name_colors: tuple[int, ...] = ()) -> None:
        """Colour the scatter's points by a known class rather than by component.

        ``colors`` holds a palette index per data row, shape (n_samples,); ``None``
        colours by component again. The legend lists ``names`` under ``title``,
        each in palette colour ``name_colors``.
        """
        self._point_classes = None if colors is None else np.asarray(colors)
        self._apply_point_classes()
        if self._point_classes is None:
            self.scatter.legend.set_classes("", (), ())
        else:
            self.scatter.legend.set_classes(title, names, name_colors)

    def _apply_point_classes(self) -> None:
        colors = self._point_classes
        if self.kind != "scatter" or self._X is None:
            return
        if colors is not None and colors.shape != (self._X.shape[0],):
            colors = None  # of other data: forgotten
        self.scatter.set_point_colors(None if colors is None else colors[self._display_rows])

    @property
    def drawn_params(self) -> engine.Params | None:
        """The parameters the views last drew, the very object given to :meth:`show_params`
        (points, means and curves all come from it); ``None`` while they show the data alone."""
        return self._drawn

    @property
    def labels(self) -> np.ndarray | None:
        """Most probable component of each displayed row under the parameters shown;
        ``None`` while the points are grey. The histogram and count views do not colour
        rows: theirs are computed on demand."""
        if self._labels is None and self._shown is not None:
            params, options = self._shown
            self._labels = self._labeller_for(options).labels(params)
        return self._labels

    def set_show_uncertainty(self, show: bool) -> None:
        """Fade points whose largest responsibility is low (in the scatter)."""
        self._show_uncertainty = bool(show)
        if self._show_uncertainty and self._shown is not None and self.kind == "scatter":
            params, options = self._shown
            self.scatter.set_confidence(self._labeller_for(options).confidence(params))
        self.scatter.set_show_uncertainty(self._show_uncertainty)

    def set_show_contours(self, show: bool) -> None:
        """Draw the fitted mixture's density on the scatter's columns as contour lines."""
        self._show_contours = bool(show)
        if self._contour_inputs is not None and self.kind == "scatter":
            self._draw_contours(*self._contour_inputs)
        else:
            self.scatter.contours.clear_density()

    @property
    def shows_contours(self) -> bool:
        return self._show_contours

    def _draw_contours(self, weights: np.ndarray, locations: np.ndarray | None,
                       spreads: np.ndarray | None) -> None:
        self._contour_inputs = (weights, locations, spreads)
        points = self.scatter.points
        usable = np.isfinite(points).all(axis=1)
        if not self._show_contours or locations is None or spreads is None or usable.sum() < 2:
            self.scatter.contours.clear_density()
            return
        x, y, density, levels = density_grid(points, weights, locations, spreads)
        self.scatter.contours.show_density(x, y, density, levels)

    def clear_state(self) -> None:
        """Show the data alone, as before any fit."""
        self._contour_inputs = None
        for view in self._views().values():
            view.clear_state()
        self._shown = self._labels = self._drawn = None

    # --- placing starting means ---------------------------------------------------------

    def set_placing(self, remaining: int | None) -> None:
        self.scatter.set_placing(remaining)

    def set_placed(self, points: np.ndarray) -> None:
        self.scatter.set_placed(points)

    def _on_scatter_point_placed(self, x: float, y: float) -> None:
        self.point_placed.emit(x, y)


def _column_log_density(
    params: engine.Params, options: engine.FitOptions, column: int, points: np.ndarray
) -> np.ndarray:
    """Each component's log-density of one column's values ``points``, shape (n, K)."""
    return marginal_log_prob(params, options, [column], np.asarray(points)[:, None])
