"""BIC, AIC, ICL and the free-parameter counts behind them."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.mixture import GaussianMixture

import engine

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def hand_count_gaussian(covariance_type: str, k: int, d: int) -> dict[str, int]:
    covariances = {
        "full": k * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": k * d,
        "spherical": k,
    }[covariance_type]
    return {"weights": k - 1, "means": k * d, "covariances": covariances}


@pytest.fixture(scope="module")
def iris() -> np.ndarray:
    return load_iris().data


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dataset", ["faithful", "iris"])
def test_bic_aic_equal_sklearn_at_the_same_parameters(
    covariance_type: str, dataset: str, request: pytest.FixtureRequest
) -> None:
    X = request.getfixturevalue(dataset)
    reference = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    # Our fit evaluates scikit-learn's fitted parameters without moving them.
    result = engine.fit(
        X,
        engine.FitOptions(
            n_components=3,
            covariance_type=covariance_type,
            init=engine.Params(
                weights=reference.weights_,
                means=reference.means_,
                covariances=reference.covariances_,
            ),
            max_iter=0,
        ),
    )

    assert result.bic == pytest.approx(reference.bic(X), rel=1e-10)
    assert result.aic == pytest.approx(reference.aic(X), rel=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_parameter_counts_by_hand(covariance_type: str, iris: np.ndarray) -> None:
    k, d = 3, iris.shape[1]
    counts = hand_count_gaussian(covariance_type, k, d)
    result = engine.fit(
        iris, engine.FitOptions(n_components=k, covariance_type=covariance_type, max_iter=2, seed=0)
    )
    assert result.n_parameters == sum(counts.values())
    # Full on iris: 2 + 12 + 3 * 10 = 44.
    if covariance_type == "full":
        assert result.n_parameters == 44
    for held in [{"weights"}, {"means"}, {"covariances"}, {"weights", "covariances"}]:
        fixed = engine.fit(
            iris,
            engine.FitOptions(
                n_components=k,
                covariance_type=covariance_type,
                init=result.params,
                fixed=held,
                max_iter=2,
            ),
        )
        assert fixed.n_parameters == sum(n for name, n in counts.items() if name not in held)
        # Held values really stay put.
        for name in held:
            np.testing.assert_array_equal(getattr(fixed.params, name), getattr(result.params, name))


def test_kmeans_parameter_count(iris: np.ndarray) -> None:
    k, d = 3, 4
    result = engine.fit(iris, engine.FitOptions(model="kmeans", n_components=k, max_iter=2, seed=0))
    assert result.n_parameters == k * d + 1
    held = engine.fit(
        iris,
        engine.FitOptions(
            model="kmeans", n_components=k, init=result.params, fixed={"covariances"}, max_iter=2
        ),
    )
    assert held.n_parameters == k * d
    held = engine.fit(
        iris,
        engine.FitOptions(
            model="kmeans", n_components=k, init=result.params, fixed={"means"}, max_iter=2
        ),
    )
    assert held.n_parameters == 1


@pytest.mark.parametrize(
    ("model", "param", "data"),
    [
        ("bernoulli", "probs", lambda rng: rng.integers(0, 2, size=(50, 6))),
        ("binomial", "probs", lambda rng: rng.integers(0, 5, size=(50, 6))),
        ("poisson", "rates", lambda rng: rng.poisson(3.0, size=(50, 6))),
    ],
)
def test_count_model_parameter_counts(
    model: str, param: str, data: Callable[[np.random.Generator], np.ndarray]
) -> None:
    X = data(np.random.default_rng(0)).astype(float)
    k, d = 4, 6
    options = engine.FitOptions(model=model, n_components=k, trials=4, max_iter=2, seed=0)
    result = engine.fit(X, options)
    assert result.n_parameters == (k - 1) + k * d
    assert (
        engine.fit(X, options.replace(init=result.params, fixed={"weights"})).n_parameters == k * d
    )
    assert engine.fit(X, options.replace(init=result.params, fixed={param})).n_parameters == k - 1
    n_samples = X.shape[0]
    assert result.bic == pytest.approx(
        -2 * result.log_likelihood + result.n_parameters * math.log(n_samples), rel=1e-14
    )
    assert result.aic == pytest.approx(
        -2 * result.log_likelihood + 2 * result.n_parameters, rel=1e-14
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_icl_is_bic_plus_twice_the_entropy(
    covariance_type: str, faithful: np.ndarray, helpers: type
) -> None:
    result = engine.fit(
        faithful, engine.FitOptions(n_components=3, covariance_type=covariance_type, seed=4)
    )
    p = result.params
    _, log_resp = helpers.reference_log_resp(
        faithful, p.weights, p.means, p.covariances, covariance_type
    )
    resp = np.exp(log_resp)
    entropy = -np.sum(np.where(resp > 0, resp * log_resp, 0.0))

    assert entropy > 1.0  # overlapping components, so the check is not 0 == 0
    assert result.entropy == pytest.approx(entropy, rel=1e-8)
    assert result.icl == pytest.approx(result.bic + 2 * entropy, rel=1e-10)
    assert result.icl > result.bic
