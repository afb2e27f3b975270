"""Model-selection sweeps, K ranges and matching components across restarts."""

from __future__ import annotations


import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

import engine
from engine.selection import (
    ALL_SPECS,
    Cell,
    ModelSpec,
    best_cell,
    collapsed_components,
    compatible_specs,
    component_rows,
    default_specs,
    final_spread,
    free_parameters,
    iterate_sweep,
    match_components,
    match_params,
    parse_k_range,
    replay,
    result_snapshots,
    seconds_left,
    single_start_options,
    spread_tolerance,
    stack_levels,
    sweep,
)



@pytest.mark.parametrize("n", [1, 2, 3, 5, 9])
def test_matching_is_optimal_like_scipy(n):
    rng = np.random.default_rng(n)
    for _ in range(50):
        reference, other = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
        order = match_components(reference, other)
        cost = ((reference[:, None] - other[None]) ** 2).sum(-1)
        rows, cols = linear_sum_assignment(cost)
        assert sorted(order) == list(range(n))
        assert cost[np.arange(n), order].sum() == pytest.approx(cost[rows, cols].sum(), rel=1e-12)


def test_matching_undoes_a_permutation():
    means = np.array([[0.0, 0.0], [5.0, 1.0], [2.0, 8.0], [9.0, 9.0]])
    shuffled = means[[2, 0, 3, 1]]
    np.testing.assert_array_equal(shuffled[match_components(means, shuffled)], means)


@pytest.mark.parametrize("text, expected", [("1-4", [1, 2, 3, 4]), ("2,5,3", [2, 3, 5]),
                                            ("3", [3]), ("1-2,6", [1, 2, 6])])
def test_k_ranges(text, expected):
    assert parse_k_range(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("", "K range '' must contain whole numbers of at least 1"),
    ("0-3", "K range '0-3' must contain whole numbers of at least 1"),
    ("a-b", "K range 'a-b' must look like 1-9 or 2,3,5"),
    ("3-x", "K range '3-x' must look like 1-9 or 2,3,5"),
    ("1-1e12", "K range '1-1e12' must look like 1-9 or 2,3,5"),
    ("9-1", "K range '9-1' is empty; write the smaller K first, as in 1-9"),
    ("1-10000000", "K range '1-10000000' goes up to K = 10,000,000; K can be at most 1,000"),
    ("1-200", "K range '1-200' holds 200 values of K; a sweep takes at most 100, so choose a "
              "narrower range or a list such as 2,4,8,16"),
])
def test_bad_k_ranges(text, message):
    with pytest.raises(ValueError) as caught:
        parse_k_range(text)
    assert str(caught.value) == message


def test_model_specs():
    assert ModelSpec.parse("tied") == ModelSpec("gaussian", "tied")
    assert ModelSpec.parse("kmeans").label == "kmeans"
    with pytest.raises(ValueError, match="unknown model"):
        ModelSpec.parse("gaussian-ish")


def test_models_are_named_by_mclust_names_aliases_and_presets():
    from engine.selection import mclust_specs, parse_specs

    fourteen = parse_specs(["all"])
    assert fourteen == list(mclust_specs()) and len(fourteen) == 14
    assert [s.label for s in fourteen] == list(engine.covariance_types())
    assert parse_specs(["mclust"]) == fourteen
    assert parse_specs(["default"]) == list(default_specs())
    # mclust's names and today's aliases are the same lines, each kept once, in order.
    assert parse_specs(["VVV", "full", "EVE", "VII", "spherical", "kmeans"]) == [
        ModelSpec("gaussian", "full"), ModelSpec("gaussian", "EVE"),
        ModelSpec("gaussian", "spherical"), ModelSpec("kmeans"),
    ]
    assert parse_specs(["tied", "all"])[0] == ModelSpec("gaussian", "tied")
    assert len(parse_specs(["tied", "all"])) == 14
    with pytest.raises(ValueError, match="or a preset: all, mclust, default"):
        parse_specs(["everything"])


