"""What the commands share: their argument types, reading PARAMS.json, writing what they
produce, and the one kind of error they report (DATA is read by :mod:`~emio.cli.missing`,
which decides what becomes of its gaps)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

import engine
from engine.models import OptionSpec, registry
from emio.atomic import atomic_open, atomic_write_text, check_writable, describe_os_error
from emio.jsonfile import read_json_file
from emio.params_file import READ_ADVICE, ParamsDocument, params_from_dict

#: The exit status of a run refused for bad input.
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the person at the terminal; the message is shown as is."""


def comma_list(text: str) -> list[str]:
    """``"a, b,,c"`` as ``["a", "b", "c"]``: the argument type of ``--columns`` and friends."""
    return [part.strip() for part in text.split(",") if part.strip()]


def model_option_flags() -> list[OptionSpec]:
    """The models' options the command line takes, each under its declared flag."""
    return [spec for spec in registry.option_specs().values() if spec.cli_flag]


def _text_type(spec: OptionSpec) -> Callable[[str], object]:
    """The argument type of an option's flag: its declared reading of text."""
    if spec.from_text is None:
        return str
    from_text = spec.from_text

    def value(text: str) -> object:
        try:
            return from_text(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return value


def add_model_option_flags(parser: argparse.ArgumentParser, skip: Collection[str] = ()) -> None:
    """A flag for each model option (those named in ``skip`` excepted), as declared:
    its choices, its reading of text and its help. A flag not given is ``None``."""
    for spec in model_option_flags():
        if spec.name not in skip:
            choices = spec.current_choices() or None
            metavar = None
            if choices and spec.shown is not None:
                metavar = "{" + ",".join(spec.shown(choice) for choice in choices) + "}"
            parser.add_argument(
                spec.cli_flag, dest=spec.name, type=_text_type(spec),
                choices=choices, metavar=metavar, help=spec.cli_help,
            )


def given_model_options(args: argparse.Namespace) -> dict[str, object]:
    """The model options given on the command line, by name."""
    values = {spec.name: getattr(args, spec.name, None) for spec in model_option_flags()}
    return {name: value for name, value in values.items() if value is not None}


def read_params(path: Path) -> ParamsDocument:
    """The PARAMS.json in ``path``; a ValueError naming the file says what is wrong."""
    doc = read_json_file(path, advice=READ_ADVICE)
    try:
        return params_from_dict(doc)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None


def check_outputs(*paths: Path | None) -> None:
    """Refuse at once, before any work or any output, an output that cannot be written
    (a missing or read-only folder, a folder given as the file): a run writes all its
    outputs or none."""
    for path in paths:
        if path is None:
            continue
        try:
            check_writable(path)
        except OSError as exc:
            raise UsageError(describe_os_error(exc, path)) from None


def write_output(path: Path | None, text: str) -> None:
    """``text`` to the file ``path`` (replaced atomically), or to standard output when None."""
    if path is None:
        sys.stdout.write(text)
        return
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise UsageError(describe_os_error(exc, path)) from None


def write_pieces(path: Path | None, pieces: Iterable[str]) -> None:
    """Text made a piece at a time (labels of a streamed file) to the file ``path``, which
    is replaced atomically once the last piece is written, or to standard output."""
    if path is None:
        for piece in pieces:
            sys.stdout.write(piece)
        return
    try:
        with atomic_open(path, "w", encoding="utf-8", newline="") as file:
            for piece in pieces:
                file.write(piece)
    except OSError as exc:
        raise UsageError(describe_os_error(exc, path)) from None


def add_accelerate_flag(parser: argparse.ArgumentParser, default: object = "squarem") -> None:
    """``--accelerate``: SQUAREM (the default on the command line) or plain EM."""
    words = {
        "squarem": "EM steps extrapolated, with a safeguard so the objective never falls, "
        "to reach the optimum in fewer passes",
        "none": "plain EM",
    }
    parser.add_argument(
        "--accelerate", choices=engine.ACCELERATIONS, default=default,
        help="; ".join(f"{name}{' (default)' if name == default else ''}: {text}"
                       for name, text in words.items()),
    )
