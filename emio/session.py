"""Sessions: the data file, every setting and the fit with its trace, in one JSON file.

A session names its data file rather than copying it, with a checksum, so
reopening can tell whether the file is still the one the fit was made on
(:func:`check_data_file`). Everything else needed to put the window back as
it was is in the file: the import choices, the settings, the fitted result
(as the engine's PARAMS.json document plus what that document leaves out) and
every iteration, so the iteration slider works after reopening. Floats keep
every digit, so parameters come back bit for bit.

Format, version 1 (a JSON object; keys in this order)::

    format       "em-studio-session"
    version      1
    saved_at     when, ISO 8601 in UTC
    data         path         absolute path of the data file
                 name         what the window called it (file name or sample title)
                 size         bytes
                 sha256       hex checksum of the file's bytes
                 sample_id    id of the bundled sample, or null
                 text_options {delimiter, decimal, header, comment, skip_rows,
                              encoding} for text tables, else null
                 columns      the columns read, in order
                 bad_rows     "error" or "drop": what happened to rows with missing values
                 n_samples, n_features
                 table_sha256 checksum of the numbers read (float64, row by row), which
                              shows whether re-reading gives the same table
    settings     options      every field of engine.FitOptions by name; "init" is
                              kmeans++, random or "explicit", and then
                              "init_params" holds a PARAMS.json document
                 init_mode    the start chosen in the window (kmeans++, random, click, sample)
                 scatter_columns  [x, y] column indices shown by the scatter
                 show_uncertainty whether uncertain points are faded
                 placed_means [[x, y], ...] starting means clicked on the plot
    result       null, or    params  the PARAMS.json document (emio.params_file)
                             options as settings.options, the options of the fit
                             history, objective_history: per iteration
                             metrics_history {name: [...]} (kmeans: inertia)
                             n_samples, entropy, restart, restart_objectives,
                             order, messages, labels (0-based, one per row)
    trace        [{restart, iteration, log_likelihood, objective, converged,
                   metrics, params}, ...] every iteration kept by the window
                   (restart 0-based); params by the PARAMS.json array names
    shown_index  the iteration shown (index into trace), or -1

Non-finite floats (a failed start's objective is -inf) are written as the
strings "inf", "-inf" and "nan", so the file is strict JSON.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.em import FitOptions, FitResult, Snapshot
from engine.models import COVARIANCE_TYPES, MODEL_NAMES
from engine.params import Params
from emio.atomic import atomic_write_text, describe_os_error
from emio.jsonfile import JsonFileError, read_json_file
from emio.params_file import (
    ParamsDocument,
    SchemaError,
    array_shapes,
    decode_array,
    encode_arrays,
    option_to_json,
    params_document,
    params_from_dict,
    result_to_dict,
)
from emio.tables import (
    BAD_ROW_POLICIES,
    DataError,
    Table,
    TextOptions,
    read_table,
    sniff_text,
)

FORMAT = "em-studio-session"
VERSION = 1
#: The suffix the window gives session files.
SUFFIX = ".emsession"
#: What :func:`check_data_file` finds.
DATA_OK, DATA_CHANGED, DATA_MISSING = "ok", "changed", "missing"
#: Files :func:`emio.tables.read_table` does not read as text, so they have no text options.
NON_TEXT_SUFFIXES = frozenset({".npy", ".npz", ".xlsx", ".xls", ".parquet"})
INIT_METHODS = ("kmeans++", "random")
INIT_MODES = ("kmeans++", "random", "click", "sample")
#: What to do with a file that is not a usable session, said after what is wrong.
READ_ADVICE = "it is damaged or not a session file; open one that EM Studio saved"

_CHUNK = 1 << 20
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class SessionError(ValueError):
    """A session file that cannot be read or written; the message says what to do."""


# --------------------------------------------------------------------------- the document


@dataclass(frozen=True)
class DataSource:
    """Where the data came from and how it was read."""

    path: Path
    name: str
    size: int
    sha256: str
    columns: list[str]
    text_options: TextOptions | None
    bad_rows: str
    n_samples: int
    n_features: int
    table_sha256: str
    sample_id: str | None = None

    def read(self, path: str | os.PathLike[str] | None = None) -> Table:
        """Read the data as it was read when the session was saved (from ``path`` if given).

        Raises :class:`emio.tables.DataError` if the file no longer reads.
        """
        return read_table(
            Path(path) if path is not None else self.path,
            self.text_options,
            list(self.columns),
            self.bad_rows,
        )


@dataclass(frozen=True)
class ViewState:
    """What the window showed besides the fit options."""

    init_mode: str = "kmeans++"
    scatter_columns: tuple[int, int] = (0, 1)
    show_uncertainty: bool = False
    placed_means: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, eq=False)
class Session:
    """Everything a session file holds.

    Attributes
    ----------
    data : DataSource
    options : FitOptions
        The settings panel's options (with explicit starting parameters, if any).
    view : ViewState
    result : FitResult or None
        The finished fit, if there is one.
    snapshots : tuple of Snapshot
        Every iteration the window kept, in order.
    shown_index : int
        The iteration the slider was on, or -1.
    saved_at : str
    """

    data: DataSource
    options: FitOptions
    view: ViewState = field(default_factory=ViewState)
    result: FitResult | None = None
    snapshots: tuple[Snapshot, ...] = ()
    shown_index: int = -1
    saved_at: str = ""

    @property
    def feature_names(self) -> list[str]:
        return list(self.data.columns)


# --------------------------------------------------------------------------- checksums


def file_digest(path: str | os.PathLike[str]) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def table_digest(table: Table) -> str:
    """SHA-256 of a table's numbers and shape: equal digests mean equal data."""
    digest = hashlib.sha256(f"{table.data.shape}".encode())
    digest.update(table.data.tobytes())  # row order, whatever the layout in memory
    return digest.hexdigest()


