"""Two-dimensional views of many columns: principal components and discriminant coordinates.

A projection is a centre ``c`` and a basis ``B`` of shape (n_features, n_dims);
a row ``x`` goes to ``(x - c) @ B``. A Gaussian with mean ``mu`` and covariance
``S`` goes to the Gaussian with mean ``(mu - c) @ B`` and covariance ``B^T S B``
(a linear map of a Gaussian is Gaussian), so components can be drawn in any
projection with their ellipses exact.

:func:`discriminant_coordinates` follows the dimension reduction of Scrucca
(2010, *Statistics and Computing* 20: 471-484) that mclust offers as
``MclustDR``: directions that separate the components' means, and their
covariances, relative to the data's spread, from the generalised eigenproblem
``M v = l Sigma v``. Because ``Sigma`` and ``M`` change with the columns' units
as ``D Sigma D`` and ``D M D``, the coordinates do not depend on the units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Eigenvalues of the data's covariance below this fraction of the largest are taken as
#: zero (a column that is a combination of others adds no direction).
RANK_TOLERANCE = 1e-10


@dataclass(frozen=True)
class Projection:
    """A linear map of rows to a few coordinates.

    Attributes
    ----------
    center : ndarray of shape (n_features,)
    basis : ndarray of shape (n_features, n_dims)
        Each direction a column, of unit length.
    values : ndarray of shape (n_dims,)
        How much each direction holds (variance for principal components, the
        eigenvalue for discriminant coordinates), largest first.
    """

    center: np.ndarray
    basis: np.ndarray
    values: np.ndarray

    @property
    def n_dims(self) -> int:
        return int(self.basis.shape[1])

    def transform(self, X: np.ndarray) -> np.ndarray:
        """The coordinates of the rows of ``X`` (n_samples, n_features): (n_samples, n_dims)."""
        return (np.asarray(X, dtype=np.float64) - self.center) @ self.basis

    def gaussians(
        self, means: np.ndarray, covariances: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gaussians of ``means`` (K, D) and ``covariances`` (K, D, D) in these coordinates:
        means (K, n_dims) and covariances (K, n_dims, n_dims)."""
        return project_gaussians(means, covariances, self.basis, self.center)


