"""The settled hc start: mclust's own iteration from its own partition, then EM.

For VVE (whose update mclust computes another way than EM's M-step) and EEV
(whose axes mclust takes from the rows' triangular factor), a fit from ``hc``
adds a second start: the partition settled by mclust's iteration
(:mod:`engine.settle`). From mclust's partitions (``tests/reference/mclust``)
the settling must end at mclust's very log-likelihood, and the fit must keep the
better of its two starts.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.errors import SingularComponent
from engine.models import covariance
from engine.settle import settled_params

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "mclust"


def mclust_partition(name: str, k: int) -> np.ndarray:
    """mclust's hierarchical partition into ``k`` groups, as responsibilities."""
    groups = np.loadtxt(REFERENCE / f"hc_{name}.csv", delimiter=",", skiprows=1, dtype=int)
    resp = np.zeros((groups.shape[0], k))
    resp[np.arange(groups.shape[0]), groups[:, k - 1] - 1] = 1.0
    return resp


def mclust_loglik(name: str, model: str, k: int) -> float:
    with open(REFERENCE / f"bic_{name}.csv", encoding="utf-8") as table:
        for row in csv.DictReader(table):
            if row["model"] == model and int(row["K"]) == k:
                return float(row["loglik"])
    raise KeyError((name, model, k))


def log_likelihood(X: np.ndarray, name: str, params: engine.Params) -> float:
    """The log-likelihood of ``params`` as the engine computes it (no iteration)."""
    options = engine.FitOptions(
        n_components=params.n_components, covariance_type=name, init=params, max_iter=0
    )
    return engine.fit(X, options).log_likelihood


# Cells where EM's own path from mclust's partition ends below mclust's optimum.
CELLS = [
    ("iris", "VVE", 5), ("diabetes", "VVE", 8), ("thyroid", "VVE", 2),
    ("EuroUnemployment", "EEV", 7), ("EuroUnemployment", "EEV", 9),
]


@pytest.mark.parametrize("name, model, k", CELLS + [("faithful", "VVE", 3), ("faithful", "VVE", 8)])
def test_settling_mclusts_partition_ends_at_mclusts_log_likelihood(name, model, k, reference_data):
    X = reference_data(name)
    estimate = covariance.get(model).settling_estimate
    params = settled_params(X, mclust_partition(name, k), estimate)
    assert params is not None
    ours = log_likelihood(X, model, params)
    assert ours == pytest.approx(mclust_loglik(name, model, k), rel=1e-9)


@pytest.mark.parametrize("name, model, k", CELLS)
def test_an_hc_fit_keeps_the_better_of_its_two_starts(name, model, k, reference_data):
    X = reference_data(name)
    result = engine.fit(X, engine.FitOptions(
        n_components=k, covariance_type=model, init="hc", seed=0, reg_covar=1e-9,
        accelerate="squarem", tol=1e-5,
    ))
    # The partition's own start, then the settled one; the better is kept.
    assert len(result.restart_objectives) == 2
    assert result.restart == int(np.argmax(result.restart_objectives))
    assert result.log_likelihood >= mclust_loglik(name, model, k) - 1e-6


@pytest.mark.parametrize("model", ["VVV", "EEE", "VEV", "EVE"])
def test_structures_whose_update_is_mclusts_have_one_hc_start(model, reference_data):
    X = reference_data("iris")
    result = engine.fit(X, engine.FitOptions(n_components=3, covariance_type=model, init="hc"))
    assert len(result.restart_objectives) == 1


@pytest.mark.parametrize("changes", [
    {"init": "kmeans++"}, {"e_step": "hard"}, {"n_components": 1},
    {"fixed": ("weights",), "init": engine.Params(np.full(3, 1 / 3), means=np.zeros((3, 4)),
                                                  covariances=np.stack([np.eye(4)] * 3))},
])
def test_no_settled_start_where_it_would_not_be_mclusts(changes, reference_data):
    X = reference_data("iris")
    options = engine.FitOptions(n_components=3, covariance_type="VVE", init="hc")
    result = engine.fit(X, options.replace(**changes))
    assert len(result.restart_objectives) == 1


