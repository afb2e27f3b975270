"""Covariances with one volume and orientation, each component its own shape (mclust's EVE)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import (
    compose,
    rotated_diagonals,
    split_volume,
)
from engine.models.covariance.eigen_orientation import common_orientation, shared_axes


@register
class EVE(CovarianceStructure):
    name = "EVE"
    mclust = "EVE"
    title = "EVE: one volume and orientation, each component its own shape"
    report_words = "EVE covariance (one volume and orientation, each component its own shape)"
    storage = "full"
    menu_order = 100

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return 1 + n_components * (n_features - 1) + n_features * (n_features - 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """Iterative (no closed form): ``S_k = volume O diag(shape_k) O^T``. Given the
        orientation ``O``, each shape is the scatter's values along it over their
        geometric mean and the volume the sum of those means over ``N``; ``O``
        moves by the majorise-minimise steps of Browne and McNicholas (2014), from
        the previous covariances' (:func:`engine.models.covariance.eigen_orientation.common_orientation`)."""
        n_samples, n_features = nk.sum(), scatter.shape[1]

        def values_for(rotated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            # L_kj = V shape_kj with V the summed volumes over N: the objective is
            # -(D/2) N (log V + 1), each shape's logs summing to zero.
            volumes, shapes = split_volume(rotated)
            shared = volumes.sum(axis=-1) / n_samples
            return shared[..., None, None] * shapes, -0.5 * n_features * n_samples * (
                np.log(shared) + 1.0
            )

        start = None
        if previous is not None:
            axes = shared_axes(previous)
            volumes, shapes = split_volume(rotated_diagonals(previous, axes))
            start = axes, np.exp(np.log(volumes).mean()) * shapes
        return compose(*common_orientation(scatter, nk, values_for, start))
