"""Full covariances: every component its own ellipsoid (mclust's VVV)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register


@register
class Full(CovarianceStructure):
    name = "full"
    mclust = "VVV"
    title = "full: each component its own volume, shape and orientation"
    report_words = "VVV covariance (full: ellipsoidal, each its own)"
    storage = "full"
    unit_free = True
    menu_order = 10
    in_default_sweep = True

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_components * n_features * (n_features + 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        return scatter / nk[:, None, None]
