"""Reading a session: the document checked field by field, then the file."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

import engine
from engine import FitOptions, FitResult, Params, Snapshot
from engine.models import OptionSpec, model_class, model_names, registry
from emio.json_pieces import release
from emio.jsonfile import JsonFileError, read_json_file
from emio.params_file import (
    MISSING_KEYS,
    ParamsDocument,
    SchemaError,
    array_shapes,
    decode_array,
    params_from_dict,
)
from emio.session.contents import (
    FORMAT,
    INIT_METHODS,
    INIT_MODES,
    VERSION,
    DataSource,
    Session,
    SessionError,
    ViewState,
)
from emio.session.values import Fields, is_int, read_float
from emio.tables import BAD_ROW_POLICIES, DataError, TextOptions

#: What to do with a file that is not a usable session, said after what is wrong.
READ_ADVICE = "it is damaged or not a session file; open one that EM Studio saved"


def _read_params_doc(doc: Any, where: str) -> ParamsDocument:
    try:
        return params_from_dict(doc)
    except ValueError as exc:
        raise SessionError(f"{where}: {exc}") from None


def _option_value(fields: Fields, spec: OptionSpec, default: Any) -> Any:
    """A model option as the file holds it, checked against its declaration."""
    choices = spec.current_choices()
    if choices:
        words = ", ".join(repr(spec.written(choice)) for choice in choices)
        word = fields.get(
            spec.name, lambda v: spec.choice_of(v) is not None, f"one of {words}", default
        )
        return word if word is default else spec.choice_of(word)

    def as_written(value: Any) -> bool:
        # A good value is one this version writes: the declaration's own form of it.
        try:
            stored = spec.normalise(tuple(value) if isinstance(value, list) else value)
        except (TypeError, ValueError):
            return False
        written = list(stored) if isinstance(stored, tuple) else stored
        return json.dumps(written) == json.dumps(value)

    value = fields.get(
        spec.name, lambda v: v is None or as_written(v), f"null or {spec.accepts}", default
    )
    return tuple(value) if isinstance(value, list) else value


def _model_options(fields: Fields, model: str) -> dict[str, Any]:
    """Every model's options (the file holds them all): those of ``model`` must be there;
    another model's, added after the file was written, take their defaults."""
    own = {spec.name: spec for spec in model_class(model).option_specs}
    return {
        name: _option_value(fields, own.get(name, spec), ... if name in own else None)
        for name, spec in registry.option_specs().items()
    }


def _options_from_dict(doc: Any, where: str) -> FitOptions:
    fields = Fields(doc, where)
    known = set(FitOptions.field_names()) | {"init_params"}
    unknown = sorted(set(fields.doc) - known)
    if unknown:
        raise SessionError(
            f"{where} has unknown settings {', '.join(unknown)}; the file was written by another "
            "version of EM Studio"
        )
    model = fields.choice("model", model_names())
    model_options = _model_options(fields, model)
    init = fields.choice("init", INIT_METHODS + ("explicit",))
    if init == "explicit":
        init = _read_params_doc(fields.raw("init_params"), f"{where}.init_params").params
    seed = fields.get(
        "seed", lambda v: v is None or (is_int(v) and v >= 0), "null or a whole number"
    )
    chunk = fields.get(
        "chunk_size", lambda v: v is None or (is_int(v) and v >= 1), "null or a whole number"
    )
    options = FitOptions(
        model=model,
        n_components=fields.whole("n_components", 1),
        init=init,
        fixed=frozenset(
            fields.get(
                "fixed", lambda v: isinstance(v, list) and all(isinstance(n, str) for n in v),
                "a list of parameter names",
            )
        ),
        e_step=fields.choice("e_step", ("soft", "hard")),
        max_iter=fields.whole("max_iter", 0),
        tol=fields.number("tol"),
        reg_covar=fields.number("reg_covar"),
        n_init=fields.whole("n_init", 1),
        seed=seed,
        chunk_size=chunk,
        dtype=fields.choice("dtype", engine.DTYPES, "float64"),
        n_threads=fields.get(
            "n_threads", lambda v: v is None or (is_int(v) and v >= 1), "null or a whole number",
            None,
        ),
        # Sessions written before fits could be accelerated ran plain EM.
        accelerate=fields.choice("accelerate", engine.ACCELERATIONS, "none"),
        **model_options,
    )
    try:
        # The limits a fit has (K, iterations, seeds...), so that a value a window
        # could not hold or a fit could not run is refused here, with its name.
        engine.validate_options(options)
    except ValueError as exc:
        raise SessionError(f"{where}: {exc}; the session file is damaged") from None
    return options


