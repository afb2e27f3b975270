"""Gaussian log-densities against scipy.stats.multivariate_normal."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from engine.models.gaussian import GaussianModel
from engine.params import Params

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def random_spd(rng: np.random.Generator, n_features: int) -> np.ndarray:
    """A symmetric positive-definite matrix with condition number of order 10-100."""
    factor = rng.normal(size=(n_features, n_features))
    return factor @ factor.T + 0.5 * n_features * np.eye(n_features)


def random_covariances(
    rng: np.random.Generator, covariance_type: str, n_components: int, n_features: int
) -> tuple[np.ndarray, np.ndarray]:
    """Covariances in scikit-learn's shape and the same expanded to (K, D, D)."""
    if covariance_type == "full":
        covariances = np.array([random_spd(rng, n_features) for _ in range(n_components)])
        return covariances, covariances
    if covariance_type == "tied":
        covariances = random_spd(rng, n_features)
        return covariances, np.array([covariances] * n_components)
    if covariance_type == "diag":
        covariances = rng.uniform(0.1, 5.0, size=(n_components, n_features))
        return covariances, np.array([np.diag(c) for c in covariances])
    covariances = rng.uniform(0.1, 5.0, size=n_components)
    return covariances, np.array([c * np.eye(n_features) for c in covariances])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [1, 2, 5])
@pytest.mark.parametrize("offset", [0.0, 1e3, -5e4])
def test_log_prob_equals_scipy(covariance_type: str, n_features: int, offset: float) -> None:
    rng = np.random.default_rng(
        [n_features, COVARIANCE_TYPES.index(covariance_type), int(abs(offset))]
    )
    n_components = 3
    means = offset + rng.normal(scale=3.0, size=(n_components, n_features))
    covariances, full = random_covariances(rng, covariance_type, n_components, n_features)
    # Rows near the components and rows many standard deviations away from all of them.
    X = np.concatenate(
        [
            offset + rng.normal(scale=3.0, size=(40, n_features)),
            offset + rng.normal(scale=30.0, size=(10, n_features)),
        ]
    )
    model = GaussianModel(covariance_type, np.zeros(n_features))
    params = model.prepare(
        Params(
            weights=np.full(n_components, 1.0 / n_components), means=means, covariances=covariances
        )
    )

    log_prob = model.log_prob(X, params)

    expected = np.stack(
        [multivariate_normal(means[k], full[k]).logpdf(X) for k in range(n_components)], axis=1
    ).reshape(X.shape[0], n_components)
    assert log_prob.shape == (X.shape[0], n_components)
    # Relative where the log-density is large in magnitude, absolute near zero.
    np.testing.assert_allclose(log_prob, expected, rtol=1e-10, atol=1e-10)


def test_log_prob_hand_computed_one_dimension() -> None:
    # N(x; 2, 4) at x = 2, 4, -2: -0.5*log(2*pi*4) - (x-2)^2/8.
    model = GaussianModel("spherical", np.zeros(1))
    params = model.prepare(Params(weights=[1.0], means=[[2.0]], covariances=[4.0]))
    X = np.array([[2.0], [4.0], [-2.0]])
    base = -0.5 * np.log(2 * np.pi * 4.0)
    expected = np.array([[base], [base - 0.5], [base - 2.0]])
    np.testing.assert_allclose(model.log_prob(X, params), expected, rtol=1e-14)


def test_tied_factor_is_shared_and_full_factor_is_per_component() -> None:
    rng = np.random.default_rng(7)
    covariances = np.array([random_spd(rng, 3) for _ in range(2)])
    full = GaussianModel("full", np.zeros(3)).prepare(
        Params(weights=[0.5, 0.5], means=np.zeros((2, 3)), covariances=covariances)
    )
    tied = GaussianModel("tied", np.zeros(3)).prepare(
        Params(weights=[0.5, 0.5], means=np.zeros((2, 3)), covariances=covariances[0])
    )
    # U U^T must be the precision matrix in both cases.
    for k in range(2):
        u = full.precisions_chol[k]
        np.testing.assert_allclose(u @ u.T, np.linalg.inv(covariances[k]), rtol=1e-10, atol=1e-12)
    u = tied.precisions_chol
    assert u.shape == (3, 3)
    np.testing.assert_allclose(u @ u.T, np.linalg.inv(covariances[0]), rtol=1e-10, atol=1e-12)
