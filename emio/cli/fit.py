"""``fit DATA --k K ...``: fit a mixture and write its PARAMS.json (and, on request, labels)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import engine
from engine.models import build_model, model_class, model_names
from emio.cli.common import (
    Outputs,
    UsageError,
    add_accelerate_flag,
    add_model_option_flags,
    check_model_options,
    check_outputs,
    comma_list,
    given_model_options,
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
from emio.cli.standardize import add_standardize_flag, fit_in_standard_units, scaling_json
from emio.exports import labels_csv
from emio.exports.assignments import labels_csv_chunks
from emio.params_file import ParamsDocument, dumps, result_to_dict


def default_model() -> str:
    """The model a fit uses unless told otherwise: the engine's default."""
    return engine.FitOptions().model


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``fit`` and its arguments to ``commands``."""
    fit = commands.add_parser(
        "fit",
        help="fit a mixture to a data file and write its parameters as JSON",
        description="Fit a mixture model to DATA (CSV/TSV/text, .npy, .npz or Parquet) and "
        "write PARAMS.json (to standard output unless -o is given). A .npy or Parquet file of "
        "2 million rows or 256 MB or more is streamed from the disk, never loaded whole.",
    )
    fit.add_argument("data", metavar="DATA", type=input_name,
                     help="data file: CSV/TSV/whitespace text, .npy, .npz, Parquet (a file or a "
                     "folder of files), or a URL of a .npy or Parquet file")
    default = default_model()
    fit.add_argument("--model", choices=model_names(), help=f"mixture model (default {default})")
    fit.add_argument("--k", type=int, help="number of components K")
    add_model_option_flags(fit)
    fit.add_argument("--columns", type=comma_list, help="comma-separated columns to use")
    fit.add_argument("--init", default="kmeans++",
                     help="kmeans++ (default), random, hc (a hierarchical agglomeration as "
                     "mclust's for the first start), or a PARAMS.json to start from")
    example = ",".join(build_model(default).fixable[:2])
    fit.add_argument("--fix", type=comma_list, default=[],
                     help=f"parameters held fixed, e.g. {example}")
    fit.add_argument("--e-step", choices=("soft", "hard"), default="soft",
                     help="soft (standard EM, default) or hard (classification EM)")
    fit.add_argument("--max-iter", type=int, default=500,
                     help="most iterations (0 evaluates the starting parameters)")
    fit.add_argument("--tol", type=float, default=1e-6,
                     help="stop when the mean log-likelihood per row changes less than this")
    fit.add_argument("--reg-covar", type=float, default=1e-6,
                     help="added to covariance diagonals, as a fraction of each column's variance")
    fit.add_argument("--n-init", type=int, default=1, help="number of starts; the best is kept")
    add_accelerate_flag(fit)
    fit.add_argument("--seed", type=int, help="random seed (recorded in the output)")
    fit.add_argument("-o", "--output", type=output_path(stdout_ok=True),
                     help="write PARAMS.json here (default, or -: standard output)")
    fit.add_argument("--labels", type=output_path(),
                     help="write per-row component and responsibilities as CSV here")
    add_standardize_flag(fit, "the parameters are written in the original units, with "
                         "each column's centre and standard deviation under \"standardized\" in "
                         "PARAMS.json")
    add_missing_flags(fit)
    add_compute_flags(fit)
    fit.set_defaults(run=run_fit)


def _start_document(args: argparse.Namespace) -> ParamsDocument | None:
    """The PARAMS.json ``--init`` names, or ``None`` for a seeded start."""
    if not args.init.strip():
        raise UsageError("--init is empty; give kmeans++, random, hc or a PARAMS.json to start from")
    return None if args.init in engine.INIT_METHODS else read_params(Path(args.init))


def _fit_options(
    args: argparse.Namespace, n_features: int, document: ParamsDocument | None
) -> engine.FitOptions:
    common = dict(
        fixed=frozenset(args.fix),
        e_step=args.e_step,
        max_iter=args.max_iter,
        tol=args.tol,
        reg_covar=args.reg_covar,
        n_init=args.n_init,
        seed=args.seed,
        accelerate=args.accelerate,
    )
    given = given_model_options(args)
    if document is None:
        if args.k is None:
            raise UsageError(
                "give the number of components with --k (or start from --init PARAMS.json)"
            )
        return engine.FitOptions(
            model=args.model or default_model(),
            n_components=args.k,
            init=args.init,
            **given,
            **common,
        )
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
    # The file's variant (a Gaussian's covariance type) goes with the shapes of its
    # arrays; the other options given here replace the file's.
    variant = model_class(document.model).variant_option
    changes = {name: value for name, value in given.items() if name != variant}
    return document.options(**changes, **common)


def run_fit(args: argparse.Namespace) -> int:
    """Fit, write PARAMS.json (standard output without ``-o``), and the labels and the
    filled-in data if asked: all of them or, if one cannot be written, none."""
    start_file = None if args.init in engine.INIT_METHODS else args.init
    check_outputs({"-o": args.output, "--labels": args.labels, "--impute": args.impute},
                  {"DATA": args.data, "--init": start_file})
    start = _start_document(args)
    model = start.model if start is not None else args.model or default_model()
    check_model_options(args, [model])
    rows = read_rows(args, [model_class(model)])
    check_impute(args, rows)
    options = _fit_options(args, rows.n_features, start)
    with Outputs() as outputs:
        with compute_backend(args) as backend:
            if args.standardize:
                result, scaling = fit_in_standard_units(rows.values, options, rows.columns)
                fitted = result_to_dict(result, rows.columns) | {
                    "standardized": scaling_json(scaling)
                }
            else:
                result = engine.fit(rows.values, options, feature_names=rows.columns,
                                    backend=backend)
                fitted = result_to_dict(result, rows.columns)
            document = dumps(fitted)
            if args.labels is not None and rows.streamed:
                # Labels of a streamed file are written as they are computed, a chunk at
                # a time, to a file put in place with the others.
                blocks = engine.predict_blocks(
                    rows.values, result.params, result.options, rows.columns, backend
                )
                outputs.pieces(args.labels,
                               labels_csv_chunks(log_resp for _, log_resp in blocks))
            elif args.labels is not None:
                _, log_resp = engine.predict_log_resp(
                    rows.values, result.params, result.options, rows.columns
                )
                outputs.text(args.labels, labels_csv(log_resp))
        imputed = imputed_text(args, rows, result.params, result.options)
        outputs.text(args.output, document)
        if imputed is not None:
            outputs.text(args.impute, imputed)
    print_gap_note(rows, result)
    for message in result.messages:
        print(f"note: {message}", file=sys.stderr)
    return 0
