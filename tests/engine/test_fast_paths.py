"""The optimised passes give the results of the plain ones.

The plain pass is the default of :class:`engine.models.base.MixtureModel`: the
model's own ``log_prob`` and ``suff_stats`` on every chunk, row by row. The
fused passes of the models must agree with it; chunking must not change a fit
(beyond round-off); the number of worker threads must not change a single bit;
float32 must reach the float64 log-likelihood to 1e-5 relative. No test here
measures a time.
"""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest

import engine
from engine.data import ArraySource
from engine.options import DTYPES
from engine.estep import (
    NonFiniteRow,
    hard_under_ceiling,
    normalise,
    normalise_in_place,
    normalise_under_ceiling,
)
from engine.models import gaussian_pass
from engine.models.base import MixtureModel
from engine.models.binomial import BinomialModel
from engine.models.poisson import PoissonModel
from engine.models.gaussian import GaussianModel
from engine.models.kmeans import KMeansModel
from engine.parallel import ChunkRunner, resolve_threads, set_blas_limiter

TRIALS = 5
#: (model, covariance type) pairs: every model and every covariance.
VARIANTS = [
    ("gaussian", "full"),
    ("gaussian", "tied"),
    ("gaussian", "diag"),
    ("gaussian", "spherical"),
    ("kmeans", "full"),
    ("bernoulli", "full"),
    ("binomial", "full"),
    ("poisson", "full"),
]
FUSED_METHODS = ("data_plan", "prepare_chunk", "pass_plan", "chunk_pass", "pass_stats")


def problem(model: str, n_samples: int = 600, seed: int = 3, offset: float = 50.0) -> np.ndarray:
    """Three overlapping clusters of the model's kind of data, in 4 columns."""
    rng = np.random.default_rng([seed, len(model)])
    labels = rng.integers(3, size=n_samples)
    if model in ("gaussian", "kmeans"):
        centres = rng.normal(scale=3.0, size=(3, 4))
        mixing = np.eye(4) + 0.3 * rng.normal(size=(3, 4, 4))
        noise = rng.normal(size=(n_samples, 4))
        return offset + centres[labels] + np.einsum("nd,nde->ne", noise, mixing[labels])
    probs = rng.uniform(0.1, 0.9, size=(3, 4))
    if model == "bernoulli":
        return (rng.uniform(size=(n_samples, 4)) < probs[labels]).astype(float)
    if model == "binomial":
        return rng.binomial(TRIALS, probs[labels]).astype(float)
    return rng.poisson(rng.uniform(0.5, 9.0, size=(3, 4))[labels]).astype(float)


def options(model: str, covariance_type: str, **changes: object) -> engine.FitOptions:
    base = engine.FitOptions(
        model=model,
        covariance_type=covariance_type,
        n_components=3,
        trials=TRIALS if model == "binomial" else None,
        max_iter=25,
        tol=0.0,
        seed=11,
    )
    return base.replace(**changes)


def assert_same_fit(a: engine.FitResult, b: engine.FitResult, rtol: float) -> None:
    np.testing.assert_allclose(a.history, b.history, rtol=rtol)
    np.testing.assert_allclose(a.objective_history, b.objective_history, rtol=rtol)
    for name, value in b.params.arrays().items():
        np.testing.assert_allclose(
            getattr(a.params, name), value, rtol=rtol, atol=rtol * np.abs(value).max()
        )
    for name, values in b.metrics_history.items():
        np.testing.assert_allclose(a.metrics_history[name], values, rtol=rtol)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.entropy == pytest.approx(b.entropy, rel=max(rtol, 1e-10), abs=1e-9)


def assert_identical_fit(a: engine.FitResult, b: engine.FitResult) -> None:
    assert a.history == b.history
    assert a.objective_history == b.objective_history
    for name, value in b.params.arrays().items():
        np.testing.assert_array_equal(getattr(a.params, name), value)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.entropy == b.entropy


