"""What a person takes away from a fit: tables, arrays, assignments, traces and a summary.

Every function here builds the whole text or byte string in memory and
returns it; nothing is written until it is complete, and writing goes through
:mod:`emio.atomic` (see :func:`write_params`). No Qt: the window, the command
line and the tests all use the same functions.

The files
---------
``PARAMS.json``
    The versioned parameters document (:mod:`emio.params_file`).
``*_components.csv``
    One row per component, readable in any spreadsheet: ``component``,
    ``weight``, then per column ``mean(x)`` (Gaussian, k-means), ``p(x)``
    (Bernoulli, binomial) or ``rate(x)`` (Poisson), then the spread:
    ``var(x)`` and ``cov(x,y)`` (full; tied adds `` (shared)``: one matrix
    repeated on every row), ``var(x)`` (diag), ``var`` (spherical) or
    ``var (shared)`` (k-means). The same headers as the window's Parameters
    table. Numbers keep every digit.
``*.npz``
    The arrays under the names of :data:`NPZ_ARRAYS`; text is stored as NumPy
    unicode arrays, so ``np.load(path)`` needs no pickle.
``*.py``
    A script that applies the PARAMS.json to new rows (:mod:`emio.snippet`).
Assignments CSV
    The rows as read (their column names and values), then ``component``
    (1-based), ``resp_1`` ... ``resp_K`` and ``uncertainty`` (1 minus the
    largest responsibility); ``source_row`` is added when rows were dropped.
Trace CSV / JSON
    One row (or entry) per iteration: restart, iteration, log-likelihood,
    objective, converged and the model's metrics (k-means: inertia), and on
    request every parameter.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from engine.em import FitOptions, FitResult, Snapshot
from engine.params import Params
from emio.atomic import atomic_write_bytes, atomic_write_text
from emio.params_file import dumps, encode_arrays, result_to_dict
from emio.snippet import snippet
from emio.tables import Table

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

#: Columns the assignments export adds after the data's own.
ASSIGNMENT_LABEL = "component"
ASSIGNMENT_UNCERTAINTY = "uncertainty"
ASSIGNMENT_SOURCE_ROW = "source_row"

MODEL_TITLES = {
    "gaussian": "Gaussian mixture",
    "kmeans": "k-means (equal-weight, equal-variance Gaussian mixture)",
    "bernoulli": "Bernoulli mixture",
    "binomial": "binomial mixture",
    "poisson": "Poisson mixture",
}
COVARIANCE_WORDS = {
    "full": "full covariance (ellipsoidal, each its own)",
    "tied": "tied covariance (one shared ellipse)",
    "diag": "diagonal covariance (axis-aligned ellipses)",
    "spherical": "spherical covariance (circles, each its own size)",
}


def number_text(value: float) -> str:
    """A float as the shortest text that reads back to the same float.

    Whole numbers lose the ``.0`` (counts stay counts in a spreadsheet);
    everything else is ``repr``, which round-trips exactly.
    """
    value = float(value)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


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
    _check_names(feature_names, result.n_features)
    options = result.options
    params = result.params
    prefix, location = _location(params, options.model)
    columns: list[tuple[str, np.ndarray]] = [("weight", params.weights)]
    columns += [(f"{prefix}({name})", location[:, d]) for d, name in enumerate(feature_names)]
    if options.model in ("gaussian", "kmeans"):
        columns += _spread_columns(params, options.model, options.covariance_type, feature_names)
    header = ["component"] + [name for name, _ in columns]
    rows = [
        [str(k + 1)] + [repr(float(values[k])) for _, values in columns]
        for k in range(params.n_components)
    ]
    return _csv_text(header, rows)


def _check_names(feature_names: Sequence[str], n_features: int) -> None:
    if len(feature_names) != n_features:
        raise ValueError(
            f"{len(feature_names)} column names were given for {n_features} columns; "
            "give one name per column"
        )


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
    _check_names(feature_names, result.n_features)
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
        if isinstance(content, bytes):
            atomic_write_bytes(target, content)
        else:
            atomic_write_text(target, content)
    return [target for target, _ in outputs]


# --------------------------------------------------------------------------- assignments


def _unique_header(taken: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """``wanted`` names, suffixed where the data already has a column of that name."""
    seen = set(taken)
    names = []
    for name in wanted:
        unique = name
        while unique in seen:
            unique += "_em"
        seen.add(unique)
        names.append(unique)
    return names


def assignments_csv(table: Table, log_resp: np.ndarray) -> str:
    """The rows as read, with each row's component, responsibilities and uncertainty.

    Parameters
    ----------
    table : Table
        The data the responsibilities belong to; its column names head the
        first columns. When the reader dropped rows, only the rows kept are
        written and a ``source_row`` column (1-based position among the
        file's data rows) says where each came from.
    log_resp : ndarray of shape (n_samples, n_components)
        From :func:`engine.predict_log_resp`.

    Returns
    -------
    str
        CSV text with a header row.
    """
    log_resp = np.asarray(log_resp, dtype=np.float64)
    if log_resp.ndim != 2 or log_resp.shape[0] != table.n_samples:
        raise ValueError(
            f"responsibilities of shape {log_resp.shape} do not belong to {table.n_samples} "
            "rows; compute them from this table"
        )
    n_components = log_resp.shape[1]
    with np.errstate(under="ignore"):  # far components underflow to exactly zero, as intended
        resp = np.exp(log_resp)
    labels = np.argmax(log_resp, axis=1)
    uncertainty = 1.0 - resp[np.arange(resp.shape[0]), labels]
    dropped = table.dropped_rows > 0
    wanted = [ASSIGNMENT_LABEL] + [f"resp_{k + 1}" for k in range(n_components)]
    wanted.append(ASSIGNMENT_UNCERTAINTY)
    if dropped:
        wanted.append(ASSIGNMENT_SOURCE_ROW)
    header = list(table.columns) + _unique_header(table.columns, wanted)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(table.n_samples):
        row = [number_text(v) for v in table.data[i]]
        row.append(str(int(labels[i]) + 1))
        row.extend(repr(float(v)) for v in resp[i])
        row.append(repr(float(uncertainty[i])))
        if dropped:
            row.append(str(int(table.row_index[i]) + 1))
        writer.writerow(row)
    return out.getvalue()


def assignments_note(table: Table) -> str:
    """One sentence on which rows :func:`assignments_csv` writes, for the status bar."""
    if table.dropped_rows:
        rows = "row" if table.dropped_rows == 1 else "rows"
        return (
            f"{table.dropped_rows} {rows} with missing or non-numeric values were left out when "
            f"the data were read, so they are not in the file; {ASSIGNMENT_SOURCE_ROW} gives each "
            "row's position in the original file"
        )
    return f"all {table.n_samples:,} rows written"


# --------------------------------------------------------------------------- trace


def _axis_labels(
    name: str, options: FitOptions, n_components: int, feature_names: list[str]
) -> list[list[str]]:
    """Labels of each axis of a parameter array: component numbers or column names."""
    components = [str(k + 1) for k in range(n_components)]
    if name == "weights":
        return [components]
    if name != "covariances":
        return [components, list(feature_names)]
    covariance = "spherical" if options.model == "kmeans" else options.covariance_type
    return {
        "full": [components, list(feature_names), list(feature_names)],
        "tied": [list(feature_names), list(feature_names)],
        "diag": [components, list(feature_names)],
        "spherical": [components],
    }[covariance]


def flat_param_names(
    params: Params, options: FitOptions, feature_names: list[str]
) -> list[tuple[str, str, tuple[int, ...]]]:
    """(column header, array name, index) for every value of ``params``.

    Headers read ``weights[2]``, ``means[2,x]``, ``covariances[2,x,y]``
    (tied: ``covariances[x,y]``): components counted from 1, columns by name.
    """
    names = []
    for name, array in params.arrays().items():
        labels = _axis_labels(name, options, params.n_components, feature_names)
        if len(labels) != array.ndim:
            raise ValueError(
                f"{name} has {array.ndim} axes but a {options.model} model with "
                f"{options.covariance_type!r} covariance needs {len(labels)}"
            )
        for index in np.ndindex(array.shape):
            text = ",".join(labels[axis][i] for axis, i in enumerate(index))
            names.append((f"{name}[{text}]", name, index))
    return names


def _metric_names(snapshots: Sequence[Snapshot]) -> list[str]:
    names: list[str] = []
    for snapshot in snapshots:
        names += [name for name in snapshot.metrics if name not in names]
    return names


def trace_csv(
    snapshots: Sequence[Snapshot],
    options: FitOptions,
    feature_names: list[str],
    with_params: bool = False,
) -> str:
    """One row per iteration: log-likelihood, objective, metrics and, on request, parameters.

    Parameters
    ----------
    snapshots : sequence of Snapshot
        In run order, as the window keeps them (all starts of a run, or the
        best start once it has finished).
    options : FitOptions
        The fit's options; they say what the parameter arrays' axes mean.
    feature_names : list of str
    with_params : bool
        Add one column per parameter value (see :func:`flat_param_names`).

    Returns
    -------
    str
        CSV text with a header row.
    """
    if not snapshots:
        raise ValueError("there is no iteration to write; run a fit first")
    metrics = _metric_names(snapshots)
    header = ["restart", "iteration", "log_likelihood", "objective", "converged"] + metrics
    flat = flat_param_names(snapshots[0].params, options, feature_names) if with_params else []
    header += [column for column, _, _ in flat]
    rows = []
    for snapshot in snapshots:
        row = [
            str(snapshot.restart + 1),
            str(snapshot.iteration),
            repr(float(snapshot.log_likelihood)),
            repr(float(snapshot.objective)),
            "true" if snapshot.converged else "false",
        ]
        row += [repr(float(snapshot.metrics[m])) if m in snapshot.metrics else "" for m in metrics]
        arrays = snapshot.params.arrays()
        row += [repr(float(arrays[name][index])) for _, name, index in flat]
        rows.append(row)
    return _csv_text(header, rows)


TRACE_FORMAT = "em-studio-trace"
TRACE_VERSION = 1


def trace_json(
    snapshots: Sequence[Snapshot],
    options: FitOptions,
    feature_names: list[str],
    with_params: bool = False,
) -> str:
    """The trace as a JSON document, one iteration per line.

    Keys: ``format`` ("em-studio-trace"), ``version`` (1), ``model``,
    ``covariance`` (gaussian), ``n_components``, ``feature_names`` and
    ``iterations``: a list of ``{restart, iteration, log_likelihood,
    objective, converged, metrics}`` (``restart`` counted from 1), each with
    ``params`` (the PARAMS.json array names and shapes) when ``with_params``.
    """
    if not snapshots:
        raise ValueError("there is no iteration to write; run a fit first")
    head: dict[str, Any] = {
        "format": TRACE_FORMAT, "version": TRACE_VERSION, "model": options.model
    }
    if options.model == "gaussian":
        head["covariance"] = options.covariance_type
    head["n_components"] = snapshots[0].params.n_components
    head["feature_names"] = list(feature_names)
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in head.items()]
    entries = []
    for snapshot in snapshots:
        entry: dict[str, Any] = {
            "restart": snapshot.restart + 1,
            "iteration": snapshot.iteration,
            "log_likelihood": snapshot.log_likelihood,
            "objective": snapshot.objective,
            "converged": snapshot.converged,
            "metrics": dict(snapshot.metrics),
        }
        if with_params:
            entry["params"] = encode_arrays(snapshot.params)
        entries.append("    " + json.dumps(entry, allow_nan=False))
    lines.append('  "iterations": [\n' + ",\n".join(entries) + "\n  ]")
    return "{\n" + ",\n".join(lines) + "\n}\n"


# --------------------------------------------------------------------------- summary


def component_sizes(result: FitResult) -> np.ndarray:
    """Rows assigned to each component (most probable component), shape (n_components,)."""
    return np.bincount(np.asarray(result.labels), minlength=result.options.n_components)


def _model_line(options: FitOptions) -> str:
    title = MODEL_TITLES[options.model]
    if options.model == "gaussian":
        title += f", {COVARIANCE_WORDS[options.covariance_type]}"
    if options.model == "binomial" and options.trials is not None:
        trials = options.trials if isinstance(options.trials, int) else list(options.trials)
        title += f", {trials} trials"
    return title


def _criterion(value: float) -> str:
    return f"{value:.4f}" if np.isfinite(value) else "not available"


def summary_text(result: FitResult, feature_names: list[str]) -> str:
    """A short report of a fit in the spirit of mclust's ``summary()``.

    Model, K, log-likelihood, free parameters, BIC, AIC, ICL (when finite),
    component sizes and weights, convergence, iterations and the seed. BIC,
    AIC and ICL use scikit-learn's sign: lower is better (mclust reports
    ``-BIC``).
    """
    _check_names(feature_names, result.n_features)
    options = result.options
    k = options.n_components
    columns = ", ".join(feature_names)
    rows = "row" if result.n_samples == 1 else "rows"
    lines = [
        "EM Studio fit summary",
        "=" * 21,
        f"Model:            {_model_line(options)}",
        f"Components (K):   {k}",
        f"Data:             {result.n_samples:,} {rows} x {result.n_features} columns ({columns})",
        f"E-step:           {'hard (classification EM)' if options.e_step == 'hard' else 'soft'}",
        f"Log-likelihood:   {result.log_likelihood:.4f}",
        f"Free parameters:  {result.n_parameters}"
        + (f" (held fixed: {', '.join(sorted(options.fixed))})" if options.fixed else ""),
        f"BIC:              {_criterion(result.bic)}",
        f"AIC:              {_criterion(result.aic)}",
        f"ICL:              {_criterion(result.icl)}",
        "                  (BIC, AIC, ICL: lower is better; mclust prints -BIC)",
    ]
    if options.model == "kmeans" and "inertia" in result.metrics_history:
        lines.append(f"Inertia:          {result.metrics_history['inertia'][-1]:.6g}")
    its = "iteration" if result.n_iter == 1 else "iterations"
    if options.max_iter == 0:
        state = "not run (starting parameters evaluated)"
    elif result.converged:
        state = f"yes, after {result.n_iter} {its} (tolerance {options.tol:g})"
    else:
        state = f"no, stopped after {result.n_iter} {its} (tolerance {options.tol:g})"
    lines.append(f"Converged:        {state}")
    starts = 1 if options.explicit_init else options.n_init
    start = "explicit parameters" if options.explicit_init else options.init
    lines.append(
        f"Start:            {start}" + (f", best of {starts} starts" if starts > 1 else "")
    )
    lines.append(f"Seed:             {result.seed}")
    sizes = component_sizes(result)
    cells = [
        ("component", [str(j + 1) for j in range(k)]),
        ("rows", [str(int(n)) for n in sizes]),
        ("weight", [f"{w:.4f}" for w in result.params.weights]),
    ]
    width = max(max(len(c) for _, values in cells for c in values), 6)
    lines.append("")
    lines.append("Clustering table (rows whose most probable component is each):")
    for title, values in cells:
        lines.append(f"  {title:<10}" + "".join(v.rjust(width + 2) for v in values))
    for message in result.messages:
        lines.append(f"Note: {message}")
    return "\n".join(lines) + "\n"