def data_source(
    table: Table,
    name: str,
    text_options: TextOptions | None = None,
    bad_rows: str | None = None,
    sample_id: str | None = None,
) -> DataSource:
    """Describe the file ``table`` was read from, with its checksum.

    Parameters
    ----------
    table : Table
        Must have been read from a file (``table.source``).
    name : str
        What the window calls the data.
    text_options : TextOptions, optional
        How a text file was read; sniffed again from the file when not given.
    bad_rows : {"error", "drop"}, optional
        By default "drop" when the table lost rows, else "error".
    sample_id : str, optional

    Raises
    ------
    SessionError
        If the data did not come from a file, or the file cannot be read.
    """
    if table.source is None:
        raise SessionError(
            "these data were not read from a file, so a session cannot refer to them; "
            "save them to a file and open that first"
        )
    path = Path(table.source).resolve()
    try:
        sha256, size = file_digest(path)
        if text_options is None and path.suffix.lower() not in NON_TEXT_SUFFIXES:
            text_options = sniff_text(path)
    except OSError as exc:
        raise SessionError(describe_os_error(exc, path, "read")) from None
    except DataError as exc:
        raise SessionError(str(exc)) from None
    return DataSource(
        path=path,
        name=name,
        size=size,
        sha256=sha256,
        columns=list(table.columns),
        text_options=text_options,
        bad_rows=bad_rows or ("drop" if table.dropped_rows else "error"),
        n_samples=table.n_samples,
        n_features=table.n_features,
        table_sha256=table_digest(table),
        sample_id=sample_id,
    )


def check_data_file(session: Session) -> str:
    """Whether the session's data file is still there and unchanged.

    Returns
    -------
    str
        :data:`DATA_OK`, :data:`DATA_CHANGED` (other size or checksum) or
        :data:`DATA_MISSING` (no such file, or it cannot be read).
    """
    path = session.data.path
    try:
        if not path.is_file():
            return DATA_MISSING
        if path.stat().st_size != session.data.size:
            return DATA_CHANGED
        sha256, _ = file_digest(path)
    except OSError:
        return DATA_MISSING
    return DATA_OK if sha256 == session.data.sha256 else DATA_CHANGED


# --------------------------------------------------------------------------- writing


def _float_out(value: float) -> float | str:
    value = float(value)
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def options_to_dict(options: FitOptions, feature_names: list[str]) -> dict[str, Any]:
    """Every field of ``options``, JSON-ready; explicit starts as a PARAMS.json document."""
    names = [option.name for option in dataclasses.fields(FitOptions)]
    out = {name: option_to_json(options, name) for name in names}
    out["init_params"] = (
        params_document(options.init, options, feature_names) if options.explicit_init else None
    )
    return out


def _snapshot_to_dict(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "restart": snapshot.restart,
        "iteration": snapshot.iteration,
        "log_likelihood": _float_out(snapshot.log_likelihood),
        "objective": _float_out(snapshot.objective),
        "converged": bool(snapshot.converged),
        "metrics": {k: _float_out(v) for k, v in snapshot.metrics.items()},
        "params": encode_arrays(snapshot.params),
    }


