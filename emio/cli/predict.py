"""``predict PARAMS.json DATA``: each row's component under saved parameters, no refit."""

from __future__ import annotations

import argparse
from pathlib import Path

import engine
from emio.cli.common import (
    UsageError,
    check_outputs,
    comma_list,
    read_data,
    read_params,
    write_output,
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
    predict.set_defaults(run=run_predict)


def run_predict(args: argparse.Namespace) -> int:
    """Write each row's component and responsibilities (standard output without ``-o``)."""
    check_outputs(args.output)
    document = read_params(args.params)
    table = read_data(args)
    if table.data.shape[1] != document.n_features:
        raise UsageError(
            f"{args.params} is for {document.n_features} columns but the data has "
            f"{table.data.shape[1]}; choose matching columns with --columns"
        )
    _, log_resp = engine.predict_log_resp(
        table.data, document.params, document.options(), table.columns
    )
    write_output(args.output, labels_csv(log_resp))
    return 0
