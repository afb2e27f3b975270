"""Gaussian mixtures, with any covariance structure of :mod:`engine.models.covariance`.

Shapes and meaning follow scikit-learn's ``GaussianMixture``. Here: the model's
declaration and its EM steps. What is particular to a covariance structure
(its constraint, free values, M-step) lives in the structure's own file; the
rest of the Gaussian in these:

* :mod:`~engine.models.gaussian_maths`: precision factors, densities, moments;
* :mod:`~engine.models.gaussian_prior`: the regularisation, a prior on each covariance;
* :mod:`~engine.models.gaussian_resolution`: what the data's digits can resolve;
* :mod:`~engine.models.gaussian_pass`: the fused chunk pass over complete rows;
* :mod:`~engine.models.gaussian_gaps`: the exact EM of rows with missing values;
* :mod:`~engine.models.gaussian_script`: the NumPy-only script's densities.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import SingularComponent
from engine.gaps import has_gaps
from engine.models import covariance, gaussian_gaps, gaussian_maths, gaussian_pass
from engine.models import gaussian_prior, gaussian_resolution
from engine.models.base import (
    EMPTY_MASS,
    ChunkResult,
    MixtureModel,
    OptionSpec,
    ParamSpec,
    PreparedChunk,
    Stats,
)
# Also importable from here, where they lived before the Gaussian had rooms of its own.
from engine.models.gaussian_maths import covariance_shape, precisions_cholesky  # noqa: F401
from engine.models.gaussian_prior import REGULARISATION_OPTION
from engine.models.gaussian_resolution import RESOLUTION, unresolved_component
from engine.models.gaussian_script import SCRIPT
from engine.models.registry import register
from engine.params import Params

if TYPE_CHECKING:
    from engine.data import ColumnSummary, DataSource


def covariance_types() -> tuple[str, ...]:
    """The covariance structures a Gaussian mixture can take, in menu order."""
    return covariance.names()


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
    cli_help="covariance type for gaussian, by mclust's name (default VVV; the old names "
    "full, tied, diag and spherical are accepted for VVV, EEE, VVI and VII)",
    from_text=_covariance_choice,
    choices_from=covariance.names,
    shown=covariance.shown_name,
    file_key="covariance",
    describe=covariance.report_words,
)


@lru_cache(maxsize=None)
def _param_specs(storage: str) -> tuple[ParamSpec, ...]:
    """A Gaussian's arrays, built once per storage (every M-step's ``prepare`` reads them)."""
    return (
        ParamSpec("means", "mean", ("K", "D"), "location"),
        ParamSpec(
            "covariances", "covariance", covariance.STORAGE_SHAPES[storage], "spread",
            per_component=storage != "tied", column="var", off_diagonal="cov",
        ),
    )


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
    script = SCRIPT

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
        #: The data's smallest and largest value per column, once adapted to data, and
        #: the largest absolute value per column (what rounding is relative to).
        self.low: np.ndarray | None = None
        self.high: np.ndarray | None = None
        self.magnitude: np.ndarray | None = None
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
        return _param_specs(self.storage)

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
        model.magnitude = np.maximum(np.abs(summary.min), np.abs(summary.max))
        model.with_gaps, model.column_var = summary.has_gaps, summary.var
        model._rounding_memo = model._extent_memo = None
        return model

    def check_summary(self, summary: ColumnSummary, feature_names: Sequence[str]) -> None:
        gaussian_resolution.check_columns(summary, feature_names)

    def collapsed_components(
        self, params: Params, column_variance: np.ndarray, reg_covar: float, factor: float = 2.0
    ) -> tuple[int, ...]:
        """Components resting on the regularisation
        (:func:`engine.models.gaussian_prior.collapsed_components`)."""
        return gaussian_prior.collapsed_components(
            params, self.storage, column_variance, reg_covar, factor
        )

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

    def check_given(self, params: Params) -> None:
        gaussian_resolution.check_reach(params, self.storage, self.magnitude)

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
        return gaussian_maths.log_prob(X, params, self.storage)

    def suff_stats(self, X: np.ndarray, resp: np.ndarray, params: Params) -> Stats:
        if has_gaps(X):
            return gaussian_gaps.suff_stats(
                X, resp, params, self.storage, not self.structure.full_moments, self.column_var
            )
        full = self.structure.full_moments
        moments = gaussian_maths.moments_full if full else gaussian_maths.moments_diag
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
            full = self.structure.full_moments
            centred = gaussian_maths.centred_full if full else gaussian_maths.centred_diag
            pseudo = gaussian_prior.pseudo_scatter(
                self.reg, self.regularisation, full, n_samples, nk.size
            )
            scatter = centred(stats, params.means, means) + pseudo
            covariances = self.structure.estimate(scatter, nk, params.covariances)
            if self.regularisation == "sklearn" and self.reg is not None:
                covariances = gaussian_prior.added_to_variances(covariances, self.reg, self.storage)
        new = self.prepare(Params(weights, means=means, covariances=covariances))
        if "covariances" not in fixed:
            self.check_resolution(new)
        return new

    def penalised(self, reg_covar: float) -> bool:
        return reg_covar > 0 and self.regularisation == "prior"

    def log_prior(self, params: Params, n_samples: int) -> float:
        """The regularisation's log prior (:func:`engine.models.gaussian_prior.log_prior`)."""
        return gaussian_prior.log_prior(
            params, self.reg, self.regularisation, self.storage, n_samples
        )

    def singular_cause(
        self,
        error: Exception,
        summary: ColumnSummary,
        feature_names: Sequence[str],
        reg_covar: float,
        weight: float | None = None,
        n_components: int = 1,
    ) -> str | None:
        column = getattr(error, "column", None)
        spherical = self.storage == "spherical" and self.regularisation == "prior"
        floor = "spherical" if spherical else self.regularisation
        share = 1.0 if weight is None else weight * n_components / summary.n_fitted
        return gaussian_resolution.singular_cause(
            column, summary, feature_names, reg_covar, floor, share, weight
        )

    def _rounding(self, params: Params) -> np.ndarray:
        """:func:`~engine.models.gaussian_resolution.whitened_rounding` of ``params`` for
        this data's magnitudes, shape (K,), computed once for the parameters an M-step
        returns and the loop then weighs."""
        memo = self._rounding_memo
        if memo is not None and memo[0] is params:
            return memo[1]
        value = gaussian_resolution.whitened_rounding(params, self.storage, self.magnitude)
        self._rounding_memo = (params, value)
        return value

    def round_off(self, params: Params, n_samples: int) -> float:
        """:func:`~engine.models.gaussian_pass.round_off` of ``params`` on this data:
        the rounding of the parameters, and of the pass they take."""
        if self.low is None:
            return 0.0
        return gaussian_pass.round_off(
            params, self.storage, self._rounding(params), self._extent_memo, n_samples
        )

    def check_resolution(self, params: Params) -> None:
        """Raise ``SingularComponent`` for a component whose covariance is finer than
        the data's digits can resolve (see :data:`RESOLUTION`); a model not yet
        adapted to data checks nothing."""
        if self.low is None or self._rounding(params).max() <= RESOLUTION:
            return
        unresolved = unresolved_component(params, self.storage, self.magnitude)
        if unresolved is not None:
            raise SingularComponent(unresolved[0], column=unresolved[1])

    def n_free_parameters(self, n_components: int, n_features: int, fixed: Collection[str]) -> int:
        counts = {
            "weights": n_components - 1,
            "means": n_components * n_features,
            "covariances": self.structure.n_parameters(n_components, n_features),
        }
        return sum(count for name, count in counts.items() if name not in fixed)
