"""Volume, shape and orientation: what the structures named by mclust's three letters share.

Celeux and Govaert (1995, "Gaussian parsimonious clustering models") write a
covariance as ``S_k = O_k diag(L_k) O_k^T``: an orthogonal *orientation* ``O_k``
(the identity for the axis-aligned structures) and positive values ``L_k`` along
its axes, whose geometric mean ``|S_k|^(1/D)`` is the component's *volume* and
which, divided by it, are its *shape* (values with product one). mclust's letters
say which of the three are Equal across components, Variable, or the Identity.

Written so, the M-step objective of :meth:`CovarianceStructure.estimate`
``sum_k -(nk/2) log|S_k| - tr(S_k^-1 W_k) / 2`` is
``-1/2 sum_k sum_j [nk log L_kj + R_kj / L_kj]``, where ``R_kj = o_kj^T W_k o_kj``
is the scatter along the covariance's axes (:func:`rotated_diagonals`,
:func:`objective`). Structures without a closed-form maximum climb it by
alternating exact partial maximisations (:func:`proportional_values`) or
majorise-minimise steps (:func:`engine.models.covariance.eigen_orientation.common_orientation`),
each never lowering it,
from the covariances the E-step used; :func:`climb` keeps the best state seen.

This module registers no structure.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from engine.errors import SingularComponent

#: An inner iteration stops once a step raises the objective by less than this
#: much per row and column (the objective is of the order of ``N D / 2``): far
#: below what the EM loop's tolerance (a change of 1e-6 per row) can see.
TOLERANCE = 1e-12
#: ... or after this many steps (each step still never lowers the objective).
MAX_ITER = 1000

_EPS = np.finfo(np.float64).eps

#: What a climb moves: arrays, all with the climbs' index first when several run at once.
State = tuple[np.ndarray, ...]


def check_positive(values: np.ndarray, axis: int | None = 0) -> None:
    """Raise ``SingularComponent(k)`` for the first component ``k`` with a value
    that is not positive and finite.

    Parameters
    ----------
    values : ndarray
        Variances, volumes or eigenvalues.
    axis : int or None
        The axis that indexes components; ``None`` for values that belong to
        every component at once (a shared shape), which name the first
        component, as a tied covariance does.
    """
    # The common case in two reductions (a NaN fails the first comparison).
    if values.size == 0 or (values.min() > 0 and values.max() < np.inf):
        return
    bad = ~((values > 0) & np.isfinite(values))
    if axis is None:
        raise SingularComponent(0)
    by_component = np.moveaxis(bad, axis, 0).reshape(bad.shape[axis], -1).any(axis=1)
    raise SingularComponent(int(np.argmax(by_component)))


def split_volume(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Volumes (geometric means) and shapes (values over their volume) of positive values.

    Parameters
    ----------
    values : ndarray of shape (..., K, D), or (D,) for values shared by every component

    Returns
    -------
    volumes : ndarray of shape (..., K), or a 0-d array
    shapes : ndarray of the shape of ``values``, each row with product one

    Raises
    ------
    SingularComponent
        For the first row with a value that is not positive (row 0 for shared values).
    """
    check_positive(values, axis=None if values.ndim == 1 else -2)
    log_values = np.log(values)
    log_volumes = log_values.sum(axis=-1, keepdims=True) / values.shape[-1]
    return np.exp(log_volumes[..., 0]), np.exp(log_values - log_volumes)


def mean_shape(shapes: np.ndarray) -> np.ndarray:
    """The geometric mean of shapes of shape (K, D), itself a shape (product one), shape (D,)."""
    return np.exp(np.log(shapes).sum(axis=0) / shapes.shape[0])