@pytest.fixture
def plain_passes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every model runs the default pass: its own log_prob and suff_stats, row by row."""
    for cls in (GaussianModel, KMeansModel, BinomialModel, PoissonModel):
        for name in FUSED_METHODS:
            monkeypatch.setattr(cls, name, getattr(MixtureModel, name))
    yield


# --- fused passes against the plain one --------------------------------------------------


@pytest.fixture(scope="module")
def fused_fits() -> dict[tuple[str, str, str], engine.FitResult]:
    return {
        (model, cov, e_step): engine.fit(problem(model), options(model, cov, e_step=e_step))
        for model, cov in VARIANTS
        for e_step in ("soft", "hard")
    }


@pytest.mark.parametrize("e_step", ["soft", "hard"])
@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_fused_pass_gives_the_plain_fit(
    plain_passes: None,
    fused_fits: dict[tuple[str, str, str], engine.FitResult],
    model: str,
    covariance_type: str,
    e_step: str,
) -> None:
    plain = engine.fit(problem(model), options(model, covariance_type, e_step=e_step))
    assert_same_fit(fused_fits[model, covariance_type, e_step], plain, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_whitened_and_feature_passes_agree(
    monkeypatch: pytest.MonkeyPatch, covariance_type: str
) -> None:
    X = problem("gaussian")
    fit_options = options("gaussian", covariance_type)
    features = engine.fit(X, fit_options)
    # Past these limits every covariance type takes the whitened residuals.
    monkeypatch.setattr(gaussian_pass, "FEATURES_MAX_COLUMNS", 0)
    monkeypatch.setattr(gaussian_pass, "FEATURES_MAX_ERROR", 0.0)
    whitened = engine.fit(X, fit_options)
    assert_same_fit(whitened, features, rtol=1e-10)


def test_each_plan_is_chosen_where_it_is_meant_to_be() -> None:
    X = problem("gaussian")
    start = engine.fit(X, options("gaussian", "full", max_iter=0)).params
    model = GaussianModel("full", np.zeros(4))
    params = model.prepare(start)
    centre = model.data_plan(ArraySource(X))
    double, single = np.dtype(np.float64), np.dtype(np.float32)
    assert isinstance(model.pass_plan(params, centre, double), gaussian_pass.FeaturesPlan)
    wide = GaussianModel("full", np.zeros(20))
    X_wide = np.random.default_rng(0).normal(size=(200, 20))
    wide_params = wide.prepare(
        engine.Params(weights=[0.5, 0.5], means=X_wide[:2], covariances=np.stack([np.eye(20)] * 2))
    )
    wide_centre = wide.data_plan(ArraySource(X_wide))
    assert isinstance(wide.pass_plan(wide_params, wide_centre, double), gaussian_pass.WhitenedPlan)
    # In float32, a component far from the data's centre in its own standard
    # deviations would lose digits to the expanded quadratic form.
    moved = start.means + np.array([[0.0, 0.0, 0.0, 5e3], [0.0] * 4, [0.0] * 4])
    far = model.prepare(start.replace(means=moved))
    assert isinstance(model.pass_plan(far, centre, single), gaussian_pass.WhitenedPlan)
    assert isinstance(model.pass_plan(far, centre, double), gaussian_pass.FeaturesPlan)


def test_the_rows_extent_decides_the_plan_in_float64_only() -> None:
    """A component thin against the data's range: in float64 the rows far from it
    take the whitened pass; in float32 the bound would take it on ordinary data and
    cost float32 its speed, so only the means' distances decide there."""
    X = problem("gaussian")
    model = engine.fit_setup.model_for(options("gaussian", "full"), X)
    start = engine.fit(X, options("gaussian", "full", max_iter=0)).params
    centre = model.data_plan(ArraySource(X))
    # Means at the data's centre, so only the rows' extent can call for whitening.
    thin = model.prepare(
        start.replace(means=np.tile(centre, (3, 1)), covariances=start.covariances * 1e-14)
    )
    double, single = np.dtype(np.float64), np.dtype(np.float32)
    assert isinstance(model.pass_plan(thin, centre, double), gaussian_pass.WhitenedPlan)
    assert isinstance(model.pass_plan(thin, centre, single), gaussian_pass.FeaturesPlan)


# --- chunks -------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 599])
@pytest.mark.parametrize("e_step", ["soft", "hard"])
@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_chunked_passes_give_the_whole_fit(
    fused_fits: dict[tuple[str, str, str], engine.FitResult],
    model: str,
    covariance_type: str,
    e_step: str,
    chunk_size: int,
) -> None:
    whole = fused_fits[model, covariance_type, e_step]
    assert whole.n_samples == 600  # auto chunk size: one chunk for so few rows
    chunked = engine.fit(
        problem(model), options(model, covariance_type, e_step=e_step, chunk_size=chunk_size)
    )
    assert_same_fit(chunked, whole, rtol=1e-12)


