"""One cell of the grid: the engine against its reference on one data set.

Gaussian mixtures run against scikit-learn's ``GaussianMixture``, k-means
against scikit-learn's ``KMeans`` (Lloyd, from the same seed rows), and the
count mixtures against :mod:`bench.reference`. Both sides get the same data,
the same starting parameters, the same number of iterations and the same
number of threads: the engine ``threads`` workers with BLAS held to one thread
each; the reference is timed with BLAS (and OpenMP) limited to one thread and
to ``threads`` threads, and the faster counts.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

import engine
from bench import data
from engine.parallel import available_cores
from bench.measure import (
    Timing,
    best,
    dgemm_rate,
    DifferencedTimer,
    engine_run,
    peak_extra_mb,
    sklearn_gmm_run,
    thread_limits,
)
from bench.reference import count_em

#: Full-covariance cells with at least this many columns are compared with the flop floor.
FLOOR_MIN_FEATURES = 10

SEED = 20240611
BINOMIAL_TRIALS = 10
#: A reference run predicted to take longer than this is estimated from a tenth of the rows.
REFERENCE_BUDGET_SECONDS = 60.0


@dataclass(frozen=True)
class Cell:
    model: str  # gaussian, kmeans, bernoulli, binomial, poisson
    covariance: str  # full or diag for gaussian, "-" otherwise
    n_samples: int
    n_features: int
    n_components: int

    @property
    def label(self) -> str:
        cov = "" if self.covariance == "-" else f" {self.covariance}"
        return f"{self.model}{cov} N={self.n_samples:.0e} D={self.n_features} K={self.n_components}"


@dataclass(frozen=True)
class Settings:
    threads: int
    iterations: int
    repeats: int
    float32: bool
    memory: bool

    @property
    def engine_threads(self) -> int | None:
        """The engine's ``n_threads``: its own choice when all cores are allowed."""
        return None if self.threads >= available_cores() else self.threads


@dataclass
class Outcome:
    """What a cell measured; times in seconds per iteration, memory in MB."""

    cell: Cell
    ours: float
    reference: float
    reference_estimated: bool
    ours_peak: float | None
    reference_peak: float | None
    value_gap: float  # |ours - reference| / |reference| of the final log-likelihood (or inertia)
    ours_float32: float | None = None
    float32_gap: float | None = None
    notes: list[str] = field(default_factory=list)
    #: The machine's DGEMM rate in flop/s, measured between the engine's runs
    #: (full-covariance cells with D >= 10 only; the best of those measurements).
    dgemm_rate: float | None = None

    @property
    def ratio(self) -> float:
        return self.ours / self.reference


def _gap(ours: float, reference: float) -> float:
    return abs(ours - reference) / abs(reference)


def _reference_threads(settings: Settings) -> list[int]:
    return sorted({1, settings.threads})


def _predicted_reference_seconds(cell: Cell) -> float:
    """A rough, generous model of scikit-learn's GaussianMixture per iteration."""
    n, d, k = cell.n_samples, cell.n_features, cell.n_components
    per_row = 1e-7 * k + (4 * k * d * d / 9e9 if cell.covariance == "full" else 2e-8 * k * d)
    return n * per_row


# --- Gaussian mixtures ------------------------------------------------------------------


def _gaussian_problem(cell: Cell) -> tuple[np.ndarray, engine.Params, dict[str, np.ndarray]]:
    X = data.gaussian_blobs(cell.n_samples, cell.n_features, cell.n_components, SEED)
    weights, means, covariances = data.gaussian_start(
        X, cell.n_components, cell.covariance, SEED + 1
    )
    precisions = np.linalg.inv(covariances) if cell.covariance == "full" else 1.0 / covariances
    start = engine.Params(weights=weights, means=means, covariances=covariances)
    sklearn_start = {"weights_init": weights, "means_init": means, "precisions_init": precisions}
    return X, start, sklearn_start


def _sklearn_gmm(cell: Cell, start: dict[str, np.ndarray], iterations: int):
    def make(**extra: object) -> GaussianMixture:
        return GaussianMixture(
            n_components=cell.n_components,
            covariance_type=cell.covariance,
            reg_covar=0.0,
            tol=0.0,
            max_iter=iterations,
            n_init=1,
            init_params="random_from_data",
            random_state=0,
            **start,
            **extra,
        )

    return make