def _result_to_dict(result: FitResult, feature_names: list[str]) -> dict[str, Any]:
    return {
        "params": result_to_dict(result, feature_names),
        "options": options_to_dict(result.options, feature_names),
        "history": [_float_out(v) for v in result.history],
        "objective_history": [_float_out(v) for v in result.objective_history],
        "metrics_history": {
            name: [_float_out(v) for v in values] for name, values in result.metrics_history.items()
        },
        "n_samples": result.n_samples,
        "entropy": _float_out(result.entropy),
        "restart": result.restart,
        "restart_objectives": [_float_out(v) for v in result.restart_objectives],
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
        },
        "settings": {
            "options": options_to_dict(session.options, names),
            "init_mode": session.view.init_mode,
            "scatter_columns": list(session.view.scatter_columns),
            "show_uncertainty": session.view.show_uncertainty,
            "placed_means": [list(p) for p in session.view.placed_means],
        },
        "result": None if session.result is None else _result_to_dict(session.result, names),
        "trace": [_snapshot_to_dict(s) for s in session.snapshots],
        "shown_index": session.shown_index,
    }


def dumps(session: Session) -> str:
    """The session as strict JSON: one top-level key per line, one iteration per line.

    Raises ``ValueError`` for a parameter that is NaN or infinite (no fit produces one).
    """
    doc = session_to_dict(session)
    trace = doc.pop("trace")
    shown = doc.pop("shown_index")
    lines = [f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in doc.items()]
    entries = ",\n".join("    " + json.dumps(s, allow_nan=False) for s in trace)
    lines.append('  "trace": [' + (f"\n{entries}\n  ]" if entries else "]"))
    lines.append(f'  "shown_index": {json.dumps(shown)}')
    return "{\n" + ",\n".join(lines) + "\n}\n"


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


# --------------------------------------------------------------------------- reading


class _Fields:
    """Typed access to one JSON object of the file, with messages naming the field."""

    def __init__(self, doc: Any, where: str = "") -> None:
        if not isinstance(doc, dict):
            raise SessionError(
                f"{where or 'the session'} must be a JSON object ({{...}}); the file is damaged "
                "or not a session file"
            )
        self.doc = doc
        self.where = where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def raw(self, key: str, default: Any = ...) -> Any:
        if key not in self.doc:
            if default is ...:
                raise SessionError(
                    f"the session file has no {self._name(key)}; it is damaged or was not "
                    "written by EM Studio"
                )
            return default
        return self.doc[key]

    def get(self, key: str, check: Callable[[Any], bool], what: str, default: Any = ...) -> Any:
        value = self.raw(key, default)
        if value is default and default is not ...:
            return value
        if not check(value):
            raise SessionError(
                f"{self._name(key)} must be {what}, not {value!r}; the session file is damaged"
            )
        return value

    def whole(self, key: str, minimum: int = 0, default: Any = ...) -> int:
        return self.get(
            key, lambda v: _is_int(v) and v >= minimum, f"a whole number of at least {minimum}",
            default,
        )

    def text(self, key: str, default: Any = ...) -> str:
        return self.get(key, lambda v: isinstance(v, str), "text", default)

    def number(self, key: str) -> float:
        return _number(self.raw(key), self._name(key))

    def numbers(self, key: str) -> list[float]:
        values = self.get(key, lambda v: isinstance(v, list), "a list of numbers")
        return [_number(v, self._name(key)) for v in values]

    def choice(self, key: str, choices: Sequence[Any], default: Any = ...) -> Any:
        listed = ", ".join(repr(c) for c in choices)
        return self.get(key, lambda v: v in choices, f"one of {listed}", default)

    def flag(self, key: str, default: Any = ...) -> bool:
        return self.get(key, lambda v: isinstance(v, bool), "true or false", default)

    def child(self, key: str) -> _Fields:
        return _Fields(self.raw(key), self._name(key))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any, where: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    raise SessionError(f"{where} must hold numbers, not {value!r}; the session file is damaged")


def _read_params_doc(doc: Any, where: str) -> ParamsDocument:
    try:
        return params_from_dict(doc)
    except ValueError as exc:
        raise SessionError(f"{where}: {exc}") from None


