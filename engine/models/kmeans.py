"""k-means as a mixture: equal weights and one shared spherical variance.

With the hard E-step this is exactly Lloyd's algorithm: the most probable
component of a row is its nearest mean, the M-step moves each mean to the
centroid of its rows, and the shared variance (inertia / (N D)) does not
change which mean is nearest. With the soft E-step it is EM for the same
equal-weight, equal-variance Gaussian mixture ("soft k-means").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.models import kmeans_pass
from engine.models.base import EMPTY_MASS, ChunkResult, ParamSpec, PreparedChunk, Stats
from engine.models.gaussian import GaussianModel
from engine.models.gaussian_resolution import check_spread
from engine.models.registry import register
from engine.params import Params

if TYPE_CHECKING:
    from engine.data import ColumnSummary


def scatter_about(stats: Stats, shift: np.ndarray, means: np.ndarray) -> float:
    """Sum of |x - mean|^2 over every row and component, from moments about ``shift``
    (the old means): moments per component and column (K, D), or per component
    summed over the columns (K,), as :mod:`engine.models.kmeans_pass` gives them."""
    mass = stats["nk"]
    delta = means - shift
    offset = stats["sx"] - mass[:, None] * shift  # sum of r (x - shift)
    cross = np.einsum("ki,ki->k", delta, offset)
    return float(
        stats["sxx"].sum() - 2.0 * cross.sum() + (mass * np.einsum("ki,ki->k", delta, delta)).sum()
    )


@register
class KMeansModel(GaussianModel):
    """Lloyd's k-means (hard) or soft k-means, as an equal-variance mixture."""

    name = "kmeans"
    title = "k-means"
    summary = (
        "Round clusters of equal size and weight: each row belongs to its nearest mean. With "
        "the hard E-step this is Lloyd's k-means."
    )
    option_specs = ()
    default_e_step = "hard"
    trace_metric = "inertia"
    weights_fixable = False
    menu_order = 20
    variant_option = None
    in_default_sweep = False
    report_title = "k-means (equal-weight, equal-variance Gaussian mixture)"
    # The Gaussian's densities with its one variance; scikit-learn has no such mixture.
    script = dataclasses.replace(
        GaussianModel.script,
        title="k-means model (equal-weight, equal-variance Gaussians)",
        sklearn="",
        sklearn_estimator="",
    )

    @classmethod
    def variants(cls) -> tuple[str, ...]:
        return ()

    def collapsed_components(self, params, column_variance, reg_covar, factor=2.0):
        return ()

    def __init__(self, reg: np.ndarray | None = None) -> None:
        super().__init__("spherical", reg)

    @property
    def covariance_type(self) -> None:  # type: ignore[override]
        return None

    @property
    def param_specs(self) -> tuple[ParamSpec, ...]:
        # One variance shared by all, stored once per component as the spherical model does.
        return (
            ParamSpec("means", "mean", ("K", "D"), "location"),
            ParamSpec("covariances", "variance", ("K",), "spread", column="var", same_for_all=True),
        )

    @property
    def shape_detail(self) -> str:
        return ""

    @property
    def unit_free(self) -> bool:
        # Round clusters: distances in the columns' own units are the model itself.
        return False

    def check_summary(self, summary: ColumnSummary, feature_names: Sequence[str]) -> None:
        check_spread(summary.min, summary.max, feature_names)
        if np.all(summary.max - summary.min == 0):
            raise ValueError(
                "every row is the same point, so there is nothing to cluster; "
                "check the columns chosen"
            )

    def check_params(self, params: Params, n_features: int) -> None:
        super().check_params(params, n_features)
        if np.ptp(params.covariances) > 0:
            raise ValueError("k-means components share one variance; give equal covariances")
        if np.ptp(params.weights) > 0:
            raise ValueError("k-means components have equal weights; give weights of 1/K each")

    def m_step(
        self, stats: Stats, params: Params, fixed: Collection[str], n_samples: int
    ) -> Params:
        mass = stats["nk"]
        if "means" in fixed:
            means = params.means
        else:
            # Lloyd's rule for a mean that lost every row: leave it where it was.
            means = np.where(
                mass[:, None] > 0, stats["sx"] / (mass + EMPTY_MASS)[:, None], params.means
            )
        if "covariances" in fixed:
            covariances = params.covariances
        else:
            # One variance for all: the scatter of every row about its mean plus the
            # prior's (N / K rows' worth of reg per component, N in all), spread
            # over every row and column.
            scatter = scatter_about(stats, params.means, means)
            if self.reg is not None:
                scatter = scatter + n_samples * self.reg.sum()
            variance = scatter / (mass.sum() * means.shape[1])
            covariances = np.full(means.shape[0], variance)
        new = self.prepare(Params(params.weights, means=means, covariances=covariances))
        if "covariances" not in fixed:
            self.check_resolution(new)
        return new

    # --- the pass over [z; 1; |z|^2] (rows with gaps take the Gaussian's) ----------------

    def chunk_rows(self, n_components: int, n_features: int, itemsize: int = 8) -> int:
        if self.with_gaps:
            return super().chunk_rows(n_components, n_features, itemsize)
        return kmeans_pass.chunk_rows(n_components, n_features, itemsize)

    def prepare_chunk(self, rows: np.ndarray, data_plan: Any, dtype: np.dtype) -> PreparedChunk:
        if self.with_gaps:
            return super().prepare_chunk(rows, data_plan, dtype)
        return kmeans_pass.prepare_chunk(rows, data_plan, dtype)

    def pass_plan(self, params: Params, data_plan: Any, dtype: np.dtype) -> object:
        if self.with_gaps:
            return super().pass_plan(params, data_plan, dtype)
        extent = None
        if self.low is not None:
            extent = np.maximum(np.abs(self.high - data_plan), np.abs(self.low - data_plan))
        return kmeans_pass.pass_plan(params, data_plan, dtype, extent)

    def chunk_pass(self, chunk: np.ndarray, plan: Any, hard: bool, details: bool) -> ChunkResult:
        if self.with_gaps:
            return super().chunk_pass(chunk, plan, hard, details)
        return kmeans_pass.chunk_pass(chunk, plan, hard, details)

    def pass_stats(self, sums: Stats, plan: object) -> Stats:
        if self.with_gaps:
            return super().pass_stats(sums, plan)
        return kmeans_pass.pass_stats(sums, plan)

    def penalised(self, reg_covar: float) -> bool:
        return reg_covar > 0

    def log_prior(self, params: Params, n_samples: int) -> float:
        if self.reg is None or not np.any(self.reg):
            return 0.0
        # The shared variance once, with the prior of all K components (N rows' worth).
        return -0.5 * n_samples * float(self.reg.sum() / params.covariances[0])

    def metrics(self, stats: Stats) -> dict[str, float]:
        # Moments are taken about the means the rows were assigned with, so their
        # sum is the inertia of those means (under the hard E-step).
        return {"inertia": float(stats["sxx"].sum())}

    def n_free_parameters(self, n_components: int, n_features: int, fixed: Collection[str]) -> int:
        counts = {"means": n_components * n_features, "covariances": 1}
        return sum(count for name, count in counts.items() if name not in fixed)
