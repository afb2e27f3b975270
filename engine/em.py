"""The EM loop, written once: restarts, iteration, convergence and history.

:func:`iterate` is a generator that yields an immutable :class:`Snapshot`
after the initial parameters and after every iteration, and returns the
:class:`FitResult`. It knows nothing about threads or cancellation: whoever
drives it decides when to stop. :func:`fit` drains it.

Each pass over the data runs the E-step and gathers the M-step's sufficient
statistics chunk by chunk, so responsibilities for all rows are never held.
Chunks may run on worker threads (:mod:`engine.parallel`); their statistics are
summed in chunk order, so the thread count never changes a result. The
log-likelihood a snapshot reports is always that of the parameters it carries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field

import numpy as np

from engine import criteria
from engine.errors import CollapseError, FitError, SingularComponent
from engine.estep import NonFiniteRow, log_weights, normalise, zero_probability_error
from engine.init import INIT_METHODS, initial_params
from engine.models import MODEL_NAMES, build_model
from engine.models.base import ChunkResult, MixtureModel, Stats, WorkingData
from engine.params import Params
from engine.parallel import ChunkRunner, resolve_threads
from engine.validation import check_data

__all__ = [
    "FitOptions",
    "FitResult",
    "Snapshot",
    "e_step",
    "fit",
    "iterate",
    "log_weights",
    "model_for",
    "predict_log_resp",
]

E_STEPS = ("soft", "hard")
DTYPES = ("float64", "float32")
#: Fewest and most rows per chunk, whatever the model prefers.
MIN_CHUNK_ROWS = 1024
MAX_CHUNK_ROWS = 65536


@dataclass(frozen=True)
class FitOptions:
    """Everything that decides a fit; with a seed, the same options give the same fit.

    Attributes
    ----------
    model : str
        One of :data:`engine.models.MODEL_NAMES`.
    n_components : int
        K, the number of components.
    covariance_type : str
        ``full``, ``tied``, ``diag`` or ``spherical`` (``gaussian`` only).
    trials : int or tuple of int or None
        Trials per column (``binomial`` only): one number, or one per column.
    init : str or Params
        ``kmeans++``, ``random`` (seeds drawn from the rows), or explicit
        starting parameters, whose component order is then kept.
    fixed : frozenset of str
        Parameter names held at their initial values.
    e_step : str
        ``soft`` (standard EM) or ``hard`` (classification EM).
    max_iter : int
        Most iterations per start; 0 evaluates the initial parameters.
    tol : float
        Stop when the mean log-likelihood per row changes by less than this.
    reg_covar : float
        Added to covariance diagonals, as a fraction of each column's variance.
    n_init : int
        Number of starts; the one with the highest objective is kept.
    seed : int or None
        Seed of all random choices; ``None`` draws one, which the result records.
    chunk_size : int or None
        Rows per chunk of a pass; ``None`` chooses from K and D.
    dtype : str
        ``float64``, or ``float32`` for large data: the rows and the per-row
        temporaries are held in single precision (twice as fast, half the
        memory) while sums, statistics and parameters stay in double; the
        log-likelihood then agrees with float64 to about 1e-6 relative.
    n_threads : int or None
        Worker threads for the chunks of a pass. ``None`` lets the engine
        choose: one per core when an application has registered a BLAS limiter
        (:func:`engine.parallel.set_blas_limiter`), kept only where it makes
        passes faster; one otherwise. Never changes the result.
    """

    model: str = "gaussian"
    n_components: int = 2
    covariance_type: str = "full"
    trials: int | tuple[int, ...] | None = None
    init: str | Params = "kmeans++"
    fixed: frozenset[str] = frozenset()
    e_step: str = "soft"
    max_iter: int = 500
    tol: float = 1e-6
    reg_covar: float = 1e-6
    n_init: int = 1
    seed: int | None = None
    chunk_size: int | None = None
    dtype: str = "float64"
    n_threads: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixed", frozenset(self.fixed))
        if isinstance(self.trials, (list, np.ndarray)):
            object.__setattr__(self, "trials", tuple(int(t) for t in self.trials))

    def replace(self, **changes: object) -> FitOptions:
        return dataclasses.replace(self, **changes)

    @property
    def explicit_init(self) -> bool:
        return isinstance(self.init, Params)

    @property
    def gaussian_covariance(self) -> str | None:
        """The covariance type when the model is Gaussian, else ``None``."""
        return self.covariance_type if self.model == "gaussian" else None


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state after one iteration (iteration 0: the starting parameters).

    ``objective`` is what the chosen E-step climbs: the log-likelihood for
    soft EM, the classification log-likelihood (each row counted under its
    most probable component only) for hard EM.
    """

    restart: int
    iteration: int
    params: Params
    log_likelihood: float
    objective: float
    converged: bool
    metrics: Mapping[str, float] = field(default_factory=dict)

    def permuted(self, order: np.ndarray, covariance_type: str | None) -> Snapshot:
        """The same snapshot with its components listed in ``order``."""
        return dataclasses.replace(self, params=self.params.permuted(order, covariance_type))


