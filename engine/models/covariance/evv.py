"""Covariances of one volume, each component its own shape and orientation (mclust's EVV)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import descending_eigh, split_volume


@register
class EVV(CovarianceStructure):
    name = "EVV"
    mclust = "EVV"
    title = "EVV: one volume, each component its own shape and orientation"
    report_words = "EVV covariance (one volume, each component its own shape and orientation)"
    storage = "full"
    unit_free = True
    menu_order = 140

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return 1 - n_components + n_components * n_features * (n_features + 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """The closed form (Celeux and Govaert 1995): each component's covariance is
        its scatter over ``|W_k|^(1/D)``, times the sum of those volumes over ``N``."""
        volumes, _ = split_volume(descending_eigh(scatter)[0])
        return scatter * (volumes.sum() / nk.sum() / volumes)[:, None, None]
