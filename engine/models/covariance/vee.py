"""Proportional covariances: one ellipsoid, each component its own volume (mclust's VEE)."""

from __future__ import annotations

import math

import numpy as np

from engine.errors import SingularComponent
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
from engine.models.covariance.eigen_orientation import flat_2x2


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
        if n_features == 2:
            return _estimate_2d(scatter, nk, start)
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


def _estimate_2d(scatter: np.ndarray, nk: np.ndarray, start: np.ndarray) -> np.ndarray:
    """:meth:`VEE.estimate` on two columns: the same alternation, with the shared
    ellipse held as a matrix rather than its axes and shape. ``C = M / |M|^(1/2)``
    for ``M = sum_k W_k / volume_k``, whose inverse is ``adj(M) / |M|^(1/2)``, so
    ``tr(C^-1 W_k)`` is one small product over the scatters' entries ``(a, b, d)``;
    with each volume the best for ``C`` the objective is ``-(sum_k nk log volume_k + N)``."""
    flat = flat_2x2(scatter)

    def unit(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``matrix`` (entries a, b, d) scaled to determinant one, and the entries
        ``(d, -2 b, a)`` that give ``tr(C^-1 W) = (d, -2 b, a) . (a_W, b_W, d_W)``."""
        a, b, d = matrix.tolist()
        determinant = a * d - b * b
        if not determinant > 0:
            raise SingularComponent(0)
        root = math.sqrt(determinant)
        return matrix / root, np.array([d, -2.0 * b, a]) / root

    def step(state):
        volumes, _ = state
        shared, inverse = unit((1.0 / volumes) @ flat)
        volumes = (flat @ inverse) / (2.0 * nk)
        check_positive(volumes)
        return (volumes, shared), -(nk @ np.log(volumes)) - nk.sum()

    a, b, d = flat_2x2(start).T
    determinants = a * d - b * b
    check_positive(determinants)
    volumes = np.sqrt(determinants)
    shared, inverse = unit((1.0 / volumes) @ flat_2x2(start) / volumes.size)
    value = -(nk @ np.log(volumes)) - 0.5 * ((flat @ inverse) / volumes).sum()
    (volumes, shared), _ = climb(step, (volumes, shared), np.array(value), nk.sum() * 2)
    a, b, d = shared.tolist()
    return volumes[:, None, None] * np.array([[a, b], [b, d]])