def test_select_options_are_the_command_lines_defaults():
    from engine.selection import SELECT_DEFAULTS, select_options

    options = select_options()
    assert (options.init, options.n_init, options.seed) == ("hc", SELECT_DEFAULTS["n_init"], 0)
    assert select_options(n_init=4).n_init == 4


def test_sweep_yields_every_cell_and_the_best_is_the_lowest(faithful):
    X = faithful
    specs = [ModelSpec("gaussian", "full"), ModelSpec("gaussian", "tied")]
    base = engine.FitOptions(n_init=2, seed=5)
    cells = list(sweep(X, specs, range(1, 4), base))
    assert [(c.spec.label, c.n_components) for c in cells] == [
        (s.label, k) for s in specs for k in (1, 2, 3)
    ]
    for cell in cells:
        expected = engine.fit(X, base.replace(model="gaussian", covariance_type=cell.spec.covariance_type,
                                              n_components=cell.n_components))
        assert cell.result.bic == expected.bic
    best = best_cell(cells, "bic")
    assert best.score("bic") == min(c.result.bic for c in cells)
    assert best_cell(cells, "aic").score("aic") == min(c.result.aic for c in cells)


def test_a_failing_cell_does_not_stop_the_sweep():
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    cells = list(sweep(X, [ModelSpec("gaussian", "full")], [1, 2, 6], engine.FitOptions(seed=0)))
    assert [c.error is None for c in cells] == [True, True, False]
    assert "at most 4" in cells[2].error
    assert cells[2].score("bic") == float("inf")
    assert best_cell([cells[2]]) is None


def test_unknown_criterion():
    with pytest.raises(ValueError, match="criterion"):
        best_cell([Cell(ModelSpec("kmeans"), 1, None, "x", 0.0)], "dic")



# --- parameter counts ------------------------------------------------------------------

def hand_count(spec: ModelSpec, k: int, d: int) -> dict[str, int]:
    """Free parameters by name, counted by hand from each model's definition."""
    if spec.model == "gaussian":
        # mclust's counts: volumes (1 or K), shapes (D - 1 each), orientations
        # (D (D - 1) / 2 each), each equal (E) across components or varying (V).
        angles = d * (d - 1) // 2
        covariances = {
            "full": k * d * (d + 1) // 2, "tied": d * (d + 1) // 2, "diag": k * d,
            "spherical": k, "EII": 1, "EEI": d, "VEI": k + d - 1, "EVI": 1 + k * (d - 1),
            "VEE": k + d - 1 + angles, "EVE": 1 + k * (d - 1) + angles,
            "VVE": k + k * (d - 1) + angles, "EEV": 1 + d - 1 + k * angles,
            "VEV": k + d - 1 + k * angles, "EVV": 1 + k * (d - 1) + k * angles,
        }[spec.covariance_type]
        return {"weights": k - 1, "means": k * d, "covariances": covariances}
    if spec.model == "kmeans":  # equal weights, one shared variance
        return {"means": k * d, "covariances": 1}
    values = "rates" if spec.model == "poisson" else "probs"
    return {"weights": k - 1, values: k * d}


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.label)
def test_free_parameters_by_hand_for_every_model(spec):
    for k in (1, 2, 3, 7):
        for d in (1, 2, 4):
            counts = hand_count(spec, k, d)
            assert free_parameters(spec, k, d) == sum(counts.values())
            # Every subset of parameters held fixed drops exactly those counts.
            names = sorted(counts)
            for mask in range(1, 2 ** len(names)):
                held = {n for i, n in enumerate(names) if mask >> i & 1}
                expected = sum(c for n, c in counts.items() if n not in held)
                assert free_parameters(spec, k, d, held) == expected


def test_documented_examples():
    assert free_parameters(ModelSpec("gaussian", "full"), 3, 2) == 17
    assert free_parameters(ModelSpec("gaussian", "full"), 3, 4) == 44
    # One dimension: mclust's E (one variance) and V (one per component).
    assert free_parameters(ModelSpec("gaussian", "tied"), 4, 1) == 3 + 4 + 1
    assert free_parameters(ModelSpec("gaussian", "spherical"), 4, 1) == 3 + 4 + 4


