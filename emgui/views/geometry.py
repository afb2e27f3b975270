"""Planar geometry of Gaussian components: 2-D projections and covariance ellipses."""

from __future__ import annotations

import numpy as np

from emgui.views.engine_bridge import covariance_layout
from engine.params import Params

#: Covariance types whose ``covariances`` have the spherical shape (K,).
_SPHERICAL_LIKE = ("spherical", "kmeans")


def _block(cov: np.ndarray, columns: tuple[int, int]) -> np.ndarray:
    index = np.asarray(columns)
    return cov[..., index[:, None], index[None, :]]


def _full_2d(covariances: np.ndarray, n_components: int, columns: tuple[int, int]) -> np.ndarray:
    return _block(covariances, columns)


def _tied_2d(covariances: np.ndarray, n_components: int, columns: tuple[int, int]) -> np.ndarray:
    return np.broadcast_to(_block(covariances, columns), (n_components, 2, 2)).copy()


def _diag_2d(covariances: np.ndarray, n_components: int, columns: tuple[int, int]) -> np.ndarray:
    cov = np.zeros((n_components, 2, 2))
    cov[:, 0, 0] = covariances[:, columns[0]]
    cov[:, 1, 1] = covariances[:, columns[1]]
    return cov


def _spherical_2d(
    covariances: np.ndarray, n_components: int, columns: tuple[int, int]
) -> np.ndarray:
    values = np.asarray(covariances, dtype=np.float64).reshape(-1)
    values = np.broadcast_to(values, (n_components,))
    return values[:, None, None] * np.eye(2)


_PROJECTIONS = {
    "full": _full_2d,
    "tied": _tied_2d,
    "diag": _diag_2d,
    "spherical": _spherical_2d,
    "kmeans": _spherical_2d,
}


def project_gaussian(
    params: Params, covariance_type: str | None, columns: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Means and covariances of each component restricted to two columns.

    The marginal of a Gaussian on a subset of columns is the Gaussian with
    the matching sub-vector of the mean and sub-block of the covariance.

    Parameters
    ----------
    params : Params
        Parameters of a ``gaussian`` or ``kmeans`` mixture.
    covariance_type : {'full', 'tied', 'diag', 'spherical', 'kmeans'} or None
        The shape of ``params.covariances`` (scikit-learn conventions);
        ``kmeans`` and ``None`` mean the spherical shape.
    columns : tuple of int
        The two displayed columns (x, then y).

    Returns
    -------
    means_2d : ndarray of shape (n_components, 2)
    covariances_2d : ndarray of shape (n_components, 2, 2) or None
        ``None`` when ``params`` carry no covariances.
    """
    if params.means is None:
        raise ValueError("project_gaussian needs parameters with means")
    if len(columns) != 2:
        raise ValueError(f"columns must name exactly two columns, got {columns!r}")
    n_features = params.means.shape[1]
    for column in columns:
        if not 0 <= column < n_features:
            raise ValueError(f"column {column} is out of range for {n_features} features")
    kind = covariance_layout(covariance_type) if covariance_type else "kmeans"
    if kind not in _PROJECTIONS:
        raise ValueError(
            f"unknown covariance type {covariance_type!r}; expected one of {sorted(_PROJECTIONS)}"
        )
    columns = (int(columns[0]), int(columns[1]))
    means_2d = np.array(params.means[:, list(columns)], dtype=np.float64)
    if params.covariances is None:
        return means_2d, None
    cov_2d = _PROJECTIONS[kind](np.asarray(params.covariances), params.n_components, columns)
    return means_2d, np.array(cov_2d, dtype=np.float64)


def ellipse_points(mean: np.ndarray, cov: np.ndarray, n_std: float, n: int = 100) -> np.ndarray:
    """Closed curve of points at Mahalanobis distance ``n_std`` from ``mean``.

    With ``cov = V diag(w) V^T``, the points are ``mean + n_std * V sqrt(w) u``
    for unit vectors ``u``, so ``(p - m)^T cov^-1 (p - m) == n_std**2`` exactly.

    Parameters
    ----------
    mean : ndarray of shape (2,)
    cov : ndarray of shape (2, 2)
        Symmetric positive semi-definite; tiny negative eigenvalues from
        round-off are treated as zero (a flat ellipse).
    n_std : float
        Radius in standard deviations.
    n : int
        Number of points; the first and last coincide so the curve closes.

    Returns
    -------
    ndarray of shape (n, 2)
    """
    mean = np.asarray(mean, dtype=np.float64).reshape(1, 2)
    cov = np.asarray(cov, dtype=np.float64).reshape(1, 2, 2)
    return ellipses_points(mean, cov, (n_std,), n)[0, 0]


def ellipses_points(
    means: np.ndarray, covariances: np.ndarray, n_stds: tuple[float, ...], n: int = 100
) -> np.ndarray:
    """:func:`ellipse_points` for many components and radii at once.

    Parameters
    ----------
    means : ndarray of shape (n_components, 2)
    covariances : ndarray of shape (n_components, 2, 2)
    n_stds : sequence of float
        Radii in standard deviations.
    n : int
        Points per curve.

    Returns
    -------
    ndarray of shape (n_components, len(n_stds), n, 2)
    """
    means = np.asarray(means, dtype=np.float64).reshape(-1, 2)
    covariances = np.asarray(covariances, dtype=np.float64).reshape(-1, 2, 2)
    eigenvalues, eigenvectors = np.linalg.eigh((covariances + covariances.swapaxes(1, 2)) / 2.0)
    axes = eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))[:, None, :]
    angles = np.linspace(0.0, 2.0 * np.pi, n)
    circle = np.stack([np.cos(angles), np.sin(angles)])
    unit = (axes @ circle).swapaxes(1, 2)  # (n_components, n, 2)
    radii = np.asarray(n_stds, dtype=np.float64)[None, :, None, None]
    return means[:, None, None, :] + radii * unit[:, None, :, :]