def _params_from_arrays(doc: Any, options: FitOptions, n_features: int, where: str) -> Params:
    fields = Fields(doc, where)
    shapes = array_shapes(
        options.model, options.model_options, options.n_components, n_features
    )
    unknown = sorted(set(fields.doc) - set(shapes))
    if unknown:
        raise SessionError(
            f"{where} has {', '.join(unknown)}, which a {options.model} model does not use; "
            "the session file is damaged"
        )
    arrays = {}
    for name, shape in shapes.items():
        try:
            arrays[name] = decode_array(fields.raw(name), shape, f"{where}.{name}")
        except SchemaError as exc:
            raise SessionError(f"{exc}; the session file is damaged") from None
    return Params(**arrays)


def _snapshot_from_dict(doc: Any, options: FitOptions, n_features: int, where: str) -> Snapshot:
    fields = Fields(doc, where)
    metrics = fields.child("metrics")
    return Snapshot(
        restart=fields.whole("restart", 0),
        iteration=fields.whole("iteration", 0),
        params=_params_from_arrays(fields.raw("params"), options, n_features, f"{where}.params"),
        log_likelihood=fields.number("log_likelihood"),
        objective=fields.number("objective"),
        converged=fields.flag("converged"),
        metrics={name: read_float(v, f"{where}.metrics") for name, v in metrics.doc.items()},
    )


def _result_from_dict(doc: Any, names: list[str]) -> FitResult:
    fields = Fields(doc, "result")
    params_doc = fields.raw("params")
    document = _read_params_doc(params_doc, "result.params")
    if document.feature_names != names:
        raise SessionError(
            "result.params is for columns "
            f"{', '.join(document.feature_names)} but the data has {', '.join(names)}; "
            "the session file is damaged"
        )
    summary = Fields(params_doc, "result.params")
    options = _options_from_dict(fields.raw("options"), "result.options")
    n_samples = fields.whole("n_samples", 1)
    labels = fields.whole_numbers("labels", n_samples, 0, options.n_components)
    order = fields.get(
        "order",
        lambda v: isinstance(v, list)
        and all(is_int(i) for i in v)
        and sorted(v) == list(range(options.n_components)),
        f"a permutation of 0 to {options.n_components - 1}",
    )
    metrics = fields.child("metrics_history")
    return FitResult(
        options=options,
        params=document.params,
        log_likelihood=summary.number("log_likelihood"),
        history=tuple(fields.numbers("history")),
        objective_history=tuple(fields.numbers("objective_history")),
        metrics_history={name: tuple(metrics.numbers(name)) for name in metrics.doc},
        n_iter=summary.whole("n_iter", 0),
        converged=summary.flag("converged"),
        n_samples=n_samples,
        n_features=document.n_features,
        n_parameters=summary.whole("n_parameters", 0),
        entropy=fields.number("entropy"),
        labels=labels,
        restart=fields.whole("restart", 0),
        restart_objectives=tuple(fields.numbers("restart_objectives")),
        order=np.array(order, dtype=np.int64),
        messages=tuple(
            fields.get(
                "messages", lambda v: isinstance(v, list) and all(isinstance(m, str) for m in v),
                "a list of text",
            )
        ),
        # Written only for data with missing values.
        **{name: summary.whole(key, 0, default=0) for key, name in MISSING_KEYS.items()},
    )


def _text_options(doc: Any) -> TextOptions | None:
    if doc is None:
        return None
    fields = Fields(doc, "data.text_options")
    allowed = {f.name for f in dataclasses.fields(TextOptions)}
    unknown = sorted(set(fields.doc) - allowed)
    if unknown:
        raise SessionError(f"data.text_options has unknown keys {', '.join(unknown)}")
    try:
        return TextOptions(**fields.doc)
    except (TypeError, DataError) as exc:
        raise SessionError(f"data.text_options: {exc}") from None


