"""Projections of many columns: principal components, discriminant coordinates, Gaussians."""

from __future__ import annotations

import numpy as np
import pytest

from engine.projection import discriminant_coordinates, principal_components, project_gaussians


def _mixture(rng: np.random.Generator, n: int = 600) -> tuple[np.ndarray, ...]:
    means = np.array([[0.0, 0.0, 0.0, 0.0], [4.0, 1.0, 0.0, -2.0], [0.0, 5.0, 3.0, 1.0]])
    a = rng.normal(size=(3, 4, 4))
    covariances = a @ a.swapaxes(1, 2) / 4 + 0.3 * np.eye(4)
    weights = np.array([0.3, 0.3, 0.4])
    labels = rng.choice(3, size=n, p=weights)
    X = np.stack([rng.multivariate_normal(means[k], covariances[k]) for k in labels])
    return X, weights, means, covariances, labels


def test_projected_covariance_is_the_covariance_of_projected_samples() -> None:
    rng = np.random.default_rng(0)
    mean = np.array([1.0, -2.0, 3.0])
    a = rng.normal(size=(3, 3))
    cov = a @ a.T + np.eye(3)
    basis = rng.normal(size=(3, 2))
    center = np.array([0.5, 0.5, 0.5])
    samples = rng.multivariate_normal(mean, cov, size=200_000)
    m, c = project_gaussians(mean[None], cov[None], basis, center)
    projected = (samples - center) @ basis
    np.testing.assert_allclose(m[0], projected.mean(axis=0), atol=0.03)
    np.testing.assert_allclose(c[0], np.cov(projected.T), rtol=0.02, atol=0.02)
    np.testing.assert_allclose(c[0], basis.T @ cov @ basis)


def test_principal_components_equal_numpy_svd() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5))
    pca = principal_components(X, 2)
    centred = X - X.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    for d in range(2):
        # Same direction up to sign.
        assert abs(abs(pca.basis[:, d] @ vt[d]) - 1.0) < 1e-10
    np.testing.assert_allclose(pca.values, s[:2] ** 2 / 300)
    scores = pca.transform(X)
    np.testing.assert_allclose(scores.var(axis=0), pca.values)


def test_principal_components_skip_rows_with_gaps_and_refuse_bad_sizes() -> None:
    X = np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, 1.0], [2.0, 5.0]])
    np.testing.assert_allclose(principal_components(X, 1).center, [2.0, 8.0 / 3.0])
    with pytest.raises(ValueError, match="n_dims must be between 1 and 2"):
        principal_components(X, 3)
    with pytest.raises(ValueError, match="at least two rows"):
        principal_components(np.array([[1.0, np.nan], [1.0, 2.0]]))


def test_discriminant_coordinates_separate_the_components() -> None:
    rng = np.random.default_rng(2)
    X, weights, means, covariances, labels = _mixture(rng)
    dr = discriminant_coordinates(X, weights, means, covariances, 2)
    assert dr.values[0] >= dr.values[1] > 0
    # The generalised eigenproblem: M v = l Sigma v, and the directions are unit length.
    np.testing.assert_allclose(np.linalg.norm(dr.basis, axis=0), 1.0)
    scores = dr.transform(X)
    # Between-cluster spread along the first direction beats any single column's.
    def ratio(values: np.ndarray) -> float:
        overall = values.var()
        within = sum(values[labels == k].var() * np.mean(labels == k) for k in range(3))
        return (overall - within) / overall
    assert ratio(scores[:, 0]) > max(ratio(X[:, d]) for d in range(4))


def test_discriminant_coordinates_do_not_depend_on_the_columns_units() -> None:
    rng = np.random.default_rng(3)
    X, weights, means, covariances, _ = _mixture(rng)
    scale = np.array([1000.0, 0.01, 1.0, 50.0])
    shift = np.array([5.0, -3.0, 0.0, 100.0])
    first = discriminant_coordinates(X, weights, means, covariances, 2)
    second = discriminant_coordinates(
        X * scale + shift, weights, means * scale + shift,
        covariances * scale[:, None] * scale[None, :], 2,
    )
    np.testing.assert_allclose(first.values, second.values, rtol=1e-8)
    a, b = first.transform(X), second.transform(X * scale + shift)
    for d in range(2):
        # The same coordinate, up to a factor (each direction is normalised in its own units).
        assert abs(np.corrcoef(a[:, d], b[:, d])[0, 1]) > 1 - 1e-10


def test_two_components_give_one_direction_and_a_principal_one_after_it() -> None:
    rng = np.random.default_rng(4)
    # Centred noise: the data's mean is the mixture's, so the means differ along x alone.
    noise = rng.normal(0, 1, (200, 3))
    noise -= noise.mean(axis=0)
    X = np.vstack([noise, noise + [5, 0, 0]])
    cov = np.stack([np.eye(3), np.eye(3)])
    dr = discriminant_coordinates(X, np.array([0.5, 0.5]), np.array([[0, 0, 0], [5, 0, 0]]),
                                  cov, 2, balance=1.0)
    assert abs(dr.basis[0, 0]) > 0.95
    assert dr.values[1] == 0.0
    assert abs(dr.basis[:, 0] @ dr.basis[:, 1]) < 0.2  # a second direction, not the first again


def test_discriminant_coordinates_refuse_mismatched_parameters() -> None:
    X = np.random.default_rng(5).normal(size=(50, 3))
    with pytest.raises(ValueError, match="means must have shape"):
        discriminant_coordinates(X, np.ones(2) / 2, np.zeros((2, 2)), np.zeros((2, 3, 3)))
