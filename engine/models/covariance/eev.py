"""Covariances of one volume and shape, each component its own orientation (mclust's EEV)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import check_positive, compose, descending_eigh


@register
class EEV(CovarianceStructure):
    name = "EEV"
    mclust = "EEV"
    title = "EEV: one volume and shape, each component its own orientation"
    report_words = "EEV covariance (one volume and shape, each component its own orientation)"
    storage = "full"
    menu_order = 120

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return 1 + (n_features - 1) + n_components * n_features * (n_features - 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """The closed form (Celeux and Govaert 1995): each component keeps its
        scatter's axes, largest first, and all take the sum of the scatters'
        eigenvalues, in the same order, over ``N``."""
        eigenvalues, axes = descending_eigh(scatter)
        values = eigenvalues.sum(axis=0) / nk.sum()
        check_positive(values, axis=None)
        return compose(axes, np.broadcast_to(values, eigenvalues.shape))
