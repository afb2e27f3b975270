"""What the data's digits can resolve, for a Gaussian.

A value x is held to about eps |x|. A column whose values agree in all but
their last digits has no spread to fit, and a component whose covariance is
finer than the rounding of its rows (possible only with little or no
regularisation) has a density that is mostly rounding: the fit refuses the
one before it starts and stops at the other with a message that says which
column and what to change. A column that varies by less than
:data:`engine.data.MIN_SPREAD` is refused first: its variance comes near the
bottom of floating point, or below it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from engine.data import MAX_MAGNITUDE, MIN_SPREAD
from engine.params import Params

if TYPE_CHECKING:
    from engine.data import ColumnSummary

#: A component is numerically singular when the rounding of the data, seen in its
#: own standard deviations, exceeds this: its spread in some direction is finer
#: than the digits of the rows can resolve (only possible with little or no
#: regularisation), so its density would be mostly rounding.
RESOLUTION = 1e-3
#: A column whose spread is fewer than this many steps of its own rounding is
#: refused: its values agree in all but their last three or four digits.
MIN_DISTINCT_STEPS = 1000
#: Parameters given from outside (a file, a person) are refused when rows as far out
#: as the data or the means reach would lie more than this many of a component's
#: standard deviations from it: the squares of such distances near the top of floats.
MAX_REACH = 1e100
#: Values nearer 0 than this count as this when the reach is measured, so that the
#: precisions stay far from overflow on data near 0 too.
REACH_FLOOR = 1e-25
_EPS = float(np.finfo(np.float64).eps)


def check_columns(summary: ColumnSummary, feature_names: Sequence[str]) -> None:
    """Raise ``ValueError`` for data a Gaussian cannot measure a spread in: one row, a
    constant column, or a column whose values differ only in their last digits."""
    check_spread(summary.min, summary.max, feature_names)
    if summary.n_samples < 2:
        raise ValueError(
            "the data have only one row, and a Gaussian needs at least two to measure a "
            "spread; add rows"
        )
    constant = np.flatnonzero(summary.max - summary.min == 0)
    if len(constant):
        raise ValueError(
            f"column {feature_names[constant[0]]!r} has the same value in every row, so a "
            "Gaussian has no spread to fit there; remove that column"
        )
    magnitude = np.maximum(np.abs(summary.min), np.abs(summary.max))
    digits_left = np.sqrt(summary.var) / (np.finfo(np.float64).eps * magnitude)
    blurred = np.flatnonzero(digits_left < MIN_DISTINCT_STEPS)
    if len(blurred):
        j = blurred[0]
        raise ValueError(
            f"column {feature_names[j]!r} varies by only {np.sqrt(summary.var[j]):.3g} on "
            f"values near {magnitude[j]:.3g}: its numbers differ only in their last digits, "
            "too few to fit a spread to. Remove that column, or record it as a difference "
            "from a reference value"
        )


def check_spread(low: np.ndarray, high: np.ndarray, feature_names: Sequence[str]) -> None:
    """Raise ``ValueError`` for the first column whose values (from ``low`` to ``high``,
    shape (n_features,)) vary, but by less than :data:`engine.data.MIN_SPREAD`, saying
    which power of ten to multiply it by. Such data (near 1e-308, or subnormal) have a
    variance that underflows, and no regularisation or covariance structure helps."""
    spread = high - low
    tiny = np.flatnonzero((spread > 0) & (spread < MIN_SPREAD))
    if not len(tiny):
        return
    j = int(tiny[0])
    magnitude = max(abs(float(low[j])), abs(float(high[j])))
    # The power that brings the values near 1; above 1e300 the factor itself overflows.
    power = min(300, -math.floor(math.log10(magnitude)))
    raise ValueError(
        f"column {feature_names[j]!r} varies by only {spread[j]:.3g} (values near "
        f"{magnitude:.3g}), too little to compute with (its square, the variance, nears the "
        f"smallest floats); multiply the column by 1e{power}, or another power of ten that "
        f"makes it vary by more than {MIN_SPREAD:.0e}"
    )


def whitened_rounding(params: Params, storage: str, magnitude: np.ndarray) -> np.ndarray:
    """How far the rounding of rows of ``magnitude`` (the largest absolute value per
    column) can move them, in each component's own standard deviations, shape (K,):
    a value x is held to about eps |x|, which the precision factor P magnifies into
    sum_i eps |x_i| |P_ij| in each whitened direction j.

    Every M-step checks it (:meth:`engine.models.gaussian.GaussianModel.check_resolution`),
    so it is computed from the factors as stored, never expanded to (K, D, D)."""
    factors = np.abs(params.precisions_chol)
    if storage in ("full", "tied"):
        reach = magnitude @ factors  # (K, D), or (D,) for the one tied factor
    elif storage == "diag":
        reach = magnitude * factors
    else:
        reach = magnitude * factors[:, None]
    whitened = _EPS * reach
    rounding = np.sqrt((whitened * whitened).sum(axis=-1))
    if rounding.ndim == 0:  # tied: the same for every component
        rounding = np.full(params.means.shape[0], float(rounding))
    return rounding


def unresolved_component(
    params: Params, storage: str, magnitude: np.ndarray, limit: float = RESOLUTION
) -> tuple[int, int] | None:
    """The first component whose covariance is finer than rows of ``magnitude``
    can resolve (its :func:`whitened_rounding` above ``limit``, :data:`RESOLUTION`
    unless told), and the column whose rounding weighs most in that, or ``None``."""
    unresolved = np.flatnonzero(~(whitened_rounding(params, storage, magnitude) <= limit))
    if not unresolved.size:
        return None
    k = int(unresolved[0])
    factor = np.abs(params.precisions_chol if storage == "tied" else params.precisions_chol[k])
    # The column whose values' rounding the factor magnifies most.
    weight = factor.sum(axis=-1) if factor.ndim == 2 else np.broadcast_to(factor, magnitude.shape)
    return k, int(np.argmax(magnitude * weight))


def check_reach(params: Params, storage: str, magnitude: np.ndarray | None) -> None:
    """Raise ``ValueError`` saying what to change when given ``params`` (prepared) have
    a mean beyond :data:`engine.data.MAX_MAGNITUDE`, as data may not, or a component
    so narrow that rows as large as ``magnitude`` (the data's largest absolute value per
    column; ``None`` before data) or its means lie more than :data:`MAX_REACH` of its
    standard deviations away."""
    means = np.abs(params.means)
    beyond = np.argwhere(~(means <= MAX_MAGNITUDE))
    if beyond.size:
        k, j = beyond[0]
        raise ValueError(
            f"the mean of component {k + 1} is {params.means[k, j]:.3g} in column {j + 1}, "
            f"too large to compute with (its square overflows); give means below "
            f"{MAX_MAGNITUDE:.0e} in size, within the range of the data"
        )
    reach = means.max(axis=0) if magnitude is None else np.maximum(means.max(axis=0), magnitude)
    reach = np.maximum(reach, REACH_FLOOR)
    # A precision factor of 1e160 (a variance of 5e-324) times 1e150 is beyond the
    # top of floating point: inf, which is refused below, as it should be.
    with np.errstate(over="ignore"):
        found = unresolved_component(params, storage, reach, _EPS * MAX_REACH)
    if found is None:
        return
    k, j = found
    which = "" if storage == "tied" else f" of component {k + 1}"
    covariance = params.covariances if storage == "tied" else params.covariances[k]
    variances = np.diagonal(covariance) if storage in ("full", "tied") else covariance
    # Variances of this size everywhere keep every row within a tenth of the limit.
    needed = (10.0 * float(np.linalg.norm(reach)) / MAX_REACH) ** 2
    where = (
        f"values as large as {reach[j]:.3g} in column {j + 1} (of the data or the means) "
        f"would lie more than {MAX_REACH:.0e} of its standard deviations away, and their "
        "squares overflow"
    )
    if np.all(variances >= needed):
        raise ValueError(
            f"the covariance{which} is nearly singular: its correlations come so near -1 or 1 "
            f"that {where}; give correlations farther from -1 and 1"
        )
    raise ValueError(
        f"the covariance{which} is too narrow: {where}; give it variances of at least "
        f"{needed:.1g}"
    )


def singular_cause(
    column: int | None,
    summary: ColumnSummary,
    feature_names: Sequence[str],
    reg_covar: float,
    floor: str = "prior",
    share: float = 1.0,
    weight: float | None = None,
) -> str | None:
    """Why a component became singular in ``column`` (the column
    :func:`unresolved_component` named), and what to change; ``None`` without one.

    ``floor`` says how the regularisation bounds a variance from below (see
    :func:`needed_reg_covar`), ``share`` is the component's weight over the N / K
    rows the prior is worth, and ``weight`` its weight in rows, when known."""
    if column is None:
        return None
    magnitude = max(abs(float(summary.min[column])), abs(float(summary.max[column])))
    spread = float(np.sqrt(summary.var[column]))
    if not spread > 0:
        return None
    needed = needed_reg_covar(summary, floor, share)
    if needed <= reg_covar:
        # Correlated columns can make it finer still than the columns alone suggest.
        needed = 10.0 * reg_covar
    if weight is not None and weight < 1.5:
        what = (
            f"it sits on a single row (weight {weight:.3g}), which "
            "has no spread; only the regularisation keeps it above what the digits of column "
            f"{feature_names[column]!r} can resolve (values near {magnitude:.3g})."
        )
        if needed < 0.1:
            return (
                f"{what} Lower K, or raise the regularisation to reg_covar {needed:.1g} or "
                f"more (now {reg_covar:g})."
            )
        return f"{what} Lower K."
    what = (
        f"its spread in column {feature_names[column]!r} fell below what that column's "
        f"digits can resolve (values near {magnitude:.3g} that vary by only {spread:.3g} "
        "in all)."
    )
    if needed < 0.1:
        return f"{what} Raise the regularisation to reg_covar {needed:.1g} or more (now {reg_covar:g})."
    return (
        f"{what} Remove the column, or record it as a difference from a reference value "
        "so that its variation keeps more digits."
    )


def needed_reg_covar(summary: ColumnSummary, floor: str, share: float = 1.0) -> float:
    """A ``reg_covar`` whose floor keeps a component of ``share`` (its weight over the
    N / K rows the prior is worth) twice as wide as the data's digits resolve (see
    :data:`RESOLUTION`), rounded up to one digit.

    ``floor`` is how the regularisation bounds each variance from below: ``prior``,
    ``reg_covar`` times the column's variance over ``max(1, share)`` (a pooled
    covariance gets it whole); ``spherical``, the same with the columns' mean
    variance; ``sklearn``, ``reg_covar`` itself."""
    magnitude = np.maximum(np.abs(summary.min), np.abs(summary.max))
    if floor == "sklearn":
        scale = 1.0
    else:
        variance = summary.var.mean() if floor == "spherical" else summary.var
        scale = max(1.0, share) / variance
    # A value x is held to eps |x|; in the component's standard deviations, summed over
    # the columns, that rounding must stay below RESOLUTION.
    needed = 2.0 * float(np.sum(magnitude**2 * scale)) * (_EPS / RESOLUTION) ** 2
    power = math.floor(math.log10(needed))
    return math.ceil(needed / 10.0**power) * 10.0**power
