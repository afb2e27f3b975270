"""What the commands share: their argument types, reading DATA and PARAMS.json, writing
what they produce, and the one kind of error they report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emio.atomic import atomic_write_text, describe_os_error
from emio.jsonfile import read_json_file
from emio.params_file import READ_ADVICE, ParamsDocument, params_from_dict
from emio.tables import Table, read_table

#: The exit status of a run refused for bad input.
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the person at the terminal; the message is shown as is."""


def comma_list(text: str) -> list[str]:
    """``"a, b,,c"`` as ``["a", "b", "c"]``: the argument type of ``--columns`` and friends."""
    return [part.strip() for part in text.split(",") if part.strip()]


def trials(text: str) -> int | tuple[int, ...]:
    """The argument type of ``--trials``: one whole number, or one per column."""
    try:
        values = [int(part) for part in comma_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number (or a comma-separated list, one per column)"
        ) from None
    return values[0] if len(values) == 1 else tuple(values)


def read_data(args: argparse.Namespace) -> Table:
    """The table of ``args.data``, with only ``args.columns`` when given."""
    return read_table(Path(args.data), columns=args.columns)


def read_params(path: Path) -> ParamsDocument:
    """The PARAMS.json in ``path``; a ValueError naming the file says what is wrong."""
    doc = read_json_file(path, advice=READ_ADVICE)
    try:
        return params_from_dict(doc)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None


def write_output(path: Path | None, text: str) -> None:
    """``text`` to the file ``path`` (replaced atomically), or to standard output when None."""
    if path is None:
        sys.stdout.write(text)
        return
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise UsageError(describe_os_error(exc, path)) from None
