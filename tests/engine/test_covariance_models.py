"""mclust's fourteen covariance structures: M-steps, constraints, counts and invariances.

Every structure's M-step is checked against a direct numerical maximisation of
the same objective, ``sum_k -(nk/2) log|S_k| - tr(S_k^-1 W_k)/2``, over an
unconstrained parametrisation written here from the letters alone: log-volumes
(one, or one per component), log-shapes that sum to zero (none, one shared, or
one per component) and orientations as matrix exponentials of skew matrices
(none, one shared, or one per component). Its number of values is mclust's
count of covariance parameters, which is checked too.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.optimize import minimize
from sklearn.datasets import load_iris

import engine
from engine.errors import SingularComponent
from engine.models import covariance
from engine.models.gaussian import GaussianModel, precisions_cholesky

STRUCTURES = covariance.names()
LETTERS = {name: covariance.get(name).mclust for name in STRUCTURES}
BY_LETTERS = {letters: name for name, letters in LETTERS.items()}

# mclust::nVarParams(model, d, G) for d = 1..5 (rows), G = 1..4 (columns), exported
# from R 4.2.2 with mclust 6.0.0:
#   for (m in models)
#     print(sapply(1:5, function(d) sapply(1:4, function(G) nVarParams(m, d = d, G = G))))
MCLUST_VAR_PARAMS = {
    "EII": [(1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)],
    "VII": [(1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)],
    "EEI": [(1, 1, 1, 1), (2, 2, 2, 2), (3, 3, 3, 3), (4, 4, 4, 4), (5, 5, 5, 5)],
    "VEI": [(1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 6), (4, 5, 6, 7), (5, 6, 7, 8)],
    "EVI": [(1, 1, 1, 1), (2, 3, 4, 5), (3, 5, 7, 9), (4, 7, 10, 13), (5, 9, 13, 17)],
    "VVI": [(1, 2, 3, 4), (2, 4, 6, 8), (3, 6, 9, 12), (4, 8, 12, 16), (5, 10, 15, 20)],
    "EEE": [(1, 1, 1, 1), (3, 3, 3, 3), (6, 6, 6, 6), (10, 10, 10, 10), (15, 15, 15, 15)],
    "VEE": [(1, 2, 3, 4), (3, 4, 5, 6), (6, 7, 8, 9), (10, 11, 12, 13), (15, 16, 17, 18)],
    "EVE": [(1, 1, 1, 1), (3, 4, 5, 6), (6, 8, 10, 12), (10, 13, 16, 19), (15, 19, 23, 27)],
    "VVE": [(1, 2, 3, 4), (3, 5, 7, 9), (6, 9, 12, 15), (10, 14, 18, 22), (15, 20, 25, 30)],
    "EEV": [(1, 1, 1, 1), (3, 4, 5, 6), (6, 9, 12, 15), (10, 16, 22, 28), (15, 25, 35, 45)],
    "VEV": [(1, 2, 3, 4), (3, 5, 7, 9), (6, 10, 14, 18), (10, 17, 24, 31), (15, 26, 37, 48)],
    "EVV": [(1, 1, 1, 1), (3, 5, 7, 9), (6, 11, 16, 21), (10, 19, 28, 37), (15, 29, 43, 57)],
    "VVV": [(1, 2, 3, 4), (3, 6, 9, 12), (6, 12, 18, 24), (10, 20, 30, 40), (15, 30, 45, 60)],
}

#: Closed under a change of each column's units (S -> C S C, C diagonal): a family
#: whose constraint survives it. Diagonal, equal and proportional covariances stay so,
#: and so do equal determinants (|C S C| = |C|^2 |S| for every component). Equal
#: shapes (eigenvalues up to scale) under different orientations (EEV, VEV), one
#: orientation (EVE, VVE) and roundness (EII, VII) do not survive it: C S_k C has
#: eigenvectors and eigenvalue ratios that depend on the component.
PER_COLUMN = {"VVV", "EEE", "VVI", "EEI", "VEI", "EVI", "VEE", "EVV"}
#: Closed under rotations (S -> Q S Q^T): all but the axis-aligned ones, which are
#: closed under permutations of the columns and changes of their signs.
AXIS_ALIGNED = {"EEI", "VEI", "EVI", "VVI"}
#: Their orientation problem has local maxima: from a given previous covariance the
#: M-step climbs to the maximum above it (a GEM step), so only the start without
#: one is held to the global maximum.
LOCAL_FROM_PREVIOUS = {"EVE", "VVE"}

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "mclust"


# --- the objective and the parametrisation, from the definitions ----------------------


def as_full(covariances: np.ndarray, storage: str, n_components: int, n_features: int):
    """Covariances in any storage as (K, D, D)."""
    if storage == "full":
        return np.asarray(covariances)
    if storage == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features)).copy()
    if storage == "diag":
        return np.array([np.diag(c) for c in covariances])
    return np.array([c * np.eye(n_features) for c in covariances])


def as_storage(full: np.ndarray, storage: str) -> np.ndarray:
    if storage == "full":
        return full
    if storage == "tied":
        return full[0]
    if storage == "diag":
        return np.diagonal(full, axis1=1, axis2=2).copy()
    return full[:, 0, 0].copy()


def reference_objective(full: np.ndarray, scatter: np.ndarray, nk: np.ndarray) -> float:
    """sum_k -(nk/2) log|S_k| - tr(S_k^-1 W_k)/2, by slogdet and solve."""
    sign, log_det = np.linalg.slogdet(full)
    assert np.all(sign > 0)
    traces = np.trace(np.linalg.solve(full, scatter), axis1=1, axis2=2)
    return float(np.sum(-0.5 * nk * log_det - 0.5 * traces))


def skew_exponential(skew: np.ndarray) -> np.ndarray:
    """exp(A) of skew matrices A (..., D, D): i A is Hermitian, i A = V diag(w) V^H,
    so exp(A) = V diag(exp(-i w)) V^H, a rotation (scipy's expm, much slower, agrees)."""
    w, v = np.linalg.eigh(1j * skew)
    return np.real((v * np.exp(-1j * w)[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2)))


def free_sizes(letters: str, n_components: int, n_features: int) -> tuple[int, int, int]:
    """How many free values volume, shape and orientation take."""
    skew = n_features * (n_features - 1) // 2
    volume = {"E": 1, "V": n_components}[letters[0]]
    shape = {"I": 0, "E": n_features - 1, "V": n_components * (n_features - 1)}[letters[1]]
    orientation = {"I": 0, "E": skew, "V": n_components * skew}[letters[2]]
    return volume, shape, orientation


def from_free(theta: np.ndarray, letters: str, n_components: int, n_features: int):
    """Values along the axes (K, D) and orientations (K, D, D) of a free vector."""
    n_volume, n_shape, _ = free_sizes(letters, n_components, n_features)
    volumes = np.broadcast_to(np.exp(theta[:n_volume]), (n_components,))
    shapes = np.zeros((n_components, n_features))
    if n_shape:
        free = theta[n_volume:n_volume + n_shape].reshape(-1, n_features - 1)
        shapes = np.broadcast_to(
            np.concatenate([free, -free.sum(axis=1, keepdims=True)], axis=1), shapes.shape
        )
    values = volumes[:, None] * np.exp(shapes)
    skews = theta[n_volume + n_shape:].reshape(-1, n_features * (n_features - 1) // 2)
    upper = np.triu_indices(n_features, 1)
    generators = np.zeros((max(len(skews), 1), n_features, n_features))
    generators[:, upper[0], upper[1]] = skews if len(skews) else 0.0
    rotations = skew_exponential(generators - np.swapaxes(generators, 1, 2))
    return values, np.broadcast_to(rotations, (n_components, n_features, n_features))


def free_objective(theta, letters, scatter, nk) -> float:
    values, rotations = from_free(theta, letters, *scatter.shape[:2])
    along = np.einsum("kia,kij,kja->ka", rotations, scatter, rotations)
    return float(np.sum(-0.5 * nk[:, None] * np.log(values) - 0.5 * along / values))


def compose(values: np.ndarray, rotations: np.ndarray) -> np.ndarray:
    return np.einsum("kia,ka,kja->kij", rotations, values, rotations)


def numerical_maximum(letters, scatter, nk, rng, restarts: int = 5) -> float:
    """The best of BFGS runs from random starts over the free parametrisation."""
    n_free = sum(free_sizes(letters, *scatter.shape[:2]))
    n_volume = free_sizes(letters, *scatter.shape[:2])[0]
    level = math.log(np.trace(scatter.sum(axis=0)) / (nk.sum() * scatter.shape[1]))

    def loss(theta: np.ndarray) -> float:
        value = free_objective(theta, letters, scatter, nk)
        return -value if np.isfinite(value) else np.inf

    best = -np.inf
    for _ in range(restarts):
        start = rng.normal(scale=0.7, size=n_free)
        start[:n_volume] += level
        # The line search may wander where exp overflows; only the best end matters here.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            found = minimize(loss, start, method="BFGS", options={"gtol": 1e-8})
        best = max(best, -found.fun)
    return best


def random_problem(seed: int, n_components: int, n_features: int):
    """Masses (K,) and scatter matrices (K, D, D) of components with random spreads
    and orientations."""
    rng = np.random.default_rng(seed)
    nk = rng.uniform(4.0, 40.0, n_components)
    scatter = []
    for n in nk:
        factor = rng.normal(size=(n_features, n_features)) * rng.uniform(0.3, 3.0, n_features)
        scatter.append(n * (factor @ factor.T + 0.05 * np.eye(n_features)))
    return nk, np.array(scatter)


def random_member(name: str, seed: int, n_components: int, n_features: int) -> np.ndarray:
    """Covariances of structure ``name`` drawn at random, in its storage."""
    letters = LETTERS[name]
    rng = np.random.default_rng([seed, 99])
    theta = rng.normal(scale=0.8, size=sum(free_sizes(letters, n_components, n_features)))
    full = compose(*from_free(theta, letters, n_components, n_features))
    return as_storage(full, covariance.get(name).storage)


def estimate_full(name: str, scatter: np.ndarray, nk: np.ndarray, previous=None) -> np.ndarray:
    structure = covariance.get(name)
    given = scatter if structure.full_moments else np.diagonal(scatter, axis1=1, axis2=2).copy()
    new = structure.estimate(given, nk, previous)
    assert new.shape == covariance.storage_shape(structure.storage, *scatter.shape[:2])
    return as_full(new, structure.storage, *scatter.shape[:2])


PROBLEMS = [(0, 2, 2), (1, 3, 2), (2, 2, 3), (3, 3, 3), (4, 3, 3)]


def problem_id(problem: tuple[int, int, int]) -> str:
    seed, k, d = problem
    return f"seed{seed}-K{k}-D{d}"


# --- counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STRUCTURES)
def test_parameter_counts_are_mclusts(name):
    letters = LETTERS[name]
    for d, row in enumerate(MCLUST_VAR_PARAMS[letters], start=1):
        for k, expected in enumerate(row, start=1):
            assert covariance.get(name).n_parameters(k, d) == expected, (k, d)
            assert sum(free_sizes(letters, k, d)) == expected, (k, d)


def test_every_mclust_model_is_a_structure():
    assert sorted(LETTERS.values()) == sorted(MCLUST_VAR_PARAMS)
    for name, letters in LETTERS.items():
        assert covariance.get(letters) is covariance.get(name)


@pytest.mark.parametrize("name", STRUCTURES)
def test_storage_follows_the_letters(name):
    letters = LETTERS[name]
    storage = covariance.get(name).storage
    if letters[1] == "I":
        assert storage == "spherical"
    elif letters[2] == "I":
        assert storage == "diag"
    else:
        assert storage == ("tied" if letters == "EEE" else "full")


@pytest.mark.parametrize("name", STRUCTURES)
def test_unit_free_is_declared_exactly_where_column_units_keep_the_family(name):
    # Starts measure distances in standard deviations for these (engine.starts).
    assert covariance.get(name).unit_free == (LETTERS[name] in PER_COLUMN)


# --- the M-step against a numerical maximisation ------------------------------------------


def test_the_parametrisation_gives_the_reference_objective():
    generator = np.random.default_rng(3).normal(size=(4, 4))
    skew = generator - generator.T
    np.testing.assert_allclose(skew_exponential(skew), expm(skew), atol=1e-13)
    nk, scatter = random_problem(7, 3, 3)
    theta = np.random.default_rng(1).normal(size=sum(free_sizes("VVV", 3, 3)))
    full = compose(*from_free(theta, "VVV", 3, 3))
    assert free_objective(theta, "VVV", scatter, nk) == pytest.approx(
        reference_objective(full, scatter, nk), rel=1e-12
    )


@pytest.mark.parametrize("problem", PROBLEMS, ids=problem_id)
@pytest.mark.parametrize("name", STRUCTURES)
def test_m_step_reaches_the_numerical_maximum(name, problem):
    seed, k, d = problem
    nk, scatter = random_problem(seed, k, d)
    best = numerical_maximum(LETTERS[name], scatter, nk, np.random.default_rng(seed))
    ours = reference_objective(estimate_full(name, scatter, nk), scatter, nk)
    assert ours >= best - 1e-6 * abs(best)
    if name not in LOCAL_FROM_PREVIOUS:
        previous = random_member(name, seed, k, d)
        from_previous = reference_objective(estimate_full(name, scatter, nk, previous), scatter, nk)
        assert from_previous >= best - 1e-6 * abs(best)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("name", STRUCTURES)
def test_m_step_never_lowers_the_objective_of_the_previous_covariances(name, seed):
    k, d = 3, 3
    nk, scatter = random_problem(100 + seed, k, d)
    previous = random_member(name, seed, k, d)
    storage = covariance.get(name).storage
    before = reference_objective(as_full(previous, storage, k, d), scatter, nk)
    after = reference_objective(estimate_full(name, scatter, nk, previous), scatter, nk)
    assert after >= before - 1e-12 * abs(before)


def test_a_common_orientation_from_a_previous_one_stays_in_its_basin():
    # Why EVE and VVE are held to the global maximum only without a previous
    # covariance: here a climb from another orientation ends lower, as EM, a local
    # method, may (the numerical maximum agrees with the start without one).
    nk, scatter = random_problem(2, 3, 3)
    best = reference_objective(estimate_full("VVE", scatter, nk), scatter, nk)
    ends = [
        reference_objective(
            estimate_full("VVE", scatter, nk, random_member("VVE", seed, 3, 3)), scatter, nk
        )
        for seed in range(8)
    ]
    assert max(ends) == pytest.approx(best, rel=1e-9)
    assert min(ends) < best - 1.0


# --- the constraints ---------------------------------------------------------------------


def check_constraint(letters: str, full: np.ndarray) -> None:
    values = np.linalg.eigvalsh(full)
    assert np.all(values > 0)
    np.testing.assert_array_equal(full, np.swapaxes(full, 1, 2))
    volumes = np.exp(np.log(values).mean(axis=1))
    shapes = values / volumes[:, None]
    if letters[0] == "E":
        np.testing.assert_allclose(volumes, volumes[0], rtol=1e-10)
    if letters[1] == "E":
        np.testing.assert_allclose(shapes, np.broadcast_to(shapes[0], shapes.shape), rtol=1e-8)
    if letters[2] == "E":
        # Symmetric matrices share their eigenvectors exactly when they commute.
        for i in range(len(full)):
            for j in range(i):
                gap = full[i] @ full[j] - full[j] @ full[i]
                scale = np.linalg.norm(full[i]) * np.linalg.norm(full[j])
                assert np.linalg.norm(gap) <= 1e-10 * scale


@pytest.mark.parametrize("problem", PROBLEMS, ids=problem_id)
@pytest.mark.parametrize("name", STRUCTURES)
def test_the_constraint_holds(name, problem):
    seed, k, d = problem
    nk, scatter = random_problem(seed, k, d)
    check_constraint(LETTERS[name], estimate_full(name, scatter, nk))
    previous = random_member(name, seed, k, d)
    check_constraint(LETTERS[name], estimate_full(name, scatter, nk, previous))


# --- degenerate inputs -------------------------------------------------------------------


def singular_component(name: str, scatter: np.ndarray, nk: np.ndarray) -> int | None:
    """The component the M-step (with the model's precision factors) finds singular."""
    storage = covariance.get(name).storage
    try:
        full = estimate_full(name, scatter, nk)
        precisions_cholesky(as_storage(full, storage), storage)
    except SingularComponent as exc:
        return exc.component
    assert np.all(np.isfinite(full))
    return None


#: With no scatter along the first column in component 1, the structures whose
#: component 1 has its own variance along it (its own shape, or its own axes)
#: have a singular maximum; the others share a positive variance there.
FLAT_IN_ONE_COLUMN = {"VVV", "VVI", "EVI", "EVE", "VVE", "EVV"}
#: With no scatter at all in component 1, only its volume shared keeps it positive.
NO_SCATTER = set(MCLUST_VAR_PARAMS) - {"EII", "EEI", "EEE", "EEV"}


@pytest.mark.parametrize("name", STRUCTURES)
def test_a_component_without_spread_is_singular_where_its_structure_lets_it_be(name):
    nk, scatter = random_problem(3, 3, 3)
    flat = scatter.copy()
    flat[1, 0, :] = flat[1, :, 0] = 0.0
    assert singular_component(name, flat, nk) == (
        1 if LETTERS[name] in FLAT_IN_ONE_COLUMN else None
    )
    empty = scatter.copy()
    empty[1] = 0.0
    assert singular_component(name, empty, nk) == (
        1 if LETTERS[name] in NO_SCATTER else None
    )


@pytest.mark.parametrize("name", STRUCTURES)
def test_a_nearly_empty_component_keeps_finite_covariances(name):
    # What the M-step sees of an empty component: EMPTY_MASS and the prior's scatter.
    nk, scatter = random_problem(4, 3, 3)
    nk[2] = 10 * np.finfo(np.float64).eps
    scatter[2] = np.diag([0.2, 1.5, 3.0])
    assert singular_component(name, scatter, nk) is None


# --- EM never lowers its objective --------------------------------------------------------


def mixture_data(seed: int, n_samples: int = 150) -> tuple[np.ndarray, int]:
    rng = np.random.default_rng([seed, 14])
    k, d = int(rng.integers(2, 4)), int(rng.integers(2, 4))
    labels = rng.integers(k, size=n_samples)
    centres = rng.normal(scale=3.0, size=(k, d))
    factors = rng.normal(size=(k, d, d)) * rng.uniform(0.3, 1.5, size=(k, 1, d))
    X = centres[labels] + np.einsum("nij,nj->ni", factors[labels], rng.normal(size=(n_samples, d)))
    return X, k


def largest_fall(values) -> float:
    values = np.asarray(values)
    allowance = 1e-9 * np.abs(values[:-1]) + 1e-9
    return float(np.max(values[:-1] - values[1:] - allowance))


@pytest.mark.parametrize("reg_covar", [1e-6, 0.0])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", STRUCTURES)
def test_em_never_lowers_its_objective(name, seed, reg_covar):
    X, k = mixture_data(seed)
    options = engine.FitOptions(
        n_components=k, covariance_type=name, reg_covar=reg_covar, tol=0.0, max_iter=40,
        seed=seed, init="random" if seed % 2 else "kmeans++",
    )
    result = engine.fit(X, options)
    assert result.n_iter == 40
    assert largest_fall(result.objective_history) <= 0.0
    assert not any("fell" in message for message in result.messages)


# --- equivariance --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    X, _ = mixture_data(5, n_samples=240)
    return X


def start_for(name: str, X: np.ndarray) -> engine.Params:
    """A start in the structure's family: two iterations from k-means++."""
    options = engine.FitOptions(n_components=3, covariance_type=name, max_iter=2, seed=2)
    return engine.fit(X, options).params


def transformed(params: engine.Params, name: str, matrix: np.ndarray) -> engine.Params:
    """Parameters for rows x -> A x: means A m, covariances A S A^T (in storage)."""
    storage = covariance.get(name).storage
    k, d = params.means.shape
    full = as_full(params.covariances, storage, k, d)
    moved = as_storage(matrix @ full @ matrix.T, storage)
    return engine.Params(params.weights, means=params.means @ matrix.T, covariances=moved)


def run_from(X: np.ndarray, name: str, start: engine.Params, reg_covar: float):
    options = engine.FitOptions(
        n_components=3, covariance_type=name, init=start, tol=0.0, max_iter=25,
        reg_covar=reg_covar,
    )
    return engine.fit(X, options)


def assert_transformed_fit(X, name, matrix, reg_covar):
    start = start_for(name, X)
    base = run_from(X, name, start, reg_covar)
    moved = run_from(X @ matrix.T, name, transformed(start, name, matrix), reg_covar)
    shift = -X.shape[0] * np.linalg.slogdet(matrix)[1]
    assert moved.log_likelihood == pytest.approx(base.log_likelihood + shift, rel=1e-9, abs=1e-9)
    expected = transformed(base.params, name, matrix)
    np.testing.assert_allclose(moved.params.weights, base.params.weights, rtol=1e-7)
    scale = np.abs(expected.means).max()
    np.testing.assert_allclose(moved.params.means, expected.means, rtol=1e-7, atol=1e-9 * scale)
    scale = np.abs(expected.covariances).max()
    np.testing.assert_allclose(
        moved.params.covariances, expected.covariances, rtol=1e-6, atol=1e-9 * scale
    )


COLUMN_UNITS = np.diag([1e-3, 1.0, 40.0])


@pytest.mark.parametrize("name", [n for n in STRUCTURES if LETTERS[n] in PER_COLUMN])
def test_changing_a_columns_units_only_changes_the_parameters_units(name, blobs):
    assert_transformed_fit(blobs, name, COLUMN_UNITS, reg_covar=1e-6)


@pytest.mark.parametrize("name", STRUCTURES)
def test_the_m_step_commutes_with_column_units_exactly_when_the_family_is_closed(name):
    nk, scatter = random_problem(11, 3, 3)
    units = np.diag(COLUMN_UNITS)
    scaled = estimate_full(name, scatter * np.outer(units, units), nk)
    expected = estimate_full(name, scatter, nk) * np.outer(units, units)
    sizes = np.sqrt(np.einsum("kii,kjj->kij", expected, expected))
    error = np.max(np.abs(scaled - expected) / sizes)
    if LETTERS[name] in PER_COLUMN:
        assert error < 1e-9
    else:
        assert error > 1e-3


@pytest.mark.parametrize("scale", [1e-3, 1e3])
@pytest.mark.parametrize("name", STRUCTURES)
def test_one_unit_for_all_columns_only_changes_the_parameters_units(name, scale, blobs):
    assert_transformed_fit(blobs, name, scale * np.eye(3), reg_covar=1e-6)


def random_rotation(seed: int, n_features: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n_features, n_features)))
    return q * np.sign(np.diag(r))


