"""Many columns on one plane: the data's first two principal components, or the
discriminant coordinates of the fit shown (mclust's ``MclustDR``), with each
component's Gaussian projected exactly (mean ``(mu - c) B``, covariance ``B^T S B``).

The maths is :mod:`engine.projection`; this view draws it with the scatter's point
layers and component marks.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from emgui.views.component_marks import ComponentMarks
from emgui.views.plot_style import mute, new_plot_widget, paint_background_white, set_axis_label
from emgui.views.scatter_points import PointLayers, display_rows
from engine.projection import Projection, discriminant_coordinates, principal_components

#: The projections offered, as the chooser lists them.
KINDS = {"pca": "Principal components", "discriminant": "Discriminant coordinates (MclustDR)"}
_AXES = {"pca": "PC", "discriminant": "Dir"}


class ProjectionView(QWidget):
    """A scatter of the data projected to two coordinates, with the components projected too."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        paint_background_white(self)
        self.plot_widget = new_plot_widget()
        self._plot = self.plot_widget.getPlotItem()
        self.kind_combo = QComboBox()
        for key, text in KINDS.items():
            self.kind_combo.addItem(text, key)
        self.kind_combo.setToolTip(
            "Principal components: the two directions of largest spread of the data.\n"
            "Discriminant coordinates: the directions that best show the fitted components "
            "apart\n(their means and covariances relative to the data's spread, as mclust's "
            "MclustDR);\nthey follow the fit and need one."
        )
        self._note = QLabel()
        mute(self._note)
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 6, 0)
        header.addWidget(QLabel("Show:"))
        header.addWidget(self.kind_combo)
        header.addWidget(self._note, stretch=1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget, stretch=1)
        self._layers = PointLayers(self._plot)
        self._marks = ComponentMarks(self._plot)
        self._X = np.empty((0, 0))
        self._rows = np.empty(0, dtype=np.intp)
        self._projection: Projection | None = None
        self._pca: Projection | None = None
        self._state: tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None] | None
        self._state = None
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)

    @property
    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    @property
    def projection(self) -> Projection | None:
        """The projection drawn now (``None``: none yet, or the fit has none)."""
        return self._projection

    @property
    def display_rows(self) -> np.ndarray:
        """The data rows drawn (complete rows only, at most a display's worth), ascending."""
        return self._rows

    @property
    def plot_item(self):  # noqa: ANN201 - pyqtgraph's PlotItem
        return self._plot

    def component_means(self) -> np.ndarray:
        """The projected means drawn now, shape (n_components, 2)."""
        return self._marks.means

    def component_ellipse(self, k: int, n_std: float) -> np.ndarray:
        return self._marks.ellipse(k, n_std)

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(list(KINDS).index(kind))

    def set_data(self, X: np.ndarray) -> None:
        """Show the complete rows of ``X`` (n_samples, n_features) and forget any fit."""
        X = np.asarray(X, dtype=np.float64)
        complete = np.flatnonzero(np.isfinite(X).all(axis=1))
        self._X = X
        self._rows = complete[display_rows(complete.size)]
        self._state = None
        self._pca = None
        self._projection = None
        self._redraw(refit_view=True)

    def show_state(self, weights: np.ndarray | None, means: np.ndarray | None,
                   covariances: np.ndarray | None, labels: np.ndarray | None) -> None:
        """Draw a fit: ``weights`` (K,), ``means`` (K, D), full ``covariances`` (K, D, D) or
        ``None``, and the component of each displayed row (``labels``, or ``None``)."""
        if weights is None or means is None:
            self._state = None
        else:
            self._state = (np.asarray(weights), np.asarray(means),
                           None if covariances is None else np.asarray(covariances), labels)
        self._redraw(refit_view=self.kind == "discriminant")

    def clear_state(self) -> None:
        self.show_state(None, None, None, None)

    def _on_kind_combo_current_index_changed(self, index: int) -> None:
        self._redraw(refit_view=True)

    def _make_projection(self) -> tuple[Projection | None, str]:
        if self._X.shape[1] < 2 or self._rows.size < 2:
            return None, "Projections need two columns and two complete rows."
        data = self._X[self._rows]
        if self.kind == "pca":
            if self._pca is None:
                self._pca = principal_components(data, 2)
            return self._pca, ""
        if self._state is None or self._state[2] is None:
            return None, ("Run a fit of a model with covariances to see its discriminant "
                          "coordinates.")
        weights, means, covariances, _ = self._state
        try:
            return discriminant_coordinates(data, weights, means, covariances, 2), ""
        except (ValueError, np.linalg.LinAlgError) as exc:
            return None, f"No discriminant coordinates for this state: {exc}"

    def _redraw(self, refit_view: bool) -> None:
        try:
            projection, problem = self._make_projection()
        except ValueError as exc:
            projection, problem = None, str(exc)
        moved = projection is not self._projection
        self._projection = projection
        if projection is None:
            self._layers.set_points(np.empty((0, 2)))
            self._layers.draw(None)
            self._marks.clear()
            self._note.setText(problem)
            return
        if moved:
            self._layers.set_points(projection.transform(self._X[self._rows]))
        if self.kind == "pca":
            total = float(np.var(self._X[self._rows], axis=0).sum())
            share = projection.values / max(total, 1e-300)
            self._note.setText(
                f"PC1 {share[0]:.0%} and PC2 {share[1]:.0%} of the variance"
            )
        else:
            self._note.setText(
                f"eigenvalues {projection.values[0]:.3g}, {projection.values[1]:.3g}"
            )
        prefix = _AXES[self.kind]
        set_axis_label(self._plot, "bottom", f"{prefix}1")
        set_axis_label(self._plot, "left", f"{prefix}2")
        labels = None
        if self._state is not None:
            weights, means, covariances, labels = self._state
            self._layers.ensure(means.shape[0])
            if covariances is not None:
                self._marks.show(*projection.gaussians(means, covariances))
            else:
                self._marks.show(projection.transform(means), None)
        else:
            self._marks.clear()
        self._layers.draw(labels)
        if refit_view or moved and self.kind == "pca":
            view_box = self._plot.getViewBox()
            view_box.autoRange()
            view_box.disableAutoRange()
