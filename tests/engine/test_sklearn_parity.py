"""Iteration-by-iteration parity with scikit-learn from identical starting parameters.

The starting parameters come from a hard partition made in the test with plain
NumPy (a few Lloyd iterations from seeded random rows, see ``lloyd_partition``
in conftest): weights are the cluster fractions, means the cluster means and
covariances the (biased) cluster covariances reduced to each covariance type's
shape. scikit-learn receives the same numbers as ``weights_init``,
``means_init`` and ``precisions_init`` (the inverse covariances); both fits
use ``tol=0`` so they run exactly ``MAX_ITER`` M-steps, and either no
regularisation or scikit-learn's (``regularisation="sklearn"``: ``reg_covar`` itself
added to every variance after each M-step).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

import engine

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
MAX_ITER = 30
LOG_LIK_RTOL = 1e-9
PARAM_RTOL = 1e-8


def precisions(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    if covariance_type in ("full", "tied"):
        return np.linalg.inv(covariances)
    return 1.0 / covariances


def relative_deviation(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest elementwise difference, relative to the array's largest magnitude."""
    return float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))


def sklearn_fit(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    covariances: np.ndarray,
    covariance_type: str,
    reg_covar: float = 0.0,
) -> GaussianMixture:
    reference = GaussianMixture(
        n_components=weights.shape[0],
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        tol=0.0,
        max_iter=MAX_ITER,
        n_init=1,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions(covariances, covariance_type),
        # Every parameter is given, so this only decides a discarded first guess.
        init_params="random_from_data",
        random_state=0,
    )
    # tol=0 can never be met, so scikit-learn always warns; that is expected here.
    with pytest.warns(ConvergenceWarning):
        reference.fit(X)
    return reference


@pytest.fixture(params=["faithful", "blobs3d"])
def problem(request: pytest.FixtureRequest, helpers: type) -> tuple[np.ndarray, np.ndarray]:
    X = request.getfixturevalue(request.param)
    n_components = 2 if request.param == "faithful" else 3
    return X, helpers.lloyd_partition(X, n_components, seed=0)


@pytest.mark.parametrize("reg_covar", [0.0, 1e-2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_history_and_parameters_match_sklearn(
    problem: tuple[np.ndarray, np.ndarray], covariance_type: str, reg_covar: float, helpers: type
) -> None:
    X, labels = problem
    n_components = int(labels.max()) + 1
    weights, means, covariances = helpers.partition_params(X, labels, n_components, covariance_type)

    reference = sklearn_fit(X, weights, means, covariances, covariance_type, reg_covar)
    result = engine.fit(
        X,
        engine.FitOptions(
            model="gaussian",
            n_components=n_components,
            covariance_type=covariance_type,
            init=engine.Params(weights=weights, means=means, covariances=covariances),
            reg_covar=reg_covar,
            regularisation="sklearn",
            tol=0.0,
            max_iter=MAX_ITER,
        ),
    )

    assert result.n_iter == MAX_ITER == reference.n_iter_
    # lower_bounds_[i] is scikit-learn's mean log-likelihood before its (i+1)-th M-step.
    expected = np.asarray(reference.lower_bounds_) * X.shape[0]
    assert len(expected) == MAX_ITER
    np.testing.assert_allclose(result.history[:MAX_ITER], expected, rtol=LOG_LIK_RTOL, atol=0)
    # The fit must really move, or the comparison above would prove little.
    assert result.history[MAX_ITER - 1] - result.history[0] > 1e-3

    for ours, theirs in [
        (result.params.weights, reference.weights_),
        (result.params.means, reference.means_),
        (result.params.covariances, reference.covariances_),
    ]:
        assert ours.shape == theirs.shape
        assert relative_deviation(ours, theirs) < PARAM_RTOL
    # The same labels, from the same final parameters.
    np.testing.assert_array_equal(result.labels, reference.predict(X))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_score_samples_match_sklearn_at_fitted_parameters(
    faithful: np.ndarray, covariance_type: str
) -> None:
    reference = GaussianMixture(3, covariance_type=covariance_type, random_state=1).fit(faithful)
    params = engine.Params(
        weights=reference.weights_, means=reference.means_, covariances=reference.covariances_
    )
    options = engine.FitOptions(n_components=3, covariance_type=covariance_type, reg_covar=0.0)

    log_norm, log_resp = engine.predict_log_resp(faithful, params, options)

    np.testing.assert_allclose(log_norm, reference.score_samples(faithful), rtol=1e-10)
    np.testing.assert_allclose(
        np.exp(log_resp), reference.predict_proba(faithful), rtol=1e-8, atol=1e-12
    )


def test_hard_kmeans_equals_sklearn_lloyd(blobs3d: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    centres = blobs3d[rng.choice(blobs3d.shape[0], 4, replace=False)]
    reference = KMeans(4, init=centres, n_init=1, algorithm="lloyd", tol=0.0, max_iter=300).fit(
        blobs3d
    )
    result = engine.fit(
        blobs3d,
        engine.FitOptions(
            model="kmeans",
            n_components=4,
            e_step="hard",
            init=engine.Params(weights=np.full(4, 0.25), means=centres, covariances=np.ones(4)),
            tol=0.0,
            max_iter=60,
        ),
    )

    np.testing.assert_allclose(result.params.means, reference.cluster_centers_, rtol=1e-10)
    np.testing.assert_array_equal(result.labels, reference.labels_)
    # The inertia of the final means (the last pass) is scikit-learn's inertia_.
    np.testing.assert_allclose(
        result.metrics_history["inertia"][-1], reference.inertia_, rtol=1e-10
    )
