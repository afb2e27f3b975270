"""The Gaussian conditioned on a pattern of missing values (Ghahramani and Jordan, 1994).

A pattern says which columns of a row are observed (O) and which are missing
(M). For each pattern and component this module computes, from one Cholesky
factor of the covariance with the observed columns first, what the E-step and
M-step of :mod:`engine.models.gaussian_gaps` need (:class:`Factors`): the
observed block's density as coefficients of the features ``[z; 1; z_i z_j]``,
the regression of the missing values on the observed ones, and their
conditional covariance; then the expected moments of the rows of each pattern
from their responsibility-weighted sums (:func:`expected_stats`). No
covariance is inverted, and no determinant is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.errors import FitError
from engine.gaps import PatternRows
from engine.models.base import Stats
from engine.models.gaussian_maths import LOG_2PI


def n_terms(n_features: int) -> int:
    """Features per row: ``z`` (D), 1, and the products ``z_i z_j`` with i <= j."""
    return n_features + 1 + n_features * (n_features + 1) // 2


_FULL = {
    "full": lambda cov, k, d: cov,
    "tied": lambda cov, k, d: np.broadcast_to(cov, (k, d, d)),
    "diag": lambda cov, k, d: cov[:, :, None] * np.eye(d),
    "spherical": lambda cov, k, d: cov[:, None, None] * np.eye(d),
}


def full_covariances(
    covariances: np.ndarray, storage: str, n_components: int, n_features: int
) -> np.ndarray:
    """Covariances stored as ``storage`` as K full matrices, shape (K, D, D)."""
    return _FULL[storage](np.asarray(covariances), n_components, n_features)


def features(z: np.ndarray) -> np.ndarray:
    """``[z; 1; z_i z_j (i <= j)]`` of ``z`` (n_features, n_rows), shape (terms, n_rows)."""
    n_features, n_rows = z.shape
    out = np.empty((n_terms(n_features), n_rows))
    out[:n_features] = z
    out[n_features] = 1.0
    start = n_features + 1
    for i in range(n_features):
        stop = start + n_features - i
        np.multiply(z[i], z[i:], out=out[start:stop])
        start = stop
    return out


@dataclass(frozen=True, eq=False)
class Factors:
    """What the passes need of some patterns, shape (n_patterns, K, ...) each.

    ``coef @ features`` is a row's log-density under each component (without the
    weight); ``maps`` takes a row's observed residual ``x_O - m_O`` (zero
    elsewhere) to ``x^ - m``, its expected deviation from the mean with the
    missing values filled in (the identity on O, the regression on M);
    ``residual`` is the conditional covariance of the missing values (zero outside M x M).
    """

    coef: np.ndarray  # (P, K, terms)
    maps: np.ndarray  # (P, K, D, D)
    residual: np.ndarray  # (P, K, D, D)


def pattern_factors(covariances: np.ndarray, offsets: np.ndarray, observed: np.ndarray) -> Factors:
    """:class:`Factors` of the patterns ``observed`` (P, D) under components with full
    ``covariances`` (K, D, D) and means ``offsets`` (K, D) from the shift.

    Raises
    ------
    FitError
        When a covariance is too close to singular to factorise.
    """
    n_patterns, n_features = observed.shape
    n_components = offsets.shape[0]
    n_observed = observed.sum(axis=1)
    # Observed columns first, in their own order, then the missing ones.
    perm = np.argsort(~observed, axis=1, kind="stable")
    inverse = np.argsort(perm, axis=1)
    comp = np.arange(n_components)[None, :, None, None]
    permuted = covariances[comp, perm[:, None, :, None], perm[:, None, None, :]]
    try:
        chol = np.linalg.cholesky(permuted)
    except np.linalg.LinAlgError:
        bad = next(k for k in range(n_components) if not _positive_definite(permuted[:, k]))
        raise FitError(
            f"the covariance of component {bad + 1} is too close to singular to condition a "
            "row's missing values on its observed ones; raise the regularisation (reg_covar), "
            "lower K or choose the 'diag' covariance"
        ) from None
    first = np.arange(n_features)[None, :] < n_observed[:, None]  # (P, D), permuted order
    both_observed = (first[:, :, None] & first[:, None, :])[:, None]
    missing_observed = (~first[:, :, None] & first[:, None, :])[:, None]
    both_missing = (~first[:, :, None] & ~first[:, None, :])[:, None]
    # L_OO^-1: the leading block of the inverse of the lower-triangular L.
    factor = np.where(both_observed, np.linalg.inv(chol), 0.0)
    precision = np.swapaxes(factor, -1, -2) @ factor
    maps = np.where(missing_observed, chol, 0.0) @ factor
    diagonal = np.arange(n_features)
    maps[:, :, diagonal, diagonal] += first[:, None, :]
    lower = np.where(both_missing, chol, 0.0)
    residual = lower @ np.swapaxes(lower, -1, -2)
    log_det = np.where(first[:, None, :], np.log(np.diagonal(chol, axis1=-2, axis2=-1)), 0.0)
    patterns = np.arange(n_patterns)[:, None, None, None]
    back = (patterns, comp, inverse[:, None, :, None], inverse[:, None, None, :])
    precision, maps, residual = precision[back], maps[back], residual[back]

    linear = np.einsum("pkij,kj->pki", precision, offsets)
    constant = (
        -log_det.sum(axis=-1)
        - 0.5 * n_observed[:, None] * LOG_2PI
        - 0.5 * np.einsum("pki,ki->pk", linear, offsets)
    )
    rows, cols = np.triu_indices(n_features)
    # Off-diagonal products appear twice in the quadratic form.
    second = -np.where(rows == cols, 0.5, 1.0) * precision[..., rows, cols]
    coef = np.concatenate([linear, constant[..., None], second], axis=-1)
    return Factors(coef, maps, residual)


def _positive_definite(matrices: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(matrices)
    except np.linalg.LinAlgError:
        return False
    return True


def log_densities(rows: PatternRows, terms: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Each kept row's log-density under each component (without weights), from its
    ``terms`` (:func:`features`, in ``rows.order``) and its pattern's ``coef``
    (n_patterns, K, terms), shape (K, n_kept)."""
    out = np.empty((coef.shape[1], terms.shape[1]))
    for p, span in rows.spans:
        np.matmul(coef[p], terms[:, span], out=out[:, span])
    return out


