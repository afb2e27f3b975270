"""The EM loop, written once: restarts, iteration, convergence and history.

:func:`iterate` is a generator that yields an immutable :class:`Snapshot`
after the initial parameters and after every iteration, and returns the
:class:`FitResult`. It knows nothing about threads or cancellation: whoever
drives it decides when to stop. :func:`fit` drains it.

Each pass over the data runs the E-step and gathers the M-step's sufficient
statistics chunk by chunk, so responsibilities for all rows are never held;
where the chunks are computed is a backend's affair (:mod:`engine.backends`).
The log-likelihood a snapshot reports is always that of the parameters it carries.
A fit is set up in :mod:`engine.fit_setup`; what it says in words is in
:mod:`engine.fit_messages`.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass, field

import numpy as np

from engine.accelerate import can_accelerate, plain_steps, squarem_steps
from engine.backends import Backend, Passes, PassResult
from engine.backends.local import LocalBackend
from engine.data import start_sample
from engine.errors import CollapseError, FitError, SingularComponent
from engine.fit_messages import collapse_error, collapse_warning, distinct_rows, left_out_note
from engine.fit_setup import FitSetup, chunk_size_for, setup_fit
from engine.models.base import MixtureModel
from engine.options import FitOptions
from engine.params import Params
from engine.results import FitResult, Snapshot
from engine.starts import (
    agglomerate,
    distance_unit,
    explicit_params,
    hc_params,
    seeded_params,
    settled_hc_params,
    settling_estimate,
)

#: A fall of the objective by more than this fraction counts as more than round-off.
_ROUND_OFF = {"float64": 1e-9, "float32": 1e-6}


def canonical_order(params: Params, model: MixtureModel) -> np.ndarray:
    """Component order by weight, largest first; ties by the component's values."""
    rows = params[model.key_param]
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
    #: Components (in the run's order) held up by the regularisation alone.
    collapsed: tuple[int, ...] = ()
    #: Whether each recorded state came from an extrapolation (SQUAREM).
    accelerated: list[bool] = field(default_factory=list)
    #: Passes over the data the start took (the first one included).
    passes: int = 1


def _run_start(
    setup: FitSetup, passes: Passes, params: Params, restart: int
) -> Generator[Snapshot, None, _Run]:
    model, options = setup.model, setup.options
    hard = options.e_step == "hard"
    n_samples = setup.n_fitted
    round_off = _ROUND_OFF[options.dtype]

    def objective(result: PassResult, params: Params) -> float:
        # What the M-step maximises in expectation: the (classification)
        # log-likelihood plus the log prior the regularisation stands for.
        fit = result.classification if hard else result.log_likelihood
        return fit + model.log_prior(params, n_samples)

    iteration = 0

    def m_step(result: PassResult, params: Params) -> Params:
        try:
            return model.m_step(result.stats, params, options.fixed, n_samples)
        except SingularComponent as exc:
            weight = float(result.stats["nk"][exc.component])
            raise collapse_error(exc, iteration + 1, setup, weight) from None

    # Labels and entropy are only needed for the final parameters: the caller
    # asks for them in one more pass, unless this first pass is the last.
    current = passes.run(params, hard, details=options.max_iter == 0)
    run = _Run(
        params, current, [current.log_likelihood], [objective(current, params)], {}, False, []
    )
    run.accelerated.append(False)

    def record(converged: bool, accelerated: bool) -> Snapshot:
        metrics = model.metrics(current.stats)
        for name, value in metrics.items():
            run.metrics.setdefault(name, []).append(value)
        return Snapshot(
            restart, iteration, params, current.log_likelihood, run.objectives[-1], converged,
            metrics, accelerated,
        )

    yield record(False, False)
    if options.accelerate == "squarem" and not hard and can_accelerate(model):
        steps = squarem_steps(model, params, current, passes, m_step, objective, options.fixed)
    else:
        steps = plain_steps(params, current, passes, m_step, objective, hard)
    for step in steps:
        if iteration >= options.max_iter:
            break
        iteration += 1
        params, current, value = step.params, step.result, step.objective
        run.passes += step.passes
        change = (value - run.objectives[-1]) / n_samples
        allowed = max(
            round_off * max(1.0, abs(run.objectives[-1])), model.round_off(params, n_samples)
        )
        if change * n_samples < -allowed and not run.messages:
            run.messages.append(
                f"the objective fell by {-change * n_samples:.3g} at iteration {iteration}, more "
                "than round-off; the regularisation or held parameters may be the cause"
            )
        run.history.append(current.log_likelihood)
        run.objectives.append(value)
        run.accelerated.append(step.accelerated)
        run.params, run.last = params, current
        run.converged = step.baseline is not None and (
            abs(value - step.baseline) / n_samples < options.tol
        )
        yield record(run.converged, step.accelerated)
        if run.converged:
            break
    run.collapsed = model.collapsed_components(
        run.params, setup.summary.var, options.reg_covar
    )
    return run