# --- threads ------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_threads_give_bit_identical_fits(model: str, covariance_type: str) -> None:
    X = problem(model, n_samples=5000)
    fit_options = options(model, covariance_type, chunk_size=311, n_init=2)
    one = engine.fit(X, fit_options.replace(n_threads=1))
    for n_threads in (2, 3):
        assert_identical_fit(engine.fit(X, fit_options.replace(n_threads=n_threads)), one)


def test_threads_give_bit_identical_fits_under_a_blas_limiter() -> None:
    entered: list[int] = []

    class Limiter:
        def __enter__(self) -> None:
            entered.append(1)

        def __exit__(self, *exc_info: object) -> None:
            pass

    X = problem("gaussian", n_samples=4000)
    fit_options = options("gaussian", "full", chunk_size=500)
    one = engine.fit(X, fit_options.replace(n_threads=1))
    set_blas_limiter(Limiter)
    try:
        two = engine.fit(X, fit_options.replace(n_threads=2))
        automatic = engine.fit(X, fit_options)
    finally:
        set_blas_limiter(None)
    assert entered, "the limiter was never used"
    assert_identical_fit(two, one)
    assert_identical_fit(automatic, one)


def test_automatic_threads_need_a_blas_limiter() -> None:
    assert resolve_threads(None) == 1
    assert resolve_threads(3) == 3
    set_blas_limiter(lambda: ChunkRunner(1))  # any context manager will do
    try:
        assert resolve_threads(None) >= 1
    finally:
        set_blas_limiter(None)


def test_runner_returns_results_in_order_and_stops_its_threads() -> None:
    workers: set[threading.Thread] = set()

    def square(i: int) -> int:
        workers.add(threading.current_thread())
        return i * i

    with ChunkRunner(3) as runner:
        assert runner.map(square, range(50)) == [i * i for i in range(50)]
        assert threading.current_thread() not in workers and workers  # ran on its threads
        assert all(thread.is_alive() for thread in workers)  # kept for the next pass
    assert all(not thread.is_alive() for thread in workers)


# --- float32 ------------------------------------------------------------------------------


@pytest.mark.parametrize("e_step", ["soft", "hard"])
@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_float32_reaches_the_float64_log_likelihood(
    fused_fits: dict[tuple[str, str, str], engine.FitResult],
    model: str,
    covariance_type: str,
    e_step: str,
) -> None:
    double = fused_fits[model, covariance_type, e_step]
    single = engine.fit(problem(model), options(model, covariance_type, e_step=e_step, dtype="float32"))
    np.testing.assert_allclose(single.history, double.history, rtol=1e-5)
    for name, value in double.params.arrays().items():
        np.testing.assert_allclose(
            getattr(single.params, name), value, rtol=1e-3, atol=1e-4 * np.abs(value).max()
        )
    assert single.params.weights.dtype == np.float64


def test_float32_starts_where_float64_starts_on_data_of_many_chunks() -> None:
    # float32 passes take twice the rows per chunk; the start is still made in
    # float64 with the float64 chunks, so both fits begin from the same parameters.
    rng = np.random.default_rng(8)
    X = rng.normal(size=(100_000, 2)) + 5.0 * rng.integers(0, 3, size=(100_000, 1))
    base = engine.FitOptions(n_components=3, covariance_type="diag", max_iter=3, tol=0.0, seed=2)
    starts = [next(engine.iterate(X, base.replace(dtype=dtype))).params for dtype in DTYPES]
    for name, value in starts[0].arrays().items():
        np.testing.assert_array_equal(getattr(starts[1], name), value)


@pytest.mark.parametrize("offset", [0.0, 1e4, -3e6])
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_float32_keeps_labels_of_well_separated_data_far_from_the_origin(
    covariance_type: str, offset: float
) -> None:
    rng = np.random.default_rng(5)
    labels = rng.integers(3, size=20_000)
    centres = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 2.0], [0.0, 9.0, -4.0]])
    X = offset + centres[labels] + rng.normal(size=(20_000, 3))
    fit_options = engine.FitOptions(
        n_components=3, covariance_type=covariance_type, max_iter=30, tol=0.0, seed=2
    )
    double = engine.fit(X, fit_options)
    single = engine.fit(X, fit_options.replace(dtype="float32"))
    np.testing.assert_array_equal(single.labels, double.labels)
    assert single.log_likelihood == pytest.approx(double.log_likelihood, rel=1e-5)


