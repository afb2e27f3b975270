"""What the commands share: their argument types, reading PARAMS.json, writing what they
produce, and the one kind of error they report (DATA is read by :mod:`~emio.cli.missing`,
which decides what becomes of its gaps)."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

import engine
from engine.models import OptionSpec, registry
from emio.atomic import StagedFiles, check_writable, describe_os_error, is_special
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


def check_model_options(args: argparse.Namespace, models: Collection[str]) -> None:
    """Refuse a model option given on the command line that none of ``models`` has
    (``--trials`` for a Gaussian), instead of ignoring it without a word."""
    for spec in model_option_flags():
        if getattr(args, spec.name, None) is None:
            continue
        if not any(registry.option_spec(model, spec.name) for model in models):
            owners = [m for m in registry.model_names() if registry.option_spec(m, spec.name)]
            raise UsageError(
                f"{spec.cli_flag} is an option of the {' and '.join(owners)} model"
                f"{'s' if len(owners) > 1 else ''}, not of {', '.join(sorted(set(models)))}; "
                f"drop {spec.cli_flag} or choose such a model"
            )


def read_params(path: Path) -> ParamsDocument:
    """The PARAMS.json in ``path``; a ValueError naming the file says what is wrong."""
    doc = read_json_file(path, advice=READ_ADVICE)
    try:
        return params_from_dict(doc)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None


def input_name(text: str) -> str:
    """The argument type of a file to read (a path or a URL): anything but an empty name,
    which would otherwise be read as the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the file name is empty; give a file name")
    return text


def output_path(stdout_ok: bool = False) -> Callable[[str], Path | None]:
    """The argument type of an output flag: a file name (with ``stdout_ok``, ``-`` is
    standard output, as when the flag is not given)."""

    def path(text: str) -> Path | None:
        if stdout_ok and text == "-":
            return None
        if not text.strip():
            raise argparse.ArgumentTypeError("the file name is empty; give a file name")
        if text == "-":
            raise argparse.ArgumentTypeError(
                "standard output (-) carries the main result; give a file name"
            )
        return Path(text)

    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_outputs(outputs: dict[str, Path | None], inputs: dict[str, object] | None = None) -> None:
    """Refuse at once, before any work or any output, an output that cannot be written
    (a missing or read-only folder, a folder given as the file), that names an input, or
    that another output names too: a run writes all its outputs or none.

    ``outputs`` and ``inputs`` are by the flag that names them (``"-o"``, ``"DATA"``, ...);
    an input that is not a local file or folder (a URL) is not compared."""
    given = [(flag, path) for flag, path in outputs.items() if path is not None]
    for flag, path in given:
        try:
            check_writable(path)
        except OSError as exc:
            raise UsageError(describe_os_error(exc, path)) from None
    for (flag, path), (other, other_path) in itertools.combinations(given, 2):
        if not is_special(path) and _same_file(path, other_path):
            raise UsageError(
                f"{flag} and {other} both name {path}; give each output a file of its own"
            )
    for role, source in (inputs or {}).items():
        if source is None or not os.path.exists(str(source)):
            continue
        source = Path(str(source))
        inside = source.is_dir()
        for flag, path in given:
            if is_special(path):
                continue
            if _same_file(path, source) or inside and Path(
                os.path.realpath(path)
            ).is_relative_to(os.path.realpath(source)):
                where = "is inside the folder" if inside else "is the file"
                raise UsageError(
                    f"{flag} {path} {where} {role} reads ({source}); writing there would "
                    "replace what this run reads, so choose another name for the output"
                )


class Outputs(StagedFiles):
    """What a command writes, all or nothing: files are staged beside their targets and
    put in place together when the block ends without an error; text for standard output
    is printed just before. A file that cannot be written is a :class:`UsageError`."""

    def __init__(self) -> None:
        super().__init__()
        self._stdout: list[str] = []

    def text(self, path: Path | None, text: str) -> None:
        """``text`` to the file ``path``, or to standard output when None."""
        if path is None:
            self._stdout.append(text)
            return
        try:
            self.write(path, text)
        except OSError as exc:
            raise UsageError(describe_os_error(exc, path)) from None

    def pieces(self, path: Path | None, pieces: Iterable[str]) -> None:
        """Text made a piece at a time (labels of a streamed file) to the file ``path``,
        or straight to standard output as it is made."""
        if path is None:
            for piece in pieces:
                sys.stdout.write(piece)
            return
        try:
            with self.open(path, "w", encoding="utf-8", newline="") as file:
                for piece in pieces:
                    file.write(piece)
        except OSError as exc:
            raise UsageError(describe_os_error(exc, path)) from None

    def commit(self) -> None:
        for text in self._stdout:
            sys.stdout.write(text)
        sys.stdout.flush()
        try:
            super().commit()
        except OSError as exc:
            target = exc.filename2 or exc.filename or "an output"
            raise UsageError(describe_os_error(exc, target)) from None


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
