"""The chunk pass of models whose log-densities are linear in features of a row.

For counts the features are the row itself and a one (``x @ log(p) + const``);
for Gaussians with diagonal covariances they are ``z``, 1 and ``z**2``; with full
covariances and few columns ``z``, 1 and the products ``z_i z_j``. One matrix
product then gives every component's log-density plus log-weight, and one more,
of the responsibilities with the same features, gives every sufficient
statistic the M-step needs.

Features are held one per row, ``(n_features, n_rows)``, like the
component-major weighted log-probabilities of :func:`engine.estep.normalise_in_place`.
"""

from __future__ import annotations

import numpy as np

from engine.estep import Normalised, responsibilities_in_place
from engine.models.base import CHUNK_VALUES

#: With this many terms or more, chunks hold at most :data:`LONG_PRODUCT_ROWS`
#: rows: OpenBLAS multiplies a few rows by thousands of columns two to five
#: times slower once the shared dimension passes about 4096 (measured with
#: OpenBLAS 0.3.31, float64 and float32 alike).
MANY_TERMS = 16
LONG_PRODUCT_ROWS = 4096


def chunk_rows(n_terms: int, n_components: int) -> int:
    """Rows per chunk for ``n_terms`` features and ``n_components`` components."""
    rows = CHUNK_VALUES // (n_terms + 3 * n_components)
    return min(rows, LONG_PRODUCT_ROWS) if n_terms >= MANY_TERMS else rows


def linear_chunk_pass(
    features: np.ndarray,
    coef: np.ndarray,
    hard: bool,
    details: bool,
    labels_out: np.ndarray | None,
    ceiling: float | None = None,
) -> tuple[Normalised, np.ndarray]:
    """E-step and responsibility-weighted feature sums of one chunk.

    Parameters
    ----------
    features : ndarray of shape (n_terms, n_rows)
    coef : ndarray of shape (n_components, n_terms)
        ``coef @ features`` is ``log w_k + log p_k(x)`` up to terms that depend
        on the row alone (which the working data's ``constant`` carries).
    hard, details, labels_out
        As for :meth:`engine.models.base.MixtureModel.chunk_pass`.
    ceiling : float, optional
        When given, ``coef @ features`` is the weighted log-density minus this
        bound on it (see :func:`engine.estep.normalise_under_ceiling`).

    Returns
    -------
    normalised : Normalised
    sums : ndarray of shape (n_components, n_terms)
        ``sum over rows of resp_k * features``, in float64.
    """
    normalised, resp = responsibilities_in_place(
        coef @ features, hard, details, labels_out, ceiling, lambda columns: coef @ features[:, columns]
    )
    return normalised, _weighted_sums(resp, features)


def _weighted_sums(resp: np.ndarray, features: np.ndarray) -> np.ndarray:
    """``resp @ features.T`` in float64. OpenBLAS's single-precision product is up to
    twice as fast with the terms as the left operand; its double-precision one is
    a little faster the other way round."""
    if features.dtype == np.float32:
        return (features @ resp.T).T.astype(np.float64)
    return resp @ features.T
