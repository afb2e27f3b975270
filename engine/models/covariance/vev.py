"""Covariances of one shape, each component its own volume and orientation (mclust's VEV)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import (
    compose,
    descending_eigh,
    equal_covariances,
    mean_shape,
    proportional_values,
    split_volume,
)


@register
class VEV(CovarianceStructure):
    name = "VEV"
    mclust = "VEV"
    title = "VEV: one shape, each component its own volume and orientation"
    report_words = "VEV covariance (one shape, each component its own volume and orientation)"
    storage = "full"
    menu_order = 130

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_components + (n_features - 1) + n_components * n_features * (n_features - 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """Iterative (no closed form): ``S_k = volume_k O_k diag(shape) O_k^T``.
        Whatever the shape (largest value first), each ``O_k`` is best as its
        scatter's axes, largest first; volumes and shape then alternate as for
        VEI (Celeux and Govaert 1995), from the previous covariances'."""
        eigenvalues, axes = descending_eigh(scatter)
        start = equal_covariances(scatter, nk) if previous is None else previous
        volumes, shapes = split_volume(descending_eigh(start)[0])
        volumes, shape = proportional_values(eigenvalues, nk, volumes, mean_shape(shapes))
        return compose(axes, volumes[:, None] * shape)