@dataclass(frozen=True, eq=False)
class FitResult:
    """The best start of a fit, with its components in canonical order.

    ``history[i]`` is the total log-likelihood after ``i`` iterations
    (``history[0]`` at the starting parameters), so ``history[-1] ==
    log_likelihood``. ``order`` maps the order the run used to the canonical
    one: ``params == run_params.permuted(order)``.
    """

    options: FitOptions
    params: Params
    log_likelihood: float
    history: tuple[float, ...]
    objective_history: tuple[float, ...]
    metrics_history: Mapping[str, tuple[float, ...]]
    n_iter: int
    converged: bool
    n_samples: int
    n_features: int
    n_parameters: int
    entropy: float
    labels: np.ndarray
    restart: int
    restart_objectives: tuple[float, ...]
    order: np.ndarray
    messages: tuple[str, ...] = ()

    @property
    def bic(self) -> float:
        return criteria.bic(self.log_likelihood, self.n_parameters, self.n_samples)

    @property
    def aic(self) -> float:
        return criteria.aic(self.log_likelihood, self.n_parameters)

    @property
    def icl(self) -> float:
        return criteria.icl(self.log_likelihood, self.n_parameters, self.n_samples, self.entropy)

    @property
    def seed(self) -> int:
        return int(self.options.seed)


@dataclass
class PassResult:
    """What one pass over the data found under some parameters.

    ``labels`` and ``entropy`` are only filled in by a pass with details
    (``None`` and 0.0 otherwise); ``classification`` by a pass with details or
    under the hard E-step.
    """

    stats: Stats
    log_likelihood: float
    classification: float
    entropy: float
    labels: np.ndarray | None
    details: bool


def auto_chunk_size(n_samples: int, preferred_rows: int) -> int:
    """Rows per chunk: the model's preference within [:data:`MIN_CHUNK_ROWS`,
    :data:`MAX_CHUNK_ROWS`], at most the data. Depends on the data's shape, the
    model and the precision, never on the threads."""
    return int(min(n_samples, MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, preferred_rows)))


def _pass_chunk_size(
    model: MixtureModel, options: FitOptions, n_samples: int, n_features: int
) -> int:
    """Rows per chunk of a fit's passes: ``options.chunk_size`` or the model's choice
    for the fit's precision."""
    if options.chunk_size is not None:
        return options.chunk_size
    itemsize = np.dtype(options.dtype).itemsize
    return auto_chunk_size(n_samples, model.chunk_rows(options.n_components, n_features, itemsize))


