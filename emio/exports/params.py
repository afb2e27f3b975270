"""Export Parameters: PARAMS.json and, on request, a components table, the arrays as
``.npz`` and a script, built in memory and then written atomically."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from engine import FitResult, Params
from emio.atomic import atomic_write
from emio.csvtext import csv_text, float_text
from emio.params_file import check_feature_names, dumps, result_to_dict
from emio.snippet import snippet

#: Arrays of the ``.npz`` export and what each holds. Only those the model uses are written.
NPZ_ARRAYS: dict[str, str] = {
    "model": "0-d text: gaussian, kmeans, bernoulli, binomial or poisson",
    "covariance_type": "0-d text: full, tied, diag or spherical (gaussian only)",
    "feature_names": "(D,) text: the column names",
    "weights": "(K,) mixing proportions",
    "means": "(K, D) component means (gaussian, kmeans)",
    "covariances": "scikit-learn's shape: full (K, D, D), tied (D, D), diag (K, D), "
    "spherical (K,); kmeans (K,), one shared value",
    "probs": "(K, D) success probabilities (bernoulli, binomial)",
    "trials": "(D,) integer trials per column (bernoulli: all 1, binomial)",
    "rates": "(K, D) Poisson rates (poisson)",
    "history": "(n_iter + 1,) log-likelihood at the start and after each iteration; "
    "kmeans: the inertia, as in PARAMS.json",
    "log_likelihood": "0-d total log-likelihood of these parameters on the data",
    "n_iter": "0-d number of iterations run",
    "converged": "0-d bool",
    "n_parameters": "0-d number of free parameters",
    "bic": "0-d Bayesian information criterion (lower is better)",
    "aic": "0-d Akaike information criterion (lower is better)",
    "icl": "0-d integrated completed likelihood (lower is better; NaN if not available)",
    "seed": "0-d the random seed of the fit",
}


def _location(params: Params, model: str) -> tuple[str, np.ndarray]:
    if model in ("gaussian", "kmeans"):
        return "mean", params.means
    if model in ("bernoulli", "binomial"):
        return "p", params.probs
    return "rate", params.rates


def _spread_columns(
    params: Params, model: str, covariance_type: str, names: list[str]
) -> list[tuple[str, np.ndarray]]:
    """(header, values per component) of the variances and covariances."""
    k = params.n_components
    covariances = np.asarray(params.covariances)
    if model == "kmeans":
        return [("var (shared)", np.broadcast_to(covariances.reshape(-1), (k,)))]
    if covariance_type == "spherical":
        return [("var", covariances)]
    if covariance_type == "diag":
        return [(f"var({name})", covariances[:, d]) for d, name in enumerate(names)]
    suffix = " (shared)" if covariance_type == "tied" else ""
    full = np.broadcast_to(covariances, (k, len(names), len(names)))
    columns = [(f"var({name}){suffix}", full[:, d, d]) for d, name in enumerate(names)]
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            columns.append((f"cov({names[i]},{names[j]}){suffix}", full[:, i, j]))
    return columns


def components_csv(result: FitResult, feature_names: list[str]) -> str:
    """One row per component: weight, location and spread, for a spreadsheet.

    Parameters
    ----------
    result : FitResult
    feature_names : list of str
        One name per column of the data, ``n_features`` of them.

    Returns
    -------
    str
        CSV text with a header row; see the module docstring for the columns.
    """
    check_feature_names(feature_names, result.n_features)
    options = result.options
    params = result.params
    prefix, location = _location(params, options.model)
    columns: list[tuple[str, np.ndarray]] = [("weight", params.weights)]
    columns += [(f"{prefix}({name})", location[:, d]) for d, name in enumerate(feature_names)]
    if options.model in ("gaussian", "kmeans"):
        columns += _spread_columns(params, options.model, options.covariance_type, feature_names)
    header = ["component"] + [name for name, _ in columns]
    rows = [
        [str(k + 1)] + [float_text(values[k]) for _, values in columns]
        for k in range(params.n_components)
    ]
    return csv_text(header, rows)


def params_npz(result: FitResult, feature_names: list[str]) -> bytes:
    """The fitted arrays as the bytes of an ``.npz`` file (names in :data:`NPZ_ARRAYS`).

    Parameters
    ----------
    result : FitResult
    feature_names : list of str

    Returns
    -------
    bytes
        Load with ``np.load(path)``; no pickle is needed.
    """
    check_feature_names(feature_names, result.n_features)
    doc = result_to_dict(result, feature_names)
    arrays: dict[str, np.ndarray] = {"model": np.array(doc["model"])}
    if "covariance" in doc:
        arrays["covariance_type"] = np.array(doc["covariance"])
    arrays["feature_names"] = np.array(list(feature_names), dtype=str)
    arrays.update(result.params.arrays())
    if doc.get("trials") is not None:
        arrays["trials"] = np.array(doc["trials"], dtype=np.int64)
    arrays["history"] = np.array(doc["history"], dtype=np.float64)
    for name in ("log_likelihood", "bic", "aic"):
        arrays[name] = np.array(doc[name], dtype=np.float64)
    arrays["icl"] = np.array(np.nan if doc["icl"] is None else doc["icl"], dtype=np.float64)
    arrays["n_iter"] = np.array(doc["n_iter"], dtype=np.int64)
    arrays["converged"] = np.array(doc["converged"], dtype=bool)
    arrays["n_parameters"] = np.array(doc["n_parameters"], dtype=np.int64)
    arrays["seed"] = np.array(doc["seed"], dtype=np.int64)
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


class SiblingPaths(NamedTuple):
    """Files written beside a PARAMS.json on request."""

    components: Path
    npz: Path
    script: Path


def sibling_paths(json_path: str | os.PathLike[str]) -> SiblingPaths:
    """Where :func:`write_params` puts the components table, the arrays and the script.

    ``fit.json`` gives ``fit_components.csv``, ``fit.npz`` and ``fit.py`` in the same folder.
    """
    path = Path(json_path)
    return SiblingPaths(
        path.with_name(f"{path.stem}_components.csv"), path.with_suffix(".npz"),
        path.with_suffix(".py"),
    )


def params_outputs(
    path: str | os.PathLike[str],
    result: FitResult,
    feature_names: list[str],
    components: bool = False,
    npz: bool = False,
    script: bool = False,
) -> list[tuple[Path, str | bytes]]:
    """The files Export Parameters writes, each as (path, content), built in memory.

    PARAMS.json at ``path`` first; then, on request, the components table,
    the arrays and a script applying the parameters to new data
    (:func:`emio.snippet.snippet`), at the :func:`sibling_paths`.

    Raises
    ------
    ValueError
        If the result cannot be written as strict JSON (a NaN, say).
    """
    path = Path(path)
    siblings = sibling_paths(path)
    outputs: list[tuple[Path, str | bytes]] = [(path, dumps(result_to_dict(result, feature_names)))]
    if components:
        outputs.append((siblings.components, components_csv(result, feature_names)))
    if npz:
        outputs.append((siblings.npz, params_npz(result, feature_names)))
    if script:
        source = snippet(path.name, result.options.model, script_name=siblings.script.name)
        outputs.append((siblings.script, source))
    return outputs


def write_params(
    path: str | os.PathLike[str],
    result: FitResult,
    feature_names: list[str],
    components: bool = False,
    npz: bool = False,
    script: bool = False,
) -> list[Path]:
    """Write the files of :func:`params_outputs`, each replaced atomically.

    Every file is built before any is written, so a document that cannot be
    written raises ``ValueError`` before a file is touched.

    Returns
    -------
    list of Path
        The files written, in order.

    Raises
    ------
    ValueError
        If the result cannot be written as strict JSON.
    OSError
        From the first file that could not be written; those before it were
        written, it and those after it keep their previous content.
    """
    outputs = params_outputs(path, result, feature_names, components, npz, script)
    for target, content in outputs:
        atomic_write(target, content)
    return [target for target, _ in outputs]
