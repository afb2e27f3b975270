"""``GaussianMixture``: scikit-learn's estimator, computed by EM Studio's engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

import engine
from engine.errors import FitError
from engine.models import covariance
from engine.models.base import EMPTY_MASS, MixtureModel
from engine.models.gaussian import precisions_cholesky
from em_studio import _validation as checks
from em_studio._base import MixtureEstimator
from em_studio._docs import fill_doc

#: scikit-learn's words when a covariance became singular; EM Studio's diagnosis follows.
ILL_DEFINED = (
    "Fitting the mixture model failed because some components have ill-defined empirical "
    "covariance (for instance caused by singleton or collapsed samples). Try to decrease the "
    "number of components, increase reg_covar, or scale the input data."
)


def _known_covariance(value: object) -> bool:
    return isinstance(value, str) and (value in covariance.names() or value in covariance.aliases())


def _flipped(matrices: np.ndarray) -> np.ndarray:
    return matrices[..., ::-1, ::-1]


def check_precisions(
    precisions: object, storage: str, label: str, n_components: int, n_features: int
) -> np.ndarray:
    """Starting precisions checked as scikit-learn checks them, with its messages."""
    precisions = np.asarray(precisions, dtype=np.float64)
    shape = covariance.storage_shape(storage, n_components, n_features)
    checks.check_shape(precisions, shape, f"{label} precision")
    if storage in ("diag", "spherical"):
        if np.any(precisions <= 0.0):
            raise ValueError(f"'{label} precision' should be positive")
        return precisions
    for matrix in precisions.reshape((-1, n_features, n_features)):
        if not (np.allclose(matrix, matrix.T) and np.all(np.linalg.eigvalsh(matrix) > 0.0)):
            raise ValueError(f"'{label} precision' should be symmetric, positive-definite")
    return precisions


def from_precisions(precisions: np.ndarray, storage: str) -> tuple[np.ndarray, np.ndarray]:
    """Covariances and the upper Cholesky factors ``U`` (``U U^T`` = precision) of
    ``precisions``, the factors as scikit-learn takes them: the lower factor of the
    precision with rows and columns reversed, reversed back."""
    if storage in ("diag", "spherical"):
        return 1.0 / precisions, np.sqrt(precisions)
    return np.linalg.inv(precisions), _flipped(np.linalg.cholesky(_flipped(precisions)))


def draw_gaussian(
    rng: np.random.RandomState, mean: np.ndarray, spread: np.ndarray, storage: str, n_samples: int
) -> np.ndarray:
    """``n_samples`` rows of one Gaussian, drawn as scikit-learn's ``sample`` draws them."""
    if storage in ("full", "tied"):
        return rng.multivariate_normal(mean, spread, n_samples)
    return mean + rng.standard_normal(size=(n_samples, mean.shape[0])) * np.sqrt(spread)