def e_step(
    model: MixtureModel, X: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """Stable log-normaliser and log-responsibilities of rows ``X``.

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
        Log-density of each row under the mixture.
    log_resp : ndarray of shape (n_samples, n_components)
    """
    return normalise(model.log_prob(X, params) + log_weights(params.weights))


def run_pass(
    model: MixtureModel,
    data: WorkingData,
    params: Params,
    hard: bool,
    chunk_size: int,
    runner: ChunkRunner | None = None,
    details: bool = True,
) -> PassResult:
    """E-step and M-step statistics over all rows, one chunk at a time.

    Chunks may be computed on ``runner``'s threads; their results are summed
    in chunk order, so the outcome does not depend on the threads.
    """
    n_samples = data.n_samples
    plan = model.pass_plan(params, data)
    labels = np.empty(n_samples, dtype=np.int64) if details else None

    def one_chunk(start: int) -> ChunkResult:
        stop = min(start + chunk_size, n_samples)
        try:
            return model.chunk_pass(
                data.chunk(start, stop), plan, hard, details,
                None if labels is None else labels[start:stop],
            )
        except NonFiniteRow as exc:
            raise zero_probability_error(start + exc.row) from None

    starts = range(0, n_samples, chunk_size)
    parts = (runner or ChunkRunner(1)).map(one_chunk, starts, kind=(hard, details))
    sums = dict(parts[0].stats)
    for part in parts[1:]:
        for name, value in part.stats.items():
            sums[name] = sums[name] + value
    stats = model.pass_stats(sums, plan)
    log_likelihood = sum(part.log_likelihood for part in parts) + data.constant
    classification = sum(part.classification for part in parts) + data.constant
    entropy = sum(part.entropy for part in parts)
    return PassResult(stats, log_likelihood, classification, entropy, labels, details)


def _check_options(options: FitOptions, model: MixtureModel, n_samples: int) -> None:
    k = options.n_components
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"K must be a whole number of at least 1, not {k!r}")
    if k > n_samples:
        raise ValueError(
            f"K is {k} but the data has only {n_samples} rows; choose K of at most {n_samples}"
        )
    if options.e_step not in E_STEPS:
        raise ValueError(f"unknown E-step {options.e_step!r}; choose soft or hard")
    if not options.explicit_init and options.init not in INIT_METHODS:
        raise ValueError(
            f"unknown initialisation {options.init!r}; choose kmeans++, random or a parameters file"
        )
    unknown = options.fixed - set(model.fixable)
    if unknown:
        raise ValueError(
            f"the {model.name} model cannot hold {', '.join(sorted(unknown))} fixed; it can "
            f"hold {', '.join(model.fixable)}"
        )
    if options.max_iter < 0:
        raise ValueError("max_iter must not be negative")
    if not options.tol >= 0:
        raise ValueError("tol must not be negative")
    if not (options.reg_covar >= 0 and np.isfinite(options.reg_covar)):
        raise ValueError("reg_covar must be zero or a positive number")
    if options.n_init < 1:
        raise ValueError("n_init must be at least 1")
    if options.dtype not in DTYPES:
        raise ValueError(f"unknown dtype {options.dtype!r}; choose float64 or float32")
    if options.chunk_size is not None and not _whole_at_least_one(options.chunk_size):
        raise ValueError(
            f"chunk_size must be a whole number of rows of at least 1, not {options.chunk_size!r}"
        )
    if options.n_threads is not None and not _whole_at_least_one(options.n_threads):
        raise ValueError(
            f"n_threads must be a whole number of at least 1, not {options.n_threads!r}"
        )


def _whole_at_least_one(value: object) -> bool:
    return (
        not isinstance(value, bool) and isinstance(value, (int, np.integer)) and int(value) >= 1
    )


def _explicit_params(model: MixtureModel, options: FitOptions, n_features: int) -> Params:
    params: Params = options.init  # type: ignore[assignment]
    k = params.n_components
    if k != options.n_components:
        raise ValueError(
            f"the starting parameters have {k} components but K is {options.n_components}; "
            "make them agree"
        )
    weights = params.weights
    if weights.shape != (k,) or np.any(weights < 0) or not np.isclose(weights.sum(), 1.0, atol=1e-6):
        raise ValueError("starting weights must be K non-negative numbers that sum to 1")
    model.check_params(params, n_features)
    try:
        return model.prepare(params)
    except SingularComponent as exc:
        raise FitError(
            f"the starting covariance of component {exc.component + 1} is not positive "
            "definite; give a symmetric matrix with positive variances"
        ) from None


def canonical_order(params: Params, model: MixtureModel) -> np.ndarray:
    """Component order by weight, largest first; ties by the component's values."""
    rows = getattr(params, model.component_params[1])
    keys = [rows[:, j] for j in reversed(range(rows.shape[1]))] + [-params.weights]
    return np.lexsort(keys)


