"""Axis-aligned covariances of one volume, each component its own shape (mclust's EVI)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import split_volume


@register
class EVI(CovarianceStructure):
    name = "EVI"
    mclust = "EVI"
    title = "EVI: axis-aligned, one volume, each component its own shape"
    report_words = "EVI covariance (axis-aligned, one volume, each component its own shape)"
    storage = "diag"
    unit_free = True
    menu_order = 80

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return 1 + n_components * (n_features - 1)

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """The closed form (Celeux and Govaert 1995): each component's shape is its
        scatter's diagonal over its geometric mean; the shared volume is the sum of
        those means over ``N``."""
        volumes, shapes = split_volume(scatter)
        return volumes.sum() / nk.sum() * shapes
