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
describes the fit that produced it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.em import FitOptions, FitResult
from engine.models import COVARIANCE_TYPES, MODEL_NAMES
from engine.models.gaussian import covariance_shape
from engine.params import Params

FORMAT = "em-studio-params"
VERSION = 1

_MODEL_ARRAYS = {
    "gaussian": ("means", "covariances"),
    "kmeans": ("means", "covariances"),
    "bernoulli": ("probs",),
    "binomial": ("probs",),
    "poisson": ("rates",),
}


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


def _trials_list(options: FitOptions, n_features: int) -> list[int] | None:
    if options.model == "bernoulli":
        return [1] * n_features
    if options.model == "binomial":
        return [int(t) for t in np.broadcast_to(np.atleast_1d(options.trials), (n_features,))]
    return None


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def result_to_dict(result: FitResult, feature_names: list[str]) -> dict[str, Any]:
    """The PARAMS.json document of a fit, ready for ``json.dump``."""
    options = result.options
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "model": options.model}
    if options.model == "gaussian":
        doc["covariance"] = options.covariance_type
    doc["n_components"] = options.n_components
    doc["n_features"] = result.n_features
    doc["feature_names"] = list(feature_names)
    for name, array in result.params.arrays().items():
        doc[name] = array.tolist()
        if name == "probs":
            doc["trials"] = _trials_list(options, result.n_features)
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
        settings={
            "e_step": options.e_step,
            "init": "explicit" if options.explicit_init else options.init,
            "fixed": sorted(options.fixed),
            "max_iter": options.max_iter,
            "tol": options.tol,
            "reg_covar": options.reg_covar,
            "n_init": options.n_init,
            "seed": result.seed,
        },
    )
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """The document as strict JSON, one top-level key per line, arrays kept on one line.

    Floats keep every digit (``repr``); NaN or infinity raise ``ValueError``
    rather than produce a file other JSON readers reject.
    """
    lines = [
        f"  {json.dumps(key)}: {json.dumps(value, allow_nan=False)}" for key, value in doc.items()
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


class SchemaError(ValueError):
    """A PARAMS.json that cannot be read; the message names the field."""


def _array(doc: dict[str, Any], name: str, shape: tuple[int, ...]) -> np.ndarray:
    if name not in doc:
        raise SchemaError(f"the parameters file has no {name!r}; add it (shape {list(shape)})")
    try:
        array = np.array(doc[name], dtype=np.float64)
    except (TypeError, ValueError):
        raise SchemaError(f"{name!r} must be a (nested) list of numbers") from None
    if array.shape != shape:
        raise SchemaError(
            f"{name!r} has shape {list(array.shape)} but {list(shape)} is needed for "
            f"{doc.get('n_components')} components and {doc.get('n_features')} columns"
        )
    if not np.all(np.isfinite(array)):
        raise SchemaError(f"{name!r} contains a value that is not a finite number")
    return array


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
    names = doc.get("feature_names", [f"x{j + 1}" for j in range(d)])
    if not (isinstance(names, list) and len(names) == d and all(isinstance(n, str) for n in names)):
        raise SchemaError(f"'feature_names' must be a list of {d} strings")
    arrays = {"weights": _array(doc, "weights", (k,))}
    for name in _MODEL_ARRAYS[model]:
        shape = covariance_shape(covariance, k, d) if name == "covariances" else (k, d)
        arrays[name] = _array(doc, name, shape)
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
