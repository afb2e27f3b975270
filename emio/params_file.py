"""PARAMS.json: the versioned, documented form of fitted parameters.

The same document is written by ``fit`` (and the window's export) and read back
by ``--init`` and ``predict``, so a fit can be resumed or started from
hand-written parameters. Floats are written with ``repr`` precision by the
``json`` module, so a round trip is exact.

Schema, version 1 (keys in this order)::

    format          "em-studio-params"
    version         1
    model           gaussian | kmeans | bernoulli | binomial | poisson
    covariance      full | tied | diag | spherical      (gaussian only)
    n_components    K
    n_features      D
    feature_names   [D names]
    weights         [K]
    means           [K][D]                (gaussian, kmeans)
    covariances     scikit-learn's shape for the covariance type:
                    full [K][D][D], tied [D][D], diag [K][D], spherical [K];
                    kmeans: spherical, one shared value
    probs           [K][D]                (bernoulli, binomial)
    trials          [D]                   (bernoulli: all 1, binomial)
    rates           [K][D]                (poisson)
    log_likelihood  total natural-log likelihood of these parameters on the data
    history         log-likelihood at the start and after each iteration
                    (history[-1] == log_likelihood); kmeans: the inertia
    n_iter, converged, n_parameters, bic, aic, icl, seed
    settings        {e_step, init, fixed, max_iter, tol, reg_covar, n_init, seed}

Only ``format``, ``version``, ``model``, ``n_components``, ``n_features``,
``weights`` and the model's own arrays are needed to read a file back; the rest
describes the fit that produced it. A session (:mod:`emio.session`) keeps its
explicit starting parameters and its result as documents of this kind, and its
trace by the same array names and shapes (:func:`encode_arrays`,
:func:`array_shapes`, :func:`decode_array`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import COVARIANCE_TYPES, MODEL_NAMES, FitOptions, FitResult, Params
from engine.models.gaussian import covariance_shape
from emio.jsontext import document_text

FORMAT = "em-studio-params"
VERSION = 1
#: What to do with a parameters file that cannot be used, said after what is wrong.
READ_ADVICE = "fix the file or use a parameters file EM Studio wrote"
#: The fit options a PARAMS.json records under ``settings`` (with the seed the fit used).
SETTINGS = ("e_step", "init", "fixed", "max_iter", "tol", "reg_covar", "n_init")

_MODEL_ARRAYS = {
    "gaussian": ("means", "covariances"),
    "kmeans": ("means", "covariances"),
    "bernoulli": ("probs",),
    "binomial": ("probs",),
    "poisson": ("rates",),
}


class SchemaError(ValueError):
    """A PARAMS.json that cannot be read; the message names the field."""


@dataclass(frozen=True)
class ParamsDocument:
    """What a PARAMS.json says about a model, enough to start or apply it."""

    model: str
    covariance_type: str
    n_features: int
    feature_names: list[str]
    params: Params
    trials: tuple[int, ...] | None

    @property
    def n_components(self) -> int:
        return self.params.n_components

    def options(self, **changes: Any) -> FitOptions:
        """Fit options that start from (or evaluate) these parameters."""
        base = FitOptions(
            model=self.model,
            n_components=self.n_components,
            covariance_type=self.covariance_type,
            trials=self.trials,
            init=self.params,
        )
        return base.replace(**changes)


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


def trials_list(options: FitOptions, n_features: int) -> list[int] | None:
    """Trials per column as files hold them: Bernoulli all 1, binomial as given, else None."""
    if options.model == "bernoulli":
        return [1] * n_features
    if options.model == "binomial" and options.trials is not None:
        return [int(t) for t in np.broadcast_to(np.atleast_1d(options.trials), (n_features,))]
    return None


def option_to_json(options: FitOptions, name: str) -> Any:
    """One field of ``options`` as files hold it.

    The start is ``"explicit"`` when parameters were given (they are written
    elsewhere), held parameters are a sorted list, trials per column a list.
    """
    value = getattr(options, name)
    if name == "init":
        return "explicit" if options.explicit_init else value
    if name == "fixed":
        return sorted(value)
    if name == "trials" and isinstance(value, tuple):
        return list(value)
    return value


def model_keys(options: FitOptions) -> dict[str, str]:
    """``model``, and for a Gaussian mixture its ``covariance``, as every document names them."""
    if options.model == "gaussian":
        return {"model": options.model, "covariance": options.covariance_type}
    return {"model": options.model}


def params_document(params: Params, options: FitOptions, feature_names: list[str]) -> dict:
    """A PARAMS.json document of bare parameters (no fit), readable by :func:`params_from_dict`."""
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, **model_keys(options)}
    doc["n_components"] = params.n_components
    doc["n_features"] = len(feature_names)
    doc["feature_names"] = list(feature_names)
    doc.update(encode_arrays(params))
    trials = trials_list(options, len(feature_names))
    if trials is not None:
        doc["trials"] = trials
    return doc


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def result_to_dict(result: FitResult, feature_names: list[str]) -> dict[str, Any]:
    """The PARAMS.json document of a fit, ready for :func:`dumps`."""
    check_feature_names(feature_names, result.n_features)
    options = result.options
    doc = params_document(result.params, options, feature_names)
    is_kmeans = options.model == "kmeans"
    doc["log_likelihood"] = result.log_likelihood
    doc["history"] = list(result.metrics_history["inertia"] if is_kmeans else result.history)
    if is_kmeans:
        doc["inertia"] = result.metrics_history["inertia"][-1]
    doc.update(
        n_iter=result.n_iter,
        converged=result.converged,
        n_parameters=result.n_parameters,
        bic=result.bic,
        aic=result.aic,
        icl=_finite_or_none(result.icl),
        seed=result.seed,
        settings={name: option_to_json(options, name) for name in SETTINGS} | {"seed": result.seed},
    )
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """The document as strict JSON, one top-level key per line, arrays kept on one line.

    Floats keep every digit (``repr``); NaN or infinity raise ``ValueError``
    rather than produce a file other JSON readers reject.
    """
    return document_text(doc)


# --------------------------------------------------------------------------- reading


def array_shapes(
    model: str, covariance_type: str, n_components: int, n_features: int
) -> dict[str, tuple[int, ...]]:
    """The shape of each parameter array of ``model``, by its name in files, weights first.

    ``covariance_type`` counts for Gaussians only; k-means is spherical.
    """
    covariance = "spherical" if model == "kmeans" else covariance_type
    shapes: dict[str, tuple[int, ...]] = {"weights": (n_components,)}
    for name in _MODEL_ARRAYS[model]:
        shapes[name] = (
            covariance_shape(covariance, n_components, n_features)
            if name == "covariances"
            else (n_components, n_features)
        )
    return shapes


def decode_array(value: Any, shape: tuple[int, ...], label: str, context: str = "") -> np.ndarray:
    """``value`` (nested lists of numbers) as a float64 array of ``shape``.

    Raises :class:`SchemaError` naming ``label``; ``context`` follows the
    needed shape in the message (``" for 3 components and 2 columns"``).
    """
    try:
        array = np.array(value, dtype=np.float64)
    # OverflowError: a whole number too large for a float, from a reader
    # other than emio.jsonfile (which refuses those itself).
    except (TypeError, ValueError, OverflowError):
        raise SchemaError(f"{label} must be a (nested) list of numbers") from None
    if array.shape != shape:
        raise SchemaError(
            f"{label} has shape {list(array.shape)} but {list(shape)} is needed{context}"
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
    if model not in MODEL_NAMES:
        raise SchemaError(f"unknown model {model!r}; choose one of {', '.join(MODEL_NAMES)}")
    k = _whole_number(doc, "n_components")
    d = _whole_number(doc, "n_features")
    covariance = doc.get("covariance", "spherical" if model == "kmeans" else None)
    if model == "gaussian" and covariance not in COVARIANCE_TYPES:
        raise SchemaError(
            f"unknown covariance {covariance!r}; choose one of {', '.join(COVARIANCE_TYPES)}"
        )
    # The arrays come first: their shapes bound n_features by the size of the
    # file before any default names are made for it.
    arrays = {
        name: _array(doc, name, shape)
        for name, shape in array_shapes(model, covariance, k, d).items()
    }
    names = doc["feature_names"] if "feature_names" in doc else [f"x{j + 1}" for j in range(d)]
    if not (isinstance(names, list) and len(names) == d and all(isinstance(n, str) for n in names)):
        raise SchemaError(f"'feature_names' must be a list of {d} strings")
    trials = None
    if model == "binomial":
        trials_array = _array(doc, "trials", (d,))
        if np.any(trials_array < 1) or np.any(trials_array != np.round(trials_array)):
            raise SchemaError("'trials' must be whole numbers of at least 1")
        trials = tuple(int(t) for t in trials_array)
    return ParamsDocument(
        model=model,
        covariance_type=covariance if model == "gaussian" else "full",
        n_features=d,
        feature_names=names,
        params=Params(**arrays),
        trials=trials,
    )
