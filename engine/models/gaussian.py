"""Gaussian mixtures with full, tied, diagonal or spherical covariances.

Shapes and meaning follow scikit-learn's ``GaussianMixture``. Densities go
through the Cholesky factor of each precision matrix; log-determinants come
from its diagonal; no covariance is ever inverted or its determinant taken.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np

from engine.errors import SingularComponent
from engine.models import gaussian_pass
from engine.models.base import EMPTY_MASS, ChunkResult, MixtureModel, Stats, WorkingData
from engine.params import Params

LOG_2PI = np.log(2 * np.pi)
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


# --- sufficient statistics: second moments about a shift (the old means) ---------------
# Moments about the previous means lose almost no precision, because the new
# means are close to them; raw moments about zero would cancel catastrophically
# for data far from the origin.


def _moments_full(X: np.ndarray, resp: np.ndarray, shift: np.ndarray) -> np.ndarray:
    n_components, n_features = shift.shape
    moments = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        diff = X - shift[k]
        moments[k] = (resp[:, k, None] * diff).T @ diff
    return moments


def _moments_diag(X: np.ndarray, resp: np.ndarray, shift: np.ndarray) -> np.ndarray:
    moments = np.empty_like(shift)
    for k in range(shift.shape[0]):
        diff = X - shift[k]
        moments[k] = resp[:, k] @ (diff * diff)
    return moments


# --- M-step: scatter about the new means from moments about the shift -------------------


def _centred_full(stats: Stats, shift: np.ndarray, means: np.ndarray) -> np.ndarray:
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


def _centred_diag(stats: Stats, shift: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Sum of r (x - mean)^2 per component and feature, shape (K, D)."""
    mass = stats["nk"]
    delta = means - shift
    offset = stats["sx"] - mass[:, None] * shift
    return stats["sxx"] - 2 * delta * offset + mass[:, None] * delta**2


# Each takes the scatter about the new means ((K, D, D) for full and tied,
# (K, D) otherwise), the component masses and the regularisation per feature.


def _covariances_full(scatter: np.ndarray, nk: np.ndarray, reg: np.ndarray) -> np.ndarray:
    return scatter / nk[:, None, None] + np.diag(reg)


def _covariances_tied(scatter: np.ndarray, nk: np.ndarray, reg: np.ndarray) -> np.ndarray:
    return scatter.sum(axis=0) / nk.sum() + np.diag(reg)


def _covariances_diag(scatter: np.ndarray, nk: np.ndarray, reg: np.ndarray) -> np.ndarray:
    return scatter / nk[:, None] + reg


def _covariances_spherical(scatter: np.ndarray, nk: np.ndarray, reg: np.ndarray) -> np.ndarray:
    return _covariances_diag(scatter, nk, reg).mean(axis=1)


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
    if not np.all(np.isfinite(covariances)):
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


def _log_det_half(precisions_chol: np.ndarray, covariance_type: str, n_features: int):
    """Half the log-determinant of each precision matrix (scalar when tied)."""
    if covariance_type in ("full", "tied"):
        return np.log(np.diagonal(precisions_chol, axis1=-2, axis2=-1)).sum(axis=-1)
    if covariance_type == "diag":
        return np.log(precisions_chol).sum(axis=1)
    return n_features * np.log(precisions_chol)


def _squared_mahalanobis(X: np.ndarray, params: Params, covariance_type: str) -> np.ndarray:
    means, pc = params.means, params.precisions_chol
    out = np.empty((X.shape[0], means.shape[0]))
    for k in range(means.shape[0]):
        diff = X - means[k]
        if covariance_type == "full":
            y = diff @ pc[k]
        elif covariance_type == "tied":
            y = diff @ pc
        else:
            y = diff * pc[k]
        out[:, k] = np.einsum("ij,ij->i", y, y)
    return out


_COVARIANCE_SHAPES: dict[str, Callable[[int, int], tuple[int, ...]]] = {
    "full": lambda k, d: (k, d, d),
    "tied": lambda k, d: (d, d),
    "diag": lambda k, d: (k, d),
    "spherical": lambda k, d: (k,),
}
_COVARIANCE_PARAMETERS: dict[str, Callable[[int, int], int]] = {
    "full": lambda k, d: k * d * (d + 1) // 2,
    "tied": lambda k, d: d * (d + 1) // 2,
    "diag": lambda k, d: k * d,
    "spherical": lambda k, d: k,
}
_COVARIANCE_ESTIMATORS = {
    "full": _covariances_full,
    "tied": _covariances_tied,
    "diag": _covariances_diag,
    "spherical": _covariances_spherical,
}


def covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple[int, ...]:
    return _COVARIANCE_SHAPES[covariance_type](n_components, n_features)


