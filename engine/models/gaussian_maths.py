"""The Gaussian's formulas, shared by its plain maths and its fused passes.

Densities go through the Cholesky factor of each precision matrix and
log-determinants come from its diagonal; no covariance is ever inverted or its
determinant taken. Covariances are stored four ways (full (K, D, D), tied
(D, D), diag (K, D), spherical (K,)): every function here takes that
``storage``. Second moments are taken about a shift (the old means) and turned
into scatter about the new means in the M-step.
"""

from __future__ import annotations

import numpy as np

from engine.errors import SingularComponent
from engine.estep import finite_log_weights
from engine.models import covariance
from engine.models.base import Stats
from engine.params import Params

LOG_2PI = np.log(2 * np.pi)
#: Second moments about a component's mean smaller than this many roundings of
#: the sums they came from are noise: they are set to exactly zero, as computing
#: them about the mean directly would give (for a component on identical rows).
ROUNDING_SLACK = 16


# --- sufficient statistics: second moments about a shift (the old means) ---------------
# Moments about the previous means lose almost no precision, because the new
# means are close to them; raw moments about zero would cancel catastrophically
# for data far from the origin.


def moments_full(X: np.ndarray, resp: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Sum of r (x - shift)(x - shift)^T per component, shape (K, D, D)."""
    n_components, n_features = shift.shape
    moments = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        diff = X - shift[k]
        moments[k] = (resp[:, k, None] * diff).T @ diff
    return moments


def moments_diag(X: np.ndarray, resp: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Sum of r (x - shift)^2 per component and feature, shape (K, D)."""
    moments = np.empty_like(shift)
    for k in range(shift.shape[0]):
        diff = X - shift[k]
        moments[k] = resp[:, k] @ (diff * diff)
    return moments


def shifted_stats(nk: np.ndarray, sz: np.ndarray, sxx: np.ndarray, shift: np.ndarray) -> Stats:
    """The model's statistics from sums over rows centred on ``shift``: ``sx`` back in
    the data's own coordinates."""
    return {"nk": nk, "sx": sz + nk[:, None] * shift, "sxx": sxx}


# --- M-step: scatter about the new means from moments about the shift -------------------


def centred_full(stats: Stats, shift: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Sum of r (x - mean)(x - mean)^T per component, shape (K, D, D)."""
    mass = stats["nk"]
    delta = means - shift
    offset = stats["sx"] - mass[:, None] * shift  # sum of r (x - shift)
    cross = delta[:, :, None] * offset[:, None, :]
    return (
        stats["sxx"]
        - cross
        - cross.transpose(0, 2, 1)
        + mass[:, None, None] * delta[:, :, None] * delta[:, None, :]
    )


def centred_diag(stats: Stats, shift: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Sum of r (x - mean)^2 per component and feature, shape (K, D)."""
    mass = stats["nk"]
    delta = means - shift
    offset = stats["sx"] - mass[:, None] * shift
    return stats["sxx"] - 2 * delta * offset + mass[:, None] * delta**2


# --- precision factors ------------------------------------------------------------------


def _cholesky_lower(covariances: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        stack = covariances.reshape((-1,) + covariances.shape[-2:])
        for k, cov in enumerate(stack):
            try:
                np.linalg.cholesky(cov)
            except np.linalg.LinAlgError:
                raise SingularComponent(k) from None
        raise


def _precisions_chol_full(covariances: np.ndarray) -> np.ndarray:
    if not np.isfinite(covariances).all():
        raise SingularComponent(int(np.argwhere(~np.isfinite(covariances))[0, 0]))
    cov_chol = _cholesky_lower(covariances)
    # The transposed inverse of the lower factor L of the covariance is an
    # upper-triangular factor U of the precision (U U^T = inv(cov)).
    return np.swapaxes(np.linalg.inv(cov_chol), -1, -2)


def _precisions_chol_diagonal(covariances: np.ndarray) -> np.ndarray:
    bad = ~(covariances > 0) | ~np.isfinite(covariances)
    if np.any(bad):
        raise SingularComponent(int(np.argwhere(bad)[0, 0]))
    return 1.0 / np.sqrt(covariances)


def precisions_cholesky(covariances: np.ndarray, storage: str) -> np.ndarray:
    """Cholesky factors of the precisions of covariances stored as ``storage``;
    raises ``SingularComponent``."""
    if storage in ("full", "tied"):
        return _precisions_chol_full(covariances)
    return _precisions_chol_diagonal(covariances)


def covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple[int, ...]:
    """The shape of the covariances of ``covariance_type`` (any structure's name or alias)."""
    storage = covariance.get(covariance_type).storage
    return covariance.storage_shape(storage, n_components, n_features)


def full_factors(params: Params, storage: str) -> np.ndarray:
    """Each component's precision factor as a full (K, D, D) matrix."""
    n_components, n_features = params.means.shape
    factors = params.precisions_chol
    if storage == "diag":
        return factors[:, :, None] * np.eye(n_features)
    if storage == "spherical":
        return factors[:, None, None] * np.eye(n_features)
    return np.broadcast_to(factors, (n_components, n_features, n_features))


# --- densities --------------------------------------------------------------------------


def log_det_half(precisions_chol: np.ndarray, storage: str, n_features: int):
    """Half the log-determinant of each precision matrix (scalar when tied)."""
    if storage in ("full", "tied"):
        return np.log(np.diagonal(precisions_chol, axis1=-2, axis2=-1)).sum(axis=-1)
    if storage == "diag":
        return np.log(precisions_chol).sum(axis=1)
    return n_features * np.log(precisions_chol)


def squared_mahalanobis(X: np.ndarray, params: Params, storage: str) -> np.ndarray:
    """Each row's squared distance from each component's mean in its own standard
    deviations, shape (n_samples, n_components)."""
    means, pc = params.means, params.precisions_chol
    out = np.empty((X.shape[0], means.shape[0]))
    for k in range(means.shape[0]):
        diff = X - means[k]
        if storage == "full":
            y = diff @ pc[k]
        elif storage == "tied":
            y = diff @ pc
        else:
            y = diff * pc[k]
        out[:, k] = np.einsum("ij,ij->i", y, y)
    return out


def log_prob(X: np.ndarray, params: Params, storage: str) -> np.ndarray:
    """Log-density of every row under every component, shape (n_samples, n_components)."""
    n_features = X.shape[1]
    log_det = log_det_half(params.precisions_chol, storage, n_features)
    maha = squared_mahalanobis(X, params, storage)
    return -0.5 * (n_features * LOG_2PI + maha) + log_det


def peaks(params: Params, factors: np.ndarray) -> np.ndarray:
    """``log w_k`` plus each component's log-density at its mean, shape (K,), from full
    precision factors ``factors`` (K, D, D) (:func:`full_factors`): half the
    log-determinant of the precision - D/2 log(2 pi). No row's weighted log-density
    exceeds the largest of them, the ceiling of a fused pass."""
    n_features = factors.shape[-1]
    log_det = np.log(factors.diagonal(0, -2, -1)).sum(axis=-1)
    return finite_log_weights(params.weights) + log_det - 0.5 * n_features * LOG_2PI
