"""Diagonal covariances: axis-aligned ellipsoids, each component its own (mclust's VVI)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register


@register
class Diagonal(CovarianceStructure):
    name = "diag"
    mclust = "VVI"
    title = "diag: axis-aligned, each component its own volume and shape"
    report_words = "VVI covariance (diagonal: axis-aligned ellipses)"
    storage = "diag"
    unit_free = True
    menu_order = 30
    in_default_sweep = True

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_components * n_features

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        return scatter / nk[:, None]
