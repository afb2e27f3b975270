"""One orientation shared by every component (mclust's EVE and VVE): the
majorise-minimise climb of Browne and McNicholas (2014) that finds it, and the
axes of covariances that share one.

The objective and the climb are :mod:`engine.models.covariance.eigen`'s. This
module registers no structure.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from engine.models.covariance.eigen import (
    State,
    check_positive,
    climb,
    descending_eigh,
    objective,
    split_volume,
)


def polar(matrices: np.ndarray) -> np.ndarray:
    """The orthogonal matrices nearest ``matrices`` (their polar factors), shape (..., D, D).

    ``U V^T`` of the singular value decomposition ``U S V^T``. One 2 x 2 matrix
    (a climb's usual case, met thousands of times in a sweep) is done in closed
    form with Python's floats, at a fraction of the cost of LAPACK's call: the
    matrix is the sum of a scaled rotation ``[[e, -f], [f, e]]`` and a scaled
    reflection ``[[g, h], [h, -g]]``, its singular values are
    ``|(e, f)| +- |(g, h)|``, and its polar factor is the larger part, scaled
    to orthogonal.
    """
    if matrices.shape[-2:] == (2, 2) and matrices.size == 4:
        factor = _polar_2x2(*matrices.reshape(4).tolist())
        if factor is not None:
            return np.array(factor).reshape(matrices.shape)
    u, _, vt = np.linalg.svd(matrices)
    return u @ vt


def _polar_2x2(a: float, b: float, c: float, d: float) -> tuple[float, ...] | None:
    """The polar factor of ``[[a, b], [c, d]]`` as its four entries, row by row
    (:func:`polar`'s closed form), or ``None`` for the zero matrix."""
    e, f, g, h = a + d, c - b, a - d, b + c  # twice the parts' entries
    turn, mirror = math.hypot(e, f), math.hypot(g, h)
    if turn >= mirror and turn > 0:
        return e / turn, -f / turn, f / turn, e / turn
    if mirror > turn:
        return g / mirror, h / mirror, h / mirror, -g / mirror
    return None


def _orientation_step(
    scatter: np.ndarray,
    largest: np.ndarray,
    orientations: np.ndarray,
    turned: np.ndarray,
    inverse: np.ndarray,
) -> np.ndarray:
    """Two majorise-minimise steps on ``g(O) = sum_k tr(W_k O diag(inverse_k) O^T)``
    over orthogonal ``O`` (Browne and McNicholas 2014, their algorithms 1 and 2),
    for C orientations (C, D, D) with their values' inverses (C, K, D) at once;
    ``turned`` is ``W_k O`` for each (C, K, D, D), as :func:`_turned` gives.

    ``W_k - largest_k I`` and ``diag(inverse_k) - max(inverse_k) I`` are negative
    semi-definite, so ``g`` is, up to a constant, a concave function of ``O``
    either way; its tangent at the current ``O`` lies above it, and the tangent's
    minimum over orthogonal matrices is a polar factor. ``g(-O) = g(O)``, so
    the sign of the factor does not matter.
    """
    shifted = turned - largest[:, None, None] * orientations[:, None]
    orientations = polar((shifted * inverse[:, :, None, :]).sum(axis=1))
    excess = inverse - inverse.max(axis=2, keepdims=True)
    return polar((_turned(scatter, orientations) * excess[:, :, None, :]).sum(axis=1))


def _turned(scatter: np.ndarray, orientations: np.ndarray) -> np.ndarray:
    """``W_k O_c`` for the scatter (K, D, D) and C orientations (C, D, D): (C, K, D, D)."""
    return scatter @ orientations[:, None]


def common_orientation(
    scatter: np.ndarray,
    nk: np.ndarray,
    values_for: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    start: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One orientation shared by every component, and the values along it, that
    maximise the objective (mclust's EVE and VVE).

    A climb alternates two majorise-minimise steps on the orientation given the
    values (:func:`_orientation_step`) with the values that are best given the
    orientation, ``values_for``. The objective has local maxima in the
    orientation: from a given start (the previous covariances') the climb ends
    in the maximum above it, as EM, a local method itself, needs; without one,
    climbs start at once from the pooled scatter's axes and from each
    component's own, and the highest end wins. That found the largest maximum
    that climbs from 30 random rotations found on each of 60 random problems
    with K = 3 components in D = 3 dimensions.

    Parameters
    ----------
    scatter : ndarray of shape (K, D, D)
    nk : ndarray of shape (K,)
    values_for : callable
        The best values (C, K, D) for the scatter along C sets of axes (C, K, D),
        and the objective (C,) they reach.
    start : tuple of ndarray, optional
        An orientation (D, D) and values (K, D) to climb from.

    Returns
    -------
    orientation : ndarray of shape (D, D)
    values : ndarray of shape (K, D)
    """
    largest = largest_eigenvalues(scatter)

    def along(orientations: np.ndarray, turned: np.ndarray) -> np.ndarray:
        """The scatter along each of C shared orientations, shape (C, K, D)."""
        return (orientations[:, None] * turned).sum(axis=-2)

    def step(state: State) -> tuple[State, np.ndarray]:
        # W_k O, computed once per orientation: for its values and for the next step.
        orientations, values, turned = state
        orientations = _orientation_step(scatter, largest, orientations, turned, 1.0 / values)
        turned = _turned(scatter, orientations)
        rotated = along(orientations, turned)
        values, value = values_for(rotated)
        return (orientations, values, turned), value

    if start is None:
        orientations = descending_eigh(np.concatenate([scatter.sum(axis=0)[None], scatter]))[1]
        turned = _turned(scatter, orientations)
        values = values_for(along(orientations, turned))[0]
    elif scatter.shape[1] == 2:
        return _climb_2d(scatter, nk, largest, values_for, start)
    else:
        orientations, values = start[0][None], start[1][None]
        turned = _turned(scatter, orientations)
    value = objective(along(orientations, turned), nk, values)
    (orientations, values, _), value = climb(
        step, (orientations, values, turned), value, nk.sum() * scatter.shape[1]
    )
    best = int(np.argmax(value))
    return orientations[best], values[best]


#: Where ``a``, ``b`` and ``d`` lie in a flattened 2 x 2 matrix.
_FLAT_ENTRIES = np.array([0, 1, 3])


def flat_2x2(scatter: np.ndarray) -> np.ndarray:
    """Symmetric 2 x 2 matrices (K, 2, 2) as their three entries ``(a, b, d)``, (K, 3)."""
    # As ``[:, [0, 1, 3]]`` gives them, at a third of its cost: laid out by column, which
    # the products taken of them depend on to the last bit.
    return scatter.reshape(-1, 4).T.take(_FLAT_ENTRIES, axis=0).T


def orientation_step_2d(
    flat: np.ndarray, shifted: np.ndarray, inverse: np.ndarray, o: tuple[float, ...]
) -> tuple[float, ...]:
    """:func:`_orientation_step` in two dimensions: the scatter ``flat`` and the scatter
    less each one's largest eigenvalue ``shifted`` as their three entries (K, 3),
    the inverse values (K, 2) the majorisers weigh the axes with, and the
    orientation ``o`` as its four entries, row by row. Each majoriser's sum over the
    components is one small product, ``F[:, j] = (sum_k w_kj M_k) O[:, j]``. A
    majoriser of zero (every orientation as good: equal values, or no spread)
    leaves the orientation where it is."""

    def column_products(sums: np.ndarray, o: tuple[float, ...]) -> tuple[float, ...]:
        (a1, b1, d1), (a2, b2, d2) = sums.tolist()
        o11, o12, o21, o22 = o
        return a1 * o11 + b1 * o21, a2 * o12 + b2 * o22, b1 * o11 + d1 * o21, b2 * o12 + d2 * o22

    o = _polar_2x2(*column_products(inverse.T @ shifted, o)) or o
    excess = inverse - inverse.max(axis=1, keepdims=True)
    return _polar_2x2(*column_products(excess.T @ flat, o)) or o


def along_2d(flat: np.ndarray, o: tuple[float, ...]) -> np.ndarray:
    """The scatter ``flat`` (K, 3) along the axes ``O[:, j]`` of ``o`` (four entries,
    row by row), ``a x^2 + 2 b x y + d y^2``, shape (K, 2)."""
    o11, o12, o21, o22 = o
    return flat @ np.array([[o11 * o11, o12 * o12], [2 * o11 * o21, 2 * o12 * o22],
                            [o21 * o21, o22 * o22]])


def _climb_2d(
    scatter: np.ndarray,
    nk: np.ndarray,
    largest: np.ndarray,
    values_for: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    start: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`common_orientation`'s climb from ``start`` in two dimensions (the usual
    case of a sweep on two columns): the same steps (:func:`orientation_step_2d`),
    at a fraction of the general one's cost."""
    flat = flat_2x2(scatter)
    shifted = flat - largest[:, None] * np.array([1.0, 0.0, 1.0])

    def step(state: State) -> tuple[State, np.ndarray]:
        o, values = state
        o = orientation_step_2d(flat, shifted, 1.0 / values, o)
        along = along_2d(flat, o)
        values, value = values_for(along[None])
        return (o, values[0]), value[0]

    o = tuple(start[0].reshape(4).tolist())
    values = start[1]
    (o, values), _ = climb(step, (o, values), objective(along_2d(flat, o), nk, values),
                           nk.sum() * 2)
    return np.array(o).reshape(2, 2), values


def shared_axes(covariances: np.ndarray) -> np.ndarray:
    """The axes of covariances that share them (exactly when they come from a
    structure with a common orientation), as the columns of a (D, D) matrix: the
    eigenvectors of the sum of the covariances, each scaled to volume one (in two
    dimensions the volume is the square root of the determinant).

    Parameters
    ----------
    covariances : ndarray of shape (K, D, D)
    """
    if covariances.shape[1:] == (2, 2):
        a, b, d = flat_2x2(covariances).T
        determinants = a * d - b * b
        check_positive(determinants)
        volumes = np.sqrt(determinants)
    else:
        volumes, _ = split_volume(np.linalg.eigvalsh(covariances))
    return descending_eigh((covariances / volumes[:, None, None]).sum(axis=0))[1]


def largest_eigenvalues(matrices: np.ndarray) -> np.ndarray:
    """The largest eigenvalue of each symmetric matrix (K, D, D), shape (K,); in two
    dimensions in closed form, ``(a + d) / 2 + |((a - d) / 2, b)|``."""
    if matrices.shape[1:] == (2, 2):
        a, b, d = flat_2x2(matrices).T
        return 0.5 * (a + d) + np.hypot(0.5 * (a - d), b)
    return np.linalg.eigvalsh(matrices)[:, -1]
