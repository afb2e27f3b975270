"""Model-selection sweeps, K ranges and matching components across restarts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

import engine
from engine.selection import (
    Cell,
    ModelSpec,
    best_cell,
    match_components,
    parse_k_range,
    sweep,
)

FAITHFUL = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "faithful.csv"


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


@pytest.mark.parametrize("text", ["", "0-3", "a-b", "3-x"])
def test_bad_k_ranges(text):
    with pytest.raises(ValueError, match="K range"):
        parse_k_range(text)


def test_model_specs():
    assert ModelSpec.parse("tied") == ModelSpec("gaussian", "tied")
    assert ModelSpec.parse("kmeans").label == "kmeans"
    with pytest.raises(ValueError, match="unknown model"):
        ModelSpec.parse("gaussian-ish")


def test_sweep_yields_every_cell_and_the_best_is_the_lowest():
    X = np.loadtxt(FAITHFUL, delimiter=",", skiprows=1)
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
