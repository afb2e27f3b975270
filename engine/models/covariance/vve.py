"""Covariances with one orientation, each component its own volume and shape (mclust's VVE)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import (
    check_positive,
    compose,
    rotated_diagonals,
    split_volume,
)
from engine.models.covariance.eigen_orientation import (
    along_2d,
    common_orientation,
    flat_2x2,
    largest_eigenvalues,
    orientation_step_2d,
    polar,
    shared_axes,
)

#: mclust's inner stop (``emControl()$tol[2]``, ``sqrt(.Machine$double.eps)``): the
#: relative change of its target at which :func:`mclust_estimate` stops.
MCLUST_INNER_TOLERANCE = 1.49011611938953e-08
#: ... or after this many steps (mclust's own limit is the largest integer).
MCLUST_INNER_STEPS = 1000


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

        constant = -0.5 * nk.sum() * scatter.shape[1]

        def values_for(rotated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            # Each value the scatter along its axis over nk: R_kj / L_kj = nk.
            values = rotated / nk[:, None]
            check_positive(values, axis=-2)
            return values, -0.5 * (np.log(values).sum(axis=-1) @ nk) + constant

        start = None
        if previous is not None:
            axes = shared_axes(previous)
            start = axes, rotated_diagonals(previous, axes)
        return compose(*common_orientation(scatter, nk, values_for, start))

    @staticmethod
    def settling_estimate(weighted, nk, state):
        """mclust's own VVE update, which a start settles a partition with before EM
        (:mod:`engine.settle`): :func:`mclust_estimate` of the weighted, centred rows'
        scatter, carrying the orientation and shapes from step to step as mclust does."""
        orientation, values, shapes = mclust_estimate(
            np.swapaxes(weighted, 1, 2) @ weighted, nk, state
        )
        return orientation, values, (orientation, shapes)


def mclust_estimate(
    scatter: np.ndarray, nk: np.ndarray, start: tuple[np.ndarray, np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """VVE's covariances as mclust 6 updates them (its Fortran ``mevve``): not the
    maximum of the M-step objective, and so not an EM step.

    mclust runs the two majorise-minimise steps of Browne and McNicholas (2014) on
    the orientation with each component's *shape* alone in the majoriser, its
    volume left out (the objective weighs component ``k``'s term by one over its
    volume as well), then takes each component's values along the new axes,
    until its target ``sum_k tr(O^T W_k O diag(shape_k)^-1)`` changes by less than
    :data:`MCLUST_INNER_TOLERANCE` relative. From the identity and unit shapes
    when there is no ``start``, as mclust starts; else from the orientation and
    shapes given. The fixed points are not those of the likelihood, and the
    likelihood may fall from one such update to the next (measured: by up to 0.13
    on mclust's ``thyroid``), but from mclust's partition the updates retrace
    mclust's fit; EM (:meth:`VVE.estimate`) then climbs from where they end.

    Parameters
    ----------
    scatter : ndarray of shape (K, D, D)
    nk : ndarray of shape (K,)
    start : tuple of ndarray (D, D) and (K, D), or None
        An orientation and shapes (each row with product one).

    Returns
    -------
    orientation : ndarray of shape (D, D)
    values : ndarray of shape (K, D)
        The covariances' values along the orientation's axes.
    shapes : ndarray of shape (K, D)
        The values over their geometric means.

    Raises
    ------
    SingularComponent
        For a component with a value that is not positive along the axes.
    """
    n_components, n_features = nk.size, scatter.shape[1]
    if start is None:
        orientation, shapes = np.eye(n_features), np.ones((n_components, n_features))
    else:
        orientation, shapes = start
    largest = largest_eigenvalues(scatter)
    if n_features == 2:
        return _mclust_estimate_2d(scatter, nk, largest, orientation, shapes)
    target = np.inf
    for _ in range(MCLUST_INNER_STEPS):
        inverse = 1.0 / shapes
        # Step 1 majorises through the scatter's largest eigenvalue, on O^T.
        turned = orientation.T @ scatter - largest[:, None, None] * orientation.T
        orientation = polar((inverse[:, :, None] * turned).sum(axis=0)).T
        # Step 2 through the shapes' largest inverse, on O.
        turned = scatter @ orientation
        excess = inverse - inverse.max(axis=1, keepdims=True)
        orientation = polar((turned * excess[:, None, :]).sum(axis=0))
        rotated = rotated_diagonals(scatter, orientation)
        volumes, shapes = split_volume(rotated / nk[:, None])
        last, target = target, float((rotated / shapes).sum())
        if abs(target - last) <= MCLUST_INNER_TOLERANCE * (1.0 + abs(target)):
            break
    return orientation, volumes[:, None] * shapes, shapes


def _mclust_estimate_2d(
    scatter: np.ndarray,
    nk: np.ndarray,
    largest: np.ndarray,
    orientation: np.ndarray,
    shapes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`mclust_estimate`'s loop in two dimensions, by the two-dimensional steps
    of :mod:`~engine.models.covariance.eigen_orientation` (the same steps)."""
    flat = flat_2x2(scatter)
    shifted = flat - largest[:, None] * np.array([1.0, 0.0, 1.0])
    o = tuple(orientation.reshape(4).tolist())
    target = np.inf
    for _ in range(MCLUST_INNER_STEPS):
        o = orientation_step_2d(flat, shifted, 1.0 / shapes, o)
        rotated = along_2d(flat, o)
        volumes, shapes = split_volume(rotated / nk[:, None])
        last, target = target, float((rotated / shapes).sum())
        if abs(target - last) <= MCLUST_INNER_TOLERANCE * (1.0 + abs(target)):
            break
    return np.array(o).reshape(2, 2), volumes[:, None] * shapes, shapes
