"""The Uncertainty and Cluster Sizes docks: how sure the fit is of each row, how big
each cluster is."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

import engine
from emgui.features.seeing.fit_dock import FitDock
from emgui.shell.host import Host
from emgui.views.cluster_sizes import ClusterSizesView
from emgui.views.scatter_points import display_rows
from emgui.views.state_reader import StateReader
from emgui.views.uncertainty_view import UncertaintyView

#: Rows labelled to count the clusters' sizes during a run (all of them once it ends).
SIZE_SAMPLE = 50_000


class UncertaintyDock(FitDock):
    title = "Uncertainty"
    object_name = "uncertainty_dock"
    area = Qt.DockWidgetArea.BottomDockWidgetArea

    def __init__(self, host: Host, tabify_with: QDockWidget | None = None) -> None:
        super().__init__(host, UncertaintyView, tabify_with)
        self._reader = StateReader()
        self.document.columns_changed.connect(self._on_document_columns_changed)

    def show_data(self, X: np.ndarray, names: list[str]) -> None:
        if X.shape[1] < 2:
            x = y = 0
        else:
            x, y = self.document.columns
        self.view.set_data(X, names[x], names[y], (x, y))
        self._reader.set_rows(np.asarray(X)[self.view.display_rows])

    def show_params(self, params: engine.Params, options: engine.FitOptions) -> None:
        resp = self._reader.resp(params, options)
        if resp is None:
            self.view.clear_state()
        else:
            self.view.show_state(resp)

    def clear_state(self) -> None:
        self.view.clear_state()

    def _on_document_columns_changed(self, x: int, y: int) -> None:
        self.data_stale()


class ClusterSizesDock(FitDock):
    title = "Cluster Sizes"
    object_name = "cluster_sizes_dock"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, host: Host) -> None:
        super().__init__(host, ClusterSizesView)
        self._reader = StateReader()
        self._rows = np.empty(0, dtype=np.intp)
        self._n_samples = 0

    def show_data(self, X: np.ndarray, names: list[str]) -> None:
        self._n_samples = X.shape[0]
        self._rows = display_rows(X.shape[0], SIZE_SAMPLE)
        self._reader.set_rows(np.asarray(X)[self._rows])
        self.view.clear()

    def show_params(self, params: engine.Params, options: engine.FitOptions) -> None:
        k = params.n_components
        result = self.document.result
        labels = None if result is None else result.labels
        final = self.document.shown_index == self.document.n_snapshots - 1
        if labels is not None and labels.shape == (self._n_samples,) and final:
            counts, estimated = np.bincount(labels, minlength=k)[:k], False
        else:
            sample = self._reader.labels(params, options)
            if sample is None:
                self.view.clear()
                return
            counts = np.bincount(sample, minlength=k)[:k] * (self._n_samples / max(sample.size, 1))
            estimated = sample.size < self._n_samples
        self.view.show_sizes(counts, params.weights, self._n_samples, estimated)

    def clear_state(self) -> None:
        self.view.clear()
