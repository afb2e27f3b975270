"""Export Parameters: PARAMS.json and, on request, a components table, the arrays as
``.npz`` and a script, built in memory and then written atomically."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from engine import FitResult
from engine.models import build_model, model_class, model_names, registry
from emio.atomic import atomic_write_all
from emio.csvtext import csv_text, float_text
from emio.param_layout import component_columns
from emio.params_file import check_feature_names, column_values, dumps, result_to_dict
from emio.snippet import snippet

#: Arrays of every ``.npz`` export, whatever the model, and what each holds:
#: before the model's own (:func:`npz_arrays`), and after them.
_NPZ_BEFORE: dict[str, str] = {
    "feature_names": "(D,) text: the column names",
    "weights": "(K,) mixing proportions",
}
_NPZ_AFTER: dict[str, str] = {
    "history": "(n_iter + 1,) log-likelihood at the start and after each iteration; "
    "for a model with a trace metric, that metric, as in PARAMS.json",
    "log_likelihood": "0-d total log-likelihood of these parameters on the data",
    "n_iter": "0-d number of iterations run",
    "converged": "0-d bool",
    "n_parameters": "0-d number of free parameters",
    "bic": "0-d Bayesian information criterion (lower is better)",
    "aic": "0-d Akaike information criterion (lower is better)",
    "icl": "0-d integrated completed likelihood (lower is better; NaN if not available)",
    "seed": "0-d the random seed of the fit",
}


def _listed(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _shape_text(shape: Sequence[str]) -> str:
    return f"({', '.join(shape)}{',' if len(shape) == 1 else ''})"


def npz_arrays() -> dict[str, str]:
    """The arrays an ``.npz`` export may hold and what each holds, for the models
    registered now: the model's name, its options that are not per column (0-d, by
    option name), the weights and its arrays, its values per column."""
    # name -> what it holds -> the models (and variants) whose files hold that
    uses: dict[str, dict[str, list[str]]] = {}

    def use(name: str, text: str, model: str) -> None:
        uses.setdefault(name, {}).setdefault(text, []).append(model)

    for name, variant, model in registry.variant_models():
        label = name if variant is None else f"{name} {variant}"
        for spec in model.param_specs:
            shared = ", shared" if spec.shared else ""
            use(spec.name, f"{_shape_text(spec.shape)} {spec.title}{shared}", label)
    for name in model_names():
        cls = model_class(name)
        for spec in cls.option_specs:
            choices = spec.current_choices()
            if spec.per_column:
                use(spec.file_key, f"(D,) {spec.title.lower()}", name)
            else:
                kind = f"text: {_listed(choices)}" if choices else spec.title.lower()
                use(spec.name, f"0-d {kind}", name)
        for key, value in cls.column_constants.items():
            use(key, f"(D,) all {value!r}", name)
    own = {
        name: "; ".join(f"{text} ({', '.join(models)})" for text, models in texts.items())
        for name, texts in uses.items()
    }
    return {"model": f"0-d text: {_listed(model_names())}", **_NPZ_BEFORE, **own, **_NPZ_AFTER}


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
    model = build_model(options.model, options.model_options)
    columns = component_columns(model, params, feature_names)
    header = ["component"] + [name for name, _ in columns]
    rows = [
        [str(k + 1)] + [float_text(values[k]) for _, values in columns]
        for k in range(params.n_components)
    ]
    return csv_text(header, rows)


def params_npz(result: FitResult, feature_names: list[str]) -> bytes:
    """The fitted arrays as the bytes of an ``.npz`` file (names in :func:`npz_arrays`).

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
    options = result.options
    arrays: dict[str, np.ndarray] = {"model": np.array(doc["model"])}
    for spec in model_class(options.model).option_specs:
        if not spec.per_column:
            arrays[spec.name] = np.array(doc[spec.file_key])
    arrays["feature_names"] = np.array(list(feature_names), dtype=str)
    arrays.update(result.params.arrays())
    for key, values in column_values(options, len(feature_names)).items():
        arrays[key] = np.array(values)
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
    """Write the files of :func:`params_outputs`, replaced together: all or none.

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
        From the first file that could not be written; every file keeps its
        previous content.
    """
    outputs = params_outputs(path, result, feature_names, components, npz, script)
    atomic_write_all(outputs)
    return [target for target, _ in outputs]
