"""Starts that do not depend on the columns' units, and the deterministic hc start."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import adjusted_rand_score

import engine
from pathlib import Path


from engine.hierarchical import HC_MAX_ROWS, hc_rows, hc_tree, svd_scores, ward_tree

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "mclust"


def mixed_units(seed: int, n: int = 300) -> np.ndarray:
    """Three overlapping groups in four columns of wildly different units (as latitude,
    longitude, depth in km, magnitude); the groups differ in every column but depth,
    whose spread in its own units swamps the others'."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(3, size=n)
    centres = rng.normal(scale=2.0, size=(3, 4))
    centres[:, 2] = 0.0
    X = centres[labels] + rng.normal(size=(n, 4)) @ (np.eye(4) + 0.4 * rng.normal(size=(4, 4)))
    return X * np.array([1.0, 3.0, 300.0, 0.2]) + np.array([40.0, -120.0, 0.0, 4.0])


@pytest.mark.parametrize("init", ["kmeans++", "random", "hc"])
@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag"])
def test_a_change_of_units_changes_nothing_but_the_units(init: str, covariance_type: str) -> None:
    rng = np.random.default_rng(7)
    X = mixed_units(1)
    options = engine.FitOptions(
        n_components=3, covariance_type=covariance_type, init=init, n_init=2, seed=11,
        tol=1e-10, max_iter=300,
    )
    base = engine.fit(X, options)
    for _ in range(4):
        c = 10.0 ** rng.uniform(-3, 3, size=4)
        scaled = engine.fit(X * c, options)
        np.testing.assert_array_equal(scaled.labels, base.labels)
        shift = -len(X) * np.sum(np.log(c))
        assert scaled.log_likelihood == pytest.approx(base.log_likelihood + shift, rel=1e-9)
        np.testing.assert_allclose(
            scaled.params.means, base.params.means * c, rtol=1e-6, atol=1e-6 * np.abs(X * c).max()
        )


def test_without_standard_units_k_means_plus_plus_would_depend_on_them() -> None:
    # The same starts measured in raw units land elsewhere once one column is
    # stretched: that is what standardising the distances prevents.
    X = mixed_units(2)
    options = engine.FitOptions(n_components=3, covariance_type="spherical", seed=3, max_iter=0)
    stretched = X * np.array([1.0, 1.0, 1.0, 1e5])  # the magnitude column now dominates
    assert adjusted_rand_score(engine.fit(X, options).labels,
                               engine.fit(stretched, options).labels) < 0.99


def test_ward_tree_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    tree = ward_tree(X)
    reference = linkage(X, method="ward")
    # Ward's cost of a merge is half the squared "ward distance" scipy reports.
    np.testing.assert_allclose(np.sort(tree.costs), np.sort(reference[:, 2] ** 2 / 2), rtol=1e-9)
    for k in (2, 3, 5, 9):
        expected = fcluster(reference, k, criterion="maxclust")
        assert adjusted_rand_score(tree.partition(k), expected) == 1.0


def test_hc_is_deterministic_and_ignores_units_and_column_order() -> None:
    X = mixed_units(3)
    first = hc_tree(X).partition(3)
    np.testing.assert_array_equal(hc_tree(X).partition(3), first)
    np.testing.assert_array_equal(hc_tree(X * [1e3, 1e-3, 7.0, 1.0]).partition(3), first)
    # Standardised columns in another order, one of them negated: the same tree.
    np.testing.assert_array_equal(hc_tree(X[:, [2, 0, 3, 1]] * [1, -1, 1, 1]).partition(3), first)
    # mclust's "SVD" scores: Z = U S^(1/2) for the standardised data U S V^T.
    scores = svd_scores(X)
    standard = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    singular = np.linalg.svd(standard, compute_uv=False)
    np.testing.assert_allclose(scores.T @ scores, np.diag(singular), atol=1e-9 * singular.max())


def same_groups(ours: np.ndarray, theirs: np.ndarray) -> bool:
    """Whether two labellings put the rows in the same groups (whatever the group names)."""
    pairs = np.unique(np.stack([ours, theirs], axis=1), axis=0)
    return len(pairs) == len(np.unique(ours)) == len(np.unique(theirs))


@pytest.mark.parametrize(
    "name", ["faithful", "iris", "diabetes", "banknote", "thyroid", "EuroUnemployment"]
)
def test_hc_cuts_the_rows_into_mclusts_groups(name: str, reference_data) -> None:
    # mclust's own partitions (make_hc.R): the start of every cell of mclustBIC. Old
    # Faithful has repeated rows, whose ties are settled as mclust settles them.
    groups = np.loadtxt(REFERENCE / f"hc_{name}.csv", delimiter=",", skiprows=1, dtype=int)
    tree = hc_tree(reference_data(name))
    for k in range(1, 10):
        assert same_groups(tree.partition(k), groups[:, k - 1]), k


def test_hc_fits_are_identical_whatever_the_seed() -> None:
    X = mixed_units(4)
    fits = [
        engine.fit(X, engine.FitOptions(n_components=3, init="hc", n_init=1, seed=seed))
        for seed in (0, 1, 2)
    ]
    assert fits[0].history == fits[1].history == fits[2].history


def test_hc_runs_on_evenly_spaced_rows_of_large_data() -> None:
    rows = hc_rows(10 * HC_MAX_ROWS + 3)
    assert rows.size == HC_MAX_ROWS and rows[0] == 0 and rows[-1] == 10 * HC_MAX_ROWS + 2
    np.testing.assert_array_equal(hc_rows(50), np.arange(50))
    X = np.concatenate([mixed_units(5, n=3000), mixed_units(6, n=3000)])
    result = engine.fit(X, engine.FitOptions(n_components=3, init="hc", seed=0))
    again = engine.fit(X, engine.FitOptions(n_components=3, init="hc", seed=99))
    assert result.history == again.history and result.converged


def test_an_hc_start_keeps_k_means_weights_equal() -> None:
    X = mixed_units(7)
    result = engine.fit(X, engine.FitOptions(model="kmeans", n_components=3, init="hc",
                                             e_step="hard", seed=0))
    np.testing.assert_array_equal(result.params.weights, np.full(3, 1 / 3))
