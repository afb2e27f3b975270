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
higher (measured on mclust's data sets: below mclust's in 9 of the 696 cells
compared). A structure that declares such an update (``settling_estimate``) gets a second
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
from engine.models.covariance.eigen import compose
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

#: ``(weighted, nk, state) -> (axes, values, state)``: see :func:`settled_params`.
Estimate = Callable[[np.ndarray, np.ndarray, object], tuple[np.ndarray, np.ndarray, object]]


def settled_params(X: np.ndarray, resp: np.ndarray, estimate: Estimate) -> Params | None:
    """The mixture mclust's ``me`` ends at from the responsibilities ``resp``, or
    ``None`` where mclust would stop without a fit (a component that empties or a
    covariance that is not positive definite).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        The partition to settle (rows of zeros and a one).
    estimate : callable
        The covariance update, ``(weighted, nk, state) -> (axes, values, state)``:
        ``weighted`` (K, N, D) holds each row less each component's mean, times the
        square root of its responsibility (the scatter is ``weighted_k^T weighted_k``);
        the covariances are ``axes_k diag(values_k) axes_k^T``, with ``axes`` of shape
        (K, D, D), or (D, D) for one orientation, and ``values`` (K, D); ``state`` is
        what the update carries from one step to the next (``None`` at the first),
        as mclust carries its orientation and shapes.

    Returns
    -------
    Params or None
        Weights, means and covariances after the last update, whose
        log-likelihood is the one that settled.
    """
    n_samples = X.shape[0]
    state: object = None
    last = np.inf
    with np.errstate(under="ignore"):  # responsibilities of far rows underflow to zero
        for _ in range(MAX_STEPS):
            nk = resp.sum(axis=0)
            if nk.min() < _FLOOR:
                return None
            means = (resp.T @ X) / nk[:, None]
            centred = X[None] - means[:, None]  # (K, N, D), each row about each mean
            try:
                axes, values, state = estimate(centred * np.sqrt(resp.T)[:, :, None], nk, state)
            except (SingularComponent, np.linalg.LinAlgError):
                return None
            if not np.all(values > 0):
                return None
            # log weight_k + log N(x | mean_k, covariance_k), by the covariances' axes.
            distance = ((centred @ axes) ** 2 / values[:, None, :]).sum(axis=2)  # (K, N)
            log_det = np.log(values).sum(axis=1)
            log_resp = (np.log(nk / n_samples) - 0.5 * log_det)[:, None] - 0.5 * distance
            top = log_resp.max(axis=0)
            log_norm = top + np.log(np.exp(log_resp - top).sum(axis=0))
            resp = np.exp(log_resp - log_norm).T
            log_likelihood = float(log_norm.sum()) - 0.5 * n_samples * X.shape[1] * np.log(
                2 * np.pi
            )
            if abs(log_likelihood - last) <= MCLUST_TOLERANCE * (1.0 + abs(log_likelihood)):
                break
            last = log_likelihood
    return Params(nk / n_samples, means=means, covariances=compose(axes, values))
