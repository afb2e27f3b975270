"""Half-steps and the lower bound: the E-step closes the gap, the M-step raises the bound."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.halfsteps import expected_counts, half_steps, lower_bound, outcome_log_prob, posterior

COINS = np.array([[3], [2], [1], [3], [2]])


def coin_options(**changes) -> engine.FitOptions:
    start = engine.Params(weights=[0.5, 0.5], probs=[[0.2], [0.7]])
    options = engine.FitOptions(
        model="binomial", n_components=2, trials=5, init=start, fixed={"weights"}, max_iter=6
    )
    return options.replace(**changes)


def problems():
    rng = np.random.default_rng(7)
    gaussian = np.vstack([rng.normal(0, 1, (40, 2)), rng.normal(4, 1.5, (40, 2))])
    counts = np.vstack([rng.poisson([1, 6], (30, 2)), rng.poisson([7, 2], (30, 2))])
    yield gaussian, engine.FitOptions(n_components=2, seed=1, max_iter=8)
    yield gaussian, engine.FitOptions(n_components=3, covariance_type="diag", seed=2, max_iter=8)
    yield counts, engine.FitOptions(model="poisson", n_components=2, seed=3, max_iter=8)
    yield COINS, coin_options()


@pytest.mark.parametrize("X, options", list(problems()))
def test_bound_never_exceeds_the_log_likelihood_and_e_step_closes_the_gap(X, options):
    steps = list(half_steps(X, options))
    assert [s.phase for s in steps[:5]] == ["start", "E", "M", "E", "M"]
    for step in steps[1:]:
        assert step.lower_bound <= step.log_likelihood + 1e-10 * abs(step.log_likelihood)
        if step.phase == "E":
            assert step.lower_bound == pytest.approx(step.log_likelihood, rel=1e-12, abs=1e-12)
    for e, m in zip(steps[1::2], steps[2::2]):
        # Same responsibilities, new parameters: the M-step can only raise the bound.
        np.testing.assert_array_equal(e.resp, m.resp)
        assert m.lower_bound >= e.lower_bound - 1e-10 * abs(e.lower_bound)
        assert m.log_likelihood >= e.log_likelihood - 1e-10 * abs(e.log_likelihood)


@pytest.mark.parametrize("X, options", list(problems()))
def test_half_steps_follow_the_same_path_as_the_full_loop(X, options):
    full = engine.fit(X, options.replace(tol=0.0))
    after_m = [s for s in half_steps(X, options) if s.phase in ("start", "M")]
    np.testing.assert_allclose(
        [s.log_likelihood for s in after_m], full.history[: len(after_m)], rtol=1e-12
    )


def test_two_coin_table_by_hand():
    steps = list(half_steps(COINS, coin_options(max_iter=1)))
    e_step, m_step = steps[1], steps[2]
    heads = COINS[:, 0]
    like = np.stack([0.2**heads * 0.8 ** (5 - heads), 0.7**heads * 0.3 ** (5 - heads)], axis=1)
    resp = like / like.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(e_step.resp, resp, rtol=1e-12)
    assert round(e_step.resp[0, 0], 2) == 0.14 and round(e_step.resp[0, 1], 2) == 0.86
    # component_log_prob is the binomial log-likelihood of each round under each coin.
    binom = np.array([10.0, 10.0, 5.0, 10.0, 10.0])[:, None]  # C(5, h)
    np.testing.assert_allclose(np.exp(e_step.component_log_prob), binom * like, rtol=1e-12)
    expected_heads = (resp * heads[:, None]).sum(axis=0)
    expected_tosses = (resp * 5).sum(axis=0)
    np.testing.assert_allclose(m_step.params.probs[:, 0], expected_heads / expected_tosses, rtol=1e-12)
    np.testing.assert_array_equal(m_step.params.weights, [0.5, 0.5])


def test_hard_e_step_leaves_a_gap_equal_to_the_lost_entropy_and_mass():
    steps = list(half_steps(COINS, coin_options(e_step="hard", max_iter=2)))
    e_step = steps[1]
    assert set(np.unique(e_step.resp)) == {0.0, 1.0}
    weighted = e_step.component_log_prob + np.log(e_step.params.weights)
    assert e_step.lower_bound == pytest.approx(weighted.max(axis=1).sum(), rel=1e-12)
    assert e_step.gap > 0


def test_lower_bound_helpers_handle_zero_responsibility_and_impossible_components():
    weighted = np.array([[np.log(0.3), -np.inf], [np.log(0.2), np.log(0.1)]])
    resp = posterior(weighted, hard=False)
    assert resp[0, 1] == 0.0
    assert np.isfinite(lower_bound(weighted, resp))
    expected_ll = np.log(0.3) + np.log(0.3)
    assert lower_bound(weighted, resp) == pytest.approx(expected_ll, rel=1e-12)


def test_half_step_arrays_are_read_only():
    step = list(half_steps(COINS, coin_options(max_iter=1)))[1]
    with pytest.raises(ValueError):
        step.resp[0, 0] = 1.0
    with pytest.raises(ValueError):
        step.params.probs[0, 0] = 1.0


def test_e_and_m_states_share_one_responsibility_array():
    steps = list(half_steps(COINS, coin_options(max_iter=2)))
    assert steps[1].resp is steps[2].resp and steps[3].resp is steps[4].resp
    assert steps[2].resp is not steps[3].resp


@pytest.mark.parametrize("X, options", list(problems()))
def test_expected_counts_summed_over_rows_give_the_m_step(X, options):
    steps = list(half_steps(X, options.replace(max_iter=1)))
    e_step, m_step = steps[1], steps[2]
    counts = expected_counts(X, e_step.resp, options)
    nk = e_step.resp.sum(axis=0)
    if options.model == "binomial":
        heads, tails = counts["successes"].sum(axis=0), counts["failures"].sum(axis=0)
        np.testing.assert_allclose(heads + tails, nk[:, None] * 5, rtol=1e-12)
        np.testing.assert_allclose(m_step.params.probs, heads / (heads + tails), rtol=1e-12)
    else:
        new = m_step.params.rates if options.model == "poisson" else m_step.params.means
        np.testing.assert_allclose(new, counts["sums"].sum(axis=0) / nk[:, None], rtol=1e-12)


def test_outcome_probability_is_the_textbook_sequence_probability():
    start = list(half_steps(COINS, coin_options(max_iter=0)))[0]
    heads = COINS[:, 0]
    by_hand = np.stack([0.2**heads * 0.8 ** (5 - heads), 0.7**heads * 0.3 ** (5 - heads)], axis=1)
    np.testing.assert_allclose(
        np.exp(outcome_log_prob(COINS, start.component_log_prob, coin_options())), by_hand,
        rtol=1e-12,
    )
    # Round 1 (3 heads, 2 tails): 0.2^3 0.8^2 = 0.00512 and 0.7^3 0.3^2 = 0.03087.
    assert np.exp(outcome_log_prob(COINS, start.component_log_prob, coin_options()))[0] == (
        pytest.approx([0.00512, 0.03087], rel=1e-12)
    )
    # Other models keep the density as it is.
    gaussian, options = next(problems())
    first = next(half_steps(gaussian, options))
    assert outcome_log_prob(gaussian, first.component_log_prob, options) is first.component_log_prob


def test_three_coins_one_iteration_matches_the_textbook():
    tosses = np.array([1, 1, 0, 1, 0, 0, 1, 0, 1, 1])[:, None]
    start = engine.Params(weights=[0.4, 0.6], probs=[[0.6], [0.7]])
    options = engine.FitOptions(model="bernoulli", n_components=2, init=start, max_iter=2)
    steps = list(half_steps(tosses, options))
    m_step = steps[2]
    assert round(m_step.params.weights[0], 4) == 0.4064
    assert np.round(m_step.params.probs[:, 0], 4).tolist() == [0.5368, 0.6432]
    # The second iteration changes nothing: EM has reached a fixed point at once.
    np.testing.assert_allclose(steps[4].params.probs, m_step.params.probs, rtol=1e-12)
    counts = expected_counts(tosses, steps[1].resp, options)
    np.testing.assert_allclose(counts["failures"][:, :, 0], steps[1].resp * (1 - tosses), rtol=0)


def test_half_steps_validate_like_the_full_loop():
    with pytest.raises(ValueError, match="K is 9 but the data has only 5 rows"):
        next(half_steps(COINS, coin_options(n_components=9, init="kmeans++")))
    bad = engine.Params(weights=[0.7, 0.7], probs=[[0.2], [0.7]])
    with pytest.raises(ValueError, match="sum to 1"):
        next(half_steps(COINS, coin_options(init=bad)))
    with pytest.raises(ValueError, match="unknown model"):
        next(half_steps(COINS, coin_options(model="cauchy")))