def gaussian_cell(cell: Cell, settings: Settings) -> Outcome:
    X, start, sklearn_start = _gaussian_problem(cell)
    options = engine.FitOptions(
        model="gaussian",
        n_components=cell.n_components,
        covariance_type=cell.covariance,
        init=start,
        max_iter=settings.iterations,
        tol=0.0,
        reg_covar=0.0,
        n_threads=settings.engine_threads,
    )
    rates: list[float] = []
    between = None
    if cell.covariance == "full" and cell.n_features >= FLOOR_MIN_FEATURES:
        between = lambda: rates.append(dgemm_rate(settings.threads, repeats=2))  # noqa: E731
    ours, single = _engine_runs(X, options, settings, cell, between)
    outcome_notes: list[str] = []
    predicted = _predicted_reference_seconds(cell) * (settings.iterations + 3)
    estimated = predicted * len(_reference_threads(settings)) > REFERENCE_BUDGET_SECONDS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if estimated:
            reference = _estimate_from_tenth(cell, X, sklearn_start, settings)
            outcome_notes.append("sklearn time estimated from N/10, its log-likelihood not run")
        else:
            runs = []
            for blas in _reference_threads(settings):
                with thread_limits(blas):
                    make = _sklearn_gmm(cell, sklearn_start, settings.iterations)
                    runs += [sklearn_gmm_run(make, X)[0] for _ in range(_repeats(cell, settings))]
            reference = best(runs)
        ours_peak = reference_peak = None
        if settings.memory:
            ours_peak = peak_extra_mb(lambda: engine.fit(X, options.replace(max_iter=2)))
            if not estimated:
                with thread_limits(1):
                    make = _sklearn_gmm(cell, sklearn_start, 2)
                    reference_peak = peak_extra_mb(lambda: make().fit(X))
    outcome = Outcome(
        cell, ours.per_iteration, reference.per_iteration, estimated, ours_peak, reference_peak,
        float("nan") if estimated else _gap(ours.value, reference.value), notes=outcome_notes,
        dgemm_rate=max(rates) if rates else None,
    )
    return _with_float32(outcome, ours, single)


#: Engine runs per precision: they are short, and the float32 speed-up compares two of them.
ENGINE_REPEATS = 3


def _engine_runs(
    X: np.ndarray,
    options: engine.FitOptions,
    settings: Settings,
    cell: Cell,
    between: Callable[[], object] | None = None,
) -> tuple[Timing, Timing | None]:
    """The engine's best float64 run and its best float32 run.

    The two precisions take turns, so that both meet the machine in the same
    state: run one after the other, a slow spell of the machine (other
    processes, the memory it hands out) fell on one precision and moved the
    speed-up by 20-40%. ``between`` runs before each turn and after the last (the
    DGEMM rate a full-covariance cell is compared with meets the same machine).
    """
    with_float32 = settings.float32
    repeats = max(settings.repeats, ENGINE_REPEATS)
    doubles, singles = [], []
    for _ in range(repeats):
        if between is not None:
            between()
        doubles.append(engine_run(X, options)[0])
        if with_float32:
            singles.append(engine_run(X, options.replace(dtype="float32"))[0])
    if between is not None:
        between()
    return best(doubles), best(singles) if singles else None


def _with_float32(outcome: Outcome, ours: Timing, single: Timing | None) -> Outcome:
    """Add the engine's float32 time and its gap to float64."""
    if single is not None:
        outcome.ours_float32 = single.per_iteration
        outcome.float32_gap = _gap(single.value, ours.value)
    return outcome


def _repeats(cell: Cell, settings: Settings) -> int:
    return settings.repeats if cell.n_samples < 1_000_000 else 1


