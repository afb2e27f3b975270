"""Bernoulli mixtures: binary columns, a binomial mixture with one trial per column.

The three-coin model is a Bernoulli mixture of one column.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

import numpy as np

from engine.models import counts
from engine.models.binomial import BinomialModel
from engine.models.registry import register


_SCRIPT_LOG_PROB = '''\
def log_prob(X, doc, p):
    """Log-probability of every row under every component, shape (n_samples, n_components)."""
    probs = p["probs"]
    if np.any((X != 0) & (X != 1)):
        sys.exit("error: the Bernoulli model needs 0/1 columns")
    with np.errstate(divide="ignore"):
        log_fail = np.maximum(np.log1p(-probs), LOG_TINY)
    return X @ clipped_log(probs).T + (1.0 - X) @ log_fail.T
'''


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
    # Its files hold the trials a binomial's do, one per column, for their readers.
    column_constants = MappingProxyType({"trials": 1})
    script = counts.script(_SCRIPT_LOG_PROB)

    def __init__(self) -> None:
        super().__init__(1)

    def options(self) -> dict[str, object]:
        return {}

    def check_chunk(self, rows: np.ndarray, first_row: int, feature_names: Sequence[str]) -> None:
        bad = (rows != 0) & (rows != 1) & ~np.isnan(rows)
        if np.any(bad):
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"the bernoulli model needs 0/1 columns, but column {feature_names[col]!r} "
                f"has {rows[row, col]:g} in row {first_row + row + 1}; choose binomial or "
                "poisson for counts"
            )

    def _log_comb(self, X: np.ndarray) -> np.ndarray:
        return np.zeros(X.shape[0])