@fill_doc
class GaussianMixture(MixtureEstimator):
    """Gaussian mixture fitted by EM: scikit-learn's ``GaussianMixture``, computed by
    EM Studio's engine.

    A drop-in: ``from em_studio import GaussianMixture`` in place of
    ``from sklearn.mixture import GaussianMixture``, with the same arguments, gives
    an equivalent fit — from the same starting parameters the same
    log-likelihood to about 1e-13 relative and parameters to 1e-11, the same
    number of iterations, the same attributes in the same shapes. scikit-learn's meanings are kept:
    ``reg_covar`` is absolute and added to every variance after each M-step;
    ``tol`` is on the change of the mean log-likelihood per row; ``lower_bound_``
    is the best start's mean log-likelihood at its last E-step; ``n_iter_``
    counts M-steps; the starts draw what scikit-learn draws from
    ``random_state``. EM Studio's extras are further arguments: the hard E-step,
    held parameters, mclust's covariance names, the ``hc`` start, a
    regularisation that does not depend on units, ``engine_options``, and data
    larger than memory: ``X`` may be a path to a ``.npy`` or Parquet file,
    streamed from the disk, or fitted on a Dask cluster (``backend='dask'``).

    Parameters
    ----------
    n_components : int, default=1
        Number of components.
    covariance_type : str, default='full'
        ``full``, ``tied``, ``diag``, ``spherical``, or mclust's name of one
        (``VVV``, ``EEE``, ``VVI``, ``VII``); any structure the engine registers
        (:func:`engine.models.covariance.names`, ``aliases()``).
    $loop_parameters
    reg_covar : float, default=1e-6
        Regularisation of the covariances; its meaning is ``regularisation``'s.
    regularisation : {'sklearn', 'prior'}, default='sklearn'
        ``sklearn``: ``reg_covar`` itself is added to every variance after each
        M-step, as scikit-learn does (the log-likelihood may then fall a little
        between iterations). ``prior``: EM Studio's, ``reg_covar`` is relative, a
        fraction of each column's variance, held as a prior on each covariance
        worth N/K rows: fits do not depend on the columns' units, and EM never
        lowers the log-likelihood plus the log prior (what ``tol`` and
        ``lower_bound_`` then measure).
    $init_params
    weights_init : array-like of shape (n_components,), default=None
        Starting weights; the others come from ``init_params``.
    means_init : array-like of shape (n_components, n_features), default=None
        Starting means.
    precisions_init : array-like, default=None
        Starting precisions (inverse covariances), in ``covariances_``'s shape.
        When all three are given nothing is drawn and their order is kept.
    $run_parameters

    Attributes
    ----------
    $attributes
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
        (n_components, n_features, n_features) for ``full``, (n_features,
        n_features) for ``tied``, (n_components, n_features) for ``diag``,
        (n_components,) for ``spherical``.
    precisions_ : ndarray
        The inverse covariances, in the same shape.
    precisions_cholesky_ : ndarray
        Upper-triangular ``U`` with ``U U^T`` the precision (for ``diag`` and
        ``spherical`` the square roots of the precisions), in the same shape.

    Notes
    -----
    Where EM Studio differs from scikit-learn: a column with one value in every
    row (or whose values differ only in their last digits) is refused with a
    message, where scikit-learn fits a spread of ``reg_covar`` to it; a
    component whose spread falls below what the data's digits can resolve
    stops the fit with a message naming it; arithmetic is in float64 whatever
    ``X``'s precision (float32 data give float32 attributes and outputs, as
    scikit-learn); and the estimators are also clusterers (``labels_``).

    Examples
    --------
    >>> import numpy as np
    >>> from em_studio import GaussianMixture
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> gm.means_
    array([[10.,  2.],
           [ 1.,  2.]])
    >>> gm.predict([[0, 0], [12, 3]])
    array([1, 0])
    """

    _model = "gaussian"
    _init_arrays = ("weights", "means", "precisions")

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: object = None,
        means_init: object = None,
        precisions_init: object = None,
        random_state: object = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        regularisation: str = "sklearn",
        e_step: str = "soft",
        fixed: tuple[str, ...] = (),
        callback: Callable[[engine.Snapshot], object] | None = None,
        engine_options: Mapping[str, object] | None = None,
        backend: str = "local",
        scheduler: str | None = None,
    ) -> None:
        self._store(locals())

    def _arguments(self) -> dict[str, tuple]:
        # Most aliases are mclust's names of structures named so: each word once.
        words = ", ".join(dict.fromkeys((*covariance.names(), *covariance.aliases())))
        return {
            **super()._arguments(),
            "covariance_type": (checks.Satisfies(_known_covariance, f"one of {words}"),),
            "reg_covar": checks.real(0.0, 1e6),
            "regularisation": checks.one_of("sklearn", "prior"),
        }

    def _model_options(self) -> dict[str, object]:
        return {"covariance_type": self.covariance_type, "regularisation": self.regularisation}

    def _loop_options(self) -> dict[str, object]:
        return {"reg_covar": self.reg_covar}

    @property
    def _storage(self) -> str:
        return covariance.get(self.covariance_type).storage

    def _explicit_arrays(self, n_features: int) -> dict[str, np.ndarray]:
        given = super()._explicit_arrays(n_features)
        if self.precisions_init is not None:
            precisions = check_precisions(
                self.precisions_init, self._storage, self.covariance_type, self.n_components,
                n_features,
            )
            given["covariances"], given["precisions_chol"] = from_precisions(
                precisions, self._storage
            )
        return given

    def _from_resp(
        self, model: MixtureModel, rows: np.ndarray, resp: np.ndarray
    ) -> engine.Params:
        params = super()._from_resp(model, rows, resp)
        if self._storage != "tied" or self.regularisation != "sklearn":
            return params
        # scikit-learn's tied estimate takes every row's second moment whatever its
        # responsibilities (its formula assumes each row's sum to one): from one row per
        # component (k-means++, random_from_data) it starts far wider than reg_covar.
        # Its start is kept, so that the same random_state gives the same fit.
        mass = resp.sum(axis=0) + EMPTY_MASS
        means = (resp.T @ rows) / mass[:, np.newaxis]
        spread = (rows.T @ rows - (mass * means.T) @ means) / mass.sum()
        return params.replace(covariances=spread + self.reg_covar * np.eye(rows.shape[1]))

    def _fit_error(self, error: FitError) -> Exception:
        return FitError(f"{ILL_DEFINED} {error}")

    def _set_fitted(self, params: engine.Params, dtype: np.dtype) -> None:
        super()._set_fitted(params, dtype)
        factors = params.precisions_chol
        if factors is None:
            factors = precisions_cholesky(params.covariances, self._storage)
        if self._storage in ("full", "tied"):
            precisions = factors @ np.swapaxes(factors, -1, -2)
        else:
            precisions = factors**2
        self.precisions_cholesky_ = np.array(factors, dtype=dtype)
        self.precisions_ = np.array(precisions, dtype=dtype)

    def _derived_arrays(self) -> dict[str, np.ndarray]:
        # scikit-learn evaluates with precisions_cholesky_; so do we, set by hand or not.
        factors = getattr(self, "precisions_cholesky_", None)
        return {} if factors is None else {"precisions_chol": np.asarray(factors, np.float64)}

    def _draw(self, rng: np.random.RandomState, component: int, n_samples: int) -> np.ndarray:
        spread = self.covariances_ if self._storage == "tied" else self.covariances_[component]
        return draw_gaussian(rng, self.means_[component], spread, self._storage, n_samples)