def descending_eigh(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues, largest first, and eigenvectors (as columns) of symmetric matrices.

    Eigenvalues within the solver's round-off of zero (``D eps`` times the
    largest of their matrix), negative ones included, are returned as zero.

    Parameters
    ----------
    matrices : ndarray of shape (..., D, D)

    Returns
    -------
    values : ndarray of shape (..., D)
    vectors : ndarray of shape (..., D, D)
    """
    if matrices.shape == (2, 2):
        values, vectors = _descending_eigh_2x2(matrices)
    else:
        values, vectors = np.linalg.eigh(matrices)
        values, vectors = values[..., ::-1], vectors[..., ::-1]
    floor = values.shape[-1] * _EPS * np.abs(values).max(axis=-1, keepdims=True)
    return np.where(values > floor, values, 0.0), vectors


def _descending_eigh_2x2(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`descending_eigh` of one symmetric 2 x 2 matrix in closed form, with
    Python's floats (VEE's climb takes one each step, thousands in a sweep, where
    LAPACK's call costs several times the arithmetic). The smaller eigenvalue is
    the determinant over the larger, which keeps its relative accuracy."""
    (a, b), (_, d) = matrix.tolist()
    half_gap = 0.5 * (a - d)
    radius = math.hypot(half_gap, b)
    larger = 0.5 * (a + d) + radius
    smaller = (a * d - b * b) / larger if larger > 0 else 0.5 * (a + d) - radius
    if radius == 0:
        x, y = 1.0, 0.0
    else:
        # (larger - d, b) and (b, larger - a) are eigenvectors; the longer is the accurate one.
        x, y = (larger - d, b) if half_gap >= 0 else (b, larger - a)
        length = math.hypot(x, y)
        x, y = x / length, y / length
    return np.array([larger, smaller]), np.array([[x, -y], [y, x]])


def rotated_diagonals(scatter: np.ndarray, orientations: np.ndarray) -> np.ndarray:
    """The scatter along each covariance's axes, ``R_kj = o_kj^T W_k o_kj``.

    Parameters
    ----------
    scatter : ndarray of shape (K, D, D)
    orientations : ndarray of shape (K, D, D), or (D, D) for one shared by every component

    Returns
    -------
    ndarray of shape (K, D)
    """
    # R_ka = sum_i O_kia (W_k O_k)_ia: two small products, not a three-operand einsum.
    return (orientations * (scatter @ orientations)).sum(axis=-2)