def session_from_dict(doc: Any) -> Session:
    """Read a session document; :class:`SessionError` names the field that is wrong."""
    top = Fields(doc)
    if top.raw("format", None) != FORMAT:
        raise SessionError(f"not an EM Studio session: 'format' must be {FORMAT!r}")
    version = top.raw("version", None)
    if version != VERSION:
        raise SessionError(
            f"session version {version!r} is not supported; this EM Studio reads version {VERSION}"
        )
    data_fields = top.child("data")
    columns = data_fields.get(
        "columns",
        lambda v: isinstance(v, list) and v and all(isinstance(c, str) for c in v),
        "a list of column names",
    )
    n_features = data_fields.whole("n_features", 1)
    if len(columns) != n_features:
        raise SessionError(
            f"data.columns names {len(columns)} columns but n_features is {n_features}; "
            "the session file is damaged"
        )
    path_text = data_fields.text("path")
    data = DataSource(
        path=Path(path_text),
        name=data_fields.text("name"),
        size=data_fields.whole("size", 0),
        sha256=data_fields.get(
            "sha256",
            lambda v: isinstance(v, str) and re.fullmatch("[0-9a-f]{64}", v) is not None,
            "64 hexadecimal digits",
        ),
        columns=list(columns),
        text_options=_text_options(data_fields.raw("text_options")),
        bad_rows=data_fields.choice("bad_rows", BAD_ROW_POLICIES),
        n_samples=data_fields.whole("n_samples", 1),
        n_features=n_features,
        table_sha256=data_fields.text("table_sha256"),
        sample_id=data_fields.get(
            "sample_id", lambda v: v is None or isinstance(v, str), "null or text", None
        ),
        label_column=data_fields.get(
            "label_column", lambda v: v is None or (isinstance(v, str) and v != ""),
            "null or a column name", None,
        ),
    )
    settings = top.child("settings")
    options = _options_from_dict(settings.raw("options"), "settings.options")
    scatter = settings.get(
        "scatter_columns",
        lambda v: isinstance(v, list) and len(v) == 2 and all(is_int(i) and i >= 0 for i in v),
        "two column indices",
    )
    placed = settings.get(
        "placed_means",
        lambda v: isinstance(v, list)
        and all(isinstance(p, list) and len(p) == 2 for p in v),
        "a list of [x, y] points",
    )
    view = ViewState(
        init_mode=settings.choice("init_mode", INIT_MODES),
        scatter_columns=(scatter[0], scatter[1]),
        show_uncertainty=settings.flag("show_uncertainty"),
        standardize=settings.flag("standardize", False),
        placed_means=tuple(
            (read_float(x, "settings.placed_means"), read_float(y, "settings.placed_means"))
            for x, y in placed
        ),
    )
    result_doc = top.raw("result")
    result = None if result_doc is None else _result_from_dict(result_doc, data.columns)
    trace = top.get("trace", lambda v: isinstance(v, list), "a list of iterations")
    # The window draws the trace with the result's options, or with the settings
    # when a run was stopped before it finished; shapes are checked against those.
    trace_options = result.options if result is not None else options
    snapshots = _snapshots_from_list(trace, trace_options, n_features)
    shown = top.get(
        "shown_index",
        lambda v: is_int(v) and -1 <= v < max(len(snapshots), 1),
        f"an index from -1 to {len(snapshots) - 1}",
    )
    return Session(
        data=data,
        options=options,
        view=view,
        result=result,
        snapshots=snapshots,
        shown_index=shown,
        saved_at=top.text("saved_at", ""),
    )


def _snapshots_from_list(
    trace: list[Any], options: FitOptions, n_features: int
) -> tuple[Snapshot, ...]:
    """The trace's snapshots, checked one by one (a damaged one stops the reading there)."""
    snapshots: list[Snapshot] = []
    try:
        for i, entry in enumerate(trace):
            after = _snapshot_from_dict(entry, options, n_features, f"trace[{i}]")
            # A run's iterations come in order, each once (a new start begins after the last).
            before = snapshots[-1] if snapshots else None
            if before is not None and (
                (after.restart, after.iteration) <= (before.restart, before.iteration)
            ):
                raise SessionError(
                    f"trace[{i}] is iteration {after.iteration} of start {after.restart + 1}, "
                    f"after iteration {before.iteration} of start {before.restart + 1}: a run's "
                    "iterations come in order, each once; the session file is damaged (open the "
                    "data and run the fit again)"
                )
            snapshots.append(after)
    except SessionError:
        # Dropped in one go, a long list of snapshots holds the GIL for a long time.
        while snapshots:
            snapshots.pop()
        raise
    return tuple(snapshots)


def load_session(path: str | os.PathLike[str]) -> Session:
    """Read a session file.

    Raises
    ------
    SessionError
        If the file cannot be read, is not JSON, or is not a session this
        version understands; the message says which and what to do.
    """
    path = Path(path)
    try:
        doc = read_json_file(path, advice=READ_ADVICE)
    except JsonFileError as exc:
        raise SessionError(str(exc)) from None
    try:
        session, problem = session_from_dict(doc), None
    except SessionError as exc:
        session, problem = None, str(exc)
    # Freed in one go, a long trace's document holds the GIL for most of a second.
    # (Only now: the failed reading's frames, which hold parts of it, are gone.)
    release(doc)
    if session is None:
        raise SessionError(f"{path.name}: {problem}")
    return session
