"""The bench checks the k-means target (ratio to scikit-learn's KMeans at most 1.0 for
N >= 1e5) instead of only reporting it. Built from outcomes; nothing is timed here."""

from __future__ import annotations

from bench.cells import Cell, Outcome
from bench.report import KMEANS_RATIO, checks


def outcome(n_samples: int, ours: float, reference: float) -> Outcome:
    cell = Cell("kmeans", "-", n_samples, 10, 10)
    return Outcome(cell, ours, reference, False, None, None, 1e-15)


def ratio_checks(n_samples: int, ours: float, reference: float):
    return [check for check in checks([outcome(n_samples, ours, reference)])
            if "ratio <=" in check.name]


def test_kmeans_at_most_as_slow_as_sklearn_holds() -> None:
    (check,) = ratio_checks(1_000_000, 0.0120, 0.0124)
    assert check.holds
    assert check.name.endswith(f"ratio <= {KMEANS_RATIO}")


def test_kmeans_slower_than_sklearn_fails() -> None:
    (check,) = ratio_checks(100_000, 0.0035, 0.0007)
    assert not check.holds
    assert check.detail == "5.000"


def test_small_kmeans_cells_are_not_held_to_the_target() -> None:
    assert ratio_checks(10_000, 0.0035, 0.0007) == []
