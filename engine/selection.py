"""Choosing K and the model: a sweep of fits scored by BIC, AIC or ICL.

:func:`sweep` is a generator, like :func:`engine.loop.iterate`: it yields each
finished cell so a window can show cells as they come and stop between them.
:func:`iterate_sweep` also yields every iteration's snapshot in between, so a
driver can stop in the middle of a cell.

Criteria
--------
All three follow scikit-learn's sign: lower is better.

* BIC = -2 logL + p log n
* AIC = -2 logL + 2 p
* ICL = BIC + 2 H, where H = -sum_i sum_k r_ik log r_ik is the entropy of the
  responsibilities at the fitted parameters (Biernacki, Celeux and Govaert 2000).

mclust reports ``2 logL - p log n``, the negative of our BIC, and chooses the
largest; we choose the smallest. The numbers are otherwise the same.

The sweep's lines (:class:`ModelSpec`), its presets, its range of K and the
count of free parameters are in :mod:`engine.sweep_lines`.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.backends import Backend
from engine.data import as_source
from engine.loop import iterate
from engine.models import registry
from engine.options import FitOptions, new_seed, validate
from engine.results import FitResult, Snapshot
from engine.sweep_lines import (
    ALL_SPECS,
    DEFAULT_SPECS,
    MAX_SWEEP_KS,
    PRESETS,
    SPEC_NAMES,
    ModelSpec,
    all_specs,
    compatible_specs,
    default_specs,
    free_parameters,
    mclust_meaning,
    mclust_specs,
    parse_k_range,
    parse_specs,
    spec_names,
)

CRITERIA = ("bic", "aic", "icl")


@dataclass(frozen=True, eq=False)
class Cell:
    """One fitted (model, K) cell of a sweep, or the reason it could not be fitted.

    ``collapsed`` lists components (in the result's order) whose spread in some
    direction is the regularisation alone (:func:`collapsed_components`).
    """

    spec: ModelSpec
    n_components: int
    result: FitResult | None
    error: str | None
    seconds: float
    collapsed: tuple[int, ...] = ()

    def score(self, criterion: str) -> float:
        """The criterion's value (lower is better); +inf for a cell that failed."""
        if self.result is None:
            return float("inf")
        return float(getattr(self.result, criterion))


def collapsed_components(
    result: FitResult, column_variance: np.ndarray, factor: float = 2.0
) -> tuple[int, ...]:
    """Components that sit on repeated values, held up by regularisation alone
    (:meth:`engine.models.base.MixtureModel.collapsed_components`).

    ``column_variance`` is the data's variance per column, shape (n_features,).
    """
    options = result.options
    model = registry.build_model(options.model, options.model_options)
    return model.collapsed_components(result.params, column_variance, options.reg_covar, factor)


#: What ``select`` (the command line) fits each cell with unless told otherwise: mclust's
#: way, so that its BIC tables are met in every cell. One start, the hierarchical
#: agglomeration mclust starts from; SQUAREM (:mod:`engine.accelerate`), whose plain EM
#: steps until the objective settles keep it in the basin plain EM climbs (measured on
#: the six reference sets, K = 1..9: the same 9 of 504 cells as plain EM's fall below
#: mclust's, and the sweep of Old Faithful takes half plain EM's time; without the
#: settling, 20 cells fell below, by up to 25 BIC units, where an early extrapolation
#: leapt to another optimum; the 9 are met since by the settled hc start of VVE and EEV,
#: :mod:`engine.settle`); a tolerance finer than mclust's (a change of the
#: log-likelihood of 1e-5 relative) for any data whose mean log-density per row is
#: below -1; and a regularisation a thousandth of ``fit``'s, as mclust fits none: the
#: default's prior, worth N/K rows, costs a small component of a 7-component fit up
#: to 1.4 BIC units.
SELECT_DEFAULTS: dict[str, object] = {
    "init": "hc", "n_init": 1, "accelerate": "squarem", "tol": 1e-5, "reg_covar": 1e-9,
    "seed": 0,
}


def select_options(**changes: object) -> FitOptions:
    """The options ``select`` gives a sweep (:data:`SELECT_DEFAULTS`), with ``changes``."""
    return FitOptions(**{**SELECT_DEFAULTS, **changes})


def cell_options(base: FitOptions, spec: ModelSpec, n_components: int,
                 model_options: Mapping[str, object] | None = None) -> FitOptions:
    """``base`` with the cell's model, covariance type and K, and those of
    ``model_options`` the cell's model declares (a binomial's trials, whatever ``base``'s
    model)."""
    own = {name: value for name, value in (model_options or {}).items()
           if registry.option_spec(spec.model, name) is not None}
    return base.replace(model=spec.model, n_components=n_components,
                        **{**own, **spec.model_options()})


def _fit_cell(
    X: object,
    spec: ModelSpec,
    n_components: int,
    options: FitOptions,
    feature_names: list[str] | None,
    backend: Backend | None = None,
) -> Generator[Snapshot, None, Cell]:
    started = time.perf_counter()
    try:
        result = yield from iterate(X, options, feature_names, backend)
    except ValueError as exc:
        return Cell(spec, n_components, None, str(exc), time.perf_counter() - started)
    seconds = time.perf_counter() - started
    return Cell(spec, n_components, result, None, seconds, result.collapsed)


def iterate_sweep(
    X: object,
    specs: Sequence[ModelSpec] | None = None,
    ks: Iterable[int] = range(1, 10),
    base: FitOptions | None = None,
    feature_names: list[str] | None = None,
    backend: Backend | None = None,
    model_options: Mapping[str, object] | None = None,
) -> Generator[Snapshot | Cell, None, list[Cell]]:
    """Like :func:`sweep`, but also yields every snapshot of the cell being fitted.

    A driver that wants to stop promptly checks between any two items: a
    :class:`Snapshot` means a cell is under way, a :class:`Cell` that it is done.
    Every cell uses ``base``'s seed, so each cell is the fit
    ``iterate(X, cell_options(base, spec, k))`` would give.
    """
    base = base or FitOptions()
    if base.seed is None:
        base = base.replace(seed=new_seed())
    specs = default_specs() if specs is None else specs
    ks = list(ks)
    for spec in specs:  # options wrong for every cell are refused before any fit
        validate(cell_options(base, spec, min(ks, default=1), model_options))
    try:
        source = as_source(X, feature_names)  # converted once for every cell
        X, feature_names = source, source.feature_names
    except ValueError:
        pass  # every cell will say what is wrong with the data
    cells: list[Cell] = []
    for spec in specs:
        for k in ks:
            options = cell_options(base, spec, k, model_options)
            cell = yield from _fit_cell(X, spec, k, options, feature_names, backend)
            cells.append(cell)
            yield cell
    return cells


def sweep(
    X: object,
    specs: Sequence[ModelSpec] | None = None,
    ks: Iterable[int] = range(1, 10),
    base: FitOptions | None = None,
    feature_names: list[str] | None = None,
    backend: Backend | None = None,
    model_options: Mapping[str, object] | None = None,
) -> Generator[Cell, None, list[Cell]]:
    """Fit every (spec, K) cell with ``base``'s other options; yield each as it finishes.

    A cell that cannot be fitted (K above the number of rows, a collapsing
    component) is yielded with its error instead of stopping the sweep. Every
    cell's passes run where ``backend`` runs them (by default this machine's threads).
    ``model_options`` (``{"trials": 5}``) go to the cells of the models that declare them.
    """
    steps = iterate_sweep(X, specs, ks, base, feature_names, backend, model_options)
    while True:
        try:
            item = next(steps)
        except StopIteration as stop:
            return stop.value
        if isinstance(item, Cell):
            yield item


def best_cell(
    cells: Sequence[Cell], criterion: str = "bic", skip_collapsed: bool = False
) -> Cell | None:
    """The cell with the lowest criterion, or ``None`` when every cell failed.

    With ``skip_collapsed``, cells with a collapsed component (``Cell.collapsed``)
    are passed over while any other cell was fitted.
    """
    if criterion not in CRITERIA:
        raise ValueError(f"unknown criterion {criterion!r}; choose bic, aic or icl")
    fitted = [c for c in cells if c.result is not None]
    if skip_collapsed:
        fitted = [c for c in fitted if not c.collapsed] or fitted
    return min(fitted, key=lambda c: c.score(criterion)) if fitted else None


def seconds_left(
    done: Sequence[Cell], pending: Sequence[tuple[ModelSpec, int]]
) -> float | None:
    """A guess at the time the ``pending`` cells will take, from the ``done`` ones.

    An EM pass costs about K times a one-component pass, so each model's
    seconds per unit of K so far are carried over to its pending cells (the
    sweep's overall rate for a model not yet started). ``None`` before any cell.
    """
    if not done:
        return None
    overall = sum(c.seconds for c in done) / sum(c.n_components for c in done)
    per_spec: dict[ModelSpec, tuple[float, int]] = {}
    for cell in done:
        seconds, units = per_spec.get(cell.spec, (0.0, 0))
        per_spec[cell.spec] = (seconds + cell.seconds, units + cell.n_components)
    total = 0.0
    for spec, k in pending:
        seconds, units = per_spec.get(spec, (0.0, 0))
        total += k * (seconds / units if units else overall)
    return total


# Restarts' helpers lived here in the first engine; they are in engine.restarts now.
from engine.restarts import (  # noqa: E402
    FinalSpread,
    component_rows,
    final_spread,
    match_components,
    match_params,
    matched_result,
    permuted_result,
    replay,
    result_snapshots,
    single_start_options,
    spread_tolerance,
    stack_levels,
)

__all__ = [
    "ALL_SPECS", "CRITERIA", "DEFAULT_SPECS", "MAX_SWEEP_KS", "SPEC_NAMES", "Cell",
    "FinalSpread", "ModelSpec", "all_specs", "best_cell", "cell_options",
    "collapsed_components", "compatible_specs", "component_rows", "default_specs",
    "final_spread", "free_parameters", "iterate_sweep", "match_components", "match_params",
    "matched_result", "mclust_meaning", "mclust_specs", "parse_k_range", "parse_specs",
    "permuted_result", "PRESETS", "SELECT_DEFAULTS", "select_options", "replay",
    "result_snapshots", "seconds_left", "single_start_options", "spec_names",
    "spread_tolerance", "stack_levels", "sweep",
]