def compose(orientations: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Covariances ``O_k diag(L_k) O_k^T``, exactly symmetric.

    Parameters
    ----------
    orientations : ndarray of shape (K, D, D), or (D, D) shared
    values : ndarray of shape (K, D)

    Returns
    -------
    ndarray of shape (K, D, D)
    """
    n_components, n_features = values.shape
    orientations = np.broadcast_to(orientations, (n_components, n_features, n_features))
    covariances = (orientations * values[:, None, :]) @ np.swapaxes(orientations, 1, 2)
    return 0.5 * (covariances + np.swapaxes(covariances, 1, 2))


def objective(rotated: np.ndarray, nk: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The M-step objective ``-1/2 sum_k sum_j [nk log L_kj + R_kj / L_kj]``.

    Parameters
    ----------
    rotated : ndarray of shape (..., K, D)
        The scatter along the covariances' axes (:func:`rotated_diagonals`).
    nk : ndarray of shape (K,)
    values : ndarray of shape (..., K, D)
        The covariances' positive values along the same axes.

    Returns
    -------
    ndarray of shape (...)
    """
    return -0.5 * np.sum(nk[:, None] * np.log(values) + rotated / values, axis=(-2, -1))


def climb(
    step: Callable[[State], tuple[State, np.ndarray]],
    start: State,
    value: np.ndarray,
    scale: float,
) -> tuple[State, np.ndarray]:
    """Apply ``step`` from ``start`` while it raises the objective, and return the best
    state seen and its objective: never below ``value``, the start's.

    Several climbs may run at once (from several starts): then ``value`` has
    shape (C,), every array of a state has C first, and each climb stops on its own.

    Parameters
    ----------
    step : callable
        From a state, a state whose objective is at least as high in exact
        arithmetic, and that objective.
    start : tuple of ndarray
        The first state; ``value`` is its objective.
    scale : float
        The objective's size, ``N D``: a step that gains less than
        :data:`TOLERANCE` times it ends a climb, as do :data:`MAX_ITER` steps.
    """
    best = np.asarray(value, dtype=np.float64)
    if best.size == 1:
        return _climb_one(step, start, best, scale)
    state = start
    climbing = np.ones(best.shape, dtype=bool)
    for _ in range(MAX_ITER):
        candidate, candidate_value = step(state)
        # A step that lowers the objective (by round-off) or gives NaN is not taken.
        taken = climbing & (candidate_value >= best)
        state = tuple(
            np.where(taken.reshape(taken.shape + (1,) * (new.ndim - taken.ndim)), new, old)
            for new, old in zip(candidate, state)
        )
        climbing = taken & (candidate_value - best > TOLERANCE * scale)
        best = np.where(taken, candidate_value, best)
        if not climbing.any():
            break
    return state, best


def _climb_one(
    step: Callable[[State], tuple[State, np.ndarray]],
    state: State,
    value: np.ndarray,
    scale: float,
) -> tuple[State, np.ndarray]:
    """:func:`climb` for a single climb, the M-steps' usual case: the same steps
    and the same stops, without selecting among climbs array by array."""
    best = float(value.reshape(()))
    for _ in range(MAX_ITER):
        candidate, candidate_value = step(state)
        gain = candidate_value.item() - best  # one value, as a Python float
        # A step that lowers the objective (by round-off) or gives NaN is not taken.
        if not gain >= 0.0:
            break
        state, best = candidate, best + gain
        if not gain > TOLERANCE * scale:
            break
    return state, np.full(value.shape, best)


def proportional_values(
    rotated: np.ndarray, nk: np.ndarray, volumes: np.ndarray, shape: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-component volumes and one shared shape (``L_k = volume_k shape``) that
    maximise the objective for scatter ``rotated`` along fixed axes.

    Alternates the two exact partial maxima of Celeux and Govaert (1995):
    ``volume_k = sum_j R_kj / shape_j / (D nk)`` and
    ``shape ∝ sum_k R_k / volume_k`` (product one). In log-volumes and log-shapes
    the objective is concave, so the climb reaches its maximum from any start.

    Parameters
    ----------
    rotated : ndarray of shape (K, D)
    nk : ndarray of shape (K,)
    volumes : ndarray of shape (K,)
        The start: volumes and shape, for example the previous covariances'.
    shape : ndarray of shape (D,)

    Returns
    -------
    volumes : ndarray of shape (K,)
    shape : ndarray of shape (D,)
    """
    n_features = rotated.shape[1]
    # With each volume the best for the shape, sum_j R_kj / L_kj = D nk, and the
    # shape's logs sum to zero: the objective is -(D/2) (sum_k nk log volume_k + N).
    constant = -0.5 * n_features * nk.sum()

    def step(state: State) -> tuple[State, np.ndarray]:
        volumes, _ = state
        # A component on as few rows as columns (no or a tiny regularisation) sends a
        # volume or a shape's value towards 0 and its inverse past the top of floats:
        # inf (or NaN, times a zero), which check_positive refuses as singular.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            sums = (1.0 / volumes) @ rotated
            check_positive(sums, axis=None)
            shape = sums / np.exp(np.log(sums).mean())
            volumes = (rotated @ (1.0 / shape)) / (n_features * nk)
        check_positive(volumes)
        return (volumes, shape), -0.5 * n_features * (nk @ np.log(volumes)) + constant

    value = objective(rotated, nk, volumes[:, None] * shape)
    volumes, shape = climb(step, (volumes, shape), value, nk.sum() * n_features)[0]
    # Each finite, their product may not be (a volume of 1e200 on a shape of 1e200).
    with np.errstate(over="ignore"):
        check_positive(volumes[:, None] * shape)
    return volumes, shape


def equal_covariances(scatter: np.ndarray, nk: np.ndarray) -> np.ndarray:
    """Every component's covariance the pooled scatter over all the mass (mclust's
    EEE, or EEI when ``scatter`` holds diagonals): the start of an iterative
    M-step that has no previous covariances, as it lies in every structure.

    Parameters
    ----------
    scatter : ndarray of shape (K, D, D) or (K, D)
    nk : ndarray of shape (K,)

    Returns
    -------
    ndarray of the shape of ``scatter``
    """
    return np.broadcast_to(scatter.sum(axis=0) / nk.sum(), scatter.shape).copy()
