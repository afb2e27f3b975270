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

from engine.data import MIN_SPREAD
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
    params: Params, storage: str, magnitude: np.ndarray
) -> tuple[int, int] | None:
    """The first component whose covariance is finer than rows of ``magnitude``
    can resolve (see :data:`RESOLUTION`), and the column whose rounding weighs most
    in that, or ``None``."""
    unresolved = np.flatnonzero(~(whitened_rounding(params, storage, magnitude) <= RESOLUTION))
    if not unresolved.size:
        return None
    k = int(unresolved[0])
    factor = np.abs(params.precisions_chol if storage == "tied" else params.precisions_chol[k])
    # The column whose values' rounding the factor magnifies most.
    weight = factor.sum(axis=-1) if factor.ndim == 2 else np.broadcast_to(factor, magnitude.shape)
    return k, int(np.argmax(magnitude * weight))


def singular_cause(
    column: int | None,
    summary: ColumnSummary,
    feature_names: Sequence[str],
    reg_covar: float,
) -> str | None:
    """Why a component became singular in ``column`` (the column
    :func:`unresolved_component` named), and what to change; ``None`` without one."""
    if column is None:
        return None
    magnitude = max(abs(float(summary.min[column])), abs(float(summary.max[column])))
    spread = float(np.sqrt(summary.var[column]))
    if not spread > 0:
        return None
    # The floor the regularisation sets must stay above the column's rounding.
    needed = (np.finfo(np.float64).eps * magnitude / (RESOLUTION * spread)) ** 2
    # Correlated columns can make it finer still than the column alone suggests.
    needed = max(needed, 10.0 * reg_covar)
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
