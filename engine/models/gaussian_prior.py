"""A Gaussian's regularisation: a prior on each covariance, or scikit-learn's addition.

``prior`` (the default) adds ``reg_covar`` times each column's variance as a
prior worth N/K rows on each covariance: the M-step maximises the expected
complete-data log-likelihood plus the log prior (:func:`log_prior`), so their
sum never falls. ``sklearn`` adds ``reg_covar`` itself to every variance after
each M-step, as scikit-learn's ``GaussianMixture`` does. Either way a component
whose spread is hardly more than the regularisation's rests on it
(:func:`collapsed_components`).
"""

from __future__ import annotations

import numpy as np

from engine.models.base import OptionSpec
from engine.params import Params

REGULARISATION_OPTION = OptionSpec(
    name="regularisation",
    title="Regularisation",
    default="prior",
    help="prior: reg_covar times each column's variance, as a prior worth N/K rows on each "
    "covariance (fits do not depend on units, and EM never lowers the log-likelihood plus "
    "the log prior); sklearn: reg_covar itself added to every variance after each M-step, "
    "as scikit-learn's GaussianMixture does (the log-likelihood may fall a little).",
    choices=("prior", "sklearn"),
    cli_flag="--regularisation",
)


def prior_weight(n_samples: int, n_components: int) -> float:
    """How many rows' worth of the regularisation each component's prior holds:
    N / K, so a component of average weight gets ``reg`` added to its variances."""
    return n_samples / n_components


def has_prior(reg: np.ndarray | None, regularisation: str) -> bool:
    """Whether ``reg`` (per feature) acts as a prior under ``regularisation``."""
    # The array's own any(): NumPy's function around it costs twice as much, twice a pass.
    return not (reg is None or regularisation == "sklearn" or not np.asarray(reg).any())


def pseudo_scatter(
    reg: np.ndarray | None,
    regularisation: str,
    full_moments: bool,
    n_samples: int,
    n_components: int,
) -> np.ndarray | float:
    """The prior's scatter added to every component's: ``c diag(reg)``, a (D, D)
    matrix when the structure takes full moments, else (D,); 0 without a prior."""
    if not has_prior(reg, regularisation):
        return 0.0
    pseudo = prior_weight(n_samples, n_components) * reg
    return np.diag(pseudo) if full_moments else pseudo


def added_to_variances(covariances: np.ndarray, reg: np.ndarray, storage: str) -> np.ndarray:
    """``reg`` added to every variance, as scikit-learn adds ``reg_covar`` after its M-step."""
    if storage in ("full", "tied"):
        return covariances + np.diag(reg)
    if storage == "diag":
        return covariances + reg
    return covariances + reg.mean()


def log_prior(
    params: Params, reg: np.ndarray | None, regularisation: str, storage: str, n_samples: int
) -> float:
    """The regularisation as a prior on each covariance,
    ``-(c/2) sum_k tr(S_k^-1 diag(reg))`` with ``c = N / K`` (an inverse-Wishart
    shape without its determinant term). The M-step maximises the expected
    complete-data log-likelihood plus this, so their sum never falls. With
    scikit-learn's regularisation there is no prior: 0."""
    if not has_prior(reg, regularisation):
        return 0.0
    k = params.n_components
    factors = params.precisions_chol
    if storage in ("full", "tied"):
        # diag(S^-1) from the precision factor U (U U^T = S^-1): row sums of U**2.
        inverse_diagonal = np.square(factors).sum(axis=-1)
        traces = inverse_diagonal @ reg
        total = k * traces if storage == "tied" else traces.sum()
    elif storage == "diag":
        total = (np.square(factors) @ reg).sum()
    else:
        total = (np.square(factors) * reg.sum()).sum()
    return -0.5 * prior_weight(n_samples, k) * float(total)


def collapsed_components(
    params: Params,
    storage: str,
    column_variance: np.ndarray,
    reg_covar: float,
    factor: float = 2.0,
) -> tuple[int, ...]:
    """Components whose variance in some direction is no more than ``factor`` times
    what the regularisation's prior alone gives them (``reg_covar`` times the
    column's variance, over K times the component's weight; see :func:`log_prior`):
    they sit on rows that share a value (data recorded to whole minutes, say),
    where a cluster with a spread of its own stays well above it. mclust reports
    such cells as missing; a sweep keeps them, marked. A tied covariance so thin
    marks every component: the whole fit rests on the regularisation."""
    if reg_covar <= 0:
        return ()
    k = params.n_components
    covariances = np.asarray(params.covariances)
    column_variance = np.asarray(column_variance, dtype=np.float64)
    # The prior's share of each component's variances, in the columns' own units.
    share = 1.0 / np.maximum(k * params.weights, np.finfo(np.float64).tiny)
    if storage == "tied":
        share, covariances = np.ones(1), covariances[None]
    floor = factor * reg_covar * share
    # Given covariances can be far wider than the data (1e300 on columns of variance
    # 1e-180): their ratios overflow to inf, far above the floor, as they should.
    with np.errstate(over="ignore"):
        if storage == "diag":
            flagged = np.any(covariances / column_variance <= floor[:, None], axis=1)
        elif storage == "spherical":
            flagged = covariances / column_variance.mean() <= floor
        else:
            # Each matrix over its largest entry first, so that its standardised
            # entries stay finite for the eigenvalues.
            size = np.abs(covariances).max(axis=(1, 2))
            scale = 1.0 / np.sqrt(column_variance)
            standardised = covariances / size[:, None, None]
            standardised = standardised * scale[None, :, None] * scale[None, None, :]
            flagged = np.linalg.eigvalsh(standardised)[:, 0] <= floor / size
    if storage == "tied":
        return tuple(range(k)) if flagged[0] else ()
    return tuple(int(j) for j in np.flatnonzero(flagged))
