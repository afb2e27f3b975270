"""PARAMS.json: the versioned, documented form of fitted parameters.

The same document is written by ``fit`` (and the window's export) and read back
by ``--init`` and ``predict``, so a fit can be resumed or started from
hand-written parameters. Floats are written with ``repr`` precision by the
``json`` module, so a round trip is exact.

Schema, version 1 (keys in this order)::

    format          "em-studio-params"
    version         1
    model           a registered model: gaussian | kmeans | bernoulli | binomial | poisson
    <options>       the model's options under their file keys, except those
                    given per column (gaussian: covariance, mclust's name: VVV, EEE, VVI,
                    VII, EII, ...; readers also take full, tied, diag, spherical)
    n_components    K
    n_features      D
    feature_names   [D names]
    weights         [K]
    <arrays>        the model's parameter arrays by name, in the shapes it declares
                    (scikit-learn's for covariances), for example
                    gaussian: means [K][D], covariances full [K][D][D], tied [D][D],
                    diag [K][D], spherical [K]; kmeans: means, covariances [K] (one
                    shared value); bernoulli, binomial: probs [K][D]; poisson: rates [K][D]
    <per column>    the model's options given per column, and the constants it
                    writes for readers, as [D] lists (binomial: trials; bernoulli:
                    trials, all 1)
    log_likelihood  total natural-log likelihood of these parameters on the data
    history         log-likelihood at the start and after each iteration
                    (history[-1] == log_likelihood); for a model with a trace
                    metric (kmeans: inertia), that metric, also given on its own
    objective       when EM climbs something other than the log-likelihood, its name
                    ("log-likelihood + log prior" with the prior regularisation,
                    "classification log-likelihood" with the hard E-step)
    objective_history  that figure at the start and after each iteration: it never
                    falls, where ``history`` may dip a little as the prior pulls
    n_iter, converged, n_parameters, bic, aic, icl
    rows_with_gaps  only when the data had missing values: rows with at least one
    missing_values  ... values missing in all
    rows_left_out   ... rows without any value, left out of the fit (BIC's n is
                    the number of rows less these)
    warnings        only when the fit has something to warn of: the sentences the
                    command line prints as notes (components resting on the
                    regularisation alone, no convergence in max_iter, ...)
    seed
    settings        {e_step, init, fixed, max_iter, tol, reg_covar, n_init, seed}

What a model writes is what it declares (:mod:`engine.models`): its options'
``file_key`` and ``per_column``, its ``param_specs``, its ``column_constants``
and its ``trace_metric``; this module names no model. Only ``format``,
``version``, ``model``, ``n_components``, ``n_features``, ``weights``, the
model's options and its arrays are needed to read a file back; the rest
describes the fit that produced it. A session (:mod:`emio.session`) keeps its
explicit starting parameters and its result as documents of this kind, and its
trace by the same array names and shapes (:func:`encode_arrays`,
:func:`array_shapes`, :func:`decode_array`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import FitOptions, FitResult, Params, objective_name
from engine.models import OptionSpec, build_model, model_class, model_names, registry
from emio.jsontext import document_text

FORMAT = "em-studio-params"
VERSION = 1
#: What to do with a parameters file that cannot be used, said after what is wrong.
READ_ADVICE = "fix the file or use a parameters file EM Studio wrote"
#: The fit options a PARAMS.json records under ``settings`` (with the seed the fit used).
SETTINGS = ("e_step", "init", "fixed", "max_iter", "tol", "reg_covar", "n_init")


class SchemaError(ValueError):
    """A PARAMS.json that cannot be read; the message names the field."""


@dataclass(frozen=True)
class ParamsDocument:
    """What a PARAMS.json says about a model, enough to start or apply it.

    ``model_options`` are the model's options as the file gives them (by
    option name); a model's option also reads as an attribute, as on
    :class:`engine.FitOptions` (another model's reads as its default).
    """

    model: str
    model_options: Mapping[str, object]
    n_features: int
    feature_names: list[str]
    params: Params

    @property
    def n_components(self) -> int:
        return self.params.n_components

    def options(self, **changes: Any) -> FitOptions:
        """Fit options that start from (or evaluate) these parameters."""
        base = FitOptions(
            model=self.model,
            n_components=self.n_components,
            init=self.params,
            **self.model_options,
        )
        return base.replace(**changes)

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.options(), name)


# --------------------------------------------------------------------------- writing


def check_feature_names(feature_names: Sequence[str], n_features: int) -> None:
    """ValueError unless there is one name per column."""
    if len(feature_names) != n_features:
        raise ValueError(
            f"{len(feature_names)} column names were given for {n_features} columns; "
            "give one name per column"
        )


def encode_arrays(params: Params) -> dict[str, list]:
    """The parameter arrays by their names in files, as nested lists (every digit kept)."""
    return {name: array.tolist() for name, array in params.arrays().items()}


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def option_to_json(options: FitOptions, name: str) -> Any:
    """One field of ``options`` as files hold it.

    The start is ``"explicit"`` when parameters were given (they are written
    elsewhere), held parameters are a sorted list, values per column a list, a
    model's choice the word users see (:meth:`OptionSpec.written`).
    """
    value = getattr(options, name)
    if name == "init":
        return "explicit" if options.explicit_init else value
    if name == "fixed":
        return sorted(value)
    spec = registry.option_specs().get(name)
    return _json_value(value if spec is None else spec.written(value))


def model_keys(options: FitOptions) -> dict[str, Any]:
    """``model``, and the model's options that are not given per column, under their
    file keys (a Gaussian's ``covariance``) and in the words users see (mclust's ``VVV``,
    where the engine's name is ``full``), as every document names them."""
    keys = {"model": options.model}
    for spec in model_class(options.model).option_specs:
        if not spec.per_column:
            keys[spec.file_key] = _json_value(spec.written(options.model_options[spec.name]))
    return keys


def column_values(options: FitOptions, n_features: int) -> dict[str, list]:
    """What documents hold per data column after the arrays, by key: the model's options
    given per column (one value stands for every column) and the constants it declares."""
    cls = model_class(options.model)
    values = {}
    for spec in cls.option_specs:
        value = options.model_options[spec.name]
        if spec.per_column and value is not None:
            values[spec.file_key] = np.broadcast_to(np.atleast_1d(value), (n_features,)).tolist()
    for key, value in cls.column_constants.items():
        values[key] = [value] * n_features
    return values


def params_document(params: Params, options: FitOptions, feature_names: list[str]) -> dict:
    """A PARAMS.json document of bare parameters (no fit), readable by :func:`params_from_dict`."""
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, **model_keys(options)}
    doc["n_components"] = params.n_components
    doc["n_features"] = len(feature_names)
    doc["feature_names"] = list(feature_names)
    doc.update(encode_arrays(params))
    doc.update(column_values(options, len(feature_names)))
    return doc


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def result_to_dict(result: FitResult, feature_names: list[str]) -> dict[str, Any]:
    """The PARAMS.json document of a fit, ready for :func:`dumps`."""
    check_feature_names(feature_names, result.n_features)
    options = result.options
    doc = params_document(result.params, options, feature_names)
    metric = model_class(options.model).trace_metric
    doc["log_likelihood"] = result.log_likelihood
    doc["history"] = list(result.metrics_history[metric] if metric else result.history)
    if not metric and list(result.objective_history) != list(result.history):
        # What EM climbed (the prior's pull, the hard E-step): it never falls, where the
        # log-likelihood may dip a little.
        doc["objective"] = objective_name(options)
        doc["objective_history"] = list(result.objective_history)
    if metric:
        doc[metric] = result.metrics_history[metric][-1]
    doc.update(
        n_iter=result.n_iter,
        converged=result.converged,
        n_parameters=result.n_parameters,
        bic=result.bic,
        aic=result.aic,
        icl=_finite_or_none(result.icl),
    )
    if result.n_rows_with_gaps:
        doc.update(missing_counts(result))
    if result.messages:  # components on the regularisation alone, no convergence, ...
        doc["warnings"] = list(result.messages)
    doc.update(
        seed=result.seed,
        settings={name: option_to_json(options, name) for name in SETTINGS} | {"seed": result.seed},
    )
    return doc


#: What a PARAMS.json calls the counts of missing values, by the result's names.
MISSING_KEYS = {
    "rows_with_gaps": "n_rows_with_gaps",
    "missing_values": "n_missing_values",
    "rows_left_out": "n_empty_rows",
}


def missing_counts(result: FitResult) -> dict[str, int]:
    """How many rows had gaps, how many values were missing and how many rows had none."""
    return {key: int(getattr(result, name)) for key, name in MISSING_KEYS.items()}


def dumps(doc: dict[str, Any]) -> str:
    """The document as strict JSON, one top-level key per line, arrays kept on one line.

    Floats keep every digit (``repr``); NaN or infinity raise ``ValueError``
    rather than produce a file other JSON readers reject.
    """
    return document_text(doc)


# --------------------------------------------------------------------------- reading


def array_shapes(
    model: str, model_options: Mapping[str, object], n_components: int, n_features: int
) -> dict[str, tuple[int, ...]]:
    """The shape of each parameter array of ``model`` with ``model_options``, by its
    name in files, weights first (as the model declares them)."""
    specs = build_model(model, model_options).array_specs
    return {spec.name: spec.shape_for(n_components, n_features) for spec in specs}


def _holds_a_truth_value(value: Any) -> bool:
    """Whether nested lists hold ``true`` or ``false`` (which NumPy would read as 1 and 0)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bool) or isinstance(item, np.bool_):
            return True
        if isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def decode_array(value: Any, shape: tuple[int, ...], label: str, context: str = "") -> np.ndarray:
    """``value`` (nested lists of numbers) as a float64 array of ``shape``.

    Raises :class:`SchemaError` naming ``label``; ``context`` follows the
    needed shape in the message (``" for 3 components and 2 columns"``).
    """
    if _holds_a_truth_value(value):
        raise SchemaError(f"{label} holds true or false where numbers belong; write numbers")
    try:
        array = np.array(value, dtype=np.float64)
    # OverflowError: a whole number too large for a float, from a reader
    # other than emio.jsonfile (which refuses those itself).
    except (TypeError, ValueError, OverflowError):
        raise SchemaError(f"{label} must be a (nested) list of numbers") from None
    if array.shape != shape:
        raise SchemaError(
            f"{label} has shape {list(array.shape)} but {list(shape)} is needed{context}; "
            "make the counts and the arrays agree"
        )
    if not np.all(np.isfinite(array)):
        raise SchemaError(f"{label} contains a value that is not a finite number")
    return array


def _array(doc: dict[str, Any], name: str, shape: tuple[int, ...]) -> np.ndarray:
    if name not in doc:
        raise SchemaError(f"the parameters file has no {name!r}; add it (shape {list(shape)})")
    context = f" for {doc.get('n_components')} components and {doc.get('n_features')} columns"
    return decode_array(doc[name], shape, repr(name), context)


def _whole_number(doc: dict[str, Any], name: str) -> int:
    value = doc.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SchemaError(f"{name!r} must be a whole number of at least 1, not {value!r}")
    return value


def _bad_option(spec: OptionSpec, key: str, problem: ValueError) -> SchemaError:
    return SchemaError(f"{key!r} must be {spec.accepts}" if spec.accepts else f"{key!r}: {problem}")


def _option(doc: dict[str, Any], spec: OptionSpec) -> object:
    """The value of an option that is not given per column; its default when absent."""
    key, value = spec.file_key, doc.get(spec.file_key)
    choices = spec.current_choices()
    if choices:
        chosen = spec.choice_of(value)
        if chosen is None:
            words = ", ".join(str(spec.written(choice)) for choice in choices)
            raise SchemaError(f"unknown {key} {value!r}; write one of {words}")
        return chosen
    try:
        return None if value is None else spec.normalise(value)
    except ValueError as exc:
        raise _bad_option(spec, key, exc) from None


def _column_option(doc: dict[str, Any], spec: OptionSpec, n_features: int) -> object:
    """The value of an option given per column, as a tuple; required when the model requires it."""
    key = spec.file_key
    if key not in doc and not spec.required:
        return None
    values = _array(doc, key, (n_features,))
    try:
        return spec.normalise(tuple(values.tolist()))
    except ValueError as exc:
        raise _bad_option(spec, key, exc) from None


def params_from_dict(doc: Any) -> ParamsDocument:
    """Read a PARAMS.json document; raises :class:`SchemaError` saying what to fix."""
    if not isinstance(doc, dict):
        raise SchemaError("a parameters file must hold one JSON object ({...})")
    if doc.get("format") != FORMAT:
        raise SchemaError(f"not an EM Studio parameters file: 'format' must be {FORMAT!r}")
    if doc.get("version") != VERSION:
        raise SchemaError(
            f"parameters file version {doc.get('version')!r} is not supported; "
            f"this EM Studio reads version {VERSION}"
        )
    model = doc.get("model")
    if "model" not in doc:
        raise SchemaError(f"the parameters file has no 'model'; add one of "
                          f"{', '.join(model_names())}")
    if model not in model_names():
        raise SchemaError(f"unknown model {model!r}; choose one of {', '.join(model_names())}")
    k = _whole_number(doc, "n_components")
    d = _whole_number(doc, "n_features")
    specs = model_class(model).option_specs
    options = {spec.name: _option(doc, spec) for spec in specs if not spec.per_column}
    # The arrays come first: their shapes bound n_features by the size of the
    # file before any default names are made for it.
    arrays = {
        name: _array(doc, name, shape)
        for name, shape in array_shapes(model, options, k, d).items()
    }
    names = doc["feature_names"] if "feature_names" in doc else [f"x{j + 1}" for j in range(d)]
    if not (isinstance(names, list) and len(names) == d and all(isinstance(n, str) for n in names)):
        raise SchemaError(f"'feature_names' must be a list of {d} strings")
    options |= {spec.name: _column_option(doc, spec, d) for spec in specs if spec.per_column}
    return ParamsDocument(
        model=model,
        model_options=options,
        n_features=d,
        feature_names=names,
        params=Params(**arrays),
    )