def pattern_sums(
    rows: PatternRows, terms: np.ndarray, resp: np.ndarray, out: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """``sum r_k * terms`` over each pattern's rows, put in ``out[index[p]]`` for pattern
    ``p`` of ``rows``; ``out`` is (n_patterns, K, terms), its other rows left as they are."""
    for p, span in rows.spans:
        np.matmul(resp[:, span], terms[:, span].T, out=out[index[p]])
    return out


def own_sums(rows: PatternRows, terms: np.ndarray, resp: np.ndarray) -> np.ndarray:
    """:func:`pattern_sums` of ``rows``' own patterns, in their order."""
    out = np.empty((rows.n_patterns, resp.shape[0], terms.shape[0]))
    return pattern_sums(rows, terms, resp, out, np.arange(rows.n_patterns))


def expected_stats(
    sums: np.ndarray,
    factors: Factors,
    observed: np.ndarray,
    means: np.ndarray,
    offsets: np.ndarray,
    diagonal: bool,
) -> Stats:
    """The M-step's statistics from each pattern's sums (:func:`pattern_sums`):

    ``nk``, ``sx`` (the sum of ``r x^``, the rows with their missing values filled in
    by each component's conditional means) and ``sxx`` (the sum of
    ``r [(x^ - m)(x^ - m)^T + C]`` about the old means ``m``; its diagonal only when
    ``diagonal``), as :meth:`engine.models.gaussian.GaussianModel.suff_stats` gives
    for complete rows.
    """
    n_patterns, n_components = sums.shape[:2]
    n_features = means.shape[1]
    if n_patterns == 0:
        shape = (n_components, n_features) if diagonal else (n_components, n_features, n_features)
        sxx = np.zeros(shape)
        return {"nk": np.zeros(n_components), "sx": np.zeros_like(means), "sxx": sxx}
    first, mass = sums[..., :n_features], sums[..., n_features]
    rows, cols = np.triu_indices(n_features)
    second = np.empty((n_patterns, n_components, n_features, n_features))
    second[..., rows, cols] = sums[..., n_features + 1 :]
    second[..., cols, rows] = sums[..., n_features + 1 :]
    # Moments of the observed residuals x_O - m_O about the old means.
    inside = observed[:, None, :]
    residual_sums = np.where(inside, first - mass[..., None] * offsets, 0.0)
    cross = first[..., :, None] * offsets[:, None, :]
    moments = (
        second - cross - np.swapaxes(cross, -1, -2)
        + mass[..., None, None] * (offsets[:, :, None] * offsets[:, None, :])
    )
    moments = np.where(inside[..., :, None] & inside[..., None, :], moments, 0.0)
    maps = factors.maps
    shifted = np.einsum("pkij,pkj->pki", maps, residual_sums)
    scatter = maps @ moments @ np.swapaxes(maps, -1, -2) + mass[..., None, None] * factors.residual
    nk = mass.sum(axis=0)
    sxx = scatter.sum(axis=0)
    if diagonal:
        sxx = np.diagonal(sxx, axis1=1, axis2=2).copy()
    return {"nk": nk, "sx": nk[:, None] * means + shifted.sum(axis=0), "sxx": sxx}