def start_params(
    setup: FitSetup, passes: Passes, restart_seed: np.random.SeedSequence, restart: int = 0
) -> Params:
    """The starting parameters of one start: the explicit ones, or seeded from the data."""
    options, model = setup.options, setup.model
    if options.explicit_init:
        return explicit_params(model, options, setup.n_features)
    # Starts are made in float64 whatever the passes' precision, so both begin alike.
    chunk = chunk_size_for(model, options, setup.n_samples, setup.n_features, "float64")
    unit = distance_unit(model, np.sqrt(setup.summary.var))
    try:
        if options.init == "hc" and restart == 0:
            tree = agglomerate(setup.source)
            return hc_params(
                model, passes, setup.source, options.n_components, tree, unit, chunk
            )
        method = "kmeans++" if options.init == "hc" else options.init
        return seeded_params(
            model, passes, start_sample(setup.source, options.seed), options.n_components,
            method, np.random.default_rng(restart_seed), chunk, unit,
        )
    except SingularComponent as exc:
        raise collapse_error(exc, 0, setup) from None


def settles(options: FitOptions, model: MixtureModel) -> bool:
    """Whether a fit adds a settled ``hc`` start after its own
    (:func:`engine.starts.settled_hc_params`): for a model that settles partitions
    its own way, from ``hc``, with soft EM and nothing held."""
    return (
        not options.explicit_init and options.init == "hc" and options.e_step == "soft"
        and not options.fixed and settling_estimate(model) is not None
    )


def restart_seeds(options: FitOptions) -> list[np.random.SeedSequence]:
    """One seed sequence per start, from the fit's seed."""
    n_starts = 1 if options.explicit_init else options.n_init
    return np.random.SeedSequence(options.seed).spawn(n_starts)


def _run_starts(
    setup: FitSetup, passes: Passes
) -> Generator[Snapshot, None, tuple[_Run, int, list[float], list[str]]]:
    """Every start in turn; returns the best run, its index, all objectives and failures."""
    options = setup.options
    seeds: list[np.random.SeedSequence | None] = list(restart_seeds(options))
    if settles(options, setup.model):
        seeds.append(None)  # the hc partition settled as mclust settles it, last
    best: _Run | None = None
    best_restart = -1
    restart_objectives: list[float] = []
    failures: list[str] = []
    first_error: CollapseError | None = None
    for restart, seed in enumerate(seeds):
        try:
            if seed is None:
                start = settled_hc_params(
                    setup.model, setup.source, options.n_components, agglomerate(setup.source)
                )
                if start is None:
                    break  # mclust's iteration stopped without a fit: no such start
            else:
                start = start_params(setup, passes, seed, restart)
            run = yield from _run_start(setup, passes, start, restart)
        except CollapseError as exc:
            if seed is None:
                break  # a start the options did not ask for fails quietly
            if len(seeds) == 1:
                raise
            first_error = first_error or exc
            failures.append(f"start {restart + 1}: {exc}")
            restart_objectives.append(float("-inf"))
            continue
        restart_objectives.append(run.objectives[-1])
        # A start that rests on the regularisation alone (a spurious optimum on
        # repeated values) is kept only when every start does.
        if best is None or (not run.collapsed, run.objectives[-1]) > (
            not best.collapsed, best.objectives[-1]
        ):
            best, best_restart = run, restart
    if best is None:
        if len(failures) == 1:
            raise first_error
        raise FitError(f"every one of the {len(failures)} starts failed; the first: {failures[0]}")
    return best, best_restart, restart_objectives, failures


