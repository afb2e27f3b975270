"""k-means' own pass (rows as [z; 1; |z|^2]) gives the fits of the spherical Gaussian
pass it replaced: the same labels, bit for bit, and the same inertia, variance and
log-likelihood trajectories to round-off, on many seeded problems. No timing here."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.models import gaussian_pass, kmeans_pass
from engine.models.base import ChunkResult
from engine.models.features import linear_chunk_pass
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


# --- the statistics' product in pieces against today's pass ----------------------------------


def todays_chunk_pass(rows, plan, hard, details):
    """k-means' pass before its statistics' product was taken in pieces of
    :func:`kmeans_pass.sum_rows` rows: the features' pass, kept as the reference."""
    if not isinstance(plan, kmeans_pass.NormsPlan):
        return gaussian_pass.chunk_pass(rows[:-1], plan, hard, details)
    normalised, sums = linear_chunk_pass(
        rows, plan.coef, hard, details, plan.ceiling, plan.coef_error
    )
    return ChunkResult(
        normalised.log_likelihood, normalised.classification, normalised.entropy,
        {"sums": sums}, normalised.labels if details else None,
    )


def against_today(X: np.ndarray, options: engine.FitOptions, monkeypatch: pytest.MonkeyPatch):
    new = engine.fit(X, options)
    with monkeypatch.context() as patch:
        patch.setattr(kmeans_pass, "chunk_pass", todays_chunk_pass)
        old = engine.fit(X, options)
    return new, old


def assert_same_fit(new: engine.FitResult, old: engine.FitResult) -> None:
    """Labels bit for bit; inertia, likelihoods and means to a relative 1e-12."""
    np.testing.assert_array_equal(new.labels, old.labels)
    assert new.n_iter == old.n_iter
    np.testing.assert_allclose(
        new.metrics_history["inertia"], old.metrics_history["inertia"], rtol=1e-12
    )
    np.testing.assert_allclose(new.history, old.history, rtol=1e-12)
    np.testing.assert_allclose(new.objective_history, old.objective_history, rtol=1e-12)
    np.testing.assert_allclose(new.params.means, old.params.means, rtol=1e-12, atol=1e-12)


#: Many columns (the product in pieces) and few, K from 2 to 40, chunks of every size.
WIDE_PROBLEMS = [
    (seed, n, d, k, chunk)
    for seed, (n, d, k, chunk) in enumerate(
        [(6000, 50, 10, None), (9000, 20, 3, None), (5000, 14, 40, None), (4000, 60, 2, 3001),
         (7000, 30, 7, 1500), (3000, 2, 10, None), (8000, 10, 10, 5000), (2500, 50, 3, None),
         (5000, 16, 12, 4097), (6500, 40, 25, None)],
        start=100,
    )
]


@pytest.mark.parametrize(("seed", "n_samples", "n_features", "n_components", "chunk"),
                         WIDE_PROBLEMS)
def test_pieces_give_todays_hard_kmeans(
    monkeypatch: pytest.MonkeyPatch, seed: int, n_samples: int, n_features: int,
    n_components: int, chunk: int | None,
) -> None:
    X = blobs(seed, n_samples, n_features, n_components)
    options = engine.FitOptions(
        model="kmeans", n_components=n_components, e_step="hard", max_iter=25, tol=0.0,
        seed=seed, chunk_size=chunk,
    )
    new, old = against_today(X, options, monkeypatch)
    assert_same_fit(new, old)


def test_pieces_give_todays_soft_kmeans(monkeypatch: pytest.MonkeyPatch) -> None:
    X = blobs(7, 6000, 30, 10)
    options = engine.FitOptions(model="kmeans", n_components=10, e_step="soft", max_iter=20,
                                tol=0.0, seed=7)
    new, old = against_today(X, options, monkeypatch)
    assert_same_fit(new, old)
    assert new.entropy == pytest.approx(old.entropy, rel=1e-9)


def test_ties_break_as_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows on an integer grid, many of them exactly halfway between two means, and two
    means that start equal: every tie goes where today's pass sends it (the first of
    the nearest means)."""
    rng = np.random.default_rng(5)
    X = rng.integers(0, 4, size=(6000, 20)).astype(float)
    means = X[:6].copy()
    means[3] = means[1]  # two equal means: every row nearest to one is nearest to both
    start = engine.Params(weights=np.full(6, 1 / 6), means=means, covariances=np.full(6, 1.0))
    options = engine.FitOptions(
        model="kmeans", n_components=6, e_step="hard", init=start, max_iter=15, tol=0.0
    )
    new, old = against_today(X, options, monkeypatch)
    assert_same_fit(new, old)
    # The two equal means stay equal, and the first of them holds all their rows.
    first = engine.fit(X, options.replace(max_iter=0))
    assert np.any(first.labels == 1) and not np.any(first.labels == 3)


def test_streamed_kmeans_gives_the_fit_in_memory(tmp_path) -> None:
    """A streamed source (each chunk read again every pass) gives the same numbers."""
    X = blobs(11, 7000, 50, 10)
    path = tmp_path / "rows.npy"
    np.save(path, X)
    options = engine.FitOptions(model="kmeans", n_components=10, e_step="hard", max_iter=12,
                                tol=0.0, seed=3)
    in_memory = engine.fit(X, options)
    streamed = engine.fit(engine.data.NpySource(path), options, labels=True)
    np.testing.assert_array_equal(streamed.labels, in_memory.labels)
    np.testing.assert_allclose(
        streamed.metrics_history["inertia"], in_memory.metrics_history["inertia"], rtol=1e-12
    )
