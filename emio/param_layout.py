"""Parameter arrays laid out flat, by the symbols of their declared shapes.

A model declares each array's shape in symbols (:class:`engine.models.ParamSpec`):
``"K"`` counts components, ``"D"`` columns. Two layouts follow from the symbols
alone, so no export names a model or an array:

* :func:`component_columns`, one row per component (the components table):
  ``weight``; an array of shape (K, D) gives a column per data column,
  ``mean(x)``; a square one (K, D, D) its diagonal, ``var(x)``, then its upper
  triangle, ``cov(x,y)``; one of shape (K,) a single column, ``var``. An array
  every component shares (a tied covariance, k-means' one variance) is repeated
  on every row, its headers marked `` (shared)``.
* :func:`value_columns`, one column per value (a trace): ``weights[2]``,
  ``means[2,x]``, ``covariances[2,x,y]``, components counted from 1 and data
  columns by name.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import Params
from engine.models import MixtureModel, ParamSpec

SHARED = " (shared)"


def _named(word: str, names: Sequence[str]) -> str:
    return f"{word}({','.join(names)})"


def _columns_of(
    spec: ParamSpec, values: np.ndarray, names: Sequence[str]
) -> list[tuple[str, np.ndarray, tuple[int, ...]]]:
    """(header, value per component, data columns) for the axes after the component's."""
    symbols = spec.shape[1:] if spec.per_component else spec.shape
    suffix = SHARED if spec.shared else ""
    if symbols == ():
        return [(spec.column + suffix, values, ())]
    if symbols == ("D", "D"):
        columns = [
            (_named(spec.column, [name]) + suffix, values[:, d, d], (d, d))
            for d, name in enumerate(names)
        ]
        columns += [
            (_named(spec.off_diagonal, [names[i], names[j]]) + suffix, values[:, i, j], (i, j))
            for i in range(len(names))
            for j in range(i + 1, len(names))
        ]
        return columns
    return [
        (
            _named(spec.column, [names[i] for i in index]) + suffix,
            values[(slice(None), *index)],
            tuple(index),
        )
        for index in np.ndindex(values.shape[1:])
    ]


def spec_columns(
    model: MixtureModel, params: Params, feature_names: Sequence[str]
) -> list[tuple[ParamSpec, str, np.ndarray, tuple[int, ...]]]:
    """:func:`component_columns` with, for each column, the array it comes from and the
    data columns it is about (``(d,)``, ``(i, j)`` for a square array, ``()`` for none)."""
    k = params.n_components
    columns = []
    for spec in model.array_specs:
        values = np.asarray(params[spec.name])
        if not spec.per_component:
            values = np.broadcast_to(values, (k, *values.shape))
        columns += [(spec, *column) for column in _columns_of(spec, values, feature_names)]
    return columns


def component_columns(
    model: MixtureModel, params: Params, feature_names: Sequence[str]
) -> list[tuple[str, np.ndarray]]:
    """(header, values of shape (n_components,)) for every value of one component,
    in the order of the model's declaration."""
    return [(header, values) for _, header, values, _ in spec_columns(model, params, feature_names)]


def value_columns(
    model: MixtureModel, params: Params, feature_names: Sequence[str]
) -> list[tuple[str, str, tuple[int, ...]]]:
    """(header, array name, index) for every value of ``params``, in their order."""
    specs = {spec.name: spec for spec in model.array_specs}
    labels = {"K": [str(k + 1) for k in range(params.n_components)], "D": list(feature_names)}
    columns = []
    for name, array in params.arrays().items():
        spec = specs.get(name)
        if spec is None:
            raise ValueError(
                f"a {model.name} model has no {name}; its arrays are {', '.join(specs)}"
            )
        if len(spec.shape) != array.ndim:
            raise ValueError(
                f"{name} has {array.ndim} axes but a {model.name} model"
                f"{model.shape_detail} needs {len(spec.shape)}"
            )
        for index in np.ndindex(array.shape):
            text = ",".join(labels[symbol][i] for symbol, i in zip(spec.shape, index))
            columns.append((f"{name}[{text}]", name, index))
    return columns