def _estimate_from_tenth(
    cell: Cell, X: np.ndarray, start: dict[str, np.ndarray], settings: Settings
) -> Timing:
    small = X[: cell.n_samples // 10]
    runs = []
    for blas in _reference_threads(settings):
        with thread_limits(blas):
            runs.append(sklearn_gmm_run(_sklearn_gmm(cell, start, 3), small)[0])
    fastest = best(runs)
    return Timing(fastest.per_iteration * 10, float("nan"))


# --- k-means ----------------------------------------------------------------------------


def kmeans_cell(cell: Cell, settings: Settings) -> Outcome:
    X = data.one_blob(cell.n_samples, cell.n_features, SEED)
    seeds = data.kmeans_start(X, cell.n_components, SEED + 1)
    variance = float(X.var(axis=0).mean())
    start = engine.Params(
        weights=np.full(cell.n_components, 1.0 / cell.n_components),
        means=seeds,
        covariances=np.full(cell.n_components, variance),
    )
    options = engine.FitOptions(
        model="kmeans",
        n_components=cell.n_components,
        init=start,
        e_step="hard",
        max_iter=settings.iterations,
        tol=0.0,
        reg_covar=0.0,
        n_threads=settings.engine_threads,
    )

    def sklearn_fit(max_iter: int) -> tuple[float, int, float]:
        model = KMeans(
            n_clusters=cell.n_components, init=seeds, n_init=1, max_iter=max_iter, tol=0.0,
            algorithm="lloyd",
        )
        started = time.perf_counter()
        model.fit(X)
        return time.perf_counter() - started, int(model.n_iter_), float(model.inertia_)

    # The two sides take turns (the engine in both precisions, then scikit-learn at each
    # BLAS thread count), so that a slow spell of the shared machine falls on both.
    timers = {}
    for blas in _reference_threads(settings):
        with thread_limits(blas):
            timers[blas] = DifferencedTimer(sklearn_fit, 2, settings.iterations)
    doubles, singles = [], []
    for _ in range(max(settings.repeats, ENGINE_REPEATS)):
        doubles.append(engine_run(X, options))
        if settings.float32:
            singles.append(engine_run(X, options.replace(dtype="float32")))
        for blas, timer in timers.items():
            with thread_limits(blas):
                timer.turn()
    ours = best([timing for timing, _ in doubles])
    inertia = doubles[0][1].metrics_history["inertia"][-1]
    reference = best([timer.timing() for timer in timers.values()])
    ours_peak = reference_peak = None
    if settings.memory:
        ours_peak = peak_extra_mb(lambda: engine.fit(X, options.replace(max_iter=2)))
        with thread_limits(1):
            reference_peak = peak_extra_mb(lambda: sklearn_fit(2))
    outcome = Outcome(
        cell, ours.per_iteration, reference.per_iteration, False, ours_peak, reference_peak,
        _gap(inertia, reference.value),
    )
    outcome.notes.append("gap: inertia")
    if singles:
        single = best([timing for timing, _ in singles])
        single_inertia = singles[0][1].metrics_history["inertia"][-1]
        outcome.ours_float32 = single.per_iteration
        outcome.float32_gap = _gap(single_inertia, inertia)
    return outcome


# --- Bernoulli, binomial, Poisson -------------------------------------------------------


def count_cell(cell: Cell, settings: Settings) -> Outcome:
    trials = 1 if cell.model == "bernoulli" else BINOMIAL_TRIALS
    X, weights, param = data.counts(
        cell.model, cell.n_samples, cell.n_features, cell.n_components, SEED, trials
    )
    name = "rates" if cell.model == "poisson" else "probs"
    options = engine.FitOptions(
        model=cell.model,
        n_components=cell.n_components,
        trials=trials if cell.model == "binomial" else None,
        init=engine.Params(weights=weights, **{name: param}),
        max_iter=settings.iterations,
        tol=0.0,
        n_threads=settings.engine_threads,
    )
    ours, single = _engine_runs(X, options, settings, cell)

    def reference_run() -> Timing:
        lapses: list[float] = []
        value = count_em(cell.model, X, weights, param, trials, settings.iterations, lapses.append)
        return Timing(float(np.mean(lapses[1:])), value)

    runs = []
    for blas in _reference_threads(settings):
        with thread_limits(blas):
            runs += [reference_run() for _ in range(_repeats(cell, settings))]
    reference = best(runs)
    ours_peak = reference_peak = None
    if settings.memory:
        ours_peak = peak_extra_mb(lambda: engine.fit(X, options.replace(max_iter=2)))
        with thread_limits(1):
            reference_peak = peak_extra_mb(
                lambda: count_em(cell.model, X, weights, param, trials, 2)
            )
    outcome = Outcome(
        cell, ours.per_iteration, reference.per_iteration, False, ours_peak, reference_peak,
        _gap(ours.value, reference.value),
    )
    return _with_float32(outcome, ours, single)


RUNNERS = {
    "gaussian": gaussian_cell,
    "kmeans": kmeans_cell,
    "bernoulli": count_cell,
    "binomial": count_cell,
    "poisson": count_cell,
}


def run_cell(cell: Cell, settings: Settings) -> Outcome:
    return RUNNERS[cell.model](cell, settings)