def _options_from_dict(doc: Any, where: str) -> FitOptions:
    fields = _Fields(doc, where)
    known = {f.name for f in dataclasses.fields(FitOptions)} | {"init_params"}
    unknown = sorted(set(fields.doc) - known)
    if unknown:
        raise SessionError(
            f"{where} has unknown settings {', '.join(unknown)}; the file was written by another "
            "version of EM Studio"
        )
    model = fields.choice("model", MODEL_NAMES)
    trials = fields.get(
        "trials",
        lambda v: v is None
        or (_is_int(v) and v >= 1)
        or (isinstance(v, list) and v and all(_is_int(t) and t >= 1 for t in v)),
        "null, a whole number or a list of whole numbers",
    )
    init = fields.choice("init", INIT_METHODS + ("explicit",))
    if init == "explicit":
        init = _read_params_doc(fields.raw("init_params"), f"{where}.init_params").params
    seed = fields.get(
        "seed", lambda v: v is None or (_is_int(v) and v >= 0), "null or a whole number"
    )
    chunk = fields.get(
        "chunk_size", lambda v: v is None or (_is_int(v) and v >= 1), "null or a whole number"
    )
    return FitOptions(
        model=model,
        n_components=fields.whole("n_components", 1),
        covariance_type=fields.choice("covariance_type", COVARIANCE_TYPES),
        trials=tuple(trials) if isinstance(trials, list) else trials,
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
    )


def _params_from_arrays(doc: Any, options: FitOptions, n_features: int, where: str) -> Params:
    fields = _Fields(doc, where)
    shapes = array_shapes(
        options.model, options.covariance_type, options.n_components, n_features
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
    fields = _Fields(doc, where)
    metrics = fields.child("metrics")
    return Snapshot(
        restart=fields.whole("restart", 0),
        iteration=fields.whole("iteration", 0),
        params=_params_from_arrays(fields.raw("params"), options, n_features, f"{where}.params"),
        log_likelihood=fields.number("log_likelihood"),
        objective=fields.number("objective"),
        converged=fields.flag("converged"),
        metrics={name: _number(v, f"{where}.metrics") for name, v in metrics.doc.items()},
    )


def _result_from_dict(doc: Any, names: list[str]) -> FitResult:
    fields = _Fields(doc, "result")
    params_doc = fields.raw("params")
    document = _read_params_doc(params_doc, "result.params")
    if document.feature_names != names:
        raise SessionError(
            "result.params is for columns "
            f"{', '.join(document.feature_names)} but the data has {', '.join(names)}; "
            "the session file is damaged"
        )
    summary = _Fields(params_doc, "result.params")
    options = _options_from_dict(fields.raw("options"), "result.options")
    n_samples = fields.whole("n_samples", 1)
    labels = fields.get(
        "labels",
        lambda v: isinstance(v, list)
        and len(v) == n_samples
        and all(_is_int(i) and 0 <= i < options.n_components for i in v),
        f"{n_samples} component numbers from 0 to {options.n_components - 1}",
    )
    order = fields.get(
        "order",
        lambda v: isinstance(v, list) and sorted(v) == list(range(options.n_components)),
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
        labels=np.array(labels, dtype=np.int64),
        restart=fields.whole("restart", 0),
        restart_objectives=tuple(fields.numbers("restart_objectives")),
        order=np.array(order, dtype=np.int64),
        messages=tuple(
            fields.get(
                "messages", lambda v: isinstance(v, list) and all(isinstance(m, str) for m in v),
                "a list of text",
            )
        ),
    )


def _text_options(doc: Any) -> TextOptions | None:
    if doc is None:
        return None
    fields = _Fields(doc, "data.text_options")
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
    top = _Fields(doc)
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
    )
    settings = top.child("settings")
    options = _options_from_dict(settings.raw("options"), "settings.options")
    scatter = settings.get(
        "scatter_columns",
        lambda v: isinstance(v, list) and len(v) == 2 and all(_is_int(i) and i >= 0 for i in v),
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
        placed_means=tuple(
            (_number(x, "settings.placed_means"), _number(y, "settings.placed_means"))
            for x, y in placed
        ),
    )
    result_doc = top.raw("result")
    result = None if result_doc is None else _result_from_dict(result_doc, data.columns)
    trace = top.get("trace", lambda v: isinstance(v, list), "a list of iterations")
    # The window draws the trace with the result's options, or with the settings
    # when a run was stopped before it finished; shapes are checked against those.
    trace_options = result.options if result is not None else options
    snapshots = tuple(
        _snapshot_from_dict(entry, trace_options, n_features, f"trace[{i}]")
        for i, entry in enumerate(trace)
    )
    shown = top.get(
        "shown_index",
        lambda v: _is_int(v) and -1 <= v < max(len(snapshots), 1),
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
        return session_from_dict(doc)
    except SessionError as exc:
        raise SessionError(f"{path.name}: {exc}") from None