def test_dtype_and_threads_are_validated() -> None:
    X = problem("gaussian")
    with pytest.raises(ValueError, match="unknown dtype 'float16'; choose float64 or float32"):
        engine.fit(X, options("gaussian", "full", dtype="float16"))
    with pytest.raises(ValueError, match="n_threads must be a whole number of at least 1"):
        engine.fit(X, options("gaussian", "full", n_threads=0))
    with pytest.raises(ValueError, match="chunk_size must be a whole number of rows"):
        engine.fit(X, options("gaussian", "full", chunk_size=-5))


# --- details of the fused passes ----------------------------------------------------------


def test_zero_weights_give_the_same_fit_fused_and_plain() -> None:
    X = problem("gaussian")
    fitted = engine.fit(X, options("gaussian", "full", max_iter=3))
    start = fitted.params.replace(weights=np.array([0.0, 0.4, 0.6]))
    fit_options = options("gaussian", "full", init=start, max_iter=4)
    fused = engine.fit(X, fit_options)
    with pytest.MonkeyPatch.context() as patch:
        for name in FUSED_METHODS:
            patch.setattr(GaussianModel, name, getattr(MixtureModel, name))
        plain = engine.fit(X, fit_options)
    assert_same_fit(fused, plain, rtol=1e-10)
    assert not np.any(fused.labels == 0)


def test_normalise_in_place_matches_the_row_major_reference() -> None:
    rng = np.random.default_rng(1)
    weighted = rng.normal(scale=30.0, size=(257, 5))
    weighted[:, 3] = -1e30  # a component of zero weight
    log_norm, log_resp = normalise(weighted)
    component_major = weighted.T.copy()
    summary = normalise_in_place(component_major, True, True)
    labels = summary.labels
    np.testing.assert_allclose(component_major, np.exp(log_resp).T, rtol=1e-12, atol=1e-300)
    assert summary.log_likelihood == pytest.approx(log_norm.sum(), rel=1e-13)
    np.testing.assert_array_equal(labels, np.argmax(weighted, axis=1))
    assert summary.classification == pytest.approx(weighted.max(axis=1).sum(), rel=1e-13)
    resp = np.exp(log_resp)
    entropy = -np.where(resp > 0, resp * log_resp, 0.0).sum()
    assert summary.entropy == pytest.approx(entropy, rel=1e-10)


