"""``predict PARAMS.json DATA``: each row's component under saved parameters, no refit."""

from __future__ import annotations

import argparse
from contextlib import suppress
from pathlib import Path

import engine
from engine.models import model_class
from emio.cli.common import (
    Outputs,
    UsageError,
    check_outputs,
    comma_list,
    input_name,
    output_path,
    read_params,
)
from emio.cli.compute import add_compute_flags, compute_backend
from emio.cli.missing import (
    add_missing_flags,
    check_impute,
    imputed_text,
    print_gap_note,
    read_rows,
)
from emio.exports import labels_csv
from emio.params_file import ParamsDocument
from emio.sources import Rows
from emio.tables import DataError
from engine.data import default_names
from emio.exports.assignments import labels_csv_chunks


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``predict`` and its arguments to ``commands``."""
    predict = commands.add_parser(
        "predict",
        help="apply fitted parameters to data without refitting",
        description="Compute each row's component and responsibilities under PARAMS.json.",
    )
    predict.add_argument("params", metavar="PARAMS.json", type=lambda text: Path(input_name(text)),
                         help="fitted parameters")
    predict.add_argument("data", metavar="DATA", type=input_name, help="data file with the same columns")
    predict.add_argument("--columns", type=comma_list, help="comma-separated columns to use")
    predict.add_argument("-o", "--output", type=output_path(stdout_ok=True),
                         help="write LABELS.csv here (default, or -: standard output)")
    add_missing_flags(predict)
    add_compute_flags(predict)
    predict.set_defaults(run=run_predict)


def _rows_by_name(args: argparse.Namespace, document: ParamsDocument) -> Rows:
    """The columns of DATA the parameters were fitted on, found by their names in
    PARAMS.json (in any order, among others); by position only where the file or the
    data has no names of its own (``x1``, ``x2``...), or where ``--columns`` chooses."""
    models = [model_class(document.model)]
    names = list(document.feature_names)
    if args.columns is not None:
        return read_rows(args, models)
    with suppress(DataError):
        return read_rows(argparse.Namespace(**{**vars(args), "columns": names}), models)
    rows = read_rows(args, models)
    unnamed = default_names(len(names)), default_names(rows.n_features)
    if rows.n_features != len(names) or names in unnamed or list(rows.columns) in unnamed:
        return rows  # too few or many columns are refused as such
    raise UsageError(
        f"{args.params} was fitted on the columns {', '.join(map(repr, names))}, which the "
        f"data does not all have (its columns are {', '.join(map(repr, rows.columns))}); "
        "name the data's columns that stand for them, in that order, with --columns"
    )


def run_predict(args: argparse.Namespace) -> int:
    """Write each row's component and responsibilities (standard output without ``-o``),
    from each row's observed values, and the filled-in data if asked: both or neither."""
    check_outputs({"-o": args.output, "--impute": args.impute},
                  {"DATA": args.data, "PARAMS.json": args.params})
    document = read_params(args.params)
    rows = _rows_by_name(args, document)
    check_impute(args, rows)
    if rows.n_features != document.n_features:
        raise UsageError(
            f"{args.params} is for {document.n_features} columns but the data has "
            f"{rows.n_features}; choose matching columns with --columns"
        )
    options = document.options()
    with Outputs() as outputs:
        if not rows.streamed:
            _, log_resp = engine.predict_log_resp(rows.values, document.params, options,
                                                  rows.columns)
            outputs.text(args.output, labels_csv(log_resp))
            imputed = imputed_text(args, rows, document.params, options)
            if imputed is not None:
                outputs.text(args.impute, imputed)
        else:
            with compute_backend(args) as backend:
                blocks = engine.predict_blocks(rows.values, document.params, options,
                                               rows.columns, backend)
                outputs.pieces(args.output,
                               labels_csv_chunks(log_resp for _, log_resp in blocks))
    if not rows.streamed:
        print_gap_note(rows, kept="labelled from their observed values")
    return 0