def precisions_cholesky(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """Cholesky factors of the precisions; raises ``SingularComponent``."""
    if covariance_type in ("full", "tied"):
        return _precisions_chol_full(covariances)
    return _precisions_chol_diagonal(covariances)


class GaussianModel(MixtureModel):
    """Gaussian mixture; ``reg`` is added to each covariance's diagonal.

    Parameters
    ----------
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    reg : ndarray of shape (n_features,)
        Absolute regularisation per feature (the caller scales ``reg_covar``
        by each column's variance, so fits do not depend on the data's units).
    """

    name = "gaussian"
    fixable = ("weights", "means", "covariances")

    def __init__(self, covariance_type: str, reg: np.ndarray) -> None:
        if covariance_type not in COVARIANCE_TYPES:
            raise ValueError(
                f"unknown covariance type {covariance_type!r}; choose one of "
                f"{', '.join(COVARIANCE_TYPES)}"
            )
        self._covariance_type = covariance_type
        self.reg = np.asarray(reg, dtype=np.float64)

    @property
    def covariance_type(self) -> str:
        return self._covariance_type

    @property
    def component_params(self) -> tuple[str, ...]:  # type: ignore[override]
        if self._covariance_type == "tied":
            return ("weights", "means")
        return ("weights", "means", "covariances")

    def check_data(self, X: np.ndarray, feature_names: list[str]) -> None:
        constant = np.flatnonzero(np.ptp(X, axis=0) == 0) if X.shape[0] > 1 else []
        if len(constant):
            name = feature_names[constant[0]]
            raise ValueError(
                f"column {name!r} has the same value in every row, so a Gaussian has no "
                "spread to fit there; remove that column"
            )

    def check_params(self, params: Params, n_features: int) -> None:
        k = params.n_components
        expected = {
            "means": (k, n_features),
            "covariances": covariance_shape(self._covariance_type, k, n_features),
        }
        for name, shape in expected.items():
            value = getattr(params, name)
            if value is None:
                raise ValueError(f"the Gaussian model needs {name}; none were given")
            if value.shape != shape:
                raise ValueError(
                    f"{name} have shape {value.shape} but {k} components with "
                    f"{self._covariance_type!r} covariance on {n_features} columns need {shape}"
                )

    def prepare(self, params: Params) -> Params:
        if params.precisions_chol is not None:
            return params
        return params.replace(
            precisions_chol=precisions_cholesky(params.covariances, self._covariance_type)
        )

    def chunk_rows(self, n_components: int, n_features: int, itemsize: int = 8) -> int:
        return gaussian_pass.chunk_rows(self._covariance_type, n_components, n_features, itemsize)

    def working_data(self, X: np.ndarray, dtype: np.dtype) -> WorkingData:
        return gaussian_pass.working_data(X, dtype)

    def pass_plan(self, params: Params, data: WorkingData) -> object:
        return gaussian_pass.pass_plan(params, data, self._covariance_type)

    def chunk_pass(
        self,
        rows: np.ndarray,
        plan: object,
        hard: bool,
        details: bool,
        labels_out: np.ndarray | None = None,
    ) -> ChunkResult:
        return gaussian_pass.chunk_pass(rows, plan, hard, details, labels_out)

    def pass_stats(self, sums: Stats, plan: object) -> Stats:
        return gaussian_pass.pass_stats(sums, plan)

    def log_prob(self, X: np.ndarray, params: Params) -> np.ndarray:
        n_features = X.shape[1]
        log_det = _log_det_half(params.precisions_chol, self._covariance_type, n_features)
        maha = _squared_mahalanobis(X, params, self._covariance_type)
        return -0.5 * (n_features * LOG_2PI + maha) + log_det

    def suff_stats(self, X: np.ndarray, resp: np.ndarray, params: Params) -> Stats:
        full = self._covariance_type in ("full", "tied")
        moments = _moments_full if full else _moments_diag
        return {
            "nk": resp.sum(axis=0),
            "sx": resp.T @ X,
            "sxx": moments(X, resp, params.means),
        }

    def m_step(
        self, stats: Stats, params: Params, fixed: Collection[str], n_samples: int
    ) -> Params:
        nk = stats["nk"] + EMPTY_MASS
        weights = params.weights if "weights" in fixed else nk / nk.sum()
        means = params.means if "means" in fixed else stats["sx"] / nk[:, None]
        if "covariances" in fixed:
            covariances = params.covariances
        else:
            full = self._covariance_type in ("full", "tied")
            centred = (_centred_full if full else _centred_diag)(stats, params.means, means)
            estimate = _COVARIANCE_ESTIMATORS[self._covariance_type]
            covariances = estimate(centred, nk, self.reg)
        return self.prepare(Params(weights=weights, means=means, covariances=covariances))

    def n_free_parameters(self, n_components: int, n_features: int, fixed: Collection[str]) -> int:
        counts = {
            "weights": n_components - 1,
            "means": n_components * n_features,
            "covariances": _COVARIANCE_PARAMETERS[self._covariance_type](
                n_components, n_features
            ),
        }
        return sum(count for name, count in counts.items() if name not in fixed)
