"""EM never lowers what it climbs: the likelihood (soft) or classification likelihood (hard).

Thirty seeded random problems per model, each small and run for a fixed number
of iterations with ``tol=0`` so that the late iterations, where the changes
are at round-off level, are included. Gaussian problems use ``reg_covar=0``:
the regularised M-step is not an exact maximiser and need not be monotone.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine

N_PROBLEMS = 30
N_SAMPLES = 80
MAX_ITER = 40

VARIANTS = [
    ("gaussian", "full"),
    ("gaussian", "tied"),
    ("gaussian", "diag"),
    ("gaussian", "spherical"),
    ("kmeans", None),
    ("bernoulli", None),
    ("binomial", None),
    ("poisson", None),
]
TRIALS = 6


def random_problem(model: str, seed: int) -> tuple[np.ndarray, int]:
    """Data drawn from a random mixture of the given kind, and the K to fit."""
    rng = np.random.default_rng([seed, len(model)])
    n_components = int(rng.integers(2, 4))
    n_features = (
        int(rng.integers(1, 4)) if model in ("gaussian", "kmeans") else int(rng.integers(2, 6))
    )
    labels = rng.integers(n_components, size=N_SAMPLES)
    if model in ("gaussian", "kmeans"):
        centres = rng.normal(scale=4.0, size=(n_components, n_features))
        scales = rng.uniform(0.5, 2.0, size=(n_components, n_features))
        X = centres[labels] + scales[labels] * rng.normal(size=(N_SAMPLES, n_features))
    elif model == "bernoulli":
        X = (
            rng.uniform(size=(N_SAMPLES, n_features))
            < rng.uniform(size=(n_components, n_features))[labels]
        ).astype(float)
    elif model == "binomial":
        X = rng.binomial(TRIALS, rng.uniform(size=(n_components, n_features))[labels]).astype(float)
    else:
        X = rng.poisson(rng.uniform(0.5, 10.0, size=(n_components, n_features))[labels]).astype(
            float
        )
    return X, n_components


def options_for(
    model: str, covariance_type: str | None, e_step: str, n_components: int, seed: int
) -> engine.FitOptions:
    return engine.FitOptions(
        model=model,
        n_components=n_components,
        covariance_type=covariance_type or "full",
        trials=TRIALS if model == "binomial" else None,
        e_step=e_step,
        init="random" if seed % 2 else "kmeans++",
        reg_covar=0.0,
        tol=0.0,
        max_iter=MAX_ITER,
        seed=seed,
    )


def largest_fall(values: tuple[float, ...]) -> float:
    """The largest drop between consecutive values, less the round-off allowance."""
    values = np.asarray(values)
    allowance = 1e-9 * np.abs(values[:-1]) + 1e-9
    return float(np.max(values[:-1] - values[1:] - allowance))


@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_soft_em_never_lowers_the_likelihood(model: str, covariance_type: str | None) -> None:
    rises = collapses = 0
    for seed in range(N_PROBLEMS):
        X, n_components = random_problem(model, seed)
        try:
            result = engine.fit(X, options_for(model, covariance_type, "soft", n_components, seed))
        except engine.CollapseError:
            # Without regularisation a component may shrink onto a few rows: the
            # likelihood is unbounded, and the fit says so rather than fall.
            collapses += 1
            continue
        assert len(result.history) == MAX_ITER + 1
        assert largest_fall(result.history) <= 0, f"seed {seed}: {result.history}"
        assert result.objective_history == result.history
        assert not any("fell" in message for message in result.messages)
        rises += result.history[-1] > result.history[0] + 1e-6
    # Most problems must actually climb, or monotonicity would be trivially true.
    assert rises >= N_PROBLEMS // 2 and collapses <= N_PROBLEMS // 10


@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_hard_em_never_lowers_the_classification_likelihood(
    model: str, covariance_type: str | None
) -> None:
    for seed in range(N_PROBLEMS):
        X, n_components = random_problem(model, seed)
        result = engine.fit(X, options_for(model, covariance_type, "hard", n_components, seed))
        assert largest_fall(result.objective_history) <= 0, (
            f"seed {seed}: {result.objective_history}"
        )
        # The classification likelihood counts each row under one component only.
        assert all(
            c <= ll + 1e-9 * abs(ll)
            for c, ll in zip(result.objective_history, result.history, strict=True)
        )


def test_hard_kmeans_never_raises_the_inertia() -> None:
    for seed in range(N_PROBLEMS):
        X, n_components = random_problem("kmeans", seed)
        result = engine.fit(X, options_for("kmeans", None, "hard", n_components + 1, seed))
        inertia = np.asarray(result.metrics_history["inertia"])
        assert len(inertia) == len(result.history)
        assert np.all(np.diff(inertia) <= 1e-9 * inertia[:-1]), f"seed {seed}: {inertia}"
        # Independent check of the last value: squared distances to the nearest final mean.
        means = result.params.means
        nearest = ((X[:, None, :] - means[None]) ** 2).sum(axis=2).min(axis=1)
        np.testing.assert_allclose(inertia[-1], nearest.sum(), rtol=1e-10)
