"""Gaussian mixtures, with any covariance structure of :mod:`engine.models.covariance`.

Shapes and meaning follow scikit-learn's ``GaussianMixture``. Densities go
through the Cholesky factor of each precision matrix; log-determinants come
from its diagonal; no covariance is ever inverted or its determinant taken.
What is particular to a covariance structure (its constraint, its count of
free values, its M-step) lives in the structure's own file; this module
handles the four ways covariances are stored. Rows with missing values take
the exact EM of :mod:`engine.models.gaussian_gaps`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import SingularComponent
from engine.gaps import has_gaps
from engine.models import covariance, gaussian_gaps, gaussian_pass
from engine.models.base import (
    EMPTY_MASS,
    ChunkResult,
    MixtureModel,
    OptionSpec,
    ParamSpec,
    PreparedChunk,
    ScriptCode,
    Stats,
)
from engine.models.registry import register
from engine.params import Params

if TYPE_CHECKING:
    from engine.data import ColumnSummary, DataSource

LOG_2PI = np.log(2 * np.pi)


def covariance_types() -> tuple[str, ...]:
    """The covariance structures a Gaussian mixture can take, in menu order."""
    return covariance.names()


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


def _log_det_half(precisions_chol: np.ndarray, storage: str, n_features: int):
    """Half the log-determinant of each precision matrix (scalar when tied)."""
    if storage in ("full", "tied"):
        return np.log(np.diagonal(precisions_chol, axis1=-2, axis2=-1)).sum(axis=-1)
    if storage == "diag":
        return np.log(precisions_chol).sum(axis=1)
    return n_features * np.log(precisions_chol)


def _squared_mahalanobis(X: np.ndarray, params: Params, storage: str) -> np.ndarray:
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


#: A component is numerically singular when the rounding of the data, seen in its
#: own standard deviations, exceeds this: its spread in some direction is finer
#: than the digits of the rows can resolve (only possible with little or no
#: regularisation), so its density would be mostly rounding.
RESOLUTION = 1e-3
#: A column whose spread is fewer than this many steps of its own rounding is
#: refused: its values agree in all but their last three or four digits.
MIN_DISTINCT_STEPS = 1000


def whitened_rounding(params: Params, storage: str, magnitude: np.ndarray) -> np.ndarray:
    """How far the rounding of rows of ``magnitude`` (the largest absolute value per
    column) can move them, in each component's own standard deviations, shape (K,):
    a value x is held to about eps |x|, which the precision factor P magnifies into
    sum_i eps |x_i| |P_ij| in each whitened direction j."""
    n_components, n_features = params.means.shape
    factors = params.precisions_chol
    if storage == "diag":
        factors = factors[:, :, None] * np.eye(n_features)
    elif storage == "spherical":
        factors = factors[:, None, None] * np.eye(n_features)
    else:
        factors = np.broadcast_to(factors, (n_components, n_features, n_features))
    whitened = np.finfo(np.float64).eps * np.einsum("i,kij->kj", magnitude, np.abs(factors))
    return np.sqrt(np.einsum("kj,kj->k", whitened, whitened))


def unresolved_component(
    params: Params, storage: str, magnitude: np.ndarray
) -> tuple[int, int] | None:
    """The first component whose covariance is finer than rows of ``magnitude``
    can resolve (see :data:`RESOLUTION`), and the column whose rounding weighs most
    in that, or ``None``."""
    unresolved = np.flatnonzero(~(whitened_rounding(params, storage, magnitude) <= RESOLUTION))
    if not unresolved.size:
        return None
    k = int(unresolved[0])
    factor = np.abs(params.precisions_chol if storage == "tied" else params.precisions_chol[k])
    # The column whose values' rounding the factor magnifies most.
    weight = factor.sum(axis=-1) if factor.ndim == 2 else np.broadcast_to(factor, magnitude.shape)
    return k, int(np.argmax(magnitude * weight))


def _added_to_variances(covariances: np.ndarray, reg: np.ndarray, storage: str) -> np.ndarray:
    """``reg`` added to every variance, as scikit-learn adds ``reg_covar`` after its M-step."""
    if storage in ("full", "tied"):
        return covariances + np.diag(reg)
    if storage == "diag":
        return covariances + reg
    return covariances + reg.mean()


def _covariance_choice(value: object) -> str:
    return covariance.get(str(value)).name


COVARIANCE_OPTION = OptionSpec(
    name="covariance_type",
    title="Covariance",
    default="full",
    help="How each component's ellipsoid may differ from the others': its volume, shape and "
    "orientation.",
    parse=_covariance_choice,
    cli_flag="--covariance",
    cli_help="covariance type for gaussian (default full)",
    choices_from=covariance.names,
    file_key="covariance",
    describe=covariance.report_words,
)

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


def _storage_table() -> str:
    """Each covariance type's storage, as the source of a dict, one per line."""
    rows = "".join(f'    "{name}": "{covariance.get(name).storage}",\n' for name in covariance.names())
    return "{\n" + rows + "}"


