"""k-means' own pass (rows as [z; 1; |z|^2]) gives the fits of the spherical Gaussian
pass it replaced: the same labels, bit for bit, and the same inertia, variance and
log-likelihood trajectories to round-off, on many seeded problems. No timing here."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.models import kmeans_pass
from engine.models.gaussian import GaussianModel
from engine.models.kmeans import KMeansModel

#: The methods through which a model's passes run.
PASS_METHODS = ("chunk_rows", "data_plan", "prepare_chunk", "pass_plan", "chunk_pass", "pass_stats")


def blobs(seed: int, n_samples: int, n_features: int, n_components: int) -> np.ndarray:
    """Overlapping round clusters far from the origin, or one cloud (seed % 3 == 0)."""
    rng = np.random.default_rng(seed)
    if seed % 3 == 0:
        return rng.standard_normal((n_samples, n_features)) + 10.0
    centres = rng.normal(scale=2.0, size=(n_components, n_features)) + 30.0
    labels = rng.integers(n_components, size=n_samples)
    return centres[labels] + rng.standard_normal((n_samples, n_features))


def fits(X: np.ndarray, options: engine.FitOptions, monkeypatch: pytest.MonkeyPatch):
    new = engine.fit(X, options)
    with monkeypatch.context() as patch:
        for name in PASS_METHODS:
            patch.setattr(KMeansModel, name, getattr(GaussianModel, name))
        old = engine.fit(X, options)
    return new, old


PROBLEMS = [
    (seed, n, d, k)
    for seed, (n, d, k) in enumerate(
        [(500, 2, 3), (3000, 2, 10), (2000, 10, 3), (4000, 10, 10), (1500, 50, 10), (800, 1, 4),
         (5000, 3, 7), (2500, 20, 5), (600, 5, 2), (7000, 2, 3), (1200, 30, 8), (3333, 4, 6)]
    )
]


@pytest.mark.parametrize(("seed", "n_samples", "n_features", "n_components"), PROBLEMS)
def test_hard_kmeans_gives_todays_labels_and_inertia(
    monkeypatch: pytest.MonkeyPatch, seed: int, n_samples: int, n_features: int, n_components: int
) -> None:
    X = blobs(seed, n_samples, n_features, n_components)
    options = engine.FitOptions(
        model="kmeans", n_components=n_components, e_step="hard", max_iter=30, tol=0.0,
        seed=seed, chunk_size=997 if seed % 2 else None,
    )
    new, old = fits(X, options, monkeypatch)
    np.testing.assert_array_equal(new.labels, old.labels)
    np.testing.assert_allclose(
        new.metrics_history["inertia"], old.metrics_history["inertia"], rtol=1e-12
    )
    np.testing.assert_allclose(new.history, old.history, rtol=1e-12)
    np.testing.assert_allclose(new.objective_history, old.objective_history, rtol=1e-12)
    np.testing.assert_allclose(new.params.means, old.params.means, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(new.params.covariances, old.params.covariances, rtol=1e-11)


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_soft_kmeans_gives_todays_fit(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    X = blobs(seed, 2000, 4, 3)
    options = engine.FitOptions(model="kmeans", n_components=3, e_step="soft", max_iter=40,
                                tol=0.0, seed=seed)
    new, old = fits(X, options, monkeypatch)
    np.testing.assert_array_equal(new.labels, old.labels)
    np.testing.assert_allclose(new.history, old.history, rtol=1e-12)
    np.testing.assert_allclose(new.params.means, old.params.means, rtol=1e-11)
    assert new.entropy == pytest.approx(old.entropy, rel=1e-9)


def test_float32_far_from_the_centre_takes_the_whitened_pass() -> None:
    """In single precision the expanded |z - m|^2 would lose the digits of a component
    many of its standard deviations from the data's centre: the pass is whitened."""
    X = blobs(1, 1000, 3, 2)
    model = KMeansModel().adapt(engine.data.summarise(engine.data.as_source(X)), 0.0)
    shift = model.data_plan(engine.data.as_source(X))
    near = model.prepare(engine.Params(weights=[0.5, 0.5], means=X[:2], covariances=[1.0, 1.0]))
    far = model.prepare(
        engine.Params(weights=[0.5, 0.5], means=X[:2] + 1e4, covariances=[1e-2, 1e-2])
    )
    single = np.dtype(np.float32)
    assert isinstance(model.pass_plan(near, shift, single), kmeans_pass.NormsPlan)
    assert not isinstance(model.pass_plan(far, shift, single), kmeans_pass.NormsPlan)
    assert isinstance(model.pass_plan(far, shift, np.dtype(np.float64)), kmeans_pass.NormsPlan)


@pytest.mark.parametrize("seed", [1, 5])
def test_float32_kmeans_matches_float64(seed: int) -> None:
    X = blobs(seed, 4000, 6, 4)
    options = engine.FitOptions(model="kmeans", n_components=4, e_step="hard", max_iter=20,
                                tol=0.0, seed=seed)
    double = engine.fit(X, options)
    single = engine.fit(X, options.replace(dtype="float32"))
    np.testing.assert_allclose(
        single.metrics_history["inertia"], double.metrics_history["inertia"], rtol=1e-5
    )
    assert np.mean(single.labels == double.labels) > 0.999
