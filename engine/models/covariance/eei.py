"""One axis-aligned covariance shared by every component: equal volume and shape (mclust's EEI)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import equal_covariances


@register
class EEI(CovarianceStructure):
    name = "EEI"
    mclust = "EEI"
    title = "EEI: axis-aligned, all components the same volume and shape"
    report_words = "EEI covariance (axis-aligned, all components the same volume and shape)"
    storage = "diag"
    unit_free = True
    menu_order = 60

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_features

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """The closed form: the diagonal of the pooled scatter over ``N``."""
        return equal_covariances(scatter, nk)
