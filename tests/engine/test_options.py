"""Options and input at the boundary: clear errors, and the promises FitOptions makes."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator

import numpy as np
import pytest

import engine


def gaussian_params(k: int, d: int, covariance_type: str = "full") -> engine.Params:
    covariances = {
        "full": np.tile(np.eye(d), (k, 1, 1)),
        "tied": np.eye(d),
        "diag": np.ones((k, d)),
        "spherical": np.ones(k),
    }[covariance_type]
    return engine.Params(
        weights=np.full(k, 1 / k),
        means=np.arange(k * d, dtype=float).reshape(k, d),
        covariances=covariances,
    )


@pytest.fixture(scope="module")
def counts() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 4, size=(30, 3)).astype(float)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, -1, 2.0, True])
def test_k_must_be_a_whole_number_of_at_least_one(faithful: np.ndarray, k: object) -> None:
    with pytest.raises(ValueError, match="K must be a whole number of at least 1"):
        engine.fit(faithful, engine.FitOptions(n_components=k))


def test_k_cannot_exceed_the_rows(faithful: np.ndarray) -> None:
    with pytest.raises(ValueError, match="K is 6 but the data has only 5 rows"):
        engine.fit(faithful[:5], engine.FitOptions(n_components=6))


# A missing value (NaN) is refused only by a model that does not fit rows with gaps
# (tests/engine/test_missing.py); an infinite one by every model.
@pytest.mark.parametrize(("value", "what"), [(np.inf, "an infinite"), (-np.inf, "an infinite")])
def test_non_finite_data_names_the_row(faithful: np.ndarray, value: float, what: str) -> None:
    X = faithful.copy()
    X[6, 1] = value
    with pytest.raises(ValueError, match=f"column 'waiting' has {what} value in row 7"):
        engine.fit(X, engine.FitOptions(), feature_names=["eruptions", "waiting"])
    with pytest.raises(ValueError, match=f"column 'x2' has {what} value in row 7; remove"):
        engine.fit(X, engine.FitOptions())  # the only one: no "(1 such values in all)"


def test_text_and_empty_data_are_refused() -> None:
    with pytest.raises(ValueError, match="numbers only"):
        engine.fit([["a", "b"], ["c", "d"]], engine.FitOptions())
    with pytest.raises(ValueError, match="no rows or no columns"):
        engine.fit(np.empty((0, 2)), engine.FitOptions())


def test_constant_column_is_refused_for_gaussians(faithful: np.ndarray) -> None:
    X = faithful.copy()
    X[:, 0] = 3.0
    with pytest.raises(ValueError, match="column 'x1' has the same value in every row"):
        engine.fit(X, engine.FitOptions())


def test_bernoulli_needs_binary_data() -> None:
    X = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="0/1 columns, but column 'x2' has 2 in row 3"):
        engine.fit(X, engine.FitOptions(model="bernoulli"))


@pytest.mark.parametrize("model", ["poisson", "binomial"])
@pytest.mark.parametrize(("value", "shown"), [(-1.0, "-1"), (1.5, "1.5")])
def test_counts_must_be_non_negative_whole_numbers(
    counts: np.ndarray, model: str, value: float, shown: str
) -> None:
    X = counts.copy()
    X[4, 2] = value
    with pytest.raises(
        ValueError, match=f"whole-number counts, but column 'x3' has {shown} in row 5"
    ):
        engine.fit(X, engine.FitOptions(model=model, trials=5))


def test_binomial_counts_cannot_exceed_trials(counts: np.ndarray) -> None:
    with pytest.raises(ValueError, match="has 3 successes in row .*more than the 2 trials"):
        engine.fit(counts, engine.FitOptions(model="binomial", trials=2))
    with pytest.raises(ValueError, match="column 'x2' has 3 successes .* more than the 2 trials"):
        engine.fit(counts, engine.FitOptions(model="binomial", trials=(3, 2, 3)))
    with pytest.raises(ValueError, match="2 numbers of trials were given for 3 columns"):
        engine.fit(counts, engine.FitOptions(model="binomial", trials=(3, 3)))
    with pytest.raises(ValueError, match="needs the number of trials"):
        engine.fit(counts, engine.FitOptions(model="binomial"))
    with pytest.raises(ValueError, match="trials must be a whole number of at least 1"):
        engine.fit(counts, engine.FitOptions(model="binomial", trials=0))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"model": "gamma"}, "unknown model 'gamma'; choose one of gaussian, kmeans"),
        ({"covariance_type": "banded"}, "unknown covariance type 'banded'; choose one of VVV, EEE"),
        ({"init": "kmeans"}, "unknown initialisation 'kmeans'; choose kmeans\\+\\+, random"),
        ({"e_step": "stochastic"}, "unknown E-step 'stochastic'; choose soft or hard"),
        ({"max_iter": -1}, "max_iter must not be negative"),
        ({"tol": -1e-3}, "tol must not be negative"),
        ({"reg_covar": -1e-6}, "reg_covar must not be negative, not -1e-06"),
        ({"reg_covar": float("nan")}, "reg_covar must be a finite number, not nan"),
        ({"n_init": 0}, "n_init must be a whole number of at least 1, not 0"),
    ],
)
def test_unknown_or_invalid_options(faithful: np.ndarray, change: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        engine.fit(faithful, engine.FitOptions(**change))


@pytest.mark.parametrize(
    ("model", "fixed", "match"),
    [
        (
            "gaussian",
            {"rates"},
            "the gaussian model cannot hold rates fixed; it can hold weights, means, covariances",
        ),
        ("kmeans", {"weights"}, "the kmeans model cannot hold weights fixed"),
        (
            "poisson",
            {"means"},
            "the poisson model cannot hold means fixed; it can hold weights, rates",
        ),
        (
            "bernoulli",
            {"rates"},
            "the bernoulli model cannot hold rates fixed; it can hold weights, probs",
        ),
    ],
)
def test_fixing_a_parameter_the_model_lacks(
    counts: np.ndarray, model: str, fixed: set, match: str
) -> None:
    X = np.minimum(counts, 1.0) if model == "bernoulli" else counts
    with pytest.raises(ValueError, match=match):
        engine.fit(X, engine.FitOptions(model=model, fixed=fixed))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (gaussian_params(3, 2), "the starting parameters have 3 components but K is 2"),
        (
            gaussian_params(2, 3),
            r"means have shape \(2, 3\) but 2 components with 'full' covariance on 2 columns "
            r"need \(2, 2\)",
        ),
        (gaussian_params(2, 2, "diag"), r"covariances have shape \(2, 2\) but .* need \(2, 2, 2\)"),
        (gaussian_params(2, 2).replace(covariances=None), "the Gaussian model needs covariances"),
        (
            gaussian_params(2, 2).replace(weights=[0.7, 0.7]),
            "weights must be K non-negative numbers that sum to 1",
        ),
        (
            gaussian_params(2, 2).replace(weights=[1.5, -0.5]),
            "weights must be K non-negative numbers",
        ),
        (
            gaussian_params(2, 2).replace(covariances=[[[1.0, 0.0], [0.0, -1.0]], np.eye(2)]),
            "the covariance of component 1 is not positive definite: give a symmetric matrix "
            "with positive variances whose correlations lie between -1 and 1",
        ),
        (
            gaussian_params(2, 2).replace(covariances=[np.eye(2), [[1.0, 2.0], [2.0, 1.0]]]),
            "the covariance of component 2 is not positive definite",
        ),
        (
            gaussian_params(2, 2).replace(covariances=[[[1.0, 0.5], [0.1, 1.0]], np.eye(2)]),
            r"the covariance of component 1 is not symmetric: entry \(1, 2\) is 0.5 but entry "
            r"\(2, 1\) is 0.1; make them equal",
        ),
    ],
)
def test_explicit_init_must_fit_the_model(
    faithful: np.ndarray, params: engine.Params, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        engine.fit(faithful, engine.FitOptions(n_components=2, init=params))


def test_explicit_init_for_count_models_is_checked(counts: np.ndarray) -> None:
    options = engine.FitOptions(model="poisson", n_components=2)
    with pytest.raises(
        ValueError, match=r"rates have shape \(2, 2\) but 2 components on 3 columns need \(2, 3\)"
    ):
        engine.fit(
            counts, options.replace(init=engine.Params(weights=[0.5, 0.5], rates=np.ones((2, 2))))
        )
    with pytest.raises(ValueError, match="Poisson rates must not be negative"):
        engine.fit(
            counts, options.replace(init=engine.Params(weights=[0.5, 0.5], rates=-np.ones((2, 3))))
        )
    with pytest.raises(ValueError, match="the Poisson model needs rates; none were given"):
        engine.fit(
            counts, options.replace(init=engine.Params(weights=[0.5, 0.5], probs=np.ones((2, 3))))
        )
    with pytest.raises(ValueError, match="probabilities must lie between 0 and 1"):
        engine.fit(
            counts,
            engine.FitOptions(
                model="binomial",
                trials=3,
                n_components=2,
                init=engine.Params(weights=[0.5, 0.5], probs=np.full((2, 3), 1.2)),
            ),
        )


def test_kmeans_init_must_have_equal_weights_and_variances(faithful: np.ndarray) -> None:
    means = faithful[:2]
    options = engine.FitOptions(model="kmeans", n_components=2)
    with pytest.raises(ValueError, match="k-means components share one variance"):
        engine.fit(
            faithful,
            options.replace(
                init=engine.Params(weights=[0.5, 0.5], means=means, covariances=[1.0, 2.0])
            ),
        )
    # Unequal weights would make the hard E-step something other than nearest-mean.
    with pytest.raises(ValueError, match="k-means components have equal weights"):
        engine.fit(
            faithful,
            options.replace(
                init=engine.Params(weights=[0.1, 0.9], means=means, covariances=[1.0, 1.0])
            ),
        )


# --- collapse ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_repeated_point() -> np.ndarray:
    """Two Gaussian blobs and twenty copies of one far-away point."""
    rng = np.random.default_rng(0)
    return np.concatenate(
        [
            rng.normal((0, 0), 1, (50, 2)),
            rng.normal((10, 0), 1, (50, 2)),
            np.tile([5.0, 10.0], (20, 1)),
        ]
    )


def test_collapse_onto_a_repeated_point_is_reported(with_repeated_point: np.ndarray) -> None:
    with pytest.raises(
        engine.CollapseError, match=r"component \d collapsed .*Raise the regularisation \(reg_covar"
    ) as caught:
        engine.fit(with_repeated_point, engine.FitOptions(n_components=3, reg_covar=0.0, seed=0))
    # The collapsed component is the one holding the twenty copies.
    assert "holds the weight of 20 data rows" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    # With the default regularisation the same problem fits.
    result = engine.fit(with_repeated_point, engine.FitOptions(n_components=3, seed=0))
    assert np.isfinite(result.log_likelihood)
    assert np.isclose(np.sort(result.params.weights)[0], 20 / 120, atol=1e-6)


def test_collapse_during_iteration_names_component_and_iteration(
    with_repeated_point: np.ndarray,
) -> None:
    # Component 2 starts on the repeated point; the other rows give it no responsibility.
    start = engine.Params(
        weights=[0.4, 0.2, 0.4],
        means=[[0.0, 0.0], [5.0, 10.0], [10.0, 0.0]],
        covariances=[np.eye(2), 1e-3 * np.eye(2), np.eye(2)],
    )
    with pytest.raises(
        engine.CollapseError, match="component 2 collapsed at iteration 1"
    ) as caught:
        engine.fit(
            with_repeated_point, engine.FitOptions(n_components=3, init=start, reg_covar=0.0)
        )
    assert caught.value.component == 1
    assert caught.value.iteration == 1
    assert "reg_covar, now 0" in str(caught.value)


def test_full_covariance_with_k_close_to_n_collapses() -> None:
    X = np.random.default_rng(1).normal(size=(12, 3))
    with pytest.raises(engine.CollapseError, match="collapsed.*Raise the regularisation"):
        engine.fit(X, engine.FitOptions(n_components=5, reg_covar=0.0, seed=0))


def test_collapse_in_some_starts_keeps_the_others(with_repeated_point: np.ndarray) -> None:
    options = engine.FitOptions(n_components=3, init="random", reg_covar=0.0, n_init=6, seed=0)
    result = engine.fit(with_repeated_point, options)

    failed = [r for r, value in enumerate(result.restart_objectives) if value == -np.inf]
    assert 0 < len(failed) < 6
    assert np.isfinite(result.log_likelihood)
    assert result.log_likelihood == max(result.restart_objectives)
    assert sum(message.startswith("start ") for message in result.messages) == len(failed)
    assert (
        f"start {failed[0] + 1}: component" in result.messages[len(result.messages) - len(failed)]
    )

    with pytest.raises(
        engine.FitError, match="every one of the 6 starts failed; the first: start 1: component"
    ):
        engine.fit(with_repeated_point, options.replace(seed=4))


# --- promises ----------------------------------------------------------------------------


def test_max_iter_zero_returns_the_starting_parameters(faithful: np.ndarray, helpers: type) -> None:
    start = gaussian_params(2, 2).replace(
        means=[[2.0, 55.0], [4.5, 80.0]], covariances=[np.diag([0.1, 30.0]), np.diag([0.2, 40.0])]
    )
    result = engine.fit(faithful, engine.FitOptions(n_components=2, init=start, max_iter=0))

    assert len(result.history) == 1
    assert result.n_iter == 0
    assert not result.converged
    assert start.allclose(result.params, rtol=0)
    log_norm, _ = helpers.reference_log_resp(
        faithful, start.weights, start.means, start.covariances, "full"
    )
    assert result.log_likelihood == pytest.approx(log_norm.sum(), rel=1e-12)
    # kmeans++ too: the result is iterate's first snapshot, in canonical order.
    options = engine.FitOptions(n_components=2, max_iter=0, seed=1)
    first = next(engine.iterate(faithful, options))
    result = engine.fit(faithful, options)
    assert result.history == (first.log_likelihood,)
    assert result.params.allclose(first.params.permuted(result.order), rtol=0)


def test_starting_parameters_are_evaluated_as_given(faithful: np.ndarray, helpers: type) -> None:
    # Parameters of an earlier fit with edited covariances: the stored precision
    # factors belong to the old covariances and must not be reused.
    fitted = engine.fit(faithful, engine.FitOptions(n_components=2, seed=0)).params
    edited = fitted.replace(covariances=2 * fitted.covariances)
    options = engine.FitOptions(n_components=2, init=edited, max_iter=0)

    result = engine.fit(faithful, options)

    log_norm, log_resp = helpers.reference_log_resp(
        faithful, edited.weights, edited.means, edited.covariances, "full"
    )
    assert result.log_likelihood == pytest.approx(log_norm.sum(), rel=1e-12)
    np.testing.assert_allclose(
        engine.predict_log_resp(faithful, edited, options)[0], log_norm, rtol=1e-12
    )


def test_same_seed_reproduces_the_fit_bit_for_bit(faithful: np.ndarray) -> None:
    options = engine.FitOptions(n_components=3, init="random", n_init=3, seed=1234)
    first, second = engine.fit(faithful, options), engine.fit(faithful, options)

    assert first.history == second.history
    assert first.restart_objectives == second.restart_objectives
    for name, value in first.params.arrays().items():
        np.testing.assert_array_equal(getattr(second.params, name), value)
    np.testing.assert_array_equal(first.labels, second.labels)
    # A different seed explores different starts.
    other = engine.fit(faithful, options.replace(seed=4321))
    assert other.restart_objectives != first.restart_objectives


def test_seed_none_is_drawn_and_recorded(faithful: np.ndarray) -> None:
    result = engine.fit(faithful, engine.FitOptions(n_components=2, max_iter=5))
    assert isinstance(result.seed, int)
    again = engine.fit(faithful, result.options)
    assert again.history == result.history


def test_n_init_keeps_the_best_start(faithful: np.ndarray) -> None:
    result = engine.fit(
        faithful, engine.FitOptions(n_components=5, init="random", n_init=6, seed=3)
    )

    assert len(result.restart_objectives) == 6
    assert not result.collapsed  # (a collapsed best start would give way to a proper one)
    assert len(set(result.restart_objectives)) > 1, "the starts should end at different optima"
    # Starts are compared on what EM climbs: the log-likelihood plus the
    # regularisation's log prior.
    assert result.objective_history[-1] == max(result.restart_objectives)
    assert result.restart == int(np.argmax(result.restart_objectives))
    # Each start on its own reaches what restart_objectives recorded for it.
    snapshots = list(engine.iterate(faithful, result.options))
    finals = {s.restart: s.objective for s in snapshots}
    assert tuple(finals[r] for r in range(6)) == result.restart_objectives


def test_hard_n_init_keeps_the_best_classification_likelihood(faithful: np.ndarray) -> None:
    result = engine.fit(
        faithful, engine.FitOptions(n_components=4, e_step="hard", init="random", n_init=5, seed=2)
    )
    assert result.objective_history[-1] == max(result.restart_objectives)


@pytest.mark.parametrize("model", ["gaussian", "poisson"])
def test_canonical_order_is_by_weight(faithful: np.ndarray, counts: np.ndarray, model: str) -> None:
    X = faithful if model == "gaussian" else counts
    orders = []
    for seed in range(6):
        result = engine.fit(
            X, engine.FitOptions(model=model, n_components=3, init="random", seed=seed, max_iter=50)
        )
        assert np.all(np.diff(result.params.weights) <= 0)
        orders.append(tuple(result.order))
    # The run's own order varied, so sorting was really needed.
    assert len(set(orders)) > 1


def test_explicit_init_keeps_the_given_order(faithful: np.ndarray) -> None:
    start = engine.Params(
        weights=[0.2, 0.8], means=[[2.0, 55.0], [4.5, 80.0]], covariances=[np.eye(2), np.eye(2)]
    )
    result = engine.fit(faithful, engine.FitOptions(n_components=2, init=start))
    np.testing.assert_array_equal(result.order, [0, 1])
    # The short eruptions stay component 0 even though it ends lighter.
    assert result.params.means[0, 0] < result.params.means[1, 0]
    assert result.params.weights[0] < result.params.weights[1]


@pytest.mark.parametrize(
    ("model", "covariance_type"),
    [("gaussian", "full"), ("gaussian", "tied"), ("kmeans", "full"), ("poisson", "full")],
)
def test_labels_agree_with_the_permuted_parameters(
    faithful: np.ndarray, counts: np.ndarray, model: str, covariance_type: str
) -> None:
    X = counts if model == "poisson" else faithful
    for seed in range(10):
        options = engine.FitOptions(
            model=model, n_components=3, covariance_type=covariance_type, init="random", seed=seed
        )
        result = engine.fit(X, options)
        if not np.array_equal(result.order, np.arange(3)):
            break
    else:
        pytest.fail("no seed gave a non-trivial reordering")
    _, log_resp = engine.predict_log_resp(X, result.params, options)
    np.testing.assert_array_equal(result.labels, np.argmax(log_resp, axis=1))


@pytest.mark.parametrize("chunk_size", [7, 50])
@pytest.mark.parametrize(
    ("model", "covariance_type", "e_step"),
    [
        ("gaussian", "full", "soft"),
        ("gaussian", "diag", "soft"),
        ("gaussian", "tied", "hard"),
        ("kmeans", "full", "soft"),
        ("kmeans", "full", "hard"),
        ("poisson", "full", "soft"),
    ],
)
def test_chunked_passes_give_the_same_fit(
    faithful: np.ndarray,
    counts: np.ndarray,
    chunk_size: int,
    model: str,
    covariance_type: str,
    e_step: str,
) -> None:
    X = counts if model == "poisson" else faithful
    options = engine.FitOptions(
        model=model,
        n_components=3,
        covariance_type=covariance_type,
        e_step=e_step,
        max_iter=40,
        tol=0.0,
        seed=6,
    )
    whole = engine.fit(X, options)
    chunked = engine.fit(X, options.replace(chunk_size=chunk_size))

    assert len(chunked.history) == len(whole.history)
    np.testing.assert_allclose(chunked.history, whole.history, rtol=1e-12)
    np.testing.assert_allclose(chunked.objective_history, whole.objective_history, rtol=1e-12)
    for name, value in whole.params.arrays().items():
        np.testing.assert_allclose(
            getattr(chunked.params, name), value, rtol=1e-12, atol=1e-12 * np.abs(value).max()
        )
    np.testing.assert_array_equal(chunked.labels, whole.labels)
    assert chunked.entropy == pytest.approx(whole.entropy, rel=1e-10)


# --- iterate -----------------------------------------------------------------------------


def drain(
    iterator: Generator[engine.Snapshot, None, engine.FitResult],
) -> tuple[list[engine.Snapshot], engine.FitResult]:
    snapshots = []
    while True:
        try:
            snapshots.append(next(iterator))
        except StopIteration as stop:
            return snapshots, stop.value


def test_snapshots_are_read_only(faithful: np.ndarray) -> None:
    snapshots, _ = drain(
        engine.iterate(faithful, engine.FitOptions(n_components=2, max_iter=3, seed=0))
    )
    for snapshot in snapshots:
        for name in ("weights", "means", "covariances", "precisions_chol"):
            array = getattr(snapshot.params, name)
            with pytest.raises(ValueError, match="read-only"):
                array[0] = 0.0
        with pytest.raises(dataclasses.FrozenInstanceError):
            snapshot.log_likelihood = 0.0  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            snapshot.params.means = None  # type: ignore[misc]


def test_params_copy_their_input() -> None:
    means = np.zeros((2, 2))
    params = engine.Params(weights=[0.5, 0.5], means=means)
    means[0, 0] = 5.0
    assert params.means[0, 0] == 0.0


@pytest.mark.parametrize("n_init", [1, 3])
def test_fit_equals_draining_iterate(faithful: np.ndarray, n_init: int) -> None:
    options = engine.FitOptions(n_components=3, init="random", n_init=n_init, seed=9)
    snapshots, result = drain(engine.iterate(faithful, options))
    fitted = engine.fit(faithful, options)

    best = [s for s in snapshots if s.restart == result.restart]
    assert [s.iteration for s in best] == list(range(len(result.history)))
    assert tuple(s.log_likelihood for s in best) == result.history
    assert tuple(s.objective for s in best) == result.objective_history
    assert best[-1].converged == result.converged
    assert best[-1].params.permuted(result.order).allclose(result.params, rtol=0)
    assert sorted({s.restart for s in snapshots}) == list(range(n_init))

    assert fitted.history == result.history
    assert fitted.restart_objectives == result.restart_objectives
    assert fitted.params.allclose(result.params, rtol=0)
    np.testing.assert_array_equal(fitted.labels, result.labels)


def test_snapshot_log_likelihood_is_that_of_its_parameters(
    faithful: np.ndarray, helpers: type
) -> None:
    snapshots, _ = drain(
        engine.iterate(
            faithful,
            engine.FitOptions(n_components=2, covariance_type="diag", max_iter=4, tol=0, seed=0),
        )
    )
    assert len(snapshots) == 5
    for snapshot in snapshots:
        p = snapshot.params
        log_norm, _ = helpers.reference_log_resp(
            faithful, p.weights, p.means, p.covariances, "diag"
        )
        assert snapshot.log_likelihood == pytest.approx(log_norm.sum(), rel=1e-12)


def test_convergence_stops_at_the_tolerance(faithful: np.ndarray) -> None:
    result = engine.fit(faithful, engine.FitOptions(n_components=2, tol=1e-4, seed=0))
    assert result.converged
    changes = np.diff(result.history) / faithful.shape[0]
    assert abs(changes[-1]) < 1e-4
    assert np.all(np.abs(changes[:-1]) >= 1e-4)
    capped = engine.fit(faithful, engine.FitOptions(n_components=2, tol=0.0, max_iter=5, seed=0))
    assert not capped.converged and capped.n_iter == 5
    assert any("did not converge in 5 iterations" in m for m in capped.messages)
