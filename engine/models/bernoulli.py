"""Bernoulli mixtures: binary columns, a binomial mixture with one trial per column.

The three-coin model is a Bernoulli mixture of one column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.models.binomial import BinomialModel
from engine.models.registry import register


@register
class BernoulliModel(BinomialModel):
    """Binary columns: a binomial mixture with one trial per column."""

    name = "bernoulli"
    title = "Bernoulli"
    summary = (
        "Binary (0/1) columns; within a component every column is 1 with its own "
        "probability, independently of the others."
    )
    data_kind = "binary"
    option_specs = ()
    menu_order = 30

    def __init__(self) -> None:
        super().__init__(1)

    def options(self) -> dict[str, object]:
        return {}

    def check_chunk(self, rows: np.ndarray, first_row: int, feature_names: Sequence[str]) -> None:
        bad = (rows != 0) & (rows != 1)
        if np.any(bad):
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"the bernoulli model needs 0/1 columns, but column {feature_names[col]!r} "
                f"has {rows[row, col]:g} in row {first_row + row + 1}; choose binomial or "
                "poisson for counts"
            )

    def _log_comb(self, X: np.ndarray) -> np.ndarray:
        return np.zeros(X.shape[0])
