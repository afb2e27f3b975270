"""The headless command line: ``python main.py fit DATA ...``.

It drives the same engine as the window. Bad input never produces a
traceback: one line starting ``error:`` says what is wrong and what to do,
and the exit status is 2. Output files are written atomically, so a failed
run never leaves a partial file behind.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import numpy as np

import engine
from engine.em import predict_log_resp
from engine.selection import CRITERIA, ModelSpec, best_cell, parse_k_range, sweep
from emio.atomic import atomic_write_text, describe_os_error
from emio.blas import register_blas_limiter
from emio.jsonfile import read_json_file
from emio.params_file import (
    READ_ADVICE,
    ParamsDocument,
    dumps,
    params_from_dict,
    result_to_dict,
)
from emio.tables import read_table

COMMANDS = ("fit", "predict", "select")
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the person at the terminal; the message is shown as is."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}; see '{self.prog} --help'")


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _trials(text: str) -> int | tuple[int, ...]:
    try:
        values = [int(part) for part in _comma_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number (or a comma-separated list, one per column)"
        ) from None
    return values[0] if len(values) == 1 else tuple(values)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="em-studio-cli", description="Fit mixture models with EM, headless.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    fit = commands.add_parser(
        "fit",
        help="fit a mixture to a data file and write its parameters as JSON",
        description="Fit a mixture model to DATA (CSV/TSV/text, .npy or .npz) and write "
        "PARAMS.json (to standard output unless -o is given).",
    )
    fit.add_argument("data", metavar="DATA", help="data file: CSV/TSV/whitespace text, .npy, .npz")
    fit.add_argument("--model", choices=engine.MODEL_NAMES, help="mixture model (default gaussian)")
    fit.add_argument("--k", type=int, help="number of components K")
    fit.add_argument("--covariance", choices=engine.COVARIANCE_TYPES, default="full",
                     help="covariance type for gaussian (default full)")
    fit.add_argument("--trials", type=_trials,
                     help="trials per column for binomial: one number or one per column")
    fit.add_argument("--columns", type=_comma_list, help="comma-separated columns to use")
    fit.add_argument("--init", default="kmeans++",
                     help="kmeans++ (default), random, or a PARAMS.json to start from")
    fit.add_argument("--fix", type=_comma_list, default=[],
                     help="parameters held fixed, e.g. weights,means")
    fit.add_argument("--e-step", choices=("soft", "hard"), default="soft",
                     help="soft (standard EM, default) or hard (classification EM)")
    fit.add_argument("--max-iter", type=int, default=500,
                     help="most iterations (0 evaluates the starting parameters)")
    fit.add_argument("--tol", type=float, default=1e-6,
                     help="stop when the mean log-likelihood per row changes less than this")
    fit.add_argument("--reg-covar", type=float, default=1e-6,
                     help="added to covariance diagonals, as a fraction of each column's variance")
    fit.add_argument("--n-init", type=int, default=1, help="number of starts; the best is kept")
    fit.add_argument("--seed", type=int, help="random seed (recorded in the output)")
    fit.add_argument("-o", "--output", type=Path, help="write PARAMS.json here")
    fit.add_argument("--labels", type=Path,
                     help="write per-row component and responsibilities as CSV here")
    predict = commands.add_parser(
        "predict",
        help="apply fitted parameters to data without refitting",
        description="Compute each row's component and responsibilities under PARAMS.json.",
    )
    predict.add_argument("params", metavar="PARAMS.json", type=Path, help="fitted parameters")
    predict.add_argument("data", metavar="DATA", help="data file with the same columns")
    predict.add_argument("--columns", type=_comma_list, help="comma-separated columns to use")
    predict.add_argument("-o", "--output", type=Path, help="write LABELS.csv here")

    select = commands.add_parser(
        "select",
        help="fit a range of K and models and rank them by BIC, AIC or ICL",
        description="Fit every model for every K and print the table and the best model.",
    )
    select.add_argument("data", metavar="DATA", help="data file")
    select.add_argument("--k", type=parse_k_range, default=list(range(1, 10)),
                        help="K values, e.g. 1-9 (default) or 2,3,5")
    select.add_argument("--models", type=_comma_list, default=["full", "tied", "diag", "spherical"],
                        help="covariance types and/or model names, e.g. full,tied,kmeans")
    select.add_argument("--trials", type=_trials, help="trials per column for binomial")
    select.add_argument("--columns", type=_comma_list, help="comma-separated columns to use")
    select.add_argument("--n-init", type=int, default=3, help="starts per cell (default 3)")
    select.add_argument("--criterion", choices=CRITERIA, default="bic",
                        help="what ranks the models (lower is better; default bic)")
    select.add_argument("--reg-covar", type=float, default=1e-6, help="as for fit")
    select.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    select.add_argument("-o", "--output", type=Path, help="write the table as CSV here")
    return parser


def _read_params_file(path: Path) -> ParamsDocument:
    doc = read_json_file(path, advice=READ_ADVICE)
    try:
        return params_from_dict(doc)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None


def _fit_options(args: argparse.Namespace, n_features: int) -> engine.FitOptions:
    common = dict(
        fixed=frozenset(args.fix),
        e_step=args.e_step,
        max_iter=args.max_iter,
        tol=args.tol,
        reg_covar=args.reg_covar,
        n_init=args.n_init,
        seed=args.seed,
    )
    if args.init in ("kmeans++", "random"):
        if args.k is None:
            raise UsageError("give the number of components with --k (or start from --init PARAMS.json)")
        return engine.FitOptions(
            model=args.model or "gaussian",
            n_components=args.k,
            covariance_type=args.covariance,
            trials=args.trials,
            init=args.init,
            **common,
        )
    document = _read_params_file(Path(args.init))
    if args.model is not None and args.model != document.model:
        raise UsageError(
            f"--model is {args.model} but {args.init} holds a {document.model} model; "
            "drop --model or use a matching file"
        )
    if args.k is not None and args.k != document.n_components:
        raise UsageError(
            f"--k is {args.k} but {args.init} has {document.n_components} components; "
            "drop --k or make them agree"
        )
    if document.n_features != n_features:
        raise UsageError(
            f"{args.init} is for {document.n_features} columns but the data has {n_features}; "
            "choose matching columns with --columns"
        )
    changes = {"trials": args.trials} if args.trials is not None else {}
    return document.options(**changes, **common)


def _labels_csv(log_resp: np.ndarray) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    n_components = log_resp.shape[1]
    writer.writerow(["component"] + [f"resp_{k + 1}" for k in range(n_components)])
    resp = np.exp(log_resp)
    labels = np.argmax(log_resp, axis=1) + 1
    for label, row in zip(labels, resp):
        writer.writerow([int(label)] + [repr(float(v)) for v in row])
    return out.getvalue()


def _write(path: Path, text: str) -> None:
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise UsageError(describe_os_error(exc, path)) from None


def run_fit(args: argparse.Namespace) -> int:
    table = read_table(Path(args.data), columns=args.columns)
    options = _fit_options(args, table.data.shape[1])
    result = engine.fit(table.data, options, feature_names=table.columns)
    document = dumps(result_to_dict(result, table.columns))
    labels = None
    if args.labels is not None:
        _, log_resp = predict_log_resp(table.data, result.params, result.options, table.columns)
        labels = _labels_csv(log_resp)
    # Both outputs are complete in memory before either is written.
    if args.output is None:
        sys.stdout.write(document)
    else:
        _write(args.output, document)
    if labels is not None:
        _write(args.labels, labels)
    for message in result.messages:
        print(f"note: {message}", file=sys.stderr)
    return 0


def run_predict(args: argparse.Namespace) -> int:
    document = _read_params_file(args.params)
    table = read_table(Path(args.data), columns=args.columns)
    if table.data.shape[1] != document.n_features:
        raise UsageError(
            f"{args.params} is for {document.n_features} columns but the data has "
            f"{table.data.shape[1]}; choose matching columns with --columns"
        )
    _, log_resp = predict_log_resp(table.data, document.params, document.options(), table.columns)
    labels = _labels_csv(log_resp)
    if args.output is None:
        sys.stdout.write(labels)
    else:
        _write(args.output, labels)
    return 0


SELECT_COLUMNS = ("model", "k", "log_likelihood", "n_parameters", "bic", "aic", "icl",
                  "converged", "n_iter", "seconds", "note")


def _select_rows(cells) -> list[dict[str, object]]:
    rows = []
    for cell in cells:
        result = cell.result
        note = cell.error or ""
        if cell.collapsed:
            held = ", ".join(str(k + 1) for k in cell.collapsed)
            note = f"component {held} collapsed onto tied values; not chosen as best"
        row: dict[str, object] = {"model": cell.spec.label, "k": cell.n_components,
                                  "seconds": round(cell.seconds, 3), "note": note}
        if result is not None:
            row.update(log_likelihood=result.log_likelihood, n_parameters=result.n_parameters,
                       bic=result.bic, aic=result.aic, icl=result.icl,
                       converged=result.converged, n_iter=result.n_iter)
        rows.append(row)
    return rows


def _format_cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def run_select(args: argparse.Namespace) -> int:
    specs = [ModelSpec.parse(text) for text in args.models]
    table = read_table(Path(args.data), columns=args.columns)
    base = engine.FitOptions(n_init=args.n_init, reg_covar=args.reg_covar, seed=args.seed,
                             trials=args.trials)
    cells = list(sweep(table.data, specs, args.k, base, table.columns))
    rows = _select_rows(cells)
    shown = [c for c in SELECT_COLUMNS if c not in ("note", "seconds")]
    text_rows = [[_format_cell(row.get(c, "")) for c in shown] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in text_rows)) for i, c in enumerate(shown)]
    print("  ".join(c.rjust(w) for c, w in zip(shown, widths)))
    for text_row, row in zip(text_rows, rows):
        line = "  ".join(v.rjust(w) for v, w in zip(text_row, widths))
        print(line + (f"  ({row['note']})" if row["note"] else ""))
    # A component held up only by the regularisation on tied values is not a cluster.
    best = best_cell(cells, args.criterion, skip_collapsed=True)
    if args.output is not None:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=SELECT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        _write(args.output, out.getvalue())
    if best is None:
        raise UsageError("no model could be fitted; lower K or raise --reg-covar")
    score = best.score(args.criterion)
    print(f"best: {best.spec.label}, K={best.n_components} ({args.criterion.upper()} {score:.3f})")
    return 0


_RUNNERS = {"fit": run_fit, "predict": run_predict, "select": run_select}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    register_blas_limiter()
    try:
        args = build_parser().parse_args(argv)
        return _RUNNERS[args.command](args)
    except (UsageError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
