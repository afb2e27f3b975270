"""Parameter recovery: fits of large seeded samples land near the parameters that made them.

Tolerances are a few standard errors: means within 5 SE (SE = sd / sqrt(n_k)),
weights within 5 sqrt(w (1 - w) / N), variances and covariances within
5 sqrt(2 / n_k) relative to the scale of the matrix, probabilities and rates
within 5 SE of a proportion or a Poisson mean. Components are matched to the
truth with the Hungarian algorithm, never by the engine's own order.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine

N_SAMPLES = 4000
SIGMAS = 5.0

TRUE_WEIGHTS = np.array([0.5, 0.3, 0.2])
TRUE_MEANS = np.array([[0.0, 0.0], [6.0, 1.0], [1.0, 7.0]])
TRUE_FULL = np.array(
    [
        [[1.0, 0.4], [0.4, 0.8]],
        [[0.6, -0.2], [-0.2, 1.5]],
        [[2.0, 0.0], [0.0, 0.5]],
    ]
)


def true_covariances(covariance_type: str) -> np.ndarray:
    if covariance_type == "full":
        return TRUE_FULL
    if covariance_type == "tied":
        return TRUE_FULL[0]
    if covariance_type == "diag":
        return np.array([np.diag(c) for c in TRUE_FULL])
    return np.array([1.0, 0.6, 2.0])


def covariance_se(full: np.ndarray, n_k: np.ndarray, covariance_type: str) -> np.ndarray:
    """Large-sample SE of each covariance entry: Var(S_ij) = (s_ij^2 + s_ii s_jj) / n."""
    variances = np.diagonal(full, axis1=1, axis2=2)
    per_entry = full**2 + variances[:, :, None] * variances[:, None, :]
    if covariance_type == "full":
        return np.sqrt(per_entry / n_k[:, None, None])
    if covariance_type == "tied":
        return np.sqrt(per_entry[0] / n_k.sum())
    if covariance_type == "diag":
        return np.sqrt(2 * variances**2 / n_k[:, None])
    # The mean of D variances, each from n_k rows.
    return np.sqrt(2 * variances[:, 0] ** 2 / (n_k * full.shape[1]))


def draw_labels(rng: np.random.Generator, weights: np.ndarray, n_samples: int) -> np.ndarray:
    return rng.choice(len(weights), size=n_samples, p=weights)


def assert_weights_close(estimated: np.ndarray, truth: np.ndarray, n_samples: int) -> None:
    se = np.sqrt(truth * (1 - truth) / n_samples)
    np.testing.assert_array_less(np.abs(estimated - truth), SIGMAS * se)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_gaussian_recovery(covariance_type: str, helpers: type) -> None:
    rng = np.random.default_rng(11)
    covariances = true_covariances(covariance_type)
    full = helpers.full_covariances(covariances, covariance_type, 3, 2)
    labels = draw_labels(rng, TRUE_WEIGHTS, N_SAMPLES)
    X = np.empty((N_SAMPLES, 2))
    for k in range(3):
        rows = labels == k
        X[rows] = rng.multivariate_normal(TRUE_MEANS[k], full[k], rows.sum())

    result = engine.fit(
        X, engine.FitOptions(n_components=3, covariance_type=covariance_type, n_init=3, seed=5)
    )

    order = helpers.match_rows(result.params.means, TRUE_MEANS)
    params = result.params.permuted(order, covariance_type)
    assert_weights_close(params.weights, TRUE_WEIGHTS, N_SAMPLES)
    n_k = TRUE_WEIGHTS * N_SAMPLES
    mean_se = np.sqrt(np.diagonal(full, axis1=1, axis2=2) / n_k[:, None])
    np.testing.assert_array_less(np.abs(params.means - TRUE_MEANS), SIGMAS * mean_se)
    np.testing.assert_array_less(
        np.abs(params.covariances - covariances),
        SIGMAS * covariance_se(full, n_k, covariance_type),
    )
    # A fit on the true model is at least as likely as the true parameters.
    true_log_norm, _ = helpers.reference_log_resp(
        X, TRUE_WEIGHTS, TRUE_MEANS, covariances, covariance_type
    )
    assert result.log_likelihood >= true_log_norm.sum()
    assert result.converged


@pytest.mark.parametrize("e_step", ["soft", "hard"])
def test_kmeans_recovery(e_step: str, helpers: type) -> None:
    rng = np.random.default_rng(12)
    variance = 0.8
    means = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 2.0], [0.0, 8.0, -2.0], [8.0, 8.0, 8.0]])
    labels = rng.integers(4, size=N_SAMPLES)
    X = means[labels] + np.sqrt(variance) * rng.normal(size=(N_SAMPLES, 3))

    result = engine.fit(
        X, engine.FitOptions(model="kmeans", n_components=4, e_step=e_step, n_init=3, seed=1)
    )

    params = result.params.permuted(helpers.match_rows(result.params.means, means))
    np.testing.assert_array_less(
        np.abs(params.means - means), SIGMAS * np.sqrt(variance / (N_SAMPLES / 4))
    )
    # One shared variance, estimated from N * D squared deviations.
    np.testing.assert_allclose(
        params.covariances, variance, atol=SIGMAS * np.sqrt(2 / (3 * N_SAMPLES)) * variance
    )
    np.testing.assert_array_equal(params.weights, np.full(4, 0.25))
    # Clusters this far apart are recovered row for row.
    assert (
        np.mean(np.argsort(helpers.match_rows(result.params.means, means))[result.labels] == labels)
        > 0.999
    )


def assert_proportions_close(estimated: np.ndarray, truth: np.ndarray, trials: np.ndarray) -> None:
    se = np.sqrt(truth * (1 - truth) / trials)
    np.testing.assert_array_less(np.abs(estimated - truth), SIGMAS * se)


@pytest.mark.parametrize("model", ["bernoulli", "binomial"])
def test_bernoulli_and_binomial_recovery(model: str, helpers: type) -> None:
    rng = np.random.default_rng(13)
    trials = 1 if model == "bernoulli" else 8
    weights = np.array([0.6, 0.4])
    probs = np.array(
        [
            [0.9, 0.8, 0.2, 0.1, 0.7, 0.3, 0.5, 0.85],
            [0.1, 0.3, 0.8, 0.9, 0.2, 0.6, 0.5, 0.15],
        ]
    )
    labels = draw_labels(rng, weights, N_SAMPLES)
    X = rng.binomial(trials, probs[labels]).astype(float)

    result = engine.fit(
        X, engine.FitOptions(model=model, n_components=2, trials=trials, n_init=3, seed=2)
    )

    params = result.params.permuted(helpers.match_rows(result.params.probs, probs))
    assert_weights_close(params.weights, weights, N_SAMPLES)
    assert_proportions_close(params.probs, probs, (weights * N_SAMPLES * trials)[:, None])


def test_binomial_with_trials_per_column(helpers: type) -> None:
    rng = np.random.default_rng(14)
    trials = np.array([3, 10, 25])
    weights = np.array([0.7, 0.3])
    probs = np.array([[0.2, 0.5, 0.9], [0.7, 0.1, 0.4]])
    labels = draw_labels(rng, weights, N_SAMPLES)
    X = rng.binomial(trials, probs[labels]).astype(float)

    result = engine.fit(
        X,
        engine.FitOptions(model="binomial", n_components=2, trials=tuple(trials), n_init=2, seed=0),
    )

    params = result.params.permuted(helpers.match_rows(result.params.probs, probs))
    assert_weights_close(params.weights, weights, N_SAMPLES)
    assert_proportions_close(params.probs, probs, (weights * N_SAMPLES)[:, None] * trials)


def test_poisson_recovery(helpers: type) -> None:
    rng = np.random.default_rng(15)
    weights = np.array([0.25, 0.45, 0.3])
    rates = np.array([[1.0, 12.0, 4.0], [9.0, 2.0, 4.0], [5.0, 5.0, 15.0]])
    labels = draw_labels(rng, weights, N_SAMPLES)
    X = rng.poisson(rates[labels]).astype(float)

    result = engine.fit(X, engine.FitOptions(model="poisson", n_components=3, n_init=3, seed=3))

    params = result.params.permuted(helpers.match_rows(result.params.rates, rates))
    assert_weights_close(params.weights, weights, N_SAMPLES)
    se = np.sqrt(rates / (weights * N_SAMPLES)[:, None])
    np.testing.assert_array_less(np.abs(params.rates - rates), SIGMAS * se)
