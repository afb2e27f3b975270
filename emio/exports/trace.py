"""Export Trace: one row (or JSON entry) per iteration, with the parameters on request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine import FitOptions, Params, Snapshot
from engine.models import build_model
from emio.csvtext import csv_text, float_text
from emio.jsontext import document_text
from emio.param_layout import value_columns
from emio.params_file import encode_arrays, model_keys

TRACE_FORMAT = "em-studio-trace"
TRACE_VERSION = 1


def flat_param_names(
    params: Params, options: FitOptions, feature_names: list[str]
) -> list[tuple[str, str, tuple[int, ...]]]:
    """(column header, array name, index) for every value of ``params``.

    Headers read ``weights[2]``, ``means[2,x]``, ``covariances[2,x,y]``
    (tied: ``covariances[x,y]``): components counted from 1, columns by name
    (:func:`emio.param_layout.value_columns`).
    """
    model = build_model(options.model, options.model_options)
    return value_columns(model, params, feature_names)


def _require_iterations(snapshots: Sequence[Snapshot]) -> None:
    if not snapshots:
        raise ValueError("there is no iteration to write; run a fit first")


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
    _require_iterations(snapshots)
    metrics = _metric_names(snapshots)
    header = ["restart", "iteration", "log_likelihood", "objective", "converged"] + metrics
    flat = flat_param_names(snapshots[0].params, options, feature_names) if with_params else []
    header += [column for column, _, _ in flat]
    rows = []
    for snapshot in snapshots:
        row = [
            str(snapshot.restart + 1),
            str(snapshot.iteration),
            float_text(snapshot.log_likelihood),
            float_text(snapshot.objective),
            "true" if snapshot.converged else "false",
        ]
        row += [float_text(snapshot.metrics[m]) if m in snapshot.metrics else "" for m in metrics]
        arrays = snapshot.params.arrays()
        row += [float_text(arrays[name][index]) for _, name, index in flat]
        rows.append(row)
    return csv_text(header, rows)


def trace_json(
    snapshots: Sequence[Snapshot],
    options: FitOptions,
    feature_names: list[str],
    with_params: bool = False,
) -> str:
    """The trace as a JSON document, one iteration per line.

    Keys: ``format`` ("em-studio-trace"), ``version`` (1), ``model``, the
    model's options as PARAMS.json names them (gaussian: ``covariance``),
    ``n_components``, ``feature_names`` and
    ``iterations``: a list of ``{restart, iteration, log_likelihood,
    objective, converged, metrics}`` (``restart`` counted from 1), each with
    ``params`` (the PARAMS.json array names and shapes) when ``with_params``.
    """
    _require_iterations(snapshots)
    doc: dict[str, Any] = {"format": TRACE_FORMAT, "version": TRACE_VERSION}
    doc.update(model_keys(options))
    doc["n_components"] = snapshots[0].params.n_components
    doc["feature_names"] = list(feature_names)
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
        entries.append(entry)
    doc["iterations"] = entries
    return document_text(doc, one_per_line=("iterations",))
