"""What the commands do with missing values: ``--missing``, ``--na-values`` and ``--impute``.

``--missing em`` keeps rows with gaps for the model to fit (EM's own treatment
of missing values; the default for every model that declares
``handles_missing``), ``drop`` leaves them out when the data are read, and
``error`` refuses the data, naming the first gap (the default for a model that
cannot fit them). A cell is missing when it is empty, NaN, one of pandas' own
spellings (``NA``, ``N/A``, ``null``, ...) or one of the markers of
``--na-values`` (by default ``NA,N/A,?,-``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import engine
from engine.models import MixtureModel
from emio.cli.common import UsageError, comma_list
from emio.exports import imputed_csv
from emio.tables import MISSING_MARKERS, Table, read_table

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
            "--impute", type=Path, metavar="OUT.csv",
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


def read_with_gaps(args: argparse.Namespace, policy: str) -> Table:
    """The table of ``args.data`` (only ``args.columns`` when given) under ``policy``."""
    return read_table(
        Path(args.data), columns=args.columns, bad_rows=POLICIES[policy],
        na_values=args.na_values,
    )


def print_gap_note(table: Table) -> None:
    """Say on standard error what became of the rows with gaps, if any (after the
    outputs, so that a refused run still prints one line)."""
    if table.dropped_rows:
        rows = "1 row" if table.dropped_rows == 1 else f"{table.dropped_rows} rows"
        print(f"note: dropped {rows} with missing or non-numeric values (--missing drop)",
              file=sys.stderr)
    elif table.n_rows_with_gaps:
        rows = table.n_rows_with_gaps
        print(
            f"note: {rows} row{'s' if rows > 1 else ''} with missing values "
            f"({table.n_missing_values} values in all) kept for EM (--missing em)",
            file=sys.stderr,
        )


def imputed_text(
    args: argparse.Namespace, table: Table, params: engine.Params, options: engine.FitOptions
) -> str | None:
    """The ``--impute`` file's text (``None`` when not asked for)."""
    if getattr(args, "impute", None) is None:
        return None
    filled = engine.impute(table.data, params, options, table.columns, per_component=False)
    return imputed_csv(table, filled.values, filled.missing)