@dataclass
class _Run:
    params: Params
    last: PassResult
    history: list[float]
    objectives: list[float]
    metrics: dict[str, list[float]]
    converged: bool
    messages: list[str]


@dataclass(frozen=True)
class _PassSetup:
    """Everything a pass needs besides the parameters, fixed for a whole fit."""

    model: MixtureModel
    data: WorkingData
    hard: bool
    chunk_size: int
    runner: ChunkRunner

    def run(self, params: Params, details: bool) -> PassResult:
        return run_pass(
            self.model, self.data, params, self.hard, self.chunk_size, self.runner, details
        )


#: A fall of the objective by more than this fraction counts as more than round-off.
_ROUND_OFF = {"float64": 1e-9, "float32": 1e-6}


def _run_start(
    setup: _PassSetup,
    params: Params,
    options: FitOptions,
    restart: int,
) -> Generator[Snapshot, None, _Run]:
    model, hard = setup.model, setup.hard
    n_samples = setup.data.n_samples
    round_off = _ROUND_OFF[options.dtype]

    def objective(result: PassResult) -> float:
        return result.classification if hard else result.log_likelihood

    # Labels and entropy are only needed for the final parameters: the caller
    # asks for them in one more pass, unless this first pass is the last.
    current = setup.run(params, details=options.max_iter == 0)
    run = _Run(params, current, [current.log_likelihood], [objective(current)], {}, False, [])

    def record(iteration: int, converged: bool) -> Snapshot:
        metrics = model.metrics(current.stats)
        for name, value in metrics.items():
            run.metrics.setdefault(name, []).append(value)
        return Snapshot(
            restart, iteration, params, current.log_likelihood, objective(current), converged, metrics
        )

    yield record(0, False)
    for iteration in range(1, options.max_iter + 1):
        try:
            params = model.m_step(current.stats, params, options.fixed, n_samples)
        except SingularComponent as exc:
            weight = float(current.stats["nk"][exc.component])
            raise CollapseError(exc.component, iteration, weight, options.reg_covar) from None
        current = setup.run(params, details=False)
        change = (objective(current) - run.objectives[-1]) / n_samples
        if (
            change * n_samples < -round_off * max(1.0, abs(run.objectives[-1]))
            and not run.messages
        ):
            run.messages.append(
                f"the objective fell by {-change * n_samples:.3g} at iteration {iteration}, more "
                "than round-off; the regularisation or held parameters may be the cause"
            )
        run.history.append(current.log_likelihood)
        run.objectives.append(objective(current))
        run.params, run.last = params, current
        run.converged = abs(change) < options.tol
        yield record(iteration, run.converged)
        if run.converged:
            break
    return run


def _run_starts(
    setup: _PassSetup, X: np.ndarray, options: FitOptions, n_features: int
) -> Generator[Snapshot, None, tuple[_Run, int, list[float], list[str]]]:
    """Every start in turn; returns the best run, its index, all objectives and failures."""
    model = setup.model
    n_starts = 1 if options.explicit_init else options.n_init
    seeds = np.random.SeedSequence(options.seed).spawn(n_starts)
    best: _Run | None = None
    best_restart = -1
    restart_objectives: list[float] = []
    failures: list[str] = []
    # Starts are made in float64 whatever the passes' precision, so both begin alike.
    start_chunk = _pass_chunk_size(model, options.replace(dtype="float64"), *X.shape)
    for restart in range(n_starts):
        try:
            if options.explicit_init:
                start = _explicit_params(model, options, n_features)
            else:
                rng = np.random.default_rng(seeds[restart])
                try:
                    start = initial_params(
                        model, X, options.n_components, options.init, rng, start_chunk
                    )
                except SingularComponent as exc:
                    raise CollapseError(exc.component, 0, exc.weight, options.reg_covar) from None
            run = yield from _run_start(setup, start, options, restart)
        except CollapseError as exc:
            if n_starts == 1:
                raise
            failures.append(f"start {restart + 1}: {exc}")
            restart_objectives.append(float("-inf"))
            continue
        restart_objectives.append(run.objectives[-1])
        if best is None or run.objectives[-1] > best.objectives[-1]:
            best, best_restart = run, restart
    if best is None:
        raise FitError(f"every one of the {n_starts} starts failed; the first: {failures[0]}")
    return best, best_restart, restart_objectives, failures


