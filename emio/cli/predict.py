"""``predict PARAMS.json DATA``: each row's component under saved parameters, no refit."""

from __future__ import annotations

import argparse
from pathlib import Path

import engine
from engine.models import model_class
from emio.cli.common import UsageError, check_outputs, comma_list, read_params, write_output
from emio.cli.missing import (
    add_missing_flags,
    imputed_text,
    missing_policy,
    print_gap_note,
    read_with_gaps,
)
from emio.exports import labels_csv


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``predict`` and its arguments to ``commands``."""
    predict = commands.add_parser(
        "predict",
        help="apply fitted parameters to data without refitting",
        description="Compute each row's component and responsibilities under PARAMS.json.",
    )
    predict.add_argument("params", metavar="PARAMS.json", type=Path, help="fitted parameters")
    predict.add_argument("data", metavar="DATA", help="data file with the same columns")
    predict.add_argument("--columns", type=comma_list, help="comma-separated columns to use")
    predict.add_argument("-o", "--output", type=Path, help="write LABELS.csv here")
    add_missing_flags(predict)
    predict.set_defaults(run=run_predict)


def run_predict(args: argparse.Namespace) -> int:
    """Write each row's component and responsibilities (standard output without ``-o``),
    from each row's observed values, and the filled-in data if asked."""
    check_outputs(args.output, args.impute)
    document = read_params(args.params)
    table = read_with_gaps(args, missing_policy(args, [model_class(document.model)]))
    if table.data.shape[1] != document.n_features:
        raise UsageError(
            f"{args.params} is for {document.n_features} columns but the data has "
            f"{table.data.shape[1]}; choose matching columns with --columns"
        )
    options = document.options()
    _, log_resp = engine.predict_log_resp(table.data, document.params, options, table.columns)
    labels = labels_csv(log_resp)
    imputed = imputed_text(args, table, document.params, options)
    write_output(args.output, labels)
    if imputed is not None:
        write_output(args.impute, imputed)
    print_gap_note(table)
    return 0