# The script that applies exported parameters with NumPy alone (emio.snippet):
# the same densities as above, from the PARAMS.json's arrays, laid out by the
# storage of the file's covariance type (a table the script carries).
_SCRIPT_LOG_PROB = '''\
#: How each covariance type's covariances are stored: full (K, D, D), tied (D, D),
#: diag (K, D) or spherical (K,).
STORAGE = {storage_table}


def precision_factors(covariances, storage):
    """Cholesky factors of the precision matrices and half their log-determinants."""
    if storage in ("full", "tied"):
        # U = inverse(L).T, where covariance = L L^T, is an upper factor of the precision.
        factors = np.swapaxes(np.linalg.inv(np.linalg.cholesky(covariances)), -1, -2)
        log_det = np.log(np.diagonal(factors, axis1=-2, axis2=-1)).sum(axis=-1)
        return factors, log_det
    factors = 1.0 / np.sqrt(covariances)
    if storage == "diag":
        return factors, np.log(factors).sum(axis=1)
    return factors, None  # spherical: the log-determinant depends on n_features


def log_prob(X, doc, p):
    """Log-density of every row under every component, shape (n_samples, n_components)."""
    storage = STORAGE[doc.get("covariance", "spherical")]  # k-means: one shared spherical variance
    means = p["means"]
    factors, log_det = precision_factors(p["covariances"], storage)
    n_features = X.shape[1]
    if log_det is None:
        log_det = n_features * np.log(factors)
    squared = np.empty((X.shape[0], means.shape[0]))
    for k in range(means.shape[0]):
        diff = X - means[k]
        if storage == "full":
            y = diff @ factors[k]
        elif storage == "tied":
            y = diff @ factors
        else:
            y = diff * factors[k]
        squared[:, k] = np.einsum("ij,ij->i", y, y)
    return -0.5 * (n_features * np.log(2 * np.pi) + squared) + log_det
'''.replace("{storage_table}", _storage_table())

_SCRIPT_SKLEARN = '''\
def to_sklearn(doc, p):
    """An equivalent scikit-learn GaussianMixture, built from the JSON (no pickle)."""
    from sklearn.mixture import GaussianMixture

    storage = STORAGE[doc["covariance"]]  # scikit-learn knows covariances by their storage
    gm = GaussianMixture(n_components=len(p["weights"]), covariance_type=storage)
    factors, _ = precision_factors(p["covariances"], storage)
    gm.weights_ = p["weights"]
    gm.means_ = p["means"]
    gm.covariances_ = p["covariances"]
    gm.precisions_cholesky_ = factors
    if storage in ("full", "tied"):
        gm.precisions_ = factors @ np.swapaxes(factors, -1, -2)
    else:
        gm.precisions_ = factors**2
    gm.converged_ = bool(doc.get("converged", True))
    gm.n_iter_ = int(doc.get("n_iter", 0))
    gm.n_features_in_ = p["means"].shape[1]
    return gm
'''