@pytest.mark.parametrize("far_fraction", [0.0, 0.05, 0.5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_normalising_under_a_ceiling_matches_the_reference(
    far_fraction: float, dtype: type
) -> None:
    rng = np.random.default_rng(4)
    weighted = rng.normal(scale=3.0, size=(300, 4)) - 5.0
    # Rows whose every term underflows below the ceiling: recomputed one by one
    # when few, the whole chunk normalised the usual way when many.
    weighted[: int(far_fraction * 300)] -= 5000.0
    ceiling = float(weighted.max()) + 2.0
    below = (weighted - ceiling).T.astype(dtype)
    # The reference starts from the same (possibly single-precision) numbers.
    log_norm, log_resp = normalise(below.T.astype(np.float64) + ceiling)
    summary, resp = normalise_under_ceiling(
        below.copy(), ceiling, lambda columns: below[:, columns]
    )
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(resp, np.exp(log_resp).T, rtol=rtol, atol=rtol * 1e-3)
    assert summary.log_likelihood == pytest.approx(log_norm.sum(), rel=rtol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("far_fraction", [0.0, 0.05, 0.5])
def test_the_hard_e_step_under_a_ceiling_matches_the_reference(
    far_fraction: float, dtype: type
) -> None:
    rng = np.random.default_rng(5)
    weighted = rng.normal(scale=3.0, size=(300, 4)) - 5.0
    weighted[: int(far_fraction * 300)] -= 5000.0
    weighted[-3:, 2] = weighted[-3:, 0] = weighted[-3:].max(axis=1) + 1.0  # ties: the first wins
    ceiling = float(weighted.max()) + 2.0
    below = (weighted - ceiling).T.astype(dtype)
    log_norm, _ = normalise(below.T.astype(np.float64) + ceiling)
    summary = hard_under_ceiling(below.copy(), ceiling, lambda columns: below[:, columns])
    exact = below.T.astype(np.float64) + ceiling
    np.testing.assert_array_equal(summary.labels, np.argmax(below, axis=0))
    np.testing.assert_array_equal(summary.hits, np.eye(4)[np.argmax(below, axis=0)].T)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert summary.log_likelihood == pytest.approx(log_norm.sum(), rel=rtol)
    assert summary.classification == pytest.approx(exact.max(axis=1).sum(), rel=rtol)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_rows_far_from_every_component_give_the_plain_fit(covariance_type: str) -> None:
    X = problem("gaussian", n_samples=2000)
    X[::97] += 1e4  # some twenty rows thousands of standard deviations from every mean
    start = engine.fit(X[2:], options("gaussian", covariance_type, max_iter=2)).params
    fit_options = options("gaussian", covariance_type, init=start, max_iter=3)
    fused = engine.fit(X, fit_options)
    single = engine.fit(X, fit_options.replace(dtype="float32"))
    with pytest.MonkeyPatch.context() as patch:
        for name in FUSED_METHODS:
            patch.setattr(GaussianModel, name, getattr(MixtureModel, name))
        plain = engine.fit(X, fit_options)
    # Moments about the data's centre lose eps * (distance / standard deviation)**2
    # to rounding: about 1e-8 for rows 1e4 standard deviations out.
    assert_same_fit(fused, plain, rtol=1e-7)
    np.testing.assert_allclose(single.history, plain.history, rtol=1e-5)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", ["features", "whitened"])
def test_a_component_on_identical_rows_collapses_when_the_plain_pass_says(
    monkeypatch: pytest.MonkeyPatch, path: str, dtype: str
) -> None:
    # Full covariances: the plain pass finds the scatter of twenty identical rows
    # exactly zero at the first M-step. (With diagonal ones it keeps a variance of
    # about 1e-30, the rounding of the new mean, and never reports a collapse.)
    covariance_type = "full"
    rng = np.random.default_rng(0)
    X = np.concatenate(
        [rng.normal((0, 0), 1, (50, 2)), rng.normal((10, 0), 1, (50, 2)), np.tile([5.0, 10.0], (20, 1))]
    )
    covariances = [np.eye(2), 1e-3 * np.eye(2), np.eye(2)]
    start = engine.Params(
        weights=[0.4, 0.2, 0.4], means=[[0.0, 0.0], [5.0, 10.0], [10.0, 0.0]],
        covariances=covariances,
    )
    fit_options = engine.FitOptions(
        n_components=3, covariance_type=covariance_type, init=start, reg_covar=0.0
    )

    def collapse(options: engine.FitOptions) -> tuple[int, int]:
        with pytest.raises(engine.CollapseError) as caught:
            engine.fit(X, options)
        return caught.value.component, caught.value.iteration

    with pytest.MonkeyPatch.context() as patch:
        for name in FUSED_METHODS:
            patch.setattr(GaussianModel, name, getattr(MixtureModel, name))
        plain = collapse(fit_options)
    if path == "whitened":
        monkeypatch.setattr(gaussian_pass, "FEATURES_MAX_COLUMNS", 0)
        monkeypatch.setattr(gaussian_pass, "FEATURES_MAX_ERROR", 0.0)
    assert collapse(fit_options.replace(dtype=dtype)) == plain


def test_first_of_equal_maxima_is_the_label() -> None:
    weighted = np.array([[1.0, 2.0, 3.0], [1.0, 5.0, 3.0], [0.0, 5.0, 3.0]])
    labels = normalise_in_place(weighted.copy(), True, False).labels
    np.testing.assert_array_equal(labels, [0, 1, 0])


def test_a_row_of_no_finite_density_is_reported() -> None:
    weighted = np.array([[0.0, np.nan], [1.0, np.nan]])
    with pytest.raises(NonFiniteRow) as caught, np.errstate(invalid="ignore"):
        normalise_in_place(weighted)
    assert caught.value.row == 1


# --- memory -------------------------------------------------------------------------------


def test_a_fit_holds_little_more_than_the_data() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 2)) + rng.integers(5, size=200_000)[:, None] * 4.0
    fit_options = engine.FitOptions(n_components=5, max_iter=3, tol=0.0, seed=0, n_threads=1)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        engine.fit(X, fit_options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The working copy of the data (D + 1 columns), the labels, the initial
    # partition's distances (K per row) and one chunk's temporaries.
    data_bytes = X.nbytes
    assert peak - before < 3 * data_bytes + 16 * 2**20
