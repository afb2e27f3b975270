"""``convert DATA OUT.npy|OUT.parquet``: a text table too large for memory, converted once
in blocks, with a progress line, so that ``fit`` can stream it."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from emio.atomic import describe_os_error
from emio.cli.common import UsageError, check_outputs, comma_list, input_name, output_path
from emio.convert import convert_text
from emio.tables.table import BAD_ROW_POLICIES

#: Seconds between two updates of the progress line.
_PROGRESS_SECONDS = 0.2


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``convert`` and its arguments to ``commands``."""
    convert = commands.add_parser(
        "convert",
        help="convert a text table to .npy or Parquet, in blocks, for fitting large data",
        description="Convert the text table DATA (CSV/TSV/whitespace, layout detected) to OUT "
        "(.npy or .parquet) a block of rows at a time, with memory that does not grow with the "
        "file. fit, predict and select stream such files from the disk.",
    )
    convert.add_argument("data", metavar="DATA", type=input_name, help="text table: CSV/TSV/whitespace text")
    convert.add_argument("output", metavar="OUT", type=output_path(), help="OUT.npy or OUT.parquet")
    convert.add_argument("--columns", type=comma_list, help="comma-separated columns to keep")
    convert.add_argument("--bad-rows", choices=BAD_ROW_POLICIES, default="error",
                         help="rows with a missing or non-numeric value: stop with an error "
                         "(default) or drop them")
    convert.set_defaults(run=run_convert)


class _ProgressLine:
    """``converting data.csv: 42% (1,234,567 rows)`` on standard error, rewritten in place
    at most five times a second."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown = 0.0

    def __call__(self, done: int, total: int, rows: int) -> None:
        now = time.monotonic()
        if now - self.shown < _PROGRESS_SECONDS and done < total:
            return
        self.shown = now
        percent = 100 * done // max(total, 1)
        print(f"\rconverting {self.name}: {percent}% ({rows:,} rows)", end="", file=sys.stderr,
              flush=True)


def run_convert(args: argparse.Namespace) -> int:
    """Convert DATA to OUT and say how many rows and which columns were written."""
    check_outputs({"OUT": args.output}, {"DATA": args.data})
    # A line rewritten in place suits a terminal, not a log.
    progress = _ProgressLine(Path(args.data).name) if sys.stderr.isatty() else None
    try:
        converted = convert_text(args.data, args.output, args.columns, args.bad_rows,
                                 progress=progress)
    except OSError as exc:
        reading = exc.filename is not None and os.fspath(exc.filename) == os.fspath(args.data)
        raise UsageError(describe_os_error(exc, args.data if reading else args.output,
                                           "read" if reading else "write")) from None
    finally:
        if progress is not None and progress.shown:
            print(file=sys.stderr)
    n_columns = len(converted.columns)
    print(f"wrote {converted.n_rows:,} rows of {n_columns} column{'s' if n_columns != 1 else ''} "
          f"({', '.join(converted.columns)}) to {args.output}", file=sys.stderr)
    for note in converted.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
