"""Textbook EM examples worked by hand.

Two coins: Do and Batzoglou, "What is the expectation maximization algorithm?"
(Nature Biotechnology, 2008), in its five-toss form. Three coins: Li Hang,
*Statistical Learning Methods*, chapter 9, example 9.1.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.predict import e_step
from engine.models import build_model

HEADS = np.array([3.0, 2.0, 1.0, 3.0, 2.0])
TOSSES = 5
START_PROBS = (0.2, 0.7)


def coin_likelihoods(p: float) -> np.ndarray:
    """p^h (1-p)^(5-h) for each round; the binomial coefficient cancels in the E-step."""
    return p**HEADS * (1 - p) ** (TOSSES - HEADS)


def hand_responsibilities() -> np.ndarray:
    first, second = coin_likelihoods(START_PROBS[0]), coin_likelihoods(START_PROBS[1])
    coin1 = first / (first + second)  # equal weights cancel
    return np.stack([coin1, 1 - coin1], axis=1)


def two_coin_options(e_step_kind: str) -> engine.FitOptions:
    return engine.FitOptions(
        model="binomial",
        n_components=2,
        trials=TOSSES,
        init=engine.Params(weights=[0.5, 0.5], probs=[[START_PROBS[0]], [START_PROBS[1]]]),
        fixed={"weights"},
        e_step=e_step_kind,
        max_iter=1,
        tol=0.0,
    )


def test_two_coin_responsibilities_by_hand() -> None:
    X = HEADS[:, None]
    model = build_model("binomial", {"trials": TOSSES})
    params = engine.Params(weights=[0.5, 0.5], probs=[[0.2], [0.7]])

    log_norm, log_resp = e_step(model, X, params)

    expected = hand_responsibilities()
    # First round (3 heads): 0.2^3 0.8^2 / (0.2^3 0.8^2 + 0.7^3 0.3^2) = 0.00512 / 0.03599.
    assert expected[0, 0] == pytest.approx(0.00512 / 0.03599, rel=1e-12)
    assert expected[0, 0] == pytest.approx(0.14, abs=0.005)
    np.testing.assert_allclose(np.exp(log_resp), expected, rtol=1e-12)
    # The mixture density includes the binomial coefficient C(5, h).
    comb = np.array([10.0, 10.0, 5.0, 10.0, 10.0])
    mixture = 0.5 * comb * (coin_likelihoods(0.2) + coin_likelihoods(0.7))
    np.testing.assert_allclose(log_norm, np.log(mixture), rtol=1e-12)


def test_two_coin_soft_first_iteration_by_hand() -> None:
    result = engine.fit(HEADS[:, None], two_coin_options("soft"))

    resp = hand_responsibilities()
    expected_heads = resp.T @ HEADS
    expected_tosses = TOSSES * resp.sum(axis=0)
    expected_tails = expected_tosses - expected_heads
    new_probs = expected_heads / (expected_heads + expected_tails)
    assert result.n_iter == 1
    np.testing.assert_allclose(result.params.probs[:, 0], new_probs, rtol=1e-12)
    np.testing.assert_array_equal(result.params.weights, [0.5, 0.5])
    # Coin 1 turns out the less likely to land heads, coin 2 the more.
    assert new_probs[0] == pytest.approx(0.4, abs=0.1)
    assert new_probs[1] == pytest.approx(0.5, abs=0.1)


def test_two_coin_hard_first_iteration_by_hand() -> None:
    result = engine.fit(HEADS[:, None], two_coin_options("hard"))

    # Rounds with 1 or 2 heads go to coin 1 (5 heads in 15 tosses), 3 heads to coin 2 (6 in 10).
    np.testing.assert_allclose(result.params.probs[:, 0], [5 / 15, 6 / 10], rtol=1e-12)
    np.testing.assert_array_equal(result.params.weights, [0.5, 0.5])
    np.testing.assert_array_equal(result.labels, [1, 0, 0, 1, 0])


THREE_COIN_DATA = np.array([1, 1, 0, 1, 0, 0, 1, 0, 1, 1], dtype=float)


def three_coin_options(pi: float, p: float, q: float, max_iter: int) -> engine.FitOptions:
    return engine.FitOptions(
        model="bernoulli",
        n_components=2,
        init=engine.Params(weights=[pi, 1 - pi], probs=[[p], [q]]),
        max_iter=max_iter,
        tol=1e-12,
    )


def three_coin(result: engine.FitResult) -> tuple[float, float, float]:
    return (
        float(result.params.weights[0]),
        float(result.params.probs[0, 0]),
        float(result.params.probs[1, 0]),
    )


@pytest.mark.parametrize(
    ("start", "fixed_point"),
    [
        ((0.5, 0.5, 0.5), (0.5, 0.6, 0.6)),
        ((0.4, 0.6, 0.7), (0.4064, 0.5368, 0.6432)),
    ],
)
def test_three_coin_fixed_points(
    start: tuple[float, float, float], fixed_point: tuple[float, float, float]
) -> None:
    result = engine.fit(THREE_COIN_DATA, three_coin_options(*start, max_iter=100))

    assert result.converged
    np.testing.assert_allclose(three_coin(result), fixed_point, atol=5e-5)
    # The marginal probability of heads is the observed 6/10 at any fixed point.
    pi, p, q = three_coin(result)
    assert pi * p + (1 - pi) * q == pytest.approx(0.6, rel=1e-12)

    again = engine.fit(THREE_COIN_DATA, three_coin_options(pi, p, q, max_iter=1))
    np.testing.assert_allclose(three_coin(again), (pi, p, q), rtol=0, atol=1e-12)


def test_three_coin_first_iteration_by_hand() -> None:
    pi, p, q = 0.4, 0.6, 0.7
    heads = THREE_COIN_DATA
    on_b = pi * p**heads * (1 - p) ** (1 - heads)
    on_c = (1 - pi) * q**heads * (1 - q) ** (1 - heads)
    mu = on_b / (on_b + on_c)
    expected = (mu.mean(), (mu * heads).sum() / mu.sum(), ((1 - mu) * heads).sum() / (1 - mu).sum())

    result = engine.fit(THREE_COIN_DATA, three_coin_options(pi, p, q, max_iter=1))

    np.testing.assert_allclose(three_coin(result), expected, rtol=1e-12)
