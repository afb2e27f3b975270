"""Restarts compared: components matched across fits, one start replayed, finals spread.

Several starts of EM end at different optima, and each lists its components in
its own order. Matching them (the Hungarian method on what identifies each
component) gives a component the same colour whichever start is shown.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.loop import iterate
from engine.matching import hungarian
from engine.options import FitOptions
from engine.params import Params
from engine.results import FitResult, Snapshot


def component_rows(params: Params) -> np.ndarray:
    """What identifies each component: the first of its arrays that holds one row of
    values per component (means, probabilities, rates).

    Returns
    -------
    ndarray of shape (n_components, n_features)
    """
    for name in params.names:
        rows = params[name]
        if name not in params.shared and rows.ndim == 2:
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
    return hungarian(np.einsum("ijk,ijk->ij", diff, diff))


def result_snapshots(snapshots: Iterable[Snapshot], result: FitResult) -> list[Snapshot]:
    """The snapshots of the result's start, components in the result's order.

    ``snapshots`` are everything :func:`engine.loop.iterate` yielded for the fit
    that returned ``result``; the last one returned carries ``result.params``.
    """
    return [s.permuted(result.order) for s in snapshots if s.restart == result.restart]


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
    return dataclasses.replace(
        result,
        params=result.params.permuted(order),
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
