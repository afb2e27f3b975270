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

Free parameters
---------------
``p`` counts free parameters only, for K components on D columns. A parameter
held fixed (``FitOptions.fixed``) is not estimated, so it does not count.

==========================  =========  =========  =================  ===================
model                       weights    means      covariances        per-column values
==========================  =========  =========  =================  ===================
gaussian, ``full``          K - 1      K D        K D (D + 1) / 2
gaussian, ``tied``          K - 1      K D        D (D + 1) / 2
gaussian, ``diag``          K - 1      K D        K D
gaussian, ``spherical``     K - 1      K D        K
gaussian, mclust's others   K - 1      K D        as mclust counts
kmeans                      0 (equal)  K D        1 (one variance)
bernoulli, binomial         K - 1                                    K D probabilities
poisson                     K - 1                                    K D rates
==========================  =========  =========  =================  ===================

For example the full Gaussian on Old Faithful (D = 2) with K = 3 has
2 + 6 + 9 = 17 parameters, and on iris (D = 4) 2 + 12 + 30 = 44. mclust's
VVV, EEE, VVI and VII are our full, tied, diag and spherical, with the same
counts; its ten other structures carry its names (EII, ..., EVV) and counts
(each structure's file in :mod:`engine.models.covariance`). The binomial's
numbers of trials are given, not estimated.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.backends import Backend
from engine.data import as_source, summarise
from engine.loop import iterate
from engine.models import registry
from engine.options import MAX_COMPONENTS, FitOptions, new_seed
from engine.results import FitResult, Snapshot

CRITERIA = ("bic", "aic", "icl")


@dataclass(frozen=True)
class ModelSpec:
    """A model, and the value of its variant option if it has one (a Gaussian's
    covariance type): one line of a sweep. Its label is what tables show."""

    model: str
    variant: str | None = None

    def __post_init__(self) -> None:
        option = registry.model_class(self.model).variant_option
        if option is not None:
            value = self.variant if self.variant is not None else registry.option_spec(
                self.model, option
            ).default
            object.__setattr__(self, "variant", registry.option_spec(self.model, option).normalise(value))
        else:
            # The first engine gave every spec a covariance type; a model without variants ignores it.
            object.__setattr__(self, "variant", None)

    @property
    def label(self) -> str:
        return self.variant if self.variant is not None else self.model

    @property
    def covariance_type(self) -> str | None:
        """The variant when it is a covariance type (for callers of the first engine)."""
        return self.model_options().get("covariance_type")

    def model_options(self) -> dict[str, object]:
        """The model option this spec sets."""
        option = registry.model_class(self.model).variant_option
        return {} if option is None else {option: self.variant}

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """A variant's name (``full``, ``diag``, or an alias) or the name of a model
        without variants."""
        text = text.strip()
        for spec in all_specs():
            if text == spec.label:
                return spec
        for model in registry.model_names():
            option = registry.model_class(model).variant_option
            if option is not None:
                try:
                    return cls(model, registry.option_spec(model, option).normalise(text))
                except ValueError:
                    continue
        choices = ", ".join(spec_names())
        raise ValueError(f"unknown model {text!r} in the sweep; choose from {choices}")


def all_specs() -> tuple[ModelSpec, ...]:
    """Every line a sweep can have: each variant of a model with variants, each other model."""
    specs: list[ModelSpec] = []
    for model in registry.model_names():
        cls = registry.model_class(model)
        option = cls.variant_option
        if option is None:
            specs.append(ModelSpec(model))
        else:
            specs.extend(ModelSpec(model, value) for value in cls.variants())
    return tuple(specs)


def spec_names() -> tuple[str, ...]:
    """Every name :meth:`ModelSpec.parse` lists, in the order menus list them."""
    return tuple(spec.label for spec in all_specs())


def default_specs() -> tuple[ModelSpec, ...]:
    """The lines a sweep has unless told otherwise: the default variants of the models
    in the default sweep (the Gaussian's full, tied, diag and spherical covariances)."""
    specs = []
    for spec in all_specs():
        cls = registry.model_class(spec.model)
        if cls.in_default_sweep and (spec.variant is None or spec.variant in cls.default_variants()):
            specs.append(spec)
    return tuple(specs)


def mclust_specs() -> tuple[ModelSpec, ...]:
    """The Gaussian's fourteen covariance structures, mclust's models, in menu order."""
    cls = registry.model_class("gaussian")
    return tuple(ModelSpec("gaussian", value) for value in cls.variants())


#: Names that stand for several lines of a sweep at once: what each says, and its lines.
PRESETS = {
    "all": ("mclust's fourteen covariance structures", mclust_specs),
    "mclust": ("the same fourteen", mclust_specs),
    "default": ("the default sweep's lines", default_specs),
}


def parse_specs(names: Iterable[str]) -> list[ModelSpec]:
    """Sweep lines from names: a preset of :data:`PRESETS` (``all``, ``mclust``,
    ``default``), a covariance structure by its name or mclust's (``full``, ``VVV``,
    ``EVE``) or a model without variants (``kmeans``); each line once, in the order
    first named. ``ValueError`` names an unknown one and what is accepted."""
    specs: list[ModelSpec] = []
    for name in names:
        preset = PRESETS.get(name.strip().lower())
        try:
            found = list(preset[1]()) if preset else [ModelSpec.parse(name)]
        except ValueError as exc:
            raise ValueError(f"{exc}, or a preset: {', '.join(PRESETS)}") from None
        specs.extend(spec for spec in found if spec not in specs)
    return specs


#: The first engine's constants (the registry decides at the time of asking).
SPEC_NAMES = spec_names()
DEFAULT_SPECS = default_specs()
ALL_SPECS = all_specs()


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


#: Most values of K one sweep takes.
MAX_SWEEP_KS = 100


def parse_k_range(text: str) -> list[int]:
    """``"1-9"``, ``"2,4,6"`` or ``"3"`` as a sorted list of K: whole numbers from 1 to
    :data:`engine.options.MAX_COMPONENTS`, at most :data:`MAX_SWEEP_KS` of them."""
    bounds: list[tuple[int, int]] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                low, high = (int(v) for v in part.split("-", 1))
                bounds.append((low, high))
            elif part:
                bounds.append((int(part), int(part)))
    except ValueError:
        raise ValueError(f"K range {text!r} must look like 1-9 or 2,3,5") from None
    if not bounds or min(low for low, _ in bounds) < 1:
        raise ValueError(f"K range {text!r} must contain whole numbers of at least 1")
    largest = max(high for _, high in bounds)
    if largest > MAX_COMPONENTS:
        raise ValueError(
            f"K range {text!r} goes up to K = {largest:,}; K can be at most {MAX_COMPONENTS:,}"
        )
    ks = sorted({k for low, high in bounds for k in range(low, high + 1)})
    if not ks:
        raise ValueError(f"K range {text!r} is empty; write the smaller K first, as in 1-9")
    if len(ks) > MAX_SWEEP_KS:
        raise ValueError(
            f"K range {text!r} holds {len(ks):,} values of K; a sweep takes at most "
            f"{MAX_SWEEP_KS}, so choose a narrower range or a list such as 2,4,8,16"
        )
    return ks


def free_parameters(
    spec: ModelSpec,
    n_components: int,
    n_features: int,
    fixed: Iterable[str] = (),
) -> int:
    """The number of free parameters of ``spec`` with K components on D columns.

    The same count a fit reports as ``FitResult.n_parameters``; see the table
    in this module's docstring. Names in ``fixed`` are held, so not counted.
    """
    # The data only scales the regularisation, which does not change the count.
    model = registry.build_model(spec.model, spec.model_options())
    return model.n_free_parameters(n_components, n_features, frozenset(fixed))


def compatible_specs(
    X: object,
    specs: Sequence[ModelSpec] | None = None,
    trials: object = None,
    feature_names: Sequence[str] | None = None,
    **model_options: object,
) -> dict[ModelSpec, str | None]:
    """For each spec, ``None`` when it can be fitted to ``X``, else the reason it cannot.

    ``model_options`` are options the specs do not set themselves, such as the
    binomial's ``trials`` (without them the binomial is not offered; ``trials``
    keeps its place among the arguments for callers of the first engine).
    """
    if trials is not None:
        model_options["trials"] = trials
    source = as_source(X, feature_names)
    reasons: dict[ModelSpec, str | None] = {}
    for spec in all_specs() if specs is None else specs:
        try:
            options = {**model_options, **spec.model_options()}
            registry.normalise_options(spec.model, options)
            model = registry.build_model(spec.model, options)
            summary = summarise(source, model.check_chunk, model.handles_missing)
            model.check_summary(summary, source.feature_names)
        except ValueError as exc:
            reasons[spec] = str(exc)
        else:
            reasons[spec] = None
    return reasons


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
#: agglomeration mclust starts from; plain EM, which from the same start follows
#: mclust's climb (SQUAREM's extrapolations reach the optimum in fewer passes, but not
#: always the same one); a tolerance finer than mclust's (a change of the
#: log-likelihood of 1e-5 relative) for any data whose mean log-density per row is
#: below -1; and a regularisation a thousandth of ``fit``'s, as mclust fits none: the
#: default's prior, worth N/K rows, costs a small component of a 7-component fit up
#: to 1.4 BIC units.
SELECT_DEFAULTS: dict[str, object] = {
    "init": "hc", "n_init": 1, "accelerate": "none", "tol": 1e-5, "reg_covar": 1e-9,
    "seed": 0,
}


def select_options(**changes: object) -> FitOptions:
    """The options ``select`` gives a sweep (:data:`SELECT_DEFAULTS`), with ``changes``."""
    return FitOptions(**{**SELECT_DEFAULTS, **changes})


def cell_options(base: FitOptions, spec: ModelSpec, n_components: int) -> FitOptions:
    """``base`` with the cell's model, covariance type and K."""
    return base.replace(model=spec.model, n_components=n_components, **spec.model_options())


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
    try:
        source = as_source(X, feature_names)  # converted once for every cell
        X, feature_names = source, source.feature_names
    except ValueError:
        pass  # every cell will say what is wrong with the data
    cells: list[Cell] = []
    for spec in specs:
        for k in ks:
            options = cell_options(base, spec, k)
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
) -> Generator[Cell, None, list[Cell]]:
    """Fit every (spec, K) cell with ``base``'s other options; yield each as it finishes.

    A cell that cannot be fitted (K above the number of rows, a collapsing
    component) is yielded with its error instead of stopping the sweep. Every
    cell's passes run where ``backend`` runs them (by default this machine's threads).
    """
    steps = iterate_sweep(X, specs, ks, base, feature_names, backend)
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
    "ALL_SPECS", "CRITERIA", "DEFAULT_SPECS", "SPEC_NAMES", "Cell", "FinalSpread", "ModelSpec",
    "all_specs", "best_cell", "cell_options", "collapsed_components", "compatible_specs",
    "component_rows", "default_specs", "final_spread", "free_parameters", "iterate_sweep",
    "match_components", "match_params", "matched_result", "mclust_specs", "parse_k_range",
    "parse_specs", "permuted_result", "PRESETS", "SELECT_DEFAULTS", "select_options",
    "replay", "result_snapshots", "seconds_left", "single_start_options", "spec_names",
    "spread_tolerance", "stack_levels", "sweep",
]
