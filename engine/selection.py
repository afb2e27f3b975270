"""Choosing K and the model: a sweep of fits scored by BIC, AIC or ICL.

:func:`sweep` is a generator, like :func:`engine.em.iterate`: it yields each
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
kmeans                      0 (equal)  K D        1 (one variance)
bernoulli, binomial         K - 1                                    K D probabilities
poisson                     K - 1                                    K D rates
==========================  =========  =========  =================  ===================

For example the full Gaussian on Old Faithful (D = 2) with K = 3 has
2 + 6 + 9 = 17 parameters, and on iris (D = 4) 2 + 12 + 30 = 44. mclust's
VVV, EEE, VVI and VII are our full, tied, diag and spherical, with the same
counts. The binomial's numbers of trials are given, not estimated.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.em import FitOptions, FitResult, Snapshot, iterate
from engine.models import COVARIANCE_TYPES, MODEL_NAMES, build_model
from engine.params import Params
from engine.validation import check_data

CRITERIA = ("bic", "aic", "icl")


@dataclass(frozen=True)
class ModelSpec:
    """A model and, for Gaussians, its covariance type; its label is what tables show."""

    model: str
    covariance_type: str = "full"

    @property
    def label(self) -> str:
        return self.covariance_type if self.model == "gaussian" else self.model

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """``full``/``tied``/``diag``/``spherical`` mean Gaussians; other model names as is."""
        text = text.strip()
        if text in COVARIANCE_TYPES:
            return cls("gaussian", text)
        if text in MODEL_NAMES and text != "gaussian":
            return cls(text)
        choices = ", ".join(SPEC_NAMES)
        raise ValueError(f"unknown model {text!r} in the sweep; choose from {choices}")


#: Every name :meth:`ModelSpec.parse` accepts, in the order menus list them.
SPEC_NAMES = COVARIANCE_TYPES + tuple(m for m in MODEL_NAMES if m != "gaussian")
DEFAULT_SPECS = tuple(ModelSpec("gaussian", c) for c in COVARIANCE_TYPES)
ALL_SPECS = tuple(ModelSpec.parse(name) for name in SPEC_NAMES)


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


def parse_k_range(text: str) -> list[int]:
    """``"1-9"``, ``"2,4,6"`` or ``"3"`` as a sorted list of K."""
    ks: set[int] = set()
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                low, high = (int(v) for v in part.split("-", 1))
                ks.update(range(low, high + 1))
            elif part:
                ks.add(int(part))
    except ValueError:
        raise ValueError(f"K range {text!r} must look like 1-9 or 2,3,5") from None
    if not ks or min(ks) < 1:
        raise ValueError(f"K range {text!r} must contain whole numbers of at least 1")
    return sorted(ks)


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
    model = build_model(spec.model, np.zeros((1, n_features)), spec.covariance_type, 1, 0.0)
    return model.n_free_parameters(n_components, n_features, frozenset(fixed))


def compatible_specs(
    X: np.ndarray,
    specs: Sequence[ModelSpec] = ALL_SPECS,
    trials: int | Sequence[int] | None = None,
    feature_names: list[str] | None = None,
) -> dict[ModelSpec, str | None]:
    """For each spec, ``None`` when it can be fitted to ``X``, else the reason it cannot.

    ``trials`` are the binomial's numbers of trials (without them the binomial
    is not offered).
    """
    X, feature_names = check_data(X, feature_names)
    reasons: dict[ModelSpec, str | None] = {}
    for spec in specs:
        if spec.model == "binomial" and trials is None:
            reasons[spec] = "the binomial model needs the number of trials"
            continue
        try:
            model = build_model(spec.model, X, spec.covariance_type, trials, 0.0)
            model.check_data(X, feature_names)
        except ValueError as exc:
            reasons[spec] = str(exc)
        else:
            reasons[spec] = None
    return reasons


def collapsed_components(
    result: FitResult, column_variance: np.ndarray, factor: float = 2.0
) -> tuple[int, ...]:
    """Gaussian components that sit on repeated values, held up by regularisation alone.

    With ``reg_covar`` > 0 a component can shrink onto rows that share a value
    (data recorded to whole minutes, say) and its likelihood then grows without
    a real cluster: a spurious optimum, which can win on BIC. Such a component's
    variance in some direction is no more than ``factor`` times the floor the
    regularisation sets (``reg_covar`` times the column's variance); a cluster
    with a spread of its own stays well above it. mclust reports such cells as
    missing; a sweep keeps them, marked.

    ``column_variance`` is the data's variance per column, shape (n_features,).
    ``tied`` covariances pool every component and do not collapse this way.
    """
    options = result.options
    if options.model != "gaussian" or options.covariance_type == "tied" or options.reg_covar <= 0:
        return ()
    covariances = np.asarray(result.params.covariances)
    floor = options.reg_covar * np.asarray(column_variance, dtype=np.float64)
    if options.covariance_type == "diag":
        flagged = np.any(covariances <= factor * floor, axis=1)
    elif options.covariance_type == "spherical":
        flagged = covariances <= factor * floor.mean()
    else:
        scale = 1.0 / np.sqrt(column_variance)
        standardised = covariances * scale[None, :, None] * scale[None, None, :]
        flagged = np.linalg.eigvalsh(standardised)[:, 0] <= factor * options.reg_covar
    return tuple(int(k) for k in np.flatnonzero(flagged))


def cell_options(base: FitOptions, spec: ModelSpec, n_components: int) -> FitOptions:
    """``base`` with the cell's model, covariance type and K."""
    return base.replace(model=spec.model, covariance_type=spec.covariance_type,
                        n_components=n_components)


def _fit_cell(
    X: np.ndarray,
    spec: ModelSpec,
    n_components: int,
    options: FitOptions,
    feature_names: list[str] | None,
    column_variance: np.ndarray | None,
) -> Generator[Snapshot, None, Cell]:
    started = time.perf_counter()
    try:
        result = yield from iterate(X, options, feature_names)
    except ValueError as exc:
        return Cell(spec, n_components, None, str(exc), time.perf_counter() - started)
    seconds = time.perf_counter() - started
    collapsed = () if column_variance is None else collapsed_components(result, column_variance)
    return Cell(spec, n_components, result, None, seconds, collapsed)


def iterate_sweep(
    X: np.ndarray,
    specs: Sequence[ModelSpec] = DEFAULT_SPECS,
    ks: Iterable[int] = range(1, 10),
    base: FitOptions | None = None,
    feature_names: list[str] | None = None,
) -> Generator[Snapshot | Cell, None, list[Cell]]:
    """Like :func:`sweep`, but also yields every snapshot of the cell being fitted.

    A driver that wants to stop promptly checks between any two items: a
    :class:`Snapshot` means a cell is under way, a :class:`Cell` that it is done.
    Every cell uses ``base``'s seed, so each cell is the fit
    ``iterate(X, cell_options(base, spec, k))`` would give.
    """
    base = base or FitOptions()
    if base.seed is None:
        base = base.replace(seed=int(np.random.SeedSequence().entropy % 2**31))
    ks = list(ks)
    try:
        column_variance = check_data(X, feature_names)[0].var(axis=0)
    except ValueError:
        column_variance = None  # every cell will say what is wrong with the data
    cells: list[Cell] = []
    for spec in specs:
        for k in ks:
            options = cell_options(base, spec, k)
            cell = yield from _fit_cell(X, spec, k, options, feature_names, column_variance)
            cells.append(cell)
            yield cell
    return cells


def sweep(
    X: np.ndarray,
    specs: Sequence[ModelSpec] = DEFAULT_SPECS,
    ks: Iterable[int] = range(1, 10),
    base: FitOptions | None = None,
    feature_names: list[str] | None = None,
) -> Generator[Cell, None, list[Cell]]:
    """Fit every (spec, K) cell with ``base``'s other options; yield each as it finishes.

    A cell that cannot be fitted (K above the number of rows, a collapsing
    component) is yielded with its error instead of stopping the sweep.
    """
    steps = iterate_sweep(X, specs, ks, base, feature_names)
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


# --- restarts: matching components, replaying one start ----------------------------------


def component_rows(params: Params) -> np.ndarray:
    """What identifies each component: its means, or its probabilities or rates.

    Returns
    -------
    ndarray of shape (n_components, n_features)
    """
    for name in ("means", "probs", "rates"):
        rows = getattr(params, name)
        if rows is not None:
            return np.asarray(rows)
    raise ValueError("these parameters have no means, probabilities or rates to match on")


def match_params(reference: Params, other: Params) -> np.ndarray:
    """The order of ``other``'s components that best matches ``reference``'s.

    Hungarian matching (:func:`match_components`) on means (or probabilities,
    or rates), with each column scaled by its spread across both sets, so a
    column in large units does not decide alone.
    """
    ref, oth = component_rows(reference), component_rows(other)
    scale = np.concatenate([ref, oth]).std(axis=0)
    scale[~(scale > 0)] = 1.0
    return match_components(ref / scale, oth / scale)


def match_components(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The order of ``other``'s rows that best matches ``reference``'s rows.

    Minimises the total squared distance between matched rows (means, say)
    with the Hungarian algorithm, so restarts' colours mean the same component.

    Parameters
    ----------
    reference, other : ndarray of shape (n_components, n_features)

    Returns
    -------
    ndarray of shape (n_components,)
        ``other[order]`` lines up with ``reference``.
    """
    diff = reference[:, None, :] - other[None, :, :]
    return _hungarian(np.einsum("ijk,ijk->ij", diff, diff))


def result_snapshots(snapshots: Iterable[Snapshot], result: FitResult) -> list[Snapshot]:
    """The snapshots of the result's start, components in the result's order.

    ``snapshots`` are everything :func:`engine.em.iterate` yielded for the fit
    that returned ``result``; the last one returned carries ``result.params``.
    """
    covariance = result.options.gaussian_covariance
    return [s.permuted(result.order, covariance) for s in snapshots if s.restart == result.restart]


def replay(
    X: np.ndarray, options: FitOptions, feature_names: list[str] | None = None
) -> tuple[FitResult, list[Snapshot]]:
    """Fit again and keep the kept start's snapshots (for a trace and its slider).

    With the seed of an earlier fit (``result.options``) this is that fit, bit
    for bit; a sweep keeps only results, and this brings back their history.
    """
    snapshots: list[Snapshot] = []
    steps = iterate(X, options, feature_names)
    while True:
        try:
            snapshots.append(next(steps))
        except StopIteration as stop:
            result: FitResult = stop.value
            return result, result_snapshots(snapshots, result)


def permuted_result(result: FitResult, order: np.ndarray) -> FitResult:
    """The same fit with its components listed in ``order`` (labels follow them).

    ``order`` maps the result's current component order to the new one, as for
    :meth:`engine.params.Params.permuted`; the returned result's ``order`` is
    ``result.order[order]``, still the map from the run's own order.
    """
    order = np.asarray(order)
    covariance = result.options.gaussian_covariance
    return dataclasses.replace(
        result,
        params=result.params.permuted(order, covariance),
        labels=np.argsort(order)[result.labels],
        order=np.asarray(result.order)[order],
    )


def matched_result(
    result: FitResult, reference: Params, reference_order: np.ndarray
) -> tuple[FitResult, np.ndarray]:
    """``result`` with its components matched to ``reference``'s, and the matching.

    Component i of the returned fit is the one most like component i of
    ``reference`` (:func:`match_params`), and its ``order`` is
    ``reference_order``: each component stands for the same slot of the
    reference's run, so a view that colours component i by ``order[i]`` (as
    the window does) gives matched components of two starts the same colour.

    Returns
    -------
    FitResult
    ndarray of shape (n_components,)
        The matching, for permuting the start's snapshots the same way.
    """
    match = match_params(reference, result.params)
    matched = permuted_result(result, match)
    return dataclasses.replace(matched, order=np.asarray(reference_order).copy()), match


def single_start_options(options: FitOptions, first: Snapshot) -> FitOptions:
    """Options that run exactly one start of an earlier multi-start fit again.

    ``first`` is that start's iteration-0 snapshot. The start then runs from
    the same parameters with the same model and options, so it retraces its
    iterations bit for bit, and its result keeps the start's component order.
    """
    if first.iteration != 0:
        raise ValueError("give the start's first snapshot (iteration 0)")
    return options.replace(init=first.params, n_init=1)


@dataclass(frozen=True)
class FinalSpread:
    """How the final objectives of several starts spread out.

    ``n_at_best`` counts starts within ``tolerance`` of the best (most often the
    same optimum reached again); failed starts (−inf) are left out of the rest.
    """

    best: float
    median: float
    worst: float
    n_starts: int
    n_failed: int
    n_at_best: int
    tolerance: float


def final_spread(finals: Sequence[float], tolerance: float = 0.01) -> FinalSpread:
    """Summarise the starts' final objectives (higher is better)."""
    values = np.asarray(finals, dtype=np.float64)
    ok = values[np.isfinite(values)]
    if ok.size == 0:
        nan = float("nan")
        return FinalSpread(nan, nan, nan, values.size, values.size, 0, tolerance)
    best = float(ok.max())
    return FinalSpread(
        best=best,
        median=float(np.median(ok)),
        worst=float(ok.min()),
        n_starts=int(values.size),
        n_failed=int(values.size - ok.size),
        n_at_best=int(np.sum(ok >= best - tolerance)),
        tolerance=tolerance,
    )


def stack_levels(values: Sequence[float], tolerance: float) -> np.ndarray:
    """A level per value for a dot plot: values within ``tolerance`` stack up.

    Returns
    -------
    ndarray of shape (n_values,)
        0 for the first value of a group, 1 for the next, and so on.
    """
    values = np.asarray(values, dtype=np.float64)
    levels = np.zeros(values.size, dtype=np.int64)
    order = np.argsort(values, kind="stable")
    group_start = -math.inf
    level = 0
    for index in order:
        if values[index] - group_start > tolerance:
            group_start, level = values[index], 0
        else:
            level += 1
        levels[index] = level
    return levels


def spread_tolerance(n_samples: int, tol: float) -> float:
    """How close two finals must be to count as the same optimum.

    EM stops once the mean log-likelihood per row moves by less than ``tol``,
    so starts that reach the same optimum stop within about ``n * tol`` of it.
    """
    return max(0.01, 10.0 * n_samples * tol)


def _hungarian(cost: np.ndarray) -> np.ndarray:
    """Column assigned to each row of a square cost matrix, minimising the total."""
    n = cost.shape[0]
    # Shortest augmenting paths with potentials (Jonker-Volgenant style), 1-based.
    u = np.zeros(n + 1)
    v = np.zeros(n + 1)
    owner = np.zeros(n + 1, dtype=int)  # owner[j]: row assigned to column j
    way = np.zeros(n + 1, dtype=int)
    for row in range(1, n + 1):
        owner[0] = row
        col0 = 0
        minv = np.full(n + 1, np.inf)
        used = np.zeros(n + 1, dtype=bool)
        while True:
            used[col0] = True
            i0 = owner[col0]
            free = ~used[1:]
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            cols = np.flatnonzero(free) + 1
            better = reduced[cols - 1] < minv[cols]
            minv[cols[better]] = reduced[cols - 1][better]
            way[cols[better]] = col0
            col1 = cols[np.argmin(minv[cols])]
            delta = minv[col1]
            u[owner[used]] += delta
            v[used] -= delta
            minv[~used] -= delta
            col0 = col1
            if owner[col0] == 0:
                break
        while col0:
            col1 = way[col0]
            owner[col0] = owner[col1]
            col0 = col1
    assignment = np.empty(n, dtype=int)
    assignment[owner[1:] - 1] = np.arange(n)
    return assignment
