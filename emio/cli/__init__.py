"""The headless command line: ``python main.py fit DATA ...``.

It drives the same engine as the window. Bad input never produces a
traceback: one line starting ``error:`` says what is wrong and what to do,
and the exit status is 2. Output files are written atomically, so a failed
run never leaves a partial file behind.

:mod:`~emio.cli.parser` builds the parser from the commands, one module
each (:mod:`~emio.cli.fit`, :mod:`~emio.cli.predict`,
:mod:`~emio.cli.select`, :mod:`~emio.cli.convert`); :mod:`~emio.cli.common`
holds what they share: reading DATA and PARAMS.json, writing outputs, the
argument types; :mod:`~emio.cli.compute` where they compute (``--backend``,
``--scheduler``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from emio.blas import register_blas_limiter
from emio.cli.common import EXIT_USAGE, UsageError
from emio.cli.fit import run_fit
from emio.cli.parser import COMMANDS, build_parser
from emio.cli.predict import run_predict
from emio.cli.select import SELECT_COLUMNS, run_select

__all__ = [
    "COMMANDS",
    "EXIT_USAGE",
    "SELECT_COLUMNS",
    "UsageError",
    "build_parser",
    "main",
    "run_fit",
    "run_predict",
    "run_select",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    register_blas_limiter()
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
