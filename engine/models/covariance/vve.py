"""Covariances with one orientation, each component its own volume and shape (mclust's VVE)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import (
    check_positive,
    compose,
    rotated_diagonals,
)
from engine.models.covariance.eigen_orientation import common_orientation, shared_axes


@register
class VVE(CovarianceStructure):
    name = "VVE"
    mclust = "VVE"
    title = "VVE: one orientation, each component its own volume and shape"
    report_words = "VVE covariance (one orientation, each component its own volume and shape)"
    storage = "full"
    menu_order = 110

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_components * n_features + n_features * (n_features - 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """Iterative (no closed form): common principal components,
        ``S_k = O diag(L_k) O^T``. Given ``O``, ``L_k`` is the scatter along its axes
        over ``nk``; ``O`` moves by the majorise-minimise steps of Browne and
        McNicholas (2014), from the previous covariances'
        (:func:`~engine.models.covariance.eigen_orientation.common_orientation`)."""

        def values_for(rotated: np.ndarray) -> np.ndarray:
            values = rotated / nk[:, None]
            check_positive(values, axis=-2)
            return values

        start = None
        if previous is not None:
            axes = shared_axes(previous)
            start = axes, rotated_diagonals(previous, axes)
        return compose(*common_orientation(scatter, nk, values_for, start))
