"""Clusters against known classes: the confusion table, the matching and the adjusted Rand
index, checked by hand and against scikit-learn and SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.datasets import load_iris
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix

import engine
from engine.agreement import (
    adjusted_rand_index,
    compare_labels,
    confusion_table,
    match_clusters,
)
from engine.matching import hungarian, linear_assignment


def test_confusion_table_counts_rows_by_cluster_and_class():
    clusters = np.array([0, 0, 1, 1, 1, 2])
    classes = np.array(["a", "a", "b", "b", "a", "c"])
    counts, names = confusion_table(clusters, classes)
    assert names.tolist() == ["a", "b", "c"]
    assert counts.tolist() == [[2, 0, 0], [1, 2, 0], [0, 0, 1]]


def test_empty_clusters_keep_their_row_when_asked_for():
    counts, _ = confusion_table(np.array([0, 0]), np.array([1, 2]), n_clusters=3)
    assert counts.tolist() == [[1, 1], [0, 0], [0, 0]]
    with pytest.raises(ValueError, match="n_clusters is 1"):
        confusion_table(np.array([0, 2]), np.array([1, 2]), n_clusters=1)


def test_bad_clusters_are_refused_in_words():
    with pytest.raises(ValueError, match="same length"):
        confusion_table(np.array([0, 1]), np.array(["a"]))
    with pytest.raises(ValueError, match="whole numbers"):
        confusion_table(np.array([0.5, 1.0]), np.array(["a", "b"]))


def test_clusters_are_matched_to_the_classes_they_hold_most_of():
    # Cluster 0 holds mostly "b", cluster 1 mostly "a"; greedy by row would give
    # cluster 2 "a" too, the one-to-one matching gives it "c".
    counts = np.array([[1, 9, 0], [8, 0, 1], [5, 0, 4]])
    assert match_clusters(counts).tolist() == [1, 0, 2]


def test_more_clusters_than_classes_leaves_the_smallest_unmatched():
    counts = np.array([[9, 0], [1, 1], [0, 7]])
    assert match_clusters(counts).tolist() == [0, -1, 1]
    assert match_clusters(counts.T).tolist() == [0, 2]


def test_adjusted_rand_index_by_hand():
    # 4 rows; clusters {0,1},{2,3}; classes {0,1},{2},{3}: 1 pair together in both,
    # 2 pairs in the clusters, 1 in the classes, 6 in all.
    counts, _ = confusion_table(np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2]))
    expected = (1 - 2 * 1 / 6) / ((2 + 1) / 2 - 2 * 1 / 6)
    assert adjusted_rand_index(counts) == pytest.approx(expected)
    assert expected == pytest.approx(4 / 7)


def test_adjusted_rand_index_equals_scikit_learns_on_random_partitions():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        a = rng.integers(0, int(rng.integers(1, 5)), n)
        b = rng.integers(0, int(rng.integers(1, 5)), n)
        counts, _ = confusion_table(a, b)
        assert adjusted_rand_index(counts) == pytest.approx(adjusted_rand_score(b, a), abs=1e-12)


def test_identical_partitions_score_one_whatever_their_names():
    counts, _ = confusion_table(np.array([2, 2, 0, 1]), np.array(["x", "x", "y", "z"]))
    assert adjusted_rand_index(counts) == 1.0
    # Everything together in both: they agree too (scikit-learn says 1.0 as well).
    together, _ = confusion_table(np.zeros(5, dtype=int), np.full(5, "a"))
    assert adjusted_rand_index(together) == 1.0 == adjusted_rand_score([0] * 5, [0] * 5)


def test_rows_of_unknown_class_are_left_out():
    comparison = compare_labels(np.array([0, 0, 1, 1, 2]), np.array(["a", "a", "b", "", ""]))
    assert comparison.n_unknown == 2
    # Cluster 2 holds only rows of unknown class: its row is there, empty.
    assert comparison.counts.tolist() == [[2, 0], [0, 1], [0, 0]]
    assert comparison.n_compared == 3 and comparison.n_matched == 3
    numeric = compare_labels(np.array([0, 1, 1]), np.array([1.0, np.nan, 2.0]))
    assert numeric.n_unknown == 1 and numeric.counts.tolist() == [[1, 0], [0, 1]]


def test_hungarian_method_finds_scipys_optimum():
    rng = np.random.default_rng(3)
    for _ in range(100):
        cost = rng.integers(-5, 20, size=(int(rng.integers(1, 7)), int(rng.integers(1, 7))))
        rows, cols = linear_sum_assignment(cost)
        mine = linear_assignment(cost)
        assigned = np.flatnonzero(mine >= 0)
        assert assigned.size == rows.size
        assert len(set(mine[assigned].tolist())) == assigned.size
        assert cost[assigned, mine[assigned]].sum() == cost[rows, cols].sum()


def test_hungarian_method_refuses_what_it_cannot_match():
    with pytest.raises(ValueError, match="square"):
        hungarian(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        hungarian(np.array([[0.0, np.inf], [1.0, 2.0]]))


def test_iris_species_against_a_three_component_fit():
    iris = load_iris()
    species = iris.target_names[iris.target]
    options = engine.FitOptions(n_components=3, covariance_type="full", n_init=3, seed=0)
    result = engine.fit(iris.data, options)
    _, log_resp = engine.predict_log_resp(iris.data, result.params, result.options)
    clusters = np.argmax(log_resp, axis=1)

    comparison = compare_labels(clusters, species, n_clusters=3)

    assert comparison.ari == pytest.approx(adjusted_rand_score(species, clusters), abs=1e-12)
    assert comparison.names.tolist() == ["setosa", "versicolor", "virginica"]
    assert comparison.counts.tolist() == contingency_matrix(clusters, species).tolist()
    # By hand: each cluster's rows of each species, counted with a plain loop.
    by_hand = [[0] * 3 for _ in range(3)]
    for k, name in zip(clusters.tolist(), species.tolist()):
        by_hand[k][["setosa", "versicolor", "virginica"].index(name)] += 1
    assert comparison.counts.tolist() == by_hand
    # Setosa is a cluster of its own: 50 rows, all matched.
    setosa = int(np.argmax(comparison.counts[:, 0]))
    assert comparison.counts[setosa].tolist() == [50, 0, 0]
    assert comparison.class_of_cluster(setosa) == "setosa"
    assert sorted(comparison.matching.tolist()) == [0, 1, 2]
    assert comparison.n_matched == int(np.trace(comparison.counts[np.argsort(comparison.matching)]))
    assert comparison.matched_fraction > 0.9
    assert comparison.n_unknown == 0