SIGNED_PERMUTATION = np.array([[0.0, 0.0, -1.0], [1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])


@pytest.mark.parametrize("name", STRUCTURES)
def test_rotating_the_data_rotates_the_fit_where_the_structure_allows(name, blobs):
    # No regularisation: it is relative to each column's variance, which a rotation mixes.
    matrix = SIGNED_PERMUTATION if LETTERS[name] in AXIS_ALIGNED else random_rotation(3, 3)
    assert_transformed_fit(blobs, name, matrix, reg_covar=0.0)


# --- the reference tables from R ------------------------------------------------------------


def table_data(name: str, request: pytest.FixtureRequest) -> np.ndarray:
    if name == "faithful":
        return request.getfixturevalue("faithful")
    if name == "iris":
        return load_iris().data
    return np.loadtxt(REFERENCE / f"{name}.csv", delimiter=",", skiprows=1, ndmin=2)


TABLES = ["faithful", "iris", "diabetes", "banknote", "thyroid", "EuroUnemployment"]


@pytest.mark.parametrize("name", TABLES)
def test_the_mclust_tables_are_complete(name, request):
    table = np.genfromtxt(
        REFERENCE / f"bic_{name}.csv", delimiter=",", names=True, dtype=None, encoding="utf-8"
    )
    X = table_data(name, request)
    n_samples, n_features = X.shape
    cells = sorted(zip(table["model"].tolist(), table["K"].tolist()))
    assert cells == sorted((m, k) for m in MCLUST_VAR_PARAMS for k in range(1, 10))
    assert set(table["R_version"].tolist()) == {"4.2.2"}
    assert set(table["mclust_version"].tolist()) == {"6.0.0"}
    failed = table["return_code"] < 0
    np.testing.assert_array_equal(np.isnan(table["BIC"]), failed)
    np.testing.assert_array_equal(np.isnan(table["loglik"]), failed)
    fitted = ~failed
    np.testing.assert_allclose(
        table["BIC"][fitted],
        2 * table["loglik"][fitted] - table["df"][fitted] * math.log(n_samples),
        rtol=1e-13,
    )
    # mclust counts the parameters of every cell as we do.
    for model, k, df in zip(table["model"], table["K"], table["df"]):
        ours = GaussianModel(BY_LETTERS[str(model)]).n_free_parameters(int(k), n_features, ())
        assert ours == df, (model, k)


def test_the_closed_form_polar_factor_of_a_2x2_matrix_is_the_svds():
    """The climbs of VVE and EVE take one 2 x 2 polar factor in closed form: it must be
    U V^T of the SVD, rotations and reflections alike, and orthogonal."""
    from engine.models.covariance.eigen_orientation import polar

    rng = np.random.default_rng(14)
    matrices = rng.normal(size=(400, 2, 2)) * np.exp(rng.uniform(-6, 6, size=(400, 1, 1)))
    matrices[:5] = [[[2, 0], [0, 1]], [[1, 0], [0, -3]], [[0, 1], [1, 0]], [[1, 2], [2, 4]],
                    [[0, -1], [1, 0]]]
    determinants = np.linalg.det(matrices)
    assert (determinants > 0).any() and (determinants < 0).any()
    for matrix in matrices:
        u, singular, vt = np.linalg.svd(matrix)
        got = polar(matrix[None])
        assert got.shape == (1, 2, 2)
        np.testing.assert_allclose(got[0] @ got[0].T, np.eye(2), atol=1e-14)
        if singular[1] > 1e-12 * singular[0]:  # a singular matrix has no unique factor
            np.testing.assert_allclose(got[0], u @ vt, atol=1e-13)
    # Several at once, or D other than 2, go through the SVD itself.
    np.testing.assert_allclose(polar(matrices[5:9]), np.linalg.svd(matrices[5:9])[0]
                               @ np.linalg.svd(matrices[5:9])[2], atol=1e-13)


def test_the_closed_form_eigen_decomposition_of_a_2x2_matrix_is_lapacks():
    """VEE's climb decomposes one 2 x 2 matrix per step in closed form: the same
    values (largest first) as LAPACK's, and orthonormal axes that rebuild the matrix."""
    from engine.models.covariance.eigen import descending_eigh

    rng = np.random.default_rng(41)
    matrices = [np.diag([1.0, 4.0]), np.diag([4.0, 1.0]), 3.0 * np.eye(2), np.zeros((2, 2)),
                np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([[1e-9, 0.0], [0.0, 1e9]])]
    for _ in range(300):
        factor = rng.normal(size=(2, 2)) * np.exp(rng.uniform(-8, 8, size=(2, 1)))
        matrices.append(factor @ factor.T)
    for matrix in matrices:
        values, axes = descending_eigh(matrix)
        expected, _ = descending_eigh(matrix[None])  # a stack goes to LAPACK
        scale = max(np.abs(matrix).max(), 1e-300)
        np.testing.assert_allclose(values, expected[0], rtol=0, atol=4e-16 * scale)
        assert values[0] >= values[1]
        np.testing.assert_allclose(axes.T @ axes, np.eye(2), atol=1e-15)
        np.testing.assert_allclose(axes @ np.diag(values) @ axes.T, matrix, rtol=0,
                                   atol=4e-16 * scale)
