"""The climb of one shared orientation (EVE, VVE) in two dimensions, done with the
scatter's three entries and the orientation's four floats: the same climb as in
any other dimension, and as monotone."""

from __future__ import annotations

import numpy as np
import pytest

from engine.models import covariance


def random_problem(seed: int, n_components: int, n_features: int = 2):
    rng = np.random.default_rng(seed)
    nk = rng.uniform(4.0, 40.0, n_components)
    factors = rng.normal(size=(n_components, n_features, n_features))
    factors *= rng.uniform(0.3, 3.0, size=(n_components, 1, n_features))
    scatter = nk[:, None, None] * (factors @ np.swapaxes(factors, 1, 2) + 0.05 * np.eye(n_features))
    return nk, scatter


def objective(covariances: np.ndarray, scatter: np.ndarray, nk: np.ndarray) -> float:
    """``sum_k -(nk/2) log|S_k| - tr(S_k^-1 W_k) / 2``."""
    log_det = np.linalg.slogdet(covariances)[1]
    traces = np.trace(np.linalg.solve(covariances, scatter), axis1=1, axis2=2)
    return float(np.sum(-0.5 * nk * log_det - 0.5 * traces))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("name", ["VVE", "EVE"])
def test_the_m_step_from_previous_covariances_never_lowers_the_objective(name, seed):
    structure = covariance.get(name)
    nk, scatter = random_problem(seed, 2 + seed % 4)
    other_nk, other_scatter = random_problem(100 + seed, nk.size)
    previous = structure.estimate(other_scatter, other_nk, None)  # in the family, elsewhere
    new = structure.estimate(scatter, nk, previous)
    before, after = objective(previous, scatter, nk), objective(new, scatter, nk)
    assert after >= before - 1e-12 * abs(before)
    # ... and is a fixed point there: from its own answer the M-step stays put (to
    # the climb's precision, which stops on gains below 1e-12 of the objective).
    again = structure.estimate(scatter, nk, new)
    np.testing.assert_allclose(again, new, rtol=0, atol=1e-5 * np.abs(new).max())


@pytest.mark.parametrize("seed", range(6))
def test_the_two_dimensional_climb_is_the_climb_of_a_third_axis_apart(seed):
    # A third column uncorrelated with the first two, whose spread in every component
    # lies between that component's two others, leaves the VVE climb on the first two
    # exactly as it is in two dimensions (the majorisers' shifts are the same).
    structure = covariance.get("VVE")
    nk, scatter = random_problem(seed, 3)
    start = structure.estimate(random_problem(50 + seed, 3)[1], nk, None)
    low, high = np.linalg.eigvalsh(scatter).T
    third = np.sqrt(low * high)
    wide = np.zeros((3, 3, 3))
    wide[:, :2, :2], wide[:, 2, 2] = scatter, third
    wide_start = np.zeros((3, 3, 3))
    wide_start[:, :2, :2] = start
    # The start's third value between its others too, so the first majoriser matches.
    wide_start[:, 2, 2] = np.sqrt(np.prod(np.linalg.eigvalsh(start), axis=1))
    flat = structure.estimate(scatter, nk, start)
    deep = structure.estimate(wide, nk, wide_start)
    np.testing.assert_allclose(deep[:, :2, :2], flat, rtol=1e-6, atol=1e-9 * np.abs(flat).max())
    np.testing.assert_allclose(deep[:, 2, 2], third / nk, rtol=1e-9)


@pytest.mark.parametrize("name", ["VVE", "EVE"])
def test_one_component_from_the_identity_gets_its_own_scatter(name):
    # The first M-step of an hc start climbs from identity covariances; with one
    # component the values are equal there, and the shape's majoriser is zero.
    nk, scatter = random_problem(3, 1)
    new = covariance.get(name).estimate(scatter, nk, np.eye(2)[None])
    np.testing.assert_allclose(new, scatter / nk[:, None, None], rtol=1e-6)
