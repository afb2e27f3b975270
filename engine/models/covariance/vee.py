"""Proportional covariances: one ellipsoid, each component its own volume (mclust's VEE)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import (
    check_positive,
    climb,
    compose,
    descending_eigh,
    equal_covariances,
    objective,
    rotated_diagonals,
    split_volume,
)


@register
class VEE(CovarianceStructure):
    name = "VEE"
    mclust = "VEE"
    title = "VEE: one shape and orientation, each component its own volume"
    report_words = "VEE covariance (one shape and orientation, each component its own volume)"
    storage = "full"
    unit_free = True
    menu_order = 90

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return n_components + (n_features - 1) + n_features * (n_features - 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """Iterative (no closed form): ``S_k = volume_k C`` with ``|C| = 1``, by
        alternating (Celeux and Govaert 1995) ``C ∝ sum_k W_k / volume_k`` and
        ``volume_k = tr(C^-1 W_k) / (D nk)``, from the previous covariances."""
        n_features = scatter.shape[1]
        start = equal_covariances(scatter, nk) if previous is None else previous
        volumes, _ = split_volume(np.linalg.eigvalsh(start))
        shape, axes = self._shape((start / volumes[:, None, None]).mean(axis=0))

        def step(state):
            volumes, _, _ = state
            shape, axes = self._shape((scatter / volumes[:, None, None]).sum(axis=0))
            rotated = rotated_diagonals(scatter, axes)
            volumes = (rotated / shape).sum(axis=1) / (n_features * nk)
            check_positive(volumes)
            return (volumes, shape, axes), objective(rotated, nk, volumes[:, None] * shape)

        value = objective(rotated_diagonals(scatter, axes), nk, volumes[:, None] * shape)
        scale = nk.sum() * n_features
        (volumes, shape, axes), _ = climb(step, (volumes, shape, axes), value, scale)
        return compose(axes, volumes[:, None] * shape)

    @staticmethod
    def _shape(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The shape (eigenvalues over their geometric mean) and axes of a (D, D) matrix."""
        values, axes = descending_eigh(matrix)
        return split_volume(values)[1], axes
