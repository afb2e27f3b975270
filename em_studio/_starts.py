"""Starting parameters as scikit-learn's mixtures make them, and EM Studio's own.

scikit-learn starts EM from responsibilities (``init_params``): the one-hot
labels of a k-means fit (``kmeans``), random ones (``random``), or one row per
component (``random_from_data``: rows drawn at random; ``k-means++``: rows
chosen by k-means++). The model's own M-step then makes the first parameters
from them. The random draws are the ones scikit-learn makes, from the same
``RandomState`` in the same order, so the same ``random_state`` gives the same
start; the k-means labels and the k-means++ rows come from scikit-learn itself
when it is installed, and from EM Studio's k-means (Lloyd's algorithm, from a
k-means++ start) and k-means++ when it is not.

``hc`` is EM Studio's: the first start cuts a hierarchical agglomeration (as
mclust's), further starts give every row to the nearest of k-means++ seeds;
both are the engine's own starts (:mod:`engine.starts`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import engine
from engine.errors import FitError, SingularComponent
from engine.models.base import EMPTY_MASS, MixtureModel
from engine.options import MAX_SEED
from engine.starts import kmeans_plusplus

#: scikit-learn's ways to start, then EM Studio's.
SKLEARN_INITS = ("kmeans", "k-means++", "random", "random_from_data")
INIT_PARAMS = (*SKLEARN_INITS, "hc")

#: Lloyd's iterations of the k-means start without scikit-learn (its KMeans' default).
KMEANS_MAX_ITER = 300


def draw_seed(random_state: np.random.RandomState) -> int:
    """An engine seed drawn from ``random_state``."""
    return int(random_state.randint(MAX_SEED))


def kmeans_labels(
    X: np.ndarray, n_components: int, random_state: np.random.RandomState
) -> np.ndarray:
    """Labels of a k-means fit with one start, as scikit-learn's ``init_params="kmeans"``."""
    try:
        from sklearn.cluster import KMeans
    except ImportError:
        # Lloyd's algorithm ends where the assignments repeat, and then the objective
        # repeats to the last bit: a tolerance of the smallest positive number stops there.
        options = engine.FitOptions(
            "kmeans", n_components, e_step="hard", init="kmeans++",
            tol=float(np.finfo(np.float64).tiny), max_iter=KMEANS_MAX_ITER,
            seed=draw_seed(random_state),
        )
        return engine.fit(X, options).labels
    return KMeans(n_clusters=n_components, n_init=1, random_state=random_state).fit(X).labels_


def kmeans_plusplus_rows(
    X: np.ndarray, n_components: int, random_state: np.random.RandomState
) -> np.ndarray:
    """Indices of ``n_components`` rows chosen by k-means++."""
    try:
        from sklearn.cluster import kmeans_plusplus as sklearn_kmeans_plusplus
    except ImportError:
        return kmeans_plusplus(X, n_components, np.random.default_rng(draw_seed(random_state)))
    return sklearn_kmeans_plusplus(X, n_components, random_state=random_state)[1]


def initial_resp(
    method: str, X: np.ndarray, n_components: int, random_state: np.random.RandomState
) -> np.ndarray:
    """scikit-learn's starting responsibilities, shape (n_samples, n_components).

    ``X`` is in the caller's floating precision, which scikit-learn's k-means
    sees too.
    """
    n_samples = X.shape[0]
    resp = np.zeros((n_samples, n_components))
    if method == "kmeans":
        resp[np.arange(n_samples), kmeans_labels(X, n_components, random_state)] = 1.0
    elif method == "random":
        resp = random_state.uniform(size=(n_samples, n_components)).astype(X.dtype)
        resp = (resp / resp.sum(axis=1)[:, np.newaxis]).astype(np.float64)
    elif method == "random_from_data":
        rows = random_state.choice(n_samples, size=n_components, replace=False)
        resp[rows, np.arange(n_components)] = 1.0
    elif method == "k-means++":
        resp[kmeans_plusplus_rows(X, n_components, random_state), np.arange(n_components)] = 1.0
    else:
        raise ValueError(f"unknown init_params {method!r}; choose {', '.join(INIT_PARAMS)}")
    return resp


def params_from_resp(model: MixtureModel, X: np.ndarray, resp: np.ndarray) -> engine.Params:
    """The first parameters: ``model``'s M-step from responsibilities ``resp`` of rows ``X``
    (float64), then its adjustment of a start made from a partition.

    Raises
    ------
    engine.FitError
        When a component's covariance is singular from the start.
    """
    n_samples, n_components = resp.shape
    mass = resp.sum(axis=0)
    # The M-step takes second moments about the previous means; the responsibilities'
    # own means keep them precise. Equal weights are what k-means keeps.
    shift = engine.Params(
        np.full(n_components, 1.0 / n_components),
        means=(resp.T @ X) / (mass + EMPTY_MASS)[:, np.newaxis],
    )
    try:
        params = model.m_step(model.suff_stats(X, resp, shift), shift, (), n_samples)
    except SingularComponent as exc:
        raise FitError(
            f"component {exc.component + 1} has a singular covariance at the start (it holds "
            f"the weight of {mass[exc.component]:.3g} rows)"
        ) from None
    overall = {"nk": np.array([float(n_samples)]), "sx": X.sum(axis=0)[np.newaxis, :]}
    return model.smooth_initial(params, overall)


def engine_start(
    X: np.ndarray | engine.DataSource,
    options: engine.FitOptions,
    feature_names: Sequence[str] | None,
    backend: object = None,
) -> engine.Params:
    """The start the engine makes for ``options`` (``hc``, ``kmeans++`` or ``random``),
    without fitting, its passes on ``backend`` (by default this machine's threads)."""
    snapshots = engine.iterate(
        X, options.replace(max_iter=0, n_init=1), feature_names, backend
    )
    try:
        return next(snapshots).params
    finally:
        snapshots.close()