def iterate(
    X: object,
    options: FitOptions,
    feature_names: Sequence[str] | None = None,
    backend: Backend | None = None,
    labels: bool | None = None,
) -> Generator[Snapshot, None, FitResult]:
    """Fit a mixture to ``X``, yielding a :class:`Snapshot` after every iteration.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or engine.data.DataSource
    options : FitOptions
    feature_names : list of str, optional
        Column names, used in error messages.
    backend : optional
        Where the passes run (:mod:`engine.backends`); by default this
        machine's threads.
    labels : bool, optional
        Whether the result carries each row's label (``FitResult.labels``). By
        default only for rows in memory: for a streamed source (a file larger
        than memory) labels would be the one thing that grows with the rows, so
        ``FitResult.labels`` is ``None`` unless asked for;
        :func:`engine.predict.predict_blocks` gives them chunk by chunk.

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
    setup = setup_fit(X, options, feature_names)
    options, model = setup.options, setup.model
    chunk_size = chunk_size_for(model, options, setup.n_samples, setup.n_features, options.dtype)
    backend = backend or LocalBackend(options.n_threads)
    keep_labels = setup.source.in_memory if labels is None else labels
    # Only backends that can leave labels out are asked to.
    bind_options = {} if keep_labels else {"labels": False}
    with closing(
        backend.bind(setup.source, model, np.dtype(options.dtype), chunk_size, **bind_options)
    ) as passes:
        best, best_restart, restart_objectives, failures = yield from _run_starts(setup, passes)
        hard = options.e_step == "hard"
        final = best.last if best.last.details else passes.run(best.params, hard, details=True)

    if options.explicit_init:
        order = np.arange(options.n_components)
    else:
        order = canonical_order(best.params, model)
    inverse = np.argsort(order)
    collapsed = tuple(sorted(int(inverse[k]) for k in best.collapsed))
    messages = list(best.messages) + failures
    if collapsed:
        asked = len(restart_seeds(options))  # the settled hc start comes after these
        messages.append(
            collapse_warning(collapsed, asked, settled=len(restart_objectives) > asked)
        )
        distinct = distinct_rows(setup.source)
        if distinct is not None and distinct < options.n_components:
            messages.append(
                f"the data hold only {distinct} distinct rows, fewer than K = "
                f"{options.n_components}; choose K of at most {distinct}"
            )
        elif distinct is not None and distinct == options.n_components:
            messages.append(
                f"the data hold {distinct} distinct rows, as many as K = {distinct}, so each "
                f"component can sit on copies of one row alone; choose K of at most "
                f"{distinct - 1}"
            )
    if options.max_iter > 0 and not best.converged:
        messages.append(
            f"did not converge in {options.max_iter} iterations; raise max_iter or the tolerance"
        )
    summary = setup.summary
    if summary.n_empty_rows:
        messages.append(left_out_note(summary.n_empty_rows))
    return FitResult(
        options=options,
        params=best.params.permuted(order),
        log_likelihood=best.history[-1],
        history=tuple(best.history),
        objective_history=tuple(best.objectives),
        metrics_history={name: tuple(values) for name, values in best.metrics.items()},
        n_iter=len(best.history) - 1,
        converged=best.converged,
        n_samples=setup.n_samples,
        n_features=setup.n_features,
        n_parameters=model.n_free_parameters(options.n_components, setup.n_features, options.fixed),
        entropy=final.entropy,
        labels=None if final.labels is None else inverse[final.labels],
        restart=best_restart,
        restart_objectives=tuple(restart_objectives),
        order=order,
        messages=tuple(messages),
        collapsed=collapsed,
        accelerated=tuple(best.accelerated),
        n_passes=best.passes,
        n_rows_with_gaps=summary.n_rows_with_gaps,
        n_missing_values=summary.n_missing_values,
        n_empty_rows=summary.n_empty_rows,
    )


def drain(generator: Generator) -> object:
    """Run a generator to its end and return what it returns."""
    while True:
        try:
            next(generator)
        except StopIteration as stop:
            return stop.value


def fit(
    X: object,
    options: FitOptions,
    feature_names: Sequence[str] | None = None,
    backend: Backend | None = None,
    labels: bool | None = None,
) -> FitResult:
    """Run :func:`iterate` to the end and return its result."""
    return drain(iterate(X, options, feature_names, backend, labels))
