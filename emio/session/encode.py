"""Writing a session: the document described in :mod:`emio.session`, and the file."""

from __future__ import annotations

import dataclasses
import datetime
import os
from typing import Any

from engine import FitOptions, FitResult, Snapshot
from emio.atomic import atomic_write_text
from emio.jsontext import document_text
from emio.params_file import encode_arrays, option_to_json, params_document, result_to_dict
from emio.session.contents import FORMAT, VERSION, Session
from emio.session.values import json_float


def options_to_dict(options: FitOptions, feature_names: list[str]) -> dict[str, Any]:
    """Every field of ``options``, JSON-ready; explicit starts as a PARAMS.json document."""
    names = FitOptions.field_names()
    out = {name: option_to_json(options, name) for name in names}
    out["init_params"] = (
        params_document(options.init, options, feature_names) if options.explicit_init else None
    )
    return out


def _snapshot_to_dict(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "restart": snapshot.restart,
        "iteration": snapshot.iteration,
        "log_likelihood": json_float(snapshot.log_likelihood),
        "objective": json_float(snapshot.objective),
        "converged": bool(snapshot.converged),
        "metrics": {k: json_float(v) for k, v in snapshot.metrics.items()},
        "params": encode_arrays(snapshot.params),
    }


def _result_to_dict(result: FitResult, feature_names: list[str]) -> dict[str, Any]:
    params = result_to_dict(result, feature_names)
    for key in ("warnings", "objective", "objective_history"):  # kept once, below
        params.pop(key, None)
    return {
        "params": params,
        "options": options_to_dict(result.options, feature_names),
        "history": [json_float(v) for v in result.history],
        "objective_history": [json_float(v) for v in result.objective_history],
        "metrics_history": {
            name: [json_float(v) for v in values] for name, values in result.metrics_history.items()
        },
        "n_samples": result.n_samples,
        "entropy": json_float(result.entropy),
        "restart": result.restart,
        "restart_objectives": [json_float(v) for v in result.restart_objectives],
        "order": [int(i) for i in result.order],
        "messages": list(result.messages),
        "labels": [int(i) for i in result.labels],
    }


def session_to_dict(session: Session) -> dict[str, Any]:
    """The session as the JSON document described in the module docstring."""
    data = session.data
    names = session.feature_names
    saved_at = session.saved_at or datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "saved_at": saved_at,
        "data": {
            "path": str(data.path),
            "name": data.name,
            "size": data.size,
            "sha256": data.sha256,
            "sample_id": data.sample_id,
            "text_options": (
                None if data.text_options is None else dataclasses.asdict(data.text_options)
            ),
            "columns": list(data.columns),
            "bad_rows": data.bad_rows,
            "n_samples": data.n_samples,
            "n_features": data.n_features,
            "table_sha256": data.table_sha256,
            **({"label_column": data.label_column} if data.label_column is not None else {}),
        },
        "settings": {
            "options": options_to_dict(session.options, names),
            "init_mode": session.view.init_mode,
            "scatter_columns": list(session.view.scatter_columns),
            "show_uncertainty": session.view.show_uncertainty,
            "placed_means": [list(p) for p in session.view.placed_means],
            # Written only when on, so sessions without it read back to the same bytes.
            **({"standardize": True} if session.view.standardize else {}),
        },
        "result": None if session.result is None else _result_to_dict(session.result, names),
        "trace": [_snapshot_to_dict(s) for s in session.snapshots],
        "shown_index": session.shown_index,
    }


def dumps(session: Session) -> str:
    """The session as strict JSON: one top-level key per line, one iteration per line.

    Raises ``ValueError`` for a parameter that is NaN or infinite (no fit produces one).
    """
    return document_text(session_to_dict(session), one_per_line=("trace",))


def save_session(path: str | os.PathLike[str], session: Session) -> None:
    """Write ``session`` to ``path`` atomically (the old file survives any failure).

    Raises
    ------
    OSError
        If the file cannot be written; turn it into a message with
        :func:`emio.atomic.describe_os_error`.
    ValueError
        If the session holds a value JSON cannot carry.
    """
    atomic_write_text(path, dumps(session))