def iterate(
    X: np.ndarray,
    options: FitOptions,
    feature_names: list[str] | None = None,
) -> Generator[Snapshot, None, FitResult]:
    """Fit a mixture to ``X``, yielding a :class:`Snapshot` after every iteration.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    options : FitOptions
    feature_names : list of str, optional
        Column names, used in error messages.

    Yields
    ------
    Snapshot
        For every start (``restart``), iteration 0 and each iteration after it.

    Returns
    -------
    FitResult
        The start with the highest objective, components in canonical order
        (kept as given when the starting parameters were explicit).

    Raises
    ------
    ValueError
        For data or options that cannot be fitted, with a message that says what to do.
    """
    if options.model not in MODEL_NAMES:
        raise ValueError(f"unknown model {options.model!r}; choose one of {', '.join(MODEL_NAMES)}")
    X, feature_names = check_data(X, feature_names)
    model = build_model(options.model, X, options.covariance_type, options.trials, options.reg_covar)
    _check_options(options, model, X.shape[0])
    model.check_data(X, feature_names)
    if options.seed is None:
        options = options.replace(seed=int(np.random.SeedSequence().entropy % 2**31))
    n_samples, n_features = X.shape
    chunk_size = _pass_chunk_size(model, options, n_samples, n_features)
    runner = ChunkRunner(resolve_threads(options.n_threads), adaptive=options.n_threads is None)
    with runner:
        setup = _PassSetup(
            model,
            model.working_data(X, np.dtype(options.dtype)),
            options.e_step == "hard",
            chunk_size,
            runner,
        )
        best, best_restart, restart_objectives, failures = yield from _run_starts(
            setup, X, options, n_features
        )
        final = best.last if best.last.details else setup.run(best.params, details=True)

    if options.explicit_init:
        order = np.arange(options.n_components)
    else:
        order = canonical_order(best.params, model)
    inverse = np.argsort(order)
    messages = list(best.messages) + failures
    if options.max_iter > 0 and not best.converged:
        messages.append(
            f"did not converge in {options.max_iter} iterations; raise max_iter or the tolerance"
        )
    return FitResult(
        options=options,
        params=best.params.permuted(order, options.gaussian_covariance),
        log_likelihood=best.history[-1],
        history=tuple(best.history),
        objective_history=tuple(best.objectives),
        metrics_history={name: tuple(values) for name, values in best.metrics.items()},
        n_iter=len(best.history) - 1,
        converged=best.converged,
        n_samples=n_samples,
        n_features=n_features,
        n_parameters=model.n_free_parameters(options.n_components, n_features, options.fixed),
        entropy=final.entropy,
        labels=inverse[final.labels],
        restart=best_restart,
        restart_objectives=tuple(restart_objectives),
        order=order,
        messages=tuple(messages),
    )


def fit(X: np.ndarray, options: FitOptions, feature_names: list[str] | None = None) -> FitResult:
    """Run :func:`iterate` to the end and return its result."""
    iterator = iterate(X, options, feature_names)
    while True:
        try:
            next(iterator)
        except StopIteration as stop:
            return stop.value


def model_for(options: FitOptions, X: np.ndarray) -> MixtureModel:
    """The model ``options`` describe, set up for data ``X``."""
    return build_model(options.model, X, options.covariance_type, options.trials, options.reg_covar)


def predict_log_resp(
    X: np.ndarray, params: Params, options: FitOptions, feature_names: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Log-density per row and log-responsibilities of ``X`` under ``params``.

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
    log_resp : ndarray of shape (n_samples, n_components)
    """
    X, feature_names = check_data(X, feature_names)
    model = model_for(options, X)
    model.check_data(X, feature_names)
    model.check_params(params, X.shape[1])
    return e_step(model, X, model.prepare(params))