def test_the_settled_start_is_deterministic(reference_data):
    X = reference_data("thyroid")
    fits = [
        engine.fit(X, engine.FitOptions(n_components=2, covariance_type="VVE", init="hc",
                                        seed=seed))
        for seed in (0, 1)
    ]
    assert fits[0].restart_objectives == fits[1].restart_objectives
    assert fits[0].history == fits[1].history


def test_the_eev_update_from_rows_is_the_m_step_where_the_rows_span_the_columns():
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(3, 40, 4)) @ rng.normal(size=(3, 4, 4))
    nk = rng.uniform(5, 30, size=3)
    eev = covariance.get("EEV")
    axes, values, _ = eev.settling_estimate(rows, nk, None)
    from_rows = np.einsum("kij,kj,klj->kil", axes, values, axes)
    from_sums = eev.estimate(np.swapaxes(rows, 1, 2) @ rows, nk, None)
    np.testing.assert_allclose(from_rows, from_sums, rtol=1e-10, atol=1e-12)


def test_the_eev_update_of_fewer_rows_than_columns_is_singular_not_a_shape_error():
    # Every component's factor then lacks the last axis: their shared value there is zero.
    rows = np.zeros((2, 2, 3))
    rows[0] = [[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    rows[1] = [[0.0, 0.0, 3.0], [1.0, 1.0, 1.0]]
    with pytest.raises(SingularComponent):
        covariance.get("EEV").settling_estimate(rows, np.array([1.0, 1.0]), None)
    X = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 0.0]])
    assert settled_params(X, np.eye(2), covariance.get("EEV").settling_estimate) is None


def test_settling_stops_without_a_fit_when_a_component_empties():
    X = np.array([[0.0, 0.0], [1.0, 0.5], [0.2, 1.0], [5.0, 5.0]])
    resp = np.zeros((4, 2))
    resp[:3, 0] = 1.0  # the second component holds no row
    assert settled_params(X, resp, covariance.get("VVE").settling_estimate) is None


def _rows_on_one_value(jitter: float) -> np.ndarray:
    """Two clusters and 25 rows within ``jitter`` of one point: a component of a
    three-component VVE fit sits on those, held up by the regularisation alone."""
    rng = np.random.default_rng(0)
    return np.vstack([
        rng.normal([0.0, 0.0], 1.0, size=(60, 2)),
        rng.normal([6.0, 3.0], [1.0, 0.5], size=(60, 2)),
        np.array([3.0, -4.0]) + jitter * rng.normal(size=(25, 2)),
    ])


@pytest.mark.parametrize(
    "n_init, said",
    [
        (3, "every one of the 3 starts ended so, and so did the settled hc start added after "
            "them; "),
        (1, "the start asked for and the settled hc start added after it both ended so; "),
    ],
)
def test_the_collapse_warning_counts_the_starts_asked_for(n_init: int, said: str) -> None:
    # The settled start ran (a start of its own) and ended on the regularisation too,
    # but the warning counted it among the starts asked for: "every one of the 4
    # starts" for n_init = 3, "of the 2 starts" for one.
    options = engine.FitOptions(
        covariance_type="VVE", n_components=3, init="hc", n_init=n_init, seed=0
    )
    result = engine.fit(_rows_on_one_value(1e-6), options)
    assert len(result.restart_objectives) == n_init + 1  # the settled start ran
    assert result.collapsed == (2,)
    assert result.messages[-1] == (
        "component 3 rests on the regularisation alone: it sits on rows with no spread in "
        "some direction (rows that share a value, lie on a line or a plane, or are fewer than the columns), "
        f"a spurious optimum whose likelihood means little; {said}try more starts (n_init) or "
        "fewer components"
    )


def test_the_collapse_warning_counts_starts_alone_where_none_was_settled() -> None:
    # Rows exactly equal: mclust's iteration stops without a fit, so no settled start.
    options = engine.FitOptions(covariance_type="VVE", n_components=3, init="hc", n_init=3, seed=0)
    result = engine.fit(_rows_on_one_value(0.0), options)
    assert len(result.restart_objectives) == 3
    assert "; every one of the 3 starts ended so; try more starts" in result.messages[-1]
