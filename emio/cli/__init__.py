"""The headless command line: ``python main.py fit DATA ...``.

It drives the same engine as the window. Bad input never produces a
traceback: one line starting ``error:`` says what is wrong and what to do,
and the exit status is 2. Output files are written atomically, so a failed
run never leaves a partial file behind.

:mod:`~emio.cli.parser` builds the parser from the commands, one module
each (:mod:`~emio.cli.fit`, :mod:`~emio.cli.predict`,
:mod:`~emio.cli.select`, :mod:`~emio.cli.convert`); :mod:`~emio.cli.common`
holds what they share: reading PARAMS.json, writing outputs, the argument
types; :mod:`~emio.cli.missing` reads DATA and decides what becomes of missing
values (``--missing``, ``--na-values``, ``--impute``); :mod:`~emio.cli.compute`
where they compute (``--backend``, ``--scheduler``).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from contextlib import suppress

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


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so a file being written is removed."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    register_blas_limiter()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print(
            "error: not enough memory for this data; save it as .npy (python main.py convert, "
            "for files larger than memory), choose fewer columns with --columns, or use a "
            "machine with more memory",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except BrokenPipeError:
        # Whatever read standard output stopped reading (``| head``): end quietly, as
        # Unix tools do, with the status of SIGPIPE.
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("error: terminated", file=sys.stderr)
        return 143
    except Exception as exc:  # noqa: BLE001 - a person gets a line, never a traceback
        print(
            f"error: EM Studio failed unexpectedly ({type(exc).__name__}: {exc}); please "
            "report it with the command you ran",
            file=sys.stderr,
        )
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