def count_data(spec: ModelSpec) -> np.ndarray:
    rng = np.random.default_rng(7)
    if spec.model == "bernoulli":
        return rng.integers(0, 2, size=(80, 3)).astype(float)
    if spec.model in ("binomial", "poisson"):
        return rng.integers(0, 4, size=(80, 3)).astype(float)
    return rng.normal(size=(80, 3)) + np.array([0.0, 5.0, -2.0])


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.label)
def test_fitted_results_report_the_same_counts(spec):
    X = count_data(spec)
    options = engine.FitOptions(model=spec.model, covariance_type=spec.covariance_type,
                                n_components=3, trials=4, max_iter=3, seed=1)
    result = engine.fit(X, options)
    by_hand = sum(hand_count(spec, 3, 3).values())
    assert result.n_parameters == free_parameters(spec, 3, 3) == by_hand
    for name in hand_count(spec, 3, 3):
        held = engine.fit(X, options.replace(init=result.params, fixed={name}))
        assert held.n_parameters == free_parameters(spec, 3, 3, {name})
        assert held.bic == pytest.approx(
            -2 * held.log_likelihood + held.n_parameters * np.log(X.shape[0]), rel=1e-14)


# --- criteria against scikit-learn and by hand -------------------------------------------

def precision_cholesky(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """scikit-learn's ``precisions_cholesky_``: inverse-transposed Cholesky factors."""
    from scipy.linalg import cholesky, solve_triangular

    def one(cov: np.ndarray) -> np.ndarray:
        factor = cholesky(cov, lower=True)
        return solve_triangular(factor, np.eye(len(cov)), lower=True).T

    if covariance_type == "full":
        return np.array([one(c) for c in covariances])
    if covariance_type == "tied":
        return one(covariances)
    return 1.0 / np.sqrt(covariances)


def sklearn_mixture(result: engine.FitResult):
    from sklearn.mixture import GaussianMixture

    covariance_type = result.options.covariance_type
    mixture = GaussianMixture(result.options.n_components, covariance_type=covariance_type)
    mixture.weights_ = np.array(result.params.weights)
    mixture.means_ = np.array(result.params.means)
    mixture.covariances_ = np.array(result.params.covariances)
    mixture.precisions_cholesky_ = precision_cholesky(mixture.covariances_, covariance_type)
    return mixture


def test_every_sweep_cell_scores_like_sklearn_and_by_hand(faithful, helpers):
    X = faithful
    n = X.shape[0]
    cells = list(sweep(X, ks=range(1, 5), base=engine.FitOptions(n_init=2, seed=3)))
    assert len(cells) == 16
    for cell in cells:
        result = cell.result
        mixture = sklearn_mixture(result)
        assert result.bic == pytest.approx(mixture.bic(X), rel=1e-10)
        assert result.aic == pytest.approx(mixture.aic(X), rel=1e-10)
        # By hand: the log-likelihood through SciPy, p from the table.
        p = result.params
        log_norm, log_resp = helpers.reference_log_resp(
            X, p.weights, p.means, p.covariances, result.options.covariance_type)
        log_likelihood = log_norm.sum()
        n_parameters = sum(hand_count(cell.spec, cell.n_components, 2).values())
        assert result.n_parameters == n_parameters
        assert result.bic == pytest.approx(
            -2 * log_likelihood + n_parameters * np.log(n), rel=1e-10)
        assert result.aic == pytest.approx(-2 * log_likelihood + 2 * n_parameters, rel=1e-10)
        resp = np.exp(log_resp)
        entropy = -np.sum(np.where(resp > 0, resp * log_resp, 0.0))
        assert result.icl == pytest.approx(result.bic + 2 * entropy, rel=1e-9, abs=1e-6)
        if cell.n_components == 1:
            assert result.icl == result.bic  # one component: no uncertainty at all
        else:
            assert result.icl > result.bic


# --- the sweep as a generator --------------------------------------------------------------

def test_iterate_sweep_yields_snapshots_then_each_cell(faithful):
    X = faithful
    specs = [ModelSpec("gaussian", "diag"), ModelSpec("kmeans")]
    base = engine.FitOptions(n_init=2, seed=11)
    items = list(iterate_sweep(X, specs, [1, 3], base))
    cells = [item for item in items if isinstance(item, Cell)]
    assert [(c.spec.label, c.n_components) for c in cells] == [
        ("diag", 1), ("diag", 3), ("kmeans", 1), ("kmeans", 3)]
    start = 0
    for cell in cells:
        end = items.index(cell)
        snapshots = items[start:end]
        assert snapshots and all(isinstance(s, engine.Snapshot) for s in snapshots)
        # The snapshots are exactly the cell's fit, both starts of it.
        assert {s.restart for s in snapshots} == {0, 1}
        kept = result_snapshots(snapshots, cell.result)
        assert kept[-1].params.allclose(cell.result.params, rtol=0)
        assert [s.log_likelihood for s in kept] == list(cell.result.history)
        start = end + 1
    # sweep() gives the same cells.
    again = list(sweep(X, specs, [1, 3], base))
    assert [c.result.bic for c in again] == [c.result.bic for c in cells]


def test_stopping_between_snapshots_leaves_no_cell_half_done(faithful):
    X = faithful
    steps = iterate_sweep(X, [ModelSpec("gaussian", "full")], [2, 3], engine.FitOptions(seed=0))
    first = next(steps)
    assert isinstance(first, engine.Snapshot) and first.iteration == 0
    steps.close()  # what a cancelled driver does
    with pytest.raises(StopIteration):
        next(steps)


def test_seconds_left_scales_by_k_and_by_model():
    full, tied = ModelSpec("gaussian", "full"), ModelSpec("gaussian", "tied")
    done = [Cell(full, 1, None, "x", 1.0), Cell(full, 2, None, "x", 2.0),
            Cell(tied, 1, None, "x", 0.5)]
    assert seconds_left([], [(full, 3)]) is None
    assert seconds_left(done, []) == 0.0
    # full: 3 s per 3 units of K; tied: 0.5 s per unit.
    assert seconds_left(done, [(full, 3), (tied, 4)]) == pytest.approx(3.0 + 2.0)
    # A model not started yet: the overall rate, 3.5 s per 4 units.
    assert seconds_left(done, [(ModelSpec("kmeans"), 8)]) == pytest.approx(7.0)


def test_the_default_sweep_tries_four_covariance_types_of_the_fourteen_offered():
    assert [s.label for s in default_specs()] == ["full", "tied", "diag", "spherical"]
    offered = [s.label for s in ALL_SPECS if s.model == "gaussian"]
    assert offered == list(engine.covariance_types()) and len(offered) == 14


def test_compatible_specs_say_why_not(faithful):
    binary = np.random.default_rng(0).integers(0, 2, size=(30, 3)).astype(float)
    reasons = compatible_specs(binary, trials=1)
    assert all(reasons[spec] is None for spec in ALL_SPECS)
    assert "needs the number of trials" in compatible_specs(binary)[ModelSpec("binomial")]
    measured = faithful
    reasons = compatible_specs(measured, trials=5)
    assert [s.label for s, why in reasons.items() if why is None] == [
        "full", "tied", "diag", "spherical", "EII", "EEI", "VEI", "EVI", "VEE", "EVE", "VVE",
        "EEV", "VEV", "EVV", "kmeans"]
    assert "0/1" in reasons[ModelSpec("bernoulli")]
    assert "whole-number" in reasons[ModelSpec("poisson")]
    constant = np.column_stack([measured[:, 0], np.ones(len(measured))])
    assert "same value in every row" in compatible_specs(constant)[ModelSpec("gaussian", "tied")]


# --- replays and restarts --------------------------------------------------------------------

@pytest.mark.parametrize("model", ["gaussian", "kmeans", "poisson"])
def test_replay_is_the_same_fit_bit_for_bit(faithful, model):
    X = count_data(ModelSpec("poisson")) if model == "poisson" else faithful
    cell = next(sweep(X, [ModelSpec(model, "tied")], [3], engine.FitOptions(n_init=4, seed=2)))
    result, snapshots = replay(X, cell.result.options)
    assert result.restart == cell.result.restart
    assert result.params.allclose(cell.result.params, rtol=0)
    assert result.history == cell.result.history
    assert len(snapshots) == result.n_iter + 1
    assert [s.iteration for s in snapshots] == list(range(result.n_iter + 1))
    assert snapshots[-1].params.allclose(result.params, rtol=0)
    np.testing.assert_array_equal(result.labels, cell.result.labels)


@pytest.mark.parametrize("model", ["gaussian", "kmeans", "bernoulli"])
def test_single_start_replays_retrace_each_start(model):
    spec = ModelSpec(model, "full")
    X = count_data(spec)
    options = engine.FitOptions(model=model, n_components=3, n_init=5, seed=4)
    snapshots = []
    steps = engine.iterate(X, options)
    while True:
        try:
            snapshots.append(next(steps))
        except StopIteration as stop:
            best = stop.value
            break
    for restart in range(5):
        run = [s for s in snapshots if s.restart == restart]
        again = engine.fit(X, single_start_options(options, run[0]))
        assert again.params.allclose(run[-1].params, rtol=0)
        assert list(again.history) == [s.log_likelihood for s in run]
        assert again.restart_objectives[0] == best.restart_objectives[restart]
    with pytest.raises(ValueError, match="iteration 0"):
        single_start_options(options, snapshots[1])


def test_match_params_uses_every_kind_of_component_row():
    means = np.array([[1.0, 100.0], [1.1, 300.0], [5.0, 110.0]])
    reference = engine.Params(weights=np.full(3, 1 / 3), means=means)
    shuffled = engine.Params(weights=np.full(3, 1 / 3), means=means[[2, 0, 1]] + 0.01)
    order = match_params(reference, shuffled)
    np.testing.assert_allclose(component_rows(shuffled)[order], means + 0.01)
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    reference = engine.Params(weights=np.full(3, 1 / 3), probs=probs)
    other = engine.Params(weights=np.full(3, 1 / 3), probs=probs[[1, 2, 0]])
    np.testing.assert_array_equal(other.probs[match_params(reference, other)], probs)
    rates = engine.Params(weights=np.full(2, 0.5), rates=np.array([[1.0], [9.0]]))
    flipped = engine.Params(weights=np.full(2, 0.5), rates=np.array([[8.0], [2.0]]))
    assert list(match_params(rates, flipped)) == [1, 0]
    with pytest.raises(ValueError, match="nothing|no means"):
        component_rows(engine.Params(weights=np.ones(1)))


def test_matching_does_not_depend_on_a_columns_units():
    rng = np.random.default_rng(5)
    changed_raw = 0
    for _ in range(200):
        means = rng.normal(size=(4, 2))
        other = means[rng.permutation(4)] + rng.normal(scale=0.4, size=(4, 2))
        order = match_params(engine.Params(weights=np.full(4, 0.25), means=means),
                             engine.Params(weights=np.full(4, 0.25), means=other))
        # The same components with the second column in units 1000 times smaller.
        units = np.array([1.0, 1000.0])
        rescaled = match_params(engine.Params(weights=np.full(4, 0.25), means=means * units),
                                engine.Params(weights=np.full(4, 0.25), means=other * units))
        np.testing.assert_array_equal(order, rescaled)
        changed_raw += not np.array_equal(
            match_components(means, other), match_components(means * units, other * units))
    assert changed_raw > 0  # unscaled matching would let the large column decide


def test_final_spread_and_stacking():
    finals = [-100.0, -100.004, -120.0, float("-inf"), -100.001, -130.0]
    spread = final_spread(finals, tolerance=0.01)
    assert (spread.best, spread.worst) == (-100.0, -130.0)
    assert spread.median == pytest.approx(-100.004)
    assert (spread.n_starts, spread.n_failed, spread.n_at_best) == (6, 1, 3)
    levels = stack_levels([-100.0, -100.004, -120.0, -100.001, -130.0], 0.01)
    assert sorted(levels[[0, 1, 3]]) == [0, 1, 2]
    assert levels[2] == levels[4] == 0
    empty = final_spread([float("-inf")])
    assert empty.n_failed == 1 and np.isnan(empty.best)
    assert spread_tolerance(272, 1e-6) == 0.01
    assert spread_tolerance(100_000, 1e-6) == pytest.approx(1.0)


# --- collapsed components ----------------------------------------------------------------------

def held_result(X, covariance_type: str, covariances: np.ndarray, reg_covar: float = 1e-6):
    """A fit evaluated at given parameters (max_iter=0 keeps them)."""
    means = np.array([[2.0, 55.0], [4.4, 80.0]])
    return engine.fit(X, engine.FitOptions(
        n_components=2, covariance_type=covariance_type, max_iter=0, reg_covar=reg_covar,
        init=engine.Params(weights=np.array([0.4, 0.6]), means=means, covariances=covariances)))


def test_collapsed_components_are_those_at_the_regularisation_floor(faithful):
    X = faithful
    variance = X.var(axis=0)
    floor = 1e-6 * variance
    diag = np.array([floor * 1.5, floor * 3.0])  # the first at the floor, the second above
    assert collapsed_components(held_result(X, "diag", diag), variance) == (0,)
    spherical = np.array([3 * floor.mean(), 1.2 * floor.mean()])
    assert collapsed_components(held_result(X, "spherical", spherical), variance) == (1,)
    # Full: flat in one direction (a line of points), however it is rotated.
    rotation = np.array([[0.8, -0.6], [0.6, 0.8]])
    scale = np.sqrt(variance)
    flat = rotation @ np.diag([0.5, 1.5e-6]) @ rotation.T * np.outer(scale, scale)
    round_ = np.diag(0.01 * variance)
    assert collapsed_components(held_result(X, "full", np.array([round_, flat])), variance) == (1,)
    # A tied covariance at the floor rests every component on the regularisation;
    # one with a spread of its own, and unregularised fits, do not count as collapsed.
    assert collapsed_components(held_result(X, "tied", np.diag(floor)), variance) == (0, 1)
    assert collapsed_components(held_result(X, "tied", np.diag(0.01 * variance)), variance) == ()
    assert collapsed_components(held_result(X, "diag", diag, reg_covar=0.0), variance) == ()


def test_a_spurious_optimum_on_repeated_values_is_marked_and_not_chosen(faithful):
    # Old Faithful's waiting times are whole minutes. Some of forty diag starts at K = 5
    # end with a component sitting on waiting = 83, its variance the regularisation's
    # alone; that start has the highest likelihood, but the fit keeps a proper one.
    X = faithful
    options = engine.FitOptions(n_components=5, covariance_type="diag", n_init=40, seed=5)
    snapshots = list(engine.iterate(X, options))
    result = engine.fit(X, options)
    assert not result.collapsed and not any("regularisation alone" in m for m in result.messages)
    firsts = [s for s in snapshots if s.iteration == 0]
    spurious = None
    for first in firsts:
        alone = engine.fit(X, single_start_options(options, first))
        if alone.collapsed:
            spurious = alone
            break
    assert spurious is not None and spurious.objective_history[-1] > result.objective_history[-1]
    assert any("rests on the regularisation alone" in m for m in spurious.messages)
    (k,) = spurious.collapsed
    # Its variance is the regularisation's prior alone: N / K rows' worth of 1e-6 times
    # the column's variance, spread over the component's own rows.
    rows = spurious.params.weights[k] * len(X)
    prior = 1e-6 * X[:, 1].var() * (len(X) / 5) / rows
    assert spurious.params.covariances[k, 1] == pytest.approx(prior, rel=1e-3)
    assert np.all(X[spurious.labels == k, 1] == 83)
    # A cell whose every start collapsed is marked, and a sweep that skips such
    # cells passes it over while any other cell was fitted.
    cells = list(sweep(X, [ModelSpec("gaussian", "spherical")], [1], engine.FitOptions(seed=1)))
    marked = Cell(ModelSpec("gaussian", "diag"), 5, spurious, None, 0.0, spurious.collapsed)
    assert best_cell([*cells, marked]) is marked  # it wins on BIC
    assert best_cell([*cells, marked], skip_collapsed=True) is cells[0]
    assert best_cell([marked], skip_collapsed=True) is marked  # nothing else to choose
