"""A fit's state as the extra views need it: the components' Gaussians on every column,
and the most probable component (and its responsibility) of some displayed rows."""

from __future__ import annotations

import numpy as np

import engine
from emgui.views import declared
from emgui.views.engine_bridge import RowLabeller
from emgui.views.geometry import project


def gaussians(params: engine.Params, options: engine.FitOptions
              ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each component's location (K, D) and full spread (K, D, D) on every column, as the
    model declares them; ``None`` for what it has not."""
    location, spread = declared.location_spec(options), declared.spread_spec(options)
    if location is None:
        return None, None
    n_features = int(np.shape(params[location.name])[1])
    return project(params, location, spread, range(n_features))


class StateReader:
    """Labels and responsibilities of a fixed set of rows under any parameters; the rows
    are prepared once per model for the many states of a run."""

    def __init__(self) -> None:
        self._X: np.ndarray | None = None
        self._key: tuple | None = None
        self._labeller: RowLabeller | None = None

    def set_rows(self, X: np.ndarray) -> None:
        """The rows (n_rows, n_features) to label from now on."""
        self._X = X
        self._key = self._labeller = None

    def _labeller_for(self, options: engine.FitOptions) -> RowLabeller | None:
        if self._X is None or not self._X.shape[0]:
            return None
        key = (options.model, repr(sorted(options.model_options.items())))
        if key != self._key:
            try:
                self._labeller = RowLabeller(options, self._X)
            except ValueError:
                self._labeller = None  # rows the model cannot take
            self._key = key
        return self._labeller

    def resp(self, params: engine.Params, options: engine.FitOptions) -> np.ndarray | None:
        """Every row's responsibilities (n_rows, n_components), or ``None``."""
        labeller = self._labeller_for(options)
        return None if labeller is None else labeller.resp(params)

    def labels(self, params: engine.Params, options: engine.FitOptions) -> np.ndarray | None:
        labeller = self._labeller_for(options)
        return None if labeller is None else labeller.labels(params)
