"""Fitting in standard units: each column centred and divided by its standard deviation,
the parameters reported in the columns' own units.

With ``z = (x - c) / s`` column by column, a Gaussian with mean ``m`` and covariance
``S`` in standard units is the Gaussian with mean ``c + s m`` and covariance
``diag(s) S diag(s)`` in the original ones, and the density of a row changes by the
Jacobian ``1 / prod(s)``: the log-likelihood of ``N`` rows in original units is the
standard-unit one minus ``N sum(log s)``. :func:`fit_standardized` fits on ``z``
and maps the result back that way, exactly.

What it changes depends on the model (``MixtureModel.unit_free``):

* models whose fit does not depend on the columns' units (full, tied, diag and
  the other mclust structures with ``unit_free``): nothing but round-off; from
  the same start the fit equals the fit of the raw columns;
* models with one spread per component however many columns (k-means,
  spherical): a round cluster in standard units is an axis-aligned ellipse in
  the original ones, which such a model cannot hold, so standardising them is
  refused with advice (standardise the file itself and fit that, or choose
  ``diag``);
* the other Gaussian structures (common or varying orientation with shapes
  tied, VEV, EVE, ...): the fit changes, as mclust's does when its data are
  scaled; the parameters are still reported exactly in the original units.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np

from engine.fit_setup import model_for
from engine.data import check_magnitude
from engine.loop import drain, iterate
from engine.models.base import MixtureModel
from engine.models import registry
from engine.models.gaussian_resolution import check_spread
from engine.models.registry import build_model
from engine.options import FitOptions
from engine.params import Params
from engine.results import FitResult, Snapshot
from engine.starts import checked_params

#: Columns whose standard deviations differ by this factor or more: standardising is offered.
SCALE_RATIO_HINT = 100.0


@dataclass(frozen=True)
class Scaling:
    """``z = (x - center) / scale`` column by column; both of shape (n_features,)."""

    center: np.ndarray
    scale: np.ndarray

    def apply(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.center) / self.scale

    @property
    def log_det(self) -> float:
        """``sum(log scale)``: each row's log-density in original units is its standard-unit
        one minus this."""
        return float(np.sum(np.log(self.scale)))


def column_scaling(X: np.ndarray, feature_names: Sequence[str] | None = None) -> Scaling:
    """Each column's mean and standard deviation (missing values left out).

    Raises ``ValueError`` naming a column that is constant (it has no scale to divide by).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError("standardising needs a table of at least two rows")
    names = feature_names or [f"x{d + 1}" for d in range(X.shape[1])]
    check_magnitude(X, names)
    # fmin/fmax skip missing values, and give NaN without a warning for an empty column.
    check_spread(np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0), names)
    with np.errstate(invalid="ignore"):
        center = np.nanmean(X, axis=0)
        scale = np.nanstd(X, axis=0)
    bad = np.flatnonzero(~(np.isfinite(scale) & (scale > 0)))
    if bad.size:
        names = feature_names or [f"column {d + 1}" for d in range(X.shape[1])]
        raise ValueError(
            f"{names[bad[0]]} has no spread (every value is the same, or none is present), "
            "so it cannot be standardised; leave it out of the fit"
        )
    return Scaling(center, scale)


