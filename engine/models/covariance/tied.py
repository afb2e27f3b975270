"""A tied covariance: one ellipsoid shared by every component (mclust's EEE)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register


@register
class Tied(CovarianceStructure):
    name = "tied"
    mclust = "EEE"
    title = "tied: one volume, shape and orientation shared by all components"
    report_words = "EEE covariance (tied: one shared ellipse)"
    storage = "tied"
    unit_free = True
    menu_order = 20
    in_default_sweep = True

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_features * (n_features + 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        return scatter.sum(axis=0) / nk.sum()
