"""``--standardize`` for ``fit`` and ``select``: the columns in standard units for the fit,
the parameters (and PARAMS.json) in the original ones (:mod:`engine.standardize`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

import engine
from emio.cli.common import UsageError
from engine.standardize import Scaling, column_scaling, fit_standardized


def add_standardize_flag(parser: argparse.ArgumentParser, reported: str) -> None:
    parser.add_argument(
        "--standardize", action="store_true",
        help="fit each column centred and divided by its standard deviation (for columns "
        f"whose units differ by orders of magnitude); {reported}",
    )


def in_memory(values: object, flag_user: str = "--standardize") -> np.ndarray:
    """The rows as an array, or a usage error for a streamed file."""
    if not isinstance(values, np.ndarray):
        raise UsageError(
            f"{flag_user} needs the data in memory, and this file is streamed; "
            "standardise the columns in the file itself, or drop --standardize"
        )
    return values


def fit_in_standard_units(values: object, options: engine.FitOptions,
                          columns: Sequence[str]) -> tuple[engine.FitResult, Scaling]:
    """The fit of the rows in standard units, reported in the original ones, and the scaling."""
    X = in_memory(values)
    scaling = column_scaling(X, list(columns))
    return fit_standardized(X, options, list(columns)), scaling


def scaling_json(scaling: Scaling) -> dict[str, list[float]]:
    """What PARAMS.json records of a standardised fit: each column's centre and scale."""
    return {"center": [float(v) for v in scaling.center],
            "scale": [float(v) for v in scaling.scale]}
