"""Planar geometry of components: projections onto shown columns and covariance ellipses."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.models import ParamSpec
from engine.params import Params


def project(
    params: Params,
    location: ParamSpec | None,
    spread: ParamSpec | None,
    columns: Sequence[int],
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each component's location and spread restricted to some columns, by declared shapes.

    The marginal of a Gaussian on a subset of columns is the Gaussian with the
    matching sub-vector of the mean and sub-block of the covariance: every axis
    a model declares with the symbol ``D`` is cut to ``columns``. What is left of
    a spread per component says its form: a matrix (``K, D, D``: full), a vector
    (``K, D``: diagonal) or one number (``K``: the same in every direction); an
    array without ``K`` (a tied covariance) belongs to every component.

    Parameters
    ----------
    params : Params
    location : ParamSpec or None
        The array of component locations (shape ``K, D``), if the model has one.
    spread : ParamSpec or None
        The array of component spreads (role ``spread``), if the model has one.
    columns : sequence of int
        The shown columns, ``m`` of them.

    Returns
    -------
    locations : ndarray of shape (n_components, m) or None
    spreads : ndarray of shape (n_components, m, m) or None
    """
    index = [int(c) for c in columns]
    k = params.n_components
    n_features = _n_features(params, location, spread)
    for column in index:
        if n_features is not None and not 0 <= column < n_features:
            raise ValueError(f"column {column} is out of range for {n_features} features")
    locations = None
    if location is not None:
        locations = np.array(np.asarray(params[location.name])[:, index], dtype=np.float64)
    if spread is None:
        return locations, None
    value = np.asarray(params[spread.name], dtype=np.float64)
    for axis, symbol in enumerate(spread.shape):
        if symbol == "D":
            value = np.take(value, index, axis=axis)
    if "K" not in spread.shape:
        value = np.broadcast_to(value, (k, *value.shape))
    value = value.reshape(k, *value.shape[1:])
    m = len(index)
    if value.ndim == 1:
        spreads = value[:, None, None] * np.eye(m)
    elif value.ndim == 2:
        spreads = value[:, :, None] * np.eye(m)
    else:
        spreads = np.array(value)
    return locations, np.array(spreads, dtype=np.float64)


def _n_features(params: Params, *specs: ParamSpec | None) -> int | None:
    """The number of data columns the arrays of ``specs`` have (``None``: none tell)."""
    for spec in specs:
        if spec is not None and "D" in spec.shape:
            return int(np.shape(params[spec.name])[spec.shape.index("D")])
    return None


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
