"""Picks the view that suits the data and model, and draws parameters on it.

Labels are computed here, in the GUI thread, for the displayed points only
(at most a few tens of thousands): snapshots carry parameters, never
responsibilities, so scrubbing back through a run costs no memory. They come
from the engine's fast chunk pass over the displayed rows (about 2.5 ms for
50 000 points, a third of a plain E-step); the largest responsibility of each
point is only computed while uncertain points are faded. Views that do not
colour points (the histogram, the count view) get labels only when asked.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

import engine
from emgui.views.discrete_view import DiscreteView
from emgui.views.engine_bridge import RowLabeller, data_problem
from emgui.views.geometry import project_gaussian
from emgui.views.histogram_view import HistogramView
from emgui.views.mean_handles import MeanHandles
from emgui.views.scatter_view import ScatterView

DISCRETE_MODELS = ("bernoulli", "binomial", "poisson")


def variances_1d(params: engine.Params, covariance_type: str) -> np.ndarray:
    """Each component's variance for one-column Gaussian parameters, shape (K,)."""
    covariances = params.covariances
    k = params.n_components
    if covariance_type == "tied":
        return np.full(k, float(np.ravel(covariances)[0]))
    return np.asarray(covariances, dtype=float).reshape(k, -1)[:, 0]


class FitViews(QStackedWidget):
    """The scatter, the 1-D histogram or the count view, whichever fits the data."""

    point_placed = Signal(float, float)
    """A click on the scatter while placing starting means (data coordinates)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = QLabel("Open a data file (Ctrl+O) or a sample (File ▸ Open Sample) to begin.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scatter = ScatterView()
        self.histogram = HistogramView()
        self.discrete = DiscreteView()
        for widget in (self.empty, self.scatter, self.histogram, self.discrete):
            self.addWidget(widget)
        self.scatter.point_placed.connect(self._on_scatter_point_placed)
        self._X: np.ndarray | None = None
        self._names: list[str] = []
        self._columns = (0, 1)
        self._data_key: tuple | None = None
        self._labeller_key: tuple | None = None
        self._labeller: RowLabeller | None = None
        self._show_uncertainty = False
        # The parameters (run order) and options last shown, and the run order map.
        self._shown: tuple[engine.Params, engine.FitOptions, np.ndarray | None] | None = None
        self._labels: np.ndarray | None = None
        self._color_order: np.ndarray | None = None
        self._display_X: np.ndarray | None = None
        self._display_rows: np.ndarray | slice = slice(None)
        #: Palette index per data row when points are coloured by a known class.
        self._point_classes: np.ndarray | None = None
        #: Draggable handles on the component means (shown on request).
        self.handles = MeanHandles(self.scatter.plot_item, self.histogram.plot_item, self)

    # --- data ---------------------------------------------------------------------------

    def kind_for(self, model: str, n_features: int) -> str:
        if model in DISCRETE_MODELS:
            return "discrete"
        return "histogram" if n_features == 1 else "scatter"

    @property
    def kind(self) -> str:
        return {
            self.scatter: "scatter",
            self.histogram: "histogram",
            self.discrete: "discrete",
        }.get(self.currentWidget(), "empty")

    @property
    def is_thinned(self) -> bool:
        return self.kind == "scatter" and self.scatter.is_thinned

    def set_data(
        self,
        X: np.ndarray,
        names: list[str],
        options: engine.FitOptions,
        columns: tuple[int, int] = (0, 1),
    ) -> str | None:
        """Show ``X`` without any fit; cheap when nothing relevant changed.

        Returns why the data cannot come from the chosen model (then the data
        are shown as measurements), or ``None`` when they can.
        """
        problem = None
        kind = self.kind_for(options.model, X.shape[1])
        if kind == "discrete":
            problem = data_problem(options, X, names)
            if problem is not None:
                kind = self.kind_for("gaussian", X.shape[1])
                options = options.replace(model="gaussian")
        trials = options.trials if options.model == "binomial" else None
        key = (id(X), kind, columns, options.model, trials)
        self._X, self._names, self._columns = X, names, columns
        if key == self._data_key:
            return problem
        self._data_key = key
        self._labeller_key = None
        if kind == "scatter":
            self.scatter.set_data(X, names[columns[0]], names[columns[1]], columns)
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
            per_column = None
            if options.model == "binomial":
                per_column = np.broadcast_to(np.atleast_1d(options.trials), (X.shape[1],))
            elif options.model == "bernoulli":
                per_column = np.ones(X.shape[1])
            kind_name = "rates" if options.model == "poisson" else "probs"
            self.discrete.set_data(X, names, per_column, kind_name)
            self._display_rows = slice(None)
            self._display_X = X
            self.setCurrentWidget(self.discrete)
        self._shown = self._labels = None
        return problem

    def clear(self) -> None:
        self._X = None
        self._data_key = None
        self.setCurrentWidget(self.empty)

    # --- parameters ---------------------------------------------------------------------

    def _labeller_for(self, options: engine.FitOptions) -> RowLabeller:
        """Labels the displayed rows under the model of ``options`` (made once per model)."""
        key = (options.model, options.covariance_type, options.trials, self._data_key)
        if key != self._labeller_key:
            self._labeller = RowLabeller(options, self._display_X)
            self._labeller_key = key
        return self._labeller

    def set_color_order(self, order: np.ndarray | None) -> None:
        """Keep colours with components after a fit reorders them.

        ``order`` is the fit's map from run order to canonical order
        (``canonical = run.permuted(order)``). Component ``i`` of the canonical
        parameters keeps the colour it had during the run, palette entry ``order[i]``.
        """
        self._color_order = None if order is None else np.asarray(order)

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
        to_run = None if self._color_order is None else np.argsort(self._color_order)
        if to_run is not None:
            # Draw in run order, so slot k of every view keeps palette colour k.
            params = params.permuted(to_run, options.gaussian_covariance)
            resp = None if resp is None else resp[:, to_run]
        kind = self.kind
        labels = confidence = None
        self._shown = self._labels = None
        if color_points and resp is not None:
            shown = resp[self._display_rows]
            labels, confidence = np.argmax(shown, axis=1), shown.max(axis=1)
            self._labels = self._canonical(labels, to_run)
        elif color_points:
            self._shown = (params, options, to_run)
            if kind == "scatter":
                labels = self._display_labels(params, options)
                self._labels = self._canonical(labels, to_run)
                if self._show_uncertainty:
                    confidence = self._display_confidence(params, options)
        if kind == "scatter":
            covariance = options.gaussian_covariance or "spherical"
            means, covariances = project_gaussian(params, covariance, self._columns)
            self.scatter.show_state(means, covariances, labels, confidence)
            # Listed as the parameters table lists them, each in its own colour.
            weights = params.weights if to_run is None else params.weights[self._color_order]
            self.scatter.legend.set_components(weights, self._color_order)
        elif kind == "histogram":
            covariance = options.gaussian_covariance or "spherical"
            self.histogram.show_state(
                params.weights, params.means[:, 0], variances_1d(params, covariance)
            )
        elif kind == "discrete":
            kind_name = "rates" if options.model == "poisson" else "probs"
            values = params.rates if kind_name == "rates" else params.probs
            self.discrete.show_state(params.weights, values, kind_name, self._names)

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

    @staticmethod
    def _canonical(labels: np.ndarray, to_run: np.ndarray | None) -> np.ndarray:
        """Labels in run order to the caller's (canonical) numbering."""
        return labels if to_run is None else to_run[labels]

    @property
    def labels(self) -> np.ndarray | None:
        """Most probable component of each displayed row under the parameters shown,
        in the caller's (canonical) numbering; ``None`` while the points are grey.
        The histogram and count views do not colour rows: theirs are computed on demand."""
        if self._labels is None and self._shown is not None:
            params, options, to_run = self._shown
            self._labels = self._canonical(self._display_labels(params, options), to_run)
        return self._labels

    def _display_labels(self, params: engine.Params, options: engine.FitOptions) -> np.ndarray:
        """Labels of the displayed rows under ``params`` (run order), by the fast pass."""
        return self._labeller_for(options).labels(params)

    def _display_confidence(
        self, params: engine.Params, options: engine.FitOptions
    ) -> np.ndarray:
        """Largest responsibility of each displayed row under ``params`` (run order)."""
        return self._labeller_for(options).confidence(params)

    def set_show_uncertainty(self, show: bool) -> None:
        """Fade points whose largest responsibility is low (in the scatter)."""
        self._show_uncertainty = bool(show)
        if self._show_uncertainty and self._shown is not None and self.kind == "scatter":
            params, options, _ = self._shown
            self.scatter.set_confidence(self._display_confidence(params, options))
        self.scatter.set_show_uncertainty(self._show_uncertainty)

    def clear_state(self) -> None:
        """Show the data alone, as before any fit."""
        for view in (self.scatter, self.histogram, self.discrete):
            view.clear_state()
        self._shown = self._labels = None

    # --- placing starting means ---------------------------------------------------------

    def set_placing(self, remaining: int | None) -> None:
        self.scatter.set_placing(remaining)

    def set_placed(self, points: np.ndarray) -> None:
        self.scatter.set_placed(points)

    def _on_scatter_point_placed(self, x: float, y: float) -> None:
        self.point_placed.emit(x, y)
