"""The parser: ``em-studio-cli COMMAND ...``, each command adding its own arguments."""

from __future__ import annotations

import argparse
from typing import NoReturn

from emio.cli import convert, fit, predict, select
from emio.cli.common import UsageError

#: The commands, in the order ``--help`` lists them.
COMMANDS = ("fit", "predict", "select", "convert")
_MODULES = {"fit": fit, "predict": predict, "select": select, "convert": convert}


class _Parser(argparse.ArgumentParser):
    # argparse would print usage and exit; one line starting "error:" is the rule here.
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}; see '{self.prog} --help'")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; ``parse_args(...).run(args)`` runs the one chosen."""
    parser = _Parser(prog="em-studio-cli", description="Fit mixture models with EM, headless.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        _MODULES[name].add_parser(commands)
    return parser