def project_gaussians(
    means: np.ndarray, covariances: np.ndarray, basis: np.ndarray, center: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The image of Gaussians under ``x -> (x - center) @ basis``.

    Parameters
    ----------
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
    basis : ndarray of shape (n_features, n_dims)
    center : ndarray of shape (n_features,), optional

    Returns
    -------
    means : ndarray of shape (n_components, n_dims)
    covariances : ndarray of shape (n_components, n_dims, n_dims)
    """
    means = np.asarray(means, dtype=np.float64)
    covariances = np.asarray(covariances, dtype=np.float64)
    basis = np.asarray(basis, dtype=np.float64)
    if center is not None:
        means = means - np.asarray(center, dtype=np.float64)
    projected = basis.T @ covariances @ basis
    # Symmetric by construction; round-off would make the ellipses' eigenvectors wobble.
    return means @ basis, (projected + projected.swapaxes(-1, -2)) / 2.0


def _complete_rows(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_features), got {X.shape}")
    X = X[np.isfinite(X).all(axis=1)]
    if X.shape[0] < 2:
        raise ValueError("a projection needs at least two rows with every value present")
    return X


def _unit_columns(basis: np.ndarray) -> np.ndarray:
    """Each column of unit length, its largest entry positive (so a direction's sign is
    the same from one fit to the next)."""
    basis = basis / np.linalg.norm(basis, axis=0)
    largest = np.argmax(np.abs(basis), axis=0)
    signs = np.sign(basis[largest, np.arange(basis.shape[1])])
    return basis * np.where(signs == 0, 1.0, signs)


def principal_components(X: np.ndarray, n_dims: int = 2) -> Projection:
    """The first ``n_dims`` principal components of the complete rows of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_dims : int
        At most ``n_features``.

    Returns
    -------
    Projection
        Centred on the column means; ``values`` are the variances (divisor n) along
        each component.
    """
    X = _complete_rows(X)
    if not 1 <= n_dims <= X.shape[1]:
        raise ValueError(f"n_dims must be between 1 and {X.shape[1]}, got {n_dims}")
    center = X.mean(axis=0)
    _, singular, vt = np.linalg.svd(X - center, full_matrices=False)
    basis = _unit_columns(vt[:n_dims].T)
    return Projection(center, basis, singular[:n_dims] ** 2 / X.shape[0])


def _inverse_sqrt(sigma: np.ndarray) -> np.ndarray:
    """Sigma^(-1/2) on Sigma's range (directions of zero variance are dropped)."""
    values, vectors = np.linalg.eigh(sigma)
    keep = values > RANK_TOLERANCE * max(values.max(), 0.0)
    if not keep.any():
        raise ValueError("the data have no spread: every column is constant")
    return (vectors[:, keep] / np.sqrt(values[keep])) @ vectors[:, keep].T


def discriminant_coordinates(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    covariances: np.ndarray,
    n_dims: int = 2,
    balance: float = 0.5,
) -> Projection:
    """Directions that best show a Gaussian mixture's components apart, as mclust's MclustDR.

    With ``Sigma`` the data's covariance, ``mu`` their mean, ``S = sum_k w_k S_k`` the
    pooled covariance of the components,

    ``M_I = sum_k w_k (mu_k - mu)(mu_k - mu)^T`` (how the means differ),
    ``M_II = sum_k w_k (S_k - S) Sigma^-1 (S_k - S)`` (how the covariances differ),
    ``M = 2 balance M_I Sigma^-1 M_I + 2 (1 - balance) M_II``,

    the directions ``v`` solve ``M v = l Sigma v``, largest ``l`` first.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data (its complete rows give ``Sigma`` and ``mu``).
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
    n_dims : int
        Directions wanted; fewer than asked are padded with the data's principal
        components when the mixture separates in fewer (two components' means
        alone give one direction, say).
    balance : float
        Between 0 and 1: the share of the means' differences against the covariances'.

    Returns
    -------
    Projection
        Centred on the data's mean; ``values`` are the eigenvalues ``l``.
    """
    X = _complete_rows(X)
    n_features = X.shape[1]
    if not 1 <= n_dims <= n_features:
        raise ValueError(f"n_dims must be between 1 and {n_features}, got {n_dims}")
    if not 0.0 <= balance <= 1.0:
        raise ValueError(f"balance must lie between 0 and 1, got {balance}")
    weights = np.asarray(weights, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    covariances = np.asarray(covariances, dtype=np.float64)
    if means.shape != (weights.shape[0], n_features) or covariances.shape != (
        weights.shape[0], n_features, n_features
    ):
        raise ValueError(
            f"means must have shape (K, {n_features}) and covariances (K, {n_features}, "
            f"{n_features}) for K = {weights.shape[0]} weights; got {means.shape} and "
            f"{covariances.shape}"
        )
    weights = weights / weights.sum()
    mu = X.mean(axis=0)
    # In units of each column's sd (a diagonal change of units, which leaves the answer
    # as it is): whitening then meets no eigenvalues that differ only through the units.
    sd = X.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    centred = (X - mu) / sd
    sigma = centred.T @ centred / X.shape[0]
    root = _inverse_sqrt(sigma)
    inverse = root @ root
    shifts = (means - mu) / sd
    m_means = (weights[:, None] * shifts).T @ shifts
    scaled = covariances / sd[:, None] / sd[None, :]
    pooled = np.einsum("k,kij->ij", weights, scaled)
    spread = scaled - pooled
    m_covariances = np.einsum("k,kij,jl,klm->im", weights, spread, inverse, spread)
    kernel = 2 * balance * m_means @ inverse @ m_means + 2 * (1 - balance) * m_covariances
    # Whitening turns M v = l Sigma v into a symmetric problem: (R M R) u = l u, v = R u.
    whitened = root @ kernel @ root
    values, vectors = np.linalg.eigh((whitened + whitened.T) / 2.0)
    order = np.argsort(values)[::-1]
    values = np.clip(values[order], 0.0, None)
    directions = root @ vectors[:, order]
    found = int(np.sum(values > np.sqrt(np.finfo(float).eps) * max(values[0], 1e-300)))
    basis = directions[:, : min(found, n_dims)]
    if basis.shape[1] < n_dims:
        basis = _padded(basis, centred, n_dims)
        values = np.concatenate([values[: min(found, n_dims)],
                                 np.zeros(n_dims - min(found, n_dims))])
    # Back to the columns' own units: (x - mu) / sd @ v == (x - mu) @ (v / sd).
    return Projection(mu, _unit_columns(basis / sd[:, None]), values[:n_dims])


def _padded(basis: np.ndarray, centred: np.ndarray, n_dims: int) -> np.ndarray:
    """``basis`` with principal directions of what it leaves of the data, up to ``n_dims``."""
    rest = centred
    if basis.shape[1]:
        span, _ = np.linalg.qr(basis)
        rest = centred - (centred @ span) @ span.T
    _, _, vt = np.linalg.svd(rest, full_matrices=False)
    return np.column_stack([basis, vt[: n_dims - basis.shape[1]].T])
