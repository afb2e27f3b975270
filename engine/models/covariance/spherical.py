"""Spherical covariances: round components, each its own size (mclust's VII)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register


@register
class Spherical(CovarianceStructure):
    name = "spherical"
    mclust = "VII"
    title = "spherical: round, each component its own volume"
    report_words = "VII covariance (spherical: circles, each its own size)"
    storage = "spherical"
    menu_order = 40
    in_default_sweep = True

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_components

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        return (scatter / nk[:, None]).mean(axis=1)
