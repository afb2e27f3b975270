"""Axis-aligned covariances of one shape, each component its own volume (mclust's VEI)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import (
    equal_covariances,
    mean_shape,
    proportional_values,
    split_volume,
)


@register
class VEI(CovarianceStructure):
    name = "VEI"
    mclust = "VEI"
    title = "VEI: axis-aligned, one shape, each component its own volume"
    report_words = "VEI covariance (axis-aligned, one shape, each component its own volume)"
    storage = "diag"
    unit_free = True
    menu_order = 70

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_components + n_features - 1

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """Iterative (no closed form): ``S_k = volume_k diag(shape)``, by alternating
        the volumes and the shape (Celeux and Govaert 1995) from the previous ones."""
        start = equal_covariances(scatter, nk) if previous is None else previous
        volumes, shapes = split_volume(start)
        volumes, shape = proportional_values(scatter, nk, volumes, mean_shape(shapes))
        return volumes[:, None] * shape