def scales_differ(X: np.ndarray, ratio: float = SCALE_RATIO_HINT) -> bool:
    """Whether the columns' standard deviations differ by ``ratio`` or more (constant and
    empty columns aside): then standardising is worth offering."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 2 or X.shape[0] < 2:
        return False
    with np.errstate(invalid="ignore", over="ignore"):  # a column too large has no hint
        scale = np.nanstd(X, axis=0)
    scale = scale[np.isfinite(scale) & (scale > 0)]
    return scale.size >= 2 and float(scale.max() / scale.min()) >= ratio


def _model(options: FitOptions) -> MixtureModel:
    return build_model(options.model, options.model_options)


def check_standardizable(options: FitOptions) -> None:
    """Raise ``ValueError`` with advice when the model's parameters cannot be reported in
    the original units after a fit in standard units."""
    model = _model(options)
    if not any(spec.role == "location" for spec in model.param_specs):
        raise ValueError(
            f"the {options.model} model does not fit measurements on a scale (its values are "
            "counts or yes/no), so its columns are not standardised; fit it without "
            "standardising"
        )
    for spec in model.param_specs:
        if spec.role == "spread" and "D" not in spec.shape:
            variant = type(model).variant_option
            named = f"the {options.model} model"
            if variant is not None:
                value, shown = getattr(options, variant), registry.option_specs()[variant].shown
                named += f" with the {shown(value) if shown else value} {spec.title}"
            raise ValueError(
                f"{named} keeps one spread per component for "
                "every column: clusters round in standard "
                "units would be ellipses in the original ones, which it cannot hold. Fit the "
                "Gaussian model with the VVI (diag) covariance instead, or standardise the file "
                "itself and fit that"
            )


def rescale_params(params: Params, options: FitOptions, scaling: Scaling,
                   to_original: bool = True) -> Params:
    """``params`` of standard units in the original ones (or, with ``to_original`` False,
    the other way), by each array's declared role and shape."""
    s = scaling.scale if to_original else 1.0 / scaling.scale
    changes: dict[str, np.ndarray] = {}
    for spec in _model(options).param_specs:
        value = np.asarray(params[spec.name], dtype=np.float64)
        if spec.role == "location":
            value = value * scaling.scale + scaling.center if to_original else (
                (value - scaling.center) / scaling.scale
            )
        elif spec.role == "spread":
            # Covariances scale by s_i s_j; a spread with one column axis holds variances.
            axes = [axis for axis, symbol in enumerate(spec.shape) if symbol == "D"]
            power = 2 if len(axes) == 1 else 1
            for axis in axes:
                shape = [1] * value.ndim
                shape[axis] = -1
                value = value * s.reshape(shape) ** power
        else:
            continue
        changes[spec.name] = value
    return params.replace(**changes)


def _shift(X: np.ndarray, scaling: Scaling) -> float:
    """``sum(log s)`` over every value present: the log-likelihood's change of units (a row
    with gaps brings only its observed columns' Jacobian)."""
    present = np.isfinite(np.asarray(X, dtype=np.float64))
    return float(np.sum(present * np.log(scaling.scale)))


def iterate_standardized(
    X: np.ndarray, options: FitOptions, feature_names: Sequence[str] | None = None,
    labels: bool | None = None,
) -> Generator[Snapshot, None, FitResult]:
    """:func:`engine.iterate` in standard units: every snapshot and the result in the
    original units (see :func:`fit_standardized`)."""
    check_standardizable(options)
    if not isinstance(X, np.ndarray):
        raise ValueError(
            "standardising needs the data in memory, and these rows are streamed from a "
            "file; standardise the columns in the file itself, or fit without standardising"
        )
    scaling = column_scaling(X, feature_names)
    inner = options
    if isinstance(options.init, Params):
        # Checked in the original units, so that a refusal quotes the values as given.
        checked_params(model_for(options, X), options.init, X.shape[1], options.n_components)
        inner = options.replace(init=rescale_params(options.init, options, scaling, False))
    shift = _shift(X, scaling)
    run = iterate(scaling.apply(X), inner, feature_names, labels=labels)
    try:
        while True:
            try:
                snapshot = next(run)
            except StopIteration as stop:
                result: FitResult = stop.value
                break
            yield dataclasses.replace(
                snapshot,
                params=rescale_params(snapshot.params, options, scaling),
                log_likelihood=snapshot.log_likelihood - shift,
                objective=snapshot.objective - shift,
            )
    finally:
        run.close()
    return dataclasses.replace(
        result,
        options=options.replace(seed=result.options.seed),  # the seed drawn, if none was given
        params=rescale_params(result.params, options, scaling),
        log_likelihood=result.log_likelihood - shift,
        history=tuple(v - shift for v in result.history),
        restart_objectives=tuple(v - shift for v in result.restart_objectives),
        objective_history=tuple(v - shift for v in result.objective_history),
    )


def fit_standardized(X: np.ndarray, options: FitOptions,
                     feature_names: Sequence[str] | None = None) -> FitResult:
    """Fit ``X`` (n_samples, n_features) in standard units; the result in the original ones.

    Explicit starting parameters in ``options.init`` are taken in the original units.
    The result's parameters, log-likelihood and its history are those of the original
    columns; its options are ``options``; labels, iterations and criteria's parameter
    counts are the standard-unit fit's.
    """
    return drain(iterate_standardized(X, options, feature_names))
