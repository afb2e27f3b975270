"""The Pairs and Projection docks: data with many columns, and the fit on them."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

import engine
from emgui.features.seeing.fit_dock import FitDock
from emgui.shell.host import Host
from emgui.views.pairs_view import PairsView
from emgui.views.projection_view import ProjectionView
from emgui.views.state_reader import StateReader, gaussians


class PairsDock(FitDock):
    title = "Pairs"
    object_name = "pairs_dock"
    area = Qt.DockWidgetArea.BottomDockWidgetArea

    def __init__(self, host: Host, tabify_with: QDockWidget | None = None) -> None:
        # Made at once: the bottom docks' place is laid out around it.
        super().__init__(host, PairsView, tabify_with, at_once=True)
        self._reader = StateReader()

    def show_data(self, X: np.ndarray, names: list[str]) -> None:
        self.view.set_data(X, names)
        self._reader.set_rows(np.asarray(X)[self.view.display_rows])

    def show_params(self, params: engine.Params, options: engine.FitOptions) -> None:
        means, covariances = gaussians(params, options)
        self.view.show_state(means, covariances, self._reader.labels(params, options))

    def clear_state(self) -> None:
        self.view.clear_state()


class ProjectionDock(FitDock):
    title = "Projection"
    object_name = "projection_dock"
    area = Qt.DockWidgetArea.BottomDockWidgetArea

    def __init__(self, host: Host, tabify_with: QDockWidget | None = None) -> None:
        super().__init__(host, ProjectionView, tabify_with)
        self._reader = StateReader()

    def show_data(self, X: np.ndarray, names: list[str]) -> None:
        self.view.set_data(X)
        self._reader.set_rows(np.asarray(X)[self.view.display_rows])

    def show_params(self, params: engine.Params, options: engine.FitOptions) -> None:
        means, covariances = gaussians(params, options)
        self.view.show_state(
            params.weights, means, covariances, self._reader.labels(params, options)
        )

    def clear_state(self) -> None:
        self.view.clear_state()
