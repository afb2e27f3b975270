"""Accelerated EM (SQUAREM) reaches plain EM's optimum in fewer passes, never lowers
the objective it records, and leaves held parameters where they are."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.accelerate import SETTLE_PER_ROW, from_free, to_free
from engine.models import build_model

TRIALS = 6


def slow_problem(model: str, seed: int) -> tuple[np.ndarray, int]:
    """Overlapping components: plain EM needs many iterations."""
    rng = np.random.default_rng([seed, len(model)])
    n = 400
    labels = rng.integers(2, size=n)
    if model == "gaussian":
        centres = np.array([[0.0, 0.0], [1.2, 0.8]])
        return centres[labels] + rng.normal(size=(n, 2)) @ np.array([[1.0, 0.3], [0.0, 0.8]]), 2
    probs = np.array([[0.3, 0.5, 0.6], [0.45, 0.6, 0.4]])
    if model == "bernoulli":
        return (rng.uniform(size=(n, 3)) < probs[labels]).astype(float), 2
    if model == "binomial":
        return rng.binomial(TRIALS, probs[labels]).astype(float), 2
    return rng.poisson(np.array([[3.0, 5.0, 2.0], [4.0, 4.0, 3.0]])[labels]).astype(float), 2


CASES = [("gaussian", c) for c in ("full", "tied", "diag", "spherical")] + [
    ("bernoulli", None), ("binomial", None), ("poisson", None)
]


def options(model: str, covariance: str | None, k: int, **changes: object) -> engine.FitOptions:
    settings = dict(tol=1e-10, max_iter=50_000, seed=4)
    settings.update(changes)
    return engine.FitOptions(
        model=model, n_components=k, covariance_type=covariance or "full", trials=TRIALS,
        **settings,
    )


def never_falls(h: tuple[float, ...]) -> bool:
    h = np.asarray(h)
    return bool(np.all(np.diff(h) >= -1e-9 * np.maximum(1.0, np.abs(h[:-1]))))


@pytest.mark.parametrize(("model", "covariance"), CASES)
def test_squarem_reaches_plain_ems_optimum_in_fewer_passes(model: str, covariance: str | None) -> None:
    passes_plain = passes_fast = 0
    for seed in range(6):
        X, k = slow_problem(model, seed)
        start = engine.fit(X, options(model, covariance, k, max_iter=0, seed=seed)).params
        plain = engine.fit(X, options(model, covariance, k, init=start))
        fast = engine.fit(X, options(model, covariance, k, init=start, accelerate="squarem"))
        assert never_falls(fast.objective_history) and never_falls(plain.objective_history)
        # The same optimum, or a higher one, to the tolerance both stopped at.
        assert fast.objective_history[-1] >= plain.objective_history[-1] - 1e-10 * len(X)
        assert len(fast.accelerated) == len(fast.history) and any(fast.accelerated)
        passes_plain += plain.n_passes
        passes_fast += fast.n_passes
    assert passes_fast * 3 < passes_plain, (passes_fast, passes_plain)


def test_held_parameters_stay_held() -> None:
    X, k = slow_problem("gaussian", 0)
    start = engine.fit(X, options("gaussian", "full", k, max_iter=0)).params
    for fixed in ({"weights"}, {"means"}, {"covariances"}, {"weights", "means"}):
        fit = engine.fit(X, options("gaussian", "full", k, init=start, fixed=fixed,
                                    accelerate="squarem"))
        for name in fixed:
            np.testing.assert_array_equal(fit.params[name], start[name])
        assert never_falls(fit.objective_history)


def test_the_hard_e_step_is_never_extrapolated() -> None:
    X, k = slow_problem("gaussian", 1)
    fit = engine.fit(X, options("gaussian", "full", k, e_step="hard", accelerate="squarem"))
    assert not any(fit.accelerated) and fit.n_passes == fit.n_iter + 1


@pytest.mark.parametrize(("model", "covariance"), [*CASES, ("kmeans", None)])
def test_free_coordinates_round_trip(model: str, covariance: str | None) -> None:
    X, k = slow_problem(model if model != "kmeans" else "gaussian", 2)
    fit = engine.fit(X, options(model, covariance, k, max_iter=3))
    specs = build_model(model, {"covariance_type": covariance or "full", "trials": TRIALS}).array_specs
    for spec in specs:
        value = fit.params[spec.name]
        np.testing.assert_allclose(from_free(spec, to_free(spec, value)), value, rtol=1e-10)


def test_accelerated_fits_stop_no_lower_than_plain_em_on_a_ridge() -> None:
    """Overlapping Poisson components: the likelihood has a long, nearly flat ridge,
    where an extrapolated state can gain little in one step with the optimum still far.
    Judged step by step, the accelerated fit stopped below plain EM's final value;
    judged over whole SQUAREM cycles, it stops at or above it."""
    rng = np.random.default_rng(31)
    labels = rng.integers(3, size=5000)
    rates = np.array([[3.0, 5.0, 2.0, 4.0], [4.0, 4.0, 3.0, 4.5], [3.5, 4.5, 2.5, 3.0]])
    X = rng.poisson(rates[labels]).astype(np.float64)
    settings = dict(tol=1e-9, max_iter=100_000, reg_covar=0.0)
    start = engine.fit(X, options("poisson", None, 3, max_iter=0, seed=1)).params
    plain = engine.fit(X, options("poisson", None, 3, init=start, **settings))
    fast = engine.fit(X, options("poisson", None, 3, init=start, accelerate="squarem", **settings))
    assert plain.n_iter > 1000  # the slow case this is about
    assert fast.objective_history[-1] >= plain.objective_history[-1]
    assert fast.n_passes * 3 < plain.n_passes


@pytest.mark.parametrize(("model", "covariance"), [("gaussian", "full"), ("poisson", None)])
def test_squarem_takes_plain_steps_until_the_objective_settles(
    model: str, covariance: str | None
) -> None:
    # From a start far from the optimum, an extrapolation can leap to another optimum's
    # basin: no step is extrapolated before one plain step changes the objective by less
    # than SETTLE_PER_ROW per row, and the plain steps before it are plain EM's own.
    X, k = slow_problem(model, 1)
    start = engine.fit(X, options(model, covariance, k, max_iter=0, seed=1)).params
    fast = engine.fit(X, options(model, covariance, k, init=start, accelerate="squarem"))
    plain = engine.fit(X, options(model, covariance, k, init=start))
    gains = np.diff(fast.objective_history)
    settled = int(np.argmax(np.abs(gains) < SETTLE_PER_ROW * len(X))) + 1  # its index
    assert settled > 1 and not any(fast.accelerated[: settled + 1])
    assert any(fast.accelerated[settled + 1 :])
    np.testing.assert_allclose(
        fast.objective_history[: settled + 1], plain.objective_history[: settled + 1], rtol=1e-12
    )
