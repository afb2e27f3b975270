"""The EM loop, written once: restarts, iteration, convergence and history.

:func:`iterate` is a generator that yields an immutable :class:`Snapshot`
after the initial parameters and after every iteration, and returns the
:class:`FitResult`. It knows nothing about threads or cancellation: whoever
drives it decides when to stop. :func:`fit` drains it.

Each pass over the data runs the E-step and gathers the M-step's sufficient
statistics chunk by chunk, so responsibilities for all rows are never held.
The log-likelihood a snapshot reports is always that of the parameters it
carries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field

import numpy as np

from engine import criteria
from engine.errors import CollapseError, FitError, SingularComponent
from engine.init import INIT_METHODS, initial_params
from engine.models import MODEL_NAMES, build_model
from engine.models.base import MixtureModel, Stats
from engine.params import Params
from engine.validation import check_data

E_STEPS = ("soft", "hard")
#: Temporaries of one chunk hold about this many float64 values (16 MB).
CHUNK_VALUES = 2**21


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
    """What one pass over the data found under some parameters."""

    stats: Stats
    log_likelihood: float
    classification: float
    entropy: float
    labels: np.ndarray


def auto_chunk_size(n_samples: int, n_components: int, n_features: int) -> int:
    rows = CHUNK_VALUES // (n_components * (n_features + 4))
    return int(min(n_samples, max(1024, rows)))


def log_weights(weights: np.ndarray) -> np.ndarray:
    # A component whose weight is exactly zero can never hold a row.
    with np.errstate(divide="ignore"):
        return np.log(weights)


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
    weighted = model.log_prob(X, params) + log_weights(params.weights)
    top = weighted.max(axis=1)
    if not np.all(np.isfinite(top)):
        row = int(np.flatnonzero(~np.isfinite(top))[0])
        raise FitError(
            f"row {row + 1} has zero probability under every component; "
            "check the starting parameters or the data"
        )
    # Components far from a row underflow to zero; that is the intended result.
    with np.errstate(under="ignore"):
        log_norm = top + np.log(np.exp(weighted - top[:, None]).sum(axis=1))
    return log_norm, weighted - log_norm[:, None]


def run_pass(
    model: MixtureModel, X: np.ndarray, params: Params, hard: bool, chunk_size: int
) -> PassResult:
    """E-step and M-step statistics over all rows, one chunk at a time."""
    stats: Stats = {}
    log_likelihood = classification = entropy = 0.0
    labels = np.empty(X.shape[0], dtype=np.int64)
    for start in range(0, X.shape[0], chunk_size):
        chunk = X[start : start + chunk_size]
        log_norm, log_resp = e_step(model, chunk, params)
        with np.errstate(under="ignore"):
            resp = np.exp(log_resp)
        chunk_labels = np.argmax(log_resp, axis=1)
        labels[start : start + chunk.shape[0]] = chunk_labels
        log_likelihood += log_norm.sum()
        rows = np.arange(chunk.shape[0])
        classification += (log_resp[rows, chunk_labels] + log_norm).sum()
        entropy -= np.where(resp > 0, resp * log_resp, 0.0).sum()
        if hard:
            resp = np.zeros_like(resp)
            resp[rows, chunk_labels] = 1.0
        part = model.suff_stats(chunk, resp, params)
        stats = {k: stats[k] + part[k] for k in part} if stats else part
    return PassResult(stats, float(log_likelihood), float(classification), float(entropy), labels)


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


def _run_start(
    model: MixtureModel,
    X: np.ndarray,
    params: Params,
    options: FitOptions,
    restart: int,
    chunk_size: int,
) -> Generator[Snapshot, None, _Run]:
    hard = options.e_step == "hard"
    n_samples = X.shape[0]

    def objective(result: PassResult) -> float:
        return result.classification if hard else result.log_likelihood

    current = run_pass(model, X, params, hard, chunk_size)
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
        current = run_pass(model, X, params, hard, chunk_size)
        change = (objective(current) - run.objectives[-1]) / n_samples
        if change * n_samples < -1e-9 * max(1.0, abs(run.objectives[-1])) and not run.messages:
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
    chunk_size = options.chunk_size or auto_chunk_size(n_samples, options.n_components, n_features)

    n_starts = 1 if options.explicit_init else options.n_init
    seeds = np.random.SeedSequence(options.seed).spawn(n_starts)
    best: _Run | None = None
    best_restart = -1
    restart_objectives: list[float] = []
    failures: list[str] = []
    for restart in range(n_starts):
        try:
            if options.explicit_init:
                start = _explicit_params(model, options, n_features)
            else:
                rng = np.random.default_rng(seeds[restart])
                try:
                    start = initial_params(
                        model, X, options.n_components, options.init, rng, chunk_size
                    )
                except SingularComponent as exc:
                    raise CollapseError(exc.component, 0, exc.weight, options.reg_covar) from None
            run = yield from _run_start(model, X, start, options, restart, chunk_size)
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
        entropy=best.last.entropy,
        labels=inverse[best.last.labels],
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
