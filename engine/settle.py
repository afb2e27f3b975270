"""Settling a partition before EM, as mclust does for structures it updates its own way.

mclust fits a cell by ``me``: from the hierarchical partition it alternates its
own covariance update with E-steps until the log-likelihood settles. For most
structures that update is EM's M-step computed as the engine computes it, and the
engine's EM from the same partition is mclust's. Two part from it:

* VVE: mclust's update is not EM's M-step (it leaves the volumes out of the
  majoriser of the orientation; :func:`engine.models.covariance.vve.mclust_estimate`);
* EEV: the update is the M-step, but mclust takes each component's axes from the
  triangular factor of its weighted rows, where the engine has only their sums of
  squares; the two differ where a component's rows do not span the columns.

From the same partition the two climbs then end at different optima, either
higher (measured on mclust's data sets: below mclust's in 9 of 756 cells). A
structure that declares such an update (``settling_estimate``) gets a second
``hc`` start: the partition settled by mclust's iteration (:func:`settled_params`),
from which EM climbs as from any start. The fit keeps whichever of the two starts
ends higher, so it is never below either: not below mclust's optimum, and not
below the plain ``hc`` start's.

The iteration runs on the rows the agglomeration used (all rows up to
:data:`engine.hierarchical.HC_MAX_ROWS`), in memory: it only makes a start.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.errors import SingularComponent
from engine.params import Params

#: mclust's outer stop (``emControl()$tol[1]``): a relative change of the
#: log-likelihood of at most this much.
MCLUST_TOLERANCE = 1e-5
#: ... or after this many E-steps (mclust's limit is the largest integer; settling
#: only makes a start, and EM goes on from it).
MAX_STEPS = 1000
#: A component whose weight (rows' worth) falls below this stops the settling, as
#: mclust stops there (its ``sqrt(eps)``).
_FLOOR = float(np.sqrt(np.finfo(np.float64).eps))

Estimate = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], np.ndarray]


def settled_params(X: np.ndarray, resp: np.ndarray, estimate: Estimate) -> Params | None:
    """The mixture mclust's ``me`` ends at from the responsibilities ``resp``, with
    full covariances updated by ``estimate`` (``(weighted, nk, previous) ->
    covariances``, where ``weighted`` (K, N, D) holds each row less each component's
    mean, times the square root of its responsibility: the scatter is
    ``weighted_k^T weighted_k``),
    or ``None`` where mclust would stop without a fit (a component that empties or
    a covariance that is not positive definite).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        The partition to settle (rows of zeros and a one).
    estimate : callable

    Returns
    -------
    Params or None
        Weights, means and covariances after the last update, whose
        log-likelihood is the one that settled.
    """
    n_samples = X.shape[0]
    covariances = None
    last = np.inf
    with np.errstate(under="ignore"):  # responsibilities of far rows underflow to zero
        for _ in range(MAX_STEPS):
            nk = resp.sum(axis=0)
            if nk.min() < _FLOOR:
                return None
            means = (resp.T @ X) / nk[:, None]
            centred = X[None] - means[:, None]  # (K, N, D), each row about each mean
            weighted = centred * np.sqrt(resp.T)[:, :, None]
            try:
                covariances = estimate(weighted, nk, covariances)
                log_resp = _log_joint(centred, nk / n_samples, covariances)
            except (SingularComponent, np.linalg.LinAlgError):
                return None
            top = log_resp.max(axis=1, keepdims=True)
            log_norm = top[:, 0] + np.log(np.exp(log_resp - top).sum(axis=1))
            resp = np.exp(log_resp - log_norm[:, None])
            log_likelihood = float(log_norm.sum())
            if abs(log_likelihood - last) <= MCLUST_TOLERANCE * (1.0 + abs(log_likelihood)):
                break
            last = log_likelihood
    return Params(nk / n_samples, means=means, covariances=covariances)


def _log_joint(centred: np.ndarray, weights: np.ndarray, covariances: np.ndarray) -> np.ndarray:
    """``log weight_k + log N(x | mean_k, covariance_k)`` for rows centred on each
    mean (K, N, D), shape (N, K)."""
    n_features = centred.shape[2]
    factor = np.linalg.cholesky(covariances)  # raises LinAlgError when not positive definite
    half_log_det = np.log(np.diagonal(factor, axis1=1, axis2=2)).sum(axis=1)
    # Solve L y = x for every row: the squared length of y is the Mahalanobis distance.
    whitened = np.linalg.solve(factor, np.swapaxes(centred, 1, 2))
    distance = (whitened**2).sum(axis=1)  # (K, N)
    log_density = -0.5 * (n_features * np.log(2 * np.pi) + distance) - half_log_det[:, None]
    return (log_density + np.log(weights)[:, None]).T
