"""``select DATA --k 1-9 --models ...``: fit every model for every K and rank them."""

from __future__ import annotations

import argparse
import sys

import engine
from engine.models import model_class, model_names, registry
from engine.selection import (
    CRITERIA,
    all_specs,
    best_cell,
    PRESETS,
    SELECT_DEFAULTS,
    default_specs,
    parse_k_range,
    parse_specs,
    select_options,
    sweep,
)
from engine.standardize import column_scaling
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
)
from emio.cli.compute import add_compute_flags, compute_backend
from emio.cli.missing import add_missing_flags, print_gap_note, read_rows
from emio.cli.standardize import add_standardize_flag, in_memory
from emio.csvtext import csv_text

#: The columns of the table ``-o`` writes; the terminal shows all but the last two.
SELECT_COLUMNS = ("model", "k", "log_likelihood", "n_parameters", "bic", "aic", "icl",
                  "converged", "n_iter", "seconds", "note")


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``select`` and its arguments to ``commands``."""
    select = commands.add_parser(
        "select",
        help="fit a range of K and models and rank them by BIC, AIC or ICL",
        description="Fit every model for every K and print the table and the best model.",
    )
    select.add_argument("data", metavar="DATA", type=input_name, help="data file")
    select.add_argument("--k", type=k_range, default=list(range(1, 10)),
                        help="K values, e.g. 1-9 (default) or 2,3,5")
    select.add_argument("--models", type=comma_list,
                        default=[spec.title for spec in default_specs()], help=_models_help())
    # A model's variants are lines of the sweep (--models); its other options are flags.
    add_model_option_flags(select, skip=_variant_options().values())
    select.add_argument("--columns", type=comma_list, help="comma-separated columns to use")
    n_init = SELECT_DEFAULTS["n_init"]
    select.add_argument("--n-init", type=int, default=n_init,
                        help=f"starts per cell (default {n_init}: the first a hierarchical "
                        "agglomeration as mclust's, any others k-means++)")
    select.add_argument("--init", choices=engine.INIT_METHODS, default=SELECT_DEFAULTS["init"],
                        help=f"how the starts are made (default {SELECT_DEFAULTS['init']})")
    add_accelerate_flag(select, default=SELECT_DEFAULTS["accelerate"])
    select.add_argument("--criterion", choices=CRITERIA, default="bic",
                        help="what ranks the models (lower is better; default bic)")
    select.add_argument("--reg-covar", type=float, default=SELECT_DEFAULTS["reg_covar"],
                        help=f"as for fit (default {SELECT_DEFAULTS['reg_covar']:g}: mclust "
                        "fits none)")
    select.add_argument("--tol", type=float, default=SELECT_DEFAULTS["tol"],
                        help=f"as for fit (default {SELECT_DEFAULTS['tol']:g})")
    select.add_argument("--seed", type=int, default=SELECT_DEFAULTS["seed"],
                        help=f"random seed (default {SELECT_DEFAULTS['seed']})")
    select.add_argument("-o", "--output", type=output_path(), help="write the table as CSV here")
    add_standardize_flag(select, "the criteria are then those of the standardised columns, "
                         "each the raw columns' plus one constant, so the ranking of unit-free "
                         "models is the same")
    add_missing_flags(select, impute=False)
    add_compute_flags(select)
    select.set_defaults(run=run_select)


def k_range(text: str) -> list[int]:
    """``--k``'s type: :func:`engine.selection.parse_k_range`, its message as argparse's."""
    try:
        return parse_k_range(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _variant_options() -> dict[str, str]:
    """The options whose values make a model's variants (a Gaussian's covariance type),
    by the model that declares them."""
    options = {name: model_class(name).variant_option for name in model_names()}
    return {name: option for name, option in options.items() if option is not None}


def _models_help() -> str:
    """What ``--models`` takes, with an example: two lines of the default sweep and a model
    without variants."""
    kinds = [
        f"{registry.option_spec(model, option).title.lower()} types (by mclust's names)"
        for model, option in _variant_options().items()
    ]
    example = [spec.title for spec in default_specs()][:2]
    example += [spec.title for spec in all_specs() if spec.variant is None][:1]
    presets = "; ".join(
        f"{name}: {what}, {','.join(spec.title for spec in lines())}"
        if name == "default" else f"{name}: {what}"
        for name, (what, lines) in PRESETS.items()
    )
    old = ", ".join(f"{label} for {title}" for label, title in _old_names().items())
    return (
        f"{' and/or '.join([*kinds, 'model names'])}, e.g. "
        f"{','.join(example)} (the old names are accepted too: {old}); or a preset ({presets})"
    )


def _old_names() -> dict[str, str]:
    """The first engine's names of covariance types that mclust names otherwise
    (``full`` for ``VVV``): accepted by ``--models``, never shown in its output."""
    return {spec.label: spec.title for spec in all_specs() if spec.label != spec.title}


def _none_fitted(cells) -> str:
    """Why no cell was fitted: when every cell gives the same reason (data no model can
    take, say), that reason and its remedy, as fit gives it."""
    reasons = list(dict.fromkeys(cell.error for cell in cells if cell.error))
    if len(reasons) == 1:
        return reasons[0]
    return "no model could be fitted; the note on each line of the table says why"


def _select_rows(cells) -> list[dict[str, object]]:
    # A cell with collapsed components is passed over while any other was fitted.
    passed_over = any(c.result is not None and not c.collapsed for c in cells)
    rows = []
    for cell in cells:
        result = cell.result
        note = cell.error or ""
        if cell.collapsed:
            n = len(cell.collapsed)
            numbers = ", ".join(str(k + 1) for k in cell.collapsed)
            held = (f"component{'s' if n > 1 else ''} {numbers}" if n <= 5
                    else f"{n} of the {cell.n_components} components")
            note = f"{held} collapsed onto tied values" + (
                "; not chosen as best" if passed_over else "")
        row: dict[str, object] = {"model": cell.spec.title, "k": cell.n_components,
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
    """Print the table of every cell and the best, and write the table as CSV with ``-o``."""
    specs = parse_specs(args.models)
    if not specs:
        raise UsageError("--models names no model; give at least one, for example VVV,EEE")
    check_model_options(args, [spec.model for spec in specs])
    check_outputs({"-o": args.output}, {"DATA": args.data})
    data = read_rows(args, [model_class(s.model) for s in specs])
    base = select_options(n_init=args.n_init, reg_covar=args.reg_covar, seed=args.seed,
                          tol=args.tol,
                          init=args.init, accelerate=args.accelerate)
    values = data.values
    if args.standardize:
        values = column_scaling(in_memory(values), list(data.columns)).apply(values)
    with compute_backend(args) as backend:
        cells = list(sweep(values, specs, args.k, base, data.columns, backend,
                           given_model_options(args)))
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
        table_rows = ([row.get(c, "") for c in SELECT_COLUMNS] for row in rows)
        with Outputs() as outputs:
            outputs.text(args.output, csv_text(SELECT_COLUMNS, table_rows))
    if best is None:
        raise UsageError(_none_fitted(cells))
    print_gap_note(data, best.result)
    if best.collapsed:
        print("note: every model fitted has components collapsed onto tied values, so the "
              "best is no clustering to trust; lower K", file=sys.stderr)
    score = best.score(args.criterion)
    print(f"best: {best.spec.title}, K={best.n_components} ({args.criterion.upper()} {score:.3f})")
    return 0
