"""``KMeans``: k-means as a mixture, Lloyd's algorithm under the hard E-step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import engine
from engine.models.base import MixtureModel
from engine.predict import e_step, map_blocks
from em_studio._base import MixtureEstimator
from em_studio._docs import fill_doc
from em_studio.gaussian import draw_gaussian


def chunk_inertia(rows: np.ndarray, model: MixtureModel, params: engine.Params) -> float:
    """Squared distances of ``rows`` to the mean of their most probable component,
    summed (a chunk of a streamed file; ``params`` prepared for ``model``)."""
    labels = e_step(model, rows, params)[1].argmax(axis=1)
    offsets = rows - np.asarray(params.means, dtype=np.float64)[labels]
    return float(np.einsum("ij,ij->", offsets, offsets))


@fill_doc
class KMeans(MixtureEstimator):
    """k-means as a mixture of equal-weight Gaussians with one shared spherical variance.

    With the hard E-step (the default) this is exactly Lloyd's algorithm: each
    row goes to its nearest mean, each mean moves to the centroid of its rows.
    With ``e_step="soft"`` it is EM for the same mixture ("soft k-means"). It
    follows scikit-learn's conventions, but it is not a drop-in for
    ``sklearn.cluster.KMeans``: K is ``n_components`` (scikit-learn's
    ``n_clusters``), the starts are ``init_params``' and ``tol`` is on the
    objective, not on the movement of the centres. ``cluster_centers_`` and
    ``inertia_`` are there under scikit-learn's names.

    Parameters
    ----------
    n_components : int, default=8
        Number of clusters.
    $loop_parameters
    $init_params
    means_init : array-like of shape (n_components, n_features), default=None
        Starting means (then nothing is drawn; the shared variance starts from
        the rows nearest each mean).
    $run_parameters

    Attributes
    ----------
    $attributes
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray of shape (n_components,)
        The one shared variance, once per component.
    cluster_centers_ : ndarray of shape (n_components, n_features)
        ``means_``, under scikit-learn's name.
    inertia_ : float
        Sum of squared distances of the fitted rows to their cluster's mean.
    """

    _model = "kmeans"
    _init_arrays = ("means",)

    def __init__(
        self,
        n_components: int = 8,
        *,
        tol: float = 1e-4,
        max_iter: int = 300,
        n_init: int = 1,
        init_params: str = "k-means++",
        means_init: object = None,
        random_state: object = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        e_step: str = "hard",
        fixed: tuple[str, ...] = (),
        callback: Callable[[engine.Snapshot], object] | None = None,
        engine_options: Mapping[str, object] | None = None,
        backend: str = "local",
        scheduler: str | None = None,
    ) -> None:
        self._store(locals())

    def _start(self, *args: Any) -> engine.Params:
        # k-means' M-step keeps the weights it starts with, and the engine's hc start
        # gives it the clusters' sizes; k-means' weights are equal.
        start = super()._start(*args)
        return start.replace(weights=np.full(self.n_components, 1.0 / self.n_components))

    def _describe_fit(self, rows: np.ndarray) -> None:
        self.cluster_centers_ = self.means_.copy()
        offsets = rows - np.asarray(self.means_, dtype=np.float64)[self.labels_]
        self.inertia_ = float(np.einsum("ij,ij->", offsets, offsets))

    def _describe_source(self, source: engine.DataSource, backend: object) -> None:
        self.cluster_centers_ = self.means_.copy()
        # One more pass over the file, where the fit ran: each chunk's own sum.
        parts = map_blocks(
            chunk_inertia, source, self._fitted_params(), self._fit_options(), None, backend
        )
        self.inertia_ = float(sum(part for _, part in parts))

    def _draw(self, rng: np.random.RandomState, component: int, n_samples: int) -> np.ndarray:
        mean, variance = self.means_[component], self.covariances_[component]
        return draw_gaussian(rng, mean, variance, "spherical", n_samples)