@register
class GaussianModel(MixtureModel):
    """Gaussian mixture; the regularisation is a prior on each covariance.

    Parameters
    ----------
    covariance_type : str
        A structure of :mod:`engine.models.covariance` (``full``, ``tied``,
        ``diag``, ``spherical``, or mclust's name for one).
    reg : ndarray of shape (n_features,), optional
        The prior's scale per feature: what it adds to the variances of a
        component of average weight. A fit sets it to ``reg_covar`` times each
        column's variance (:meth:`adapt`), so fits do not depend on the data's units.
    """

    name = "gaussian"
    title = "Gaussian"
    summary = (
        "Each component is a Gaussian (bell-shaped) cloud with its own mean; the covariance "
        "type says how its spread may differ from the other components'."
    )
    option_specs = (COVARIANCE_OPTION, REGULARISATION_OPTION)
    data_kind = "measurements"
    views = ("scatter", "histogram")
    handles_missing = True
    menu_order = 10
    variant_option = "covariance_type"
    in_default_sweep = True
    script = ScriptCode(
        _SCRIPT_LOG_PROB, sklearn=_SCRIPT_SKLEARN, sklearn_estimator="GaussianMixture"
    )

    @classmethod
    def variants(cls) -> tuple[str, ...]:
        return covariance.names()

    @classmethod
    def default_variants(cls) -> tuple[str, ...]:
        return tuple(name for name in covariance.names() if covariance.get(name).in_default_sweep)

    def __init__(
        self,
        covariance_type: str = "full",
        reg: np.ndarray | None = None,
        regularisation: str = "prior",
    ) -> None:
        self.structure = covariance.get(covariance_type)
        self.regularisation = REGULARISATION_OPTION.normalise(regularisation)
        self.reg = None if reg is None else np.asarray(reg, dtype=np.float64)
        #: The data's smallest and largest value per column, once adapted to data.
        self.low: np.ndarray | None = None
        self.high: np.ndarray | None = None
        #: Whether the data adapted to have missing values, so passes take the
        #: pass of :mod:`engine.models.gaussian_gaps`; and the columns' variances.
        self.with_gaps = False
        self.column_var: np.ndarray | None = None
        #: The last parameters' rounding in their own standard deviations (see
        #: :meth:`_rounding`): the M-step checks it and the loop's allowance reads it.
        self._rounding_memo: tuple[Params, np.ndarray] | None = None
        #: How far rows lie from a pass's centre, per column, for that centre.
        self._extent_memo: tuple[object, np.ndarray] | None = None

    @property
    def covariance_type(self) -> str:
        return self.structure.name

    @property
    def storage(self) -> str:
        return self.structure.storage

    @property
    def unit_free(self) -> bool:
        return self.structure.unit_free

    @property
    def param_specs(self) -> tuple[ParamSpec, ...]:
        storage = self.storage
        return (
            ParamSpec("means", "mean", ("K", "D"), "location"),
            ParamSpec(
                "covariances", "covariance", covariance.STORAGE_SHAPES[storage], "spread",
                per_component=storage != "tied", column="var", off_diagonal="cov",
            ),
        )

    @property
    def shape_detail(self) -> str:
        return f" with {self.covariance_type!r} covariance"

    def adapt(self, summary: ColumnSummary, reg_covar: float) -> GaussianModel:
        model = type(self).__new__(type(self))
        model.__dict__.update(self.__dict__)
        if self.regularisation == "sklearn":
            model.reg = np.full(summary.n_features, float(reg_covar))
        else:
            model.reg = reg_covar * summary.var
        model.low, model.high = summary.min, summary.max
        model.with_gaps, model.column_var = summary.has_gaps, summary.var
        model._rounding_memo = model._extent_memo = None
        return model

    def check_summary(self, summary: ColumnSummary, feature_names: Sequence[str]) -> None:
        if summary.n_samples < 2:
            raise ValueError(
                "the data have only one row, and a Gaussian needs at least two to measure a "
                "spread; add rows"
            )
        constant = np.flatnonzero(summary.max - summary.min == 0)
        if len(constant):
            raise ValueError(
                f"column {feature_names[constant[0]]!r} has the same value in every row, so a "
                "Gaussian has no spread to fit there; remove that column"
            )
        magnitude = np.maximum(np.abs(summary.min), np.abs(summary.max))
        digits_left = np.sqrt(summary.var) / (np.finfo(np.float64).eps * magnitude)
        blurred = np.flatnonzero(digits_left < MIN_DISTINCT_STEPS)
        if len(blurred):
            j = blurred[0]
            raise ValueError(
                f"column {feature_names[j]!r} varies by only {np.sqrt(summary.var[j]):.3g} on "
                f"values near {magnitude[j]:.3g}: its numbers differ only in their last digits, "
                "too few to fit a spread to. Remove that column, or record it as a difference "
                "from a reference value"
            )

    def collapsed_components(
        self, params: Params, column_variance: np.ndarray, reg_covar: float, factor: float = 2.0
    ) -> tuple[int, ...]:
        """Components whose variance in some direction is no more than ``factor`` times
        what the regularisation's prior alone gives them (``reg_covar`` times the
        column's variance, over K times the component's weight; see :meth:`log_prior`):
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
        if self.storage == "tied":
            share, covariances = np.ones(1), covariances[None]
        floor = factor * reg_covar * share
        if self.storage == "diag":
            flagged = np.any(covariances / column_variance <= floor[:, None], axis=1)
        elif self.storage == "spherical":
            flagged = covariances / column_variance.mean() <= floor
        else:
            scale = 1.0 / np.sqrt(column_variance)
            standardised = covariances * scale[None, :, None] * scale[None, None, :]
            flagged = np.linalg.eigvalsh(standardised)[:, 0] <= floor
        if self.storage == "tied":
            return tuple(range(k)) if flagged[0] else ()
        return tuple(int(j) for j in np.flatnonzero(flagged))

    def check_params(self, params: Params, n_features: int) -> None:
        super().check_params(params, n_features)
        if self.storage in ("full", "tied"):
            covariances = np.atleast_3d(params.covariances.T).T  # (K or 1, D, D)
            asymmetry = np.abs(covariances - np.swapaxes(covariances, -1, -2))
            scale = np.abs(covariances).max(axis=(-2, -1), keepdims=True)
            if np.any(asymmetry > 1e-12 * scale):
                k, i, j = np.argwhere(asymmetry > 1e-12 * scale)[0]
                which = f"of component {k + 1} " if self.storage == "full" else ""
                raise ValueError(
                    f"the covariance {which}is not symmetric: entry ({i + 1}, {j + 1}) is "
                    f"{covariances[k, i, j]:g} but entry ({j + 1}, {i + 1}) is "
                    f"{covariances[k, j, i]:g}; make them equal"
                )

    def partition_start(self, n_components: int, n_features: int) -> dict[str, np.ndarray]:
        """Identity covariances: where mclust's iterative M-steps start from a partition
        (orientation the identity, every shape one), so that the structures whose
        M-step has several local maxima (EVE, VVE) climb to the one mclust's does."""
        identity = np.broadcast_to(np.eye(n_features), (n_components, n_features, n_features))
        by_storage = {
            "full": identity.copy(),
            "tied": np.eye(n_features),
            "diag": np.ones((n_components, n_features)),
            "spherical": np.ones(n_components),
        }
        return {"covariances": by_storage[self.storage]}

    def prepare(self, params: Params) -> Params:
        params = super().prepare(params)
        if params.precisions_chol is not None:
            return params
        return params.with_derived(
            precisions_chol=precisions_cholesky(params.covariances, self.storage)
        )

    def start_from_locations(self, locations: np.ndarray, X: np.ndarray) -> Params:
        k = locations.shape[0]
        cov = np.atleast_2d(np.cov(X, rowvar=False))
        # Every component starts with the data's own spread.
        by_storage = {
            "full": np.tile(cov, (k, 1, 1)),
            "tied": cov,
            "diag": np.tile(np.diag(cov), (k, 1)),
            "spherical": np.full(k, np.diag(cov).mean()),
        }
        return self.prepare(
            Params(np.full(k, 1.0 / k), means=locations, covariances=by_storage[self.storage])
        )

    # --- the fused pass -----------------------------------------------------------------

    def chunk_rows(self, n_components: int, n_features: int, itemsize: int = 8) -> int:
        if self.with_gaps:
            return gaussian_gaps.chunk_rows(n_components, n_features)
        return gaussian_pass.chunk_rows(self.storage, n_components, n_features, itemsize)

    def data_plan(self, source: DataSource) -> object:
        """The centre every chunk is shifted by (and with gaps, the data's patterns)."""
        rows = gaussian_pass.centre_rows(source.n_samples)
        if self.with_gaps:
            return gaussian_gaps.data_plan(source, rows, self.low, self.high)
        return gaussian_pass.centre(source.take(rows))

    def prepare_chunk(self, rows: np.ndarray, data_plan: Any, dtype: np.dtype) -> PreparedChunk:
        if self.with_gaps:
            return gaussian_gaps.prepare_chunk(rows, data_plan)
        return gaussian_pass.prepare_chunk(rows, data_plan, dtype)

    def pass_plan(self, params: Params, data_plan: Any, dtype: np.dtype) -> object:
        if self.with_gaps:
            full = self.structure.full_moments
            return gaussian_gaps.pass_plan(params, data_plan, self.storage, diagonal=not full)
        extent = None
        if self.low is not None:
            memo = self._extent_memo
            if memo is None or memo[0] is not data_plan:
                reach = np.maximum(np.abs(self.high - data_plan), np.abs(self.low - data_plan))
                memo = self._extent_memo = (data_plan, reach)
            extent = memo[1]
        return gaussian_pass.pass_plan(params, data_plan, dtype, self.storage, extent)

    def chunk_pass(self, chunk: np.ndarray, plan: Any, hard: bool, details: bool) -> ChunkResult:
        if self.with_gaps:
            return gaussian_gaps.chunk_pass(chunk, plan, hard, details)
        return gaussian_pass.chunk_pass(chunk, plan, hard, details)

    def pass_stats(self, sums: Stats, plan: object) -> Stats:
        if self.with_gaps:
            return gaussian_gaps.pass_stats(sums, plan)
        return gaussian_pass.pass_stats(sums, plan)

    # --- the plain maths ----------------------------------------------------------------

    def log_prob(self, X: np.ndarray, params: Params) -> np.ndarray:
        if has_gaps(X):
            return gaussian_gaps.log_prob(X, params, self.storage)
        n_features = X.shape[1]
        log_det = _log_det_half(params.precisions_chol, self.storage, n_features)
        maha = _squared_mahalanobis(X, params, self.storage)
        return -0.5 * (n_features * LOG_2PI + maha) + log_det

    def suff_stats(self, X: np.ndarray, resp: np.ndarray, params: Params) -> Stats:
        if has_gaps(X):
            return gaussian_gaps.suff_stats(
                X, resp, params, self.storage, not self.structure.full_moments, self.column_var
            )
        moments = _moments_full if self.structure.full_moments else _moments_diag
        return {
            "nk": resp.sum(axis=0),
            "sx": resp.T @ X,
            "sxx": moments(X, resp, params.means),
        }

    def impute_components(self, X: np.ndarray, params: Params) -> np.ndarray:
        """Each missing value's conditional mean given the row's observed values, under
        each component (:func:`engine.models.gaussian_gaps.conditional_means`)."""
        return gaussian_gaps.conditional_means(X, params, self.storage)

    def m_step(
        self, stats: Stats, params: Params, fixed: Collection[str], n_samples: int
    ) -> Params:
        nk = stats["nk"] + EMPTY_MASS
        weights = params.weights if "weights" in fixed else nk / nk.sum()
        means = params.means if "means" in fixed else stats["sx"] / nk[:, None]
        if "covariances" in fixed:
            covariances = params.covariances
        else:
            centred = centred_full if self.structure.full_moments else centred_diag
            scatter = centred(stats, params.means, means) + self._pseudo_scatter(n_samples, nk.size)
            covariances = self.structure.estimate(scatter, nk, params.covariances)
            if self.regularisation == "sklearn" and self.reg is not None:
                covariances = _added_to_variances(covariances, self.reg, self.storage)
        new = self.prepare(Params(weights, means=means, covariances=covariances))
        if "covariances" not in fixed:
            self.check_resolution(new)
        return new

    def _prior_weight(self, n_samples: int, n_components: int) -> float:
        """How many rows' worth of the regularisation each component's prior holds:
        N / K, so a component of average weight gets ``reg`` added to its variances."""
        return n_samples / n_components

    def _pseudo_scatter(self, n_samples: int, n_components: int) -> np.ndarray | float:
        """The prior's scatter added to every component's: ``c diag(reg)``."""
        if self.reg is None or not np.any(self.reg) or self.regularisation == "sklearn":
            return 0.0
        pseudo = self._prior_weight(n_samples, n_components) * self.reg
        return np.diag(pseudo) if self.structure.full_moments else pseudo

    def penalised(self, reg_covar: float) -> bool:
        return reg_covar > 0 and self.regularisation == "prior"

    def log_prior(self, params: Params, n_samples: int) -> float:
        """The regularisation as a prior on each covariance,
        ``-(c/2) sum_k tr(S_k^-1 diag(reg))`` with ``c = N / K`` (an inverse-Wishart
        shape without its determinant term). The M-step maximises the expected
        complete-data log-likelihood plus this, so their sum never falls. With
        scikit-learn's regularisation there is no prior: 0."""
        if self.reg is None or not np.any(self.reg) or self.regularisation == "sklearn":
            return 0.0
        k = params.n_components
        factors = params.precisions_chol
        if self.storage in ("full", "tied"):
            # diag(S^-1) from the precision factor U (U U^T = S^-1): row sums of U**2.
            inverse_diagonal = np.square(factors).sum(axis=-1)
            traces = inverse_diagonal @ self.reg
            total = k * traces if self.storage == "tied" else traces.sum()
        elif self.storage == "diag":
            total = (np.square(factors) @ self.reg).sum()
        else:
            total = (np.square(factors) * self.reg.sum()).sum()
        return -0.5 * self._prior_weight(n_samples, k) * float(total)

    def singular_cause(
        self,
        error: Exception,
        summary: ColumnSummary,
        feature_names: Sequence[str],
        reg_covar: float,
    ) -> str | None:
        column = getattr(error, "column", None)
        if column is None:
            return None
        magnitude = max(abs(float(summary.min[column])), abs(float(summary.max[column])))
        spread = float(np.sqrt(summary.var[column]))
        if not spread > 0:
            return None
        # The floor the regularisation sets must stay above the column's rounding.
        needed = (np.finfo(np.float64).eps * magnitude / (RESOLUTION * spread)) ** 2
        # Correlated columns can make it finer still than the column alone suggests.
        needed = max(needed, 10.0 * reg_covar)
        what = (
            f"its spread in column {feature_names[column]!r} fell below what that column's "
            f"digits can resolve (values near {magnitude:.3g} that vary by only {spread:.3g} "
            "in all)."
        )
        if needed < 0.1:
            return f"{what} Raise the regularisation to reg_covar {needed:.1g} or more (now {reg_covar:g})."
        return (
            f"{what} Remove the column, or record it as a difference from a reference value "
            "so that its variation keeps more digits."
        )

    def _rounding(self, params: Params) -> np.ndarray:
        """:func:`whitened_rounding` of ``params`` for this data's magnitudes, shape (K,),
        computed once for the parameters an M-step returns and the loop then weighs."""
        memo = self._rounding_memo
        if memo is not None and memo[0] is params:
            return memo[1]
        magnitude = np.maximum(np.abs(self.low), np.abs(self.high))
        value = whitened_rounding(params, self.storage, magnitude)
        self._rounding_memo = (params, value)
        return value

    def round_off(self, params: Params, n_samples: int) -> float:
        """How much the objective can move from rounding alone: every parameter is
        held to eps of its size, so a mean is only known to ``eps |m|``, which costs
        each row up to (that rounding in the component's standard deviations)**2."""
        if self.low is None:
            return 0.0
        worst = float(np.max(self._rounding(params)))
        return 4.0 * n_samples * params.means.shape[1] * worst**2

    def check_resolution(self, params: Params) -> None:
        """Raise ``SingularComponent`` for a component whose covariance is finer than
        the data's digits can resolve (see :data:`RESOLUTION`); a model not yet
        adapted to data checks nothing."""
        if self.low is None or np.all(self._rounding(params) <= RESOLUTION):
            return
        magnitude = np.maximum(np.abs(self.low), np.abs(self.high))
        unresolved = unresolved_component(params, self.storage, magnitude)
        if unresolved is not None:
            raise SingularComponent(unresolved[0], column=unresolved[1])

    def n_free_parameters(self, n_components: int, n_features: int, fixed: Collection[str]) -> int:
        counts = {
            "weights": n_components - 1,
            "means": n_components * n_features,
            "covariances": self.structure.n_parameters(n_components, n_features),
        }
        return sum(count for name, count in counts.items() if name not in fixed)
