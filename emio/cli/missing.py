"""What the commands do with missing values: ``--missing``, ``--na-values`` and ``--impute``.

``--missing em`` keeps rows with gaps for the model to fit (EM's own treatment
of missing values; the default for every model that declares
``handles_missing``), ``drop`` leaves them out when the data are read, and
``error`` refuses the data, naming the first gap (the default for a model that
cannot fit them). A cell is missing when it is empty, NaN, one of pandas' own
spellings (``NA``, ``N/A``, ``null``, ...) or one of the markers of
``--na-values`` (by default ``NA,N/A,?,-``). :func:`read_rows` reads DATA so,
whole or streamed (:func:`emio.sources.open_rows`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import engine
from engine.models import MixtureModel
from emio.cli.common import UsageError, comma_list, output_path
from emio.cli.compute import on_cluster
from emio.exports import imputed_csv
from emio.sources import Rows, open_rows
from emio.tables import MISSING_MARKERS, DataError

#: The choices of ``--missing``, and what each asks of the reader.
POLICIES = {"em": "keep", "drop": "drop", "error": "error"}


def add_missing_flags(parser: argparse.ArgumentParser, impute: bool = True) -> None:
    """``--missing`` and ``--na-values`` (and ``--impute`` when ``impute``)."""
    parser.add_argument(
        "--missing", choices=tuple(POLICIES),
        help="rows with missing values: em (fit them; the default for models that can), "
        "drop (leave them out) or error (refuse the data)",
    )
    parser.add_argument(
        "--na-values", type=comma_list, default=list(MISSING_MARKERS),
        help="comma-separated cell texts that mean a missing value, besides empty cells and "
        f"NaN (default {','.join(MISSING_MARKERS)})",
    )
    if impute:
        parser.add_argument(
            "--impute", type=output_path(), metavar="OUT.csv",
            help="write the data with each missing value filled in by its expectation under "
            "the fitted mixture, and a column <name>_imputed (1 filled in, 0 observed) per column",
        )


def missing_policy(args: argparse.Namespace, models: Sequence[type[MixtureModel]]) -> str:
    """The ``--missing`` choice for fitting ``models``: as given, checked, or by default
    ``em`` when every model fits rows with gaps and ``error`` otherwise."""
    cannot = [model for model in models if not model.handles_missing]
    if args.missing is None:
        return "error" if cannot else "em"
    if args.missing == "em" and cannot:
        raise UsageError(
            f"the {cannot[0].name} model cannot fit rows with missing values; use --missing drop "
            "to leave those rows out, or fill them in first"
        )
    return args.missing


#: The reader's advice in the window's words, and the flag that takes it at a terminal.
FLAGS_OF_ADVICE = {
    "mark such values as missing": "mark such values as missing (--na-values)",
    "choose to drop such rows": "choose to drop such rows (--missing drop)",
}


def read_rows(args: argparse.Namespace, models: Sequence[type[MixtureModel]]) -> Rows:
    """The rows of ``args.data`` (only ``args.columns`` when given) for fitting
    ``models``, with the missing values as ``--missing`` says: read whole, or streamed
    when the file is large or a Dask cluster computes (see :func:`emio.sources.open_rows`)."""
    policy = missing_policy(args, models)
    try:
        return open_rows(
            args.data, args.columns, on_cluster(args), bad_rows=POLICIES[policy],
            na_values=args.na_values,
        )
    except DataError as exc:
        message = str(exc)
        for advice, with_flag in FLAGS_OF_ADVICE.items():
            message = message.replace(advice, with_flag)
        raise DataError(message) from None


def print_gap_note(rows: Rows, result: engine.FitResult | None = None,
                   kept: str = "kept for EM") -> None:
    """Say on standard error what became of the rows with gaps, if any (after the
    outputs, so that a refused run still prints one line). A streamed file's gaps are
    counted by the fit's scan: ``result`` says how many. First the columns the reader
    left out (text, or no value at all), which would otherwise vanish from the fit
    without a word; the reader's notes on rows are said here in the command's words
    (``kept``: what the command did with the rows that have gaps)."""
    for note in rows.notes:
        if note.startswith("skipped column"):
            print(f"note: {note}", file=sys.stderr)
    table = rows.table
    if table is not None and table.dropped_rows:
        dropped = "1 row" if table.dropped_rows == 1 else f"{table.dropped_rows} rows"
        print(f"note: dropped {dropped} with missing or non-numeric values (--missing drop)",
              file=sys.stderr)
        return
    counts = table if table is not None else result
    if counts is not None and counts.n_rows_with_gaps:
        n = counts.n_rows_with_gaps
        print(
            f"note: {n:,} row{'s' if n > 1 else ''} with missing values "
            f"({counts.n_missing_values:,} value{'s' if counts.n_missing_values != 1 else ''} "
            f"in all) {kept} (--missing em)",
            file=sys.stderr,
        )


def check_impute(args: argparse.Namespace, rows: Rows) -> None:
    """Refuse ``--impute`` for a streamed file, before any work."""
    if getattr(args, "impute", None) is not None and rows.table is None:
        raise UsageError(
            "--impute writes the whole data set with its gaps filled in, so it needs a file "
            "read whole, and this one is streamed; fit it without --impute, or impute a part "
            "of it saved as its own file"
        )


def imputed_text(
    args: argparse.Namespace, rows: Rows, params: engine.Params, options: engine.FitOptions
) -> str | None:
    """The ``--impute`` file's text (``None`` when not asked for)."""
    if getattr(args, "impute", None) is None:
        return None
    check_impute(args, rows)
    table = rows.table
    filled = engine.impute(table.data, params, options, table.columns, per_component=False)
    return imputed_csv(table, filled.values, filled.missing)
