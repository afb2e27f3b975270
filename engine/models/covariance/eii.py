"""One round covariance shared by every component: equal volume, spherical (mclust's EII)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register


@register
class EII(CovarianceStructure):
    name = "EII"
    mclust = "EII"
    title = "EII: round, all components the same size"
    report_words = "EII covariance (round, all components the same size)"
    storage = "spherical"
    menu_order = 50

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return 1

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """The closed form: the pooled scatter's mean variance, ``tr(sum_k W_k) / (N D)``."""
        return np.full(nk.shape, scatter.sum() / (nk.sum() * scatter.shape[1]))
