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

#: With at least :data:`MANY_TERMS` features, products over a chunk are taken
#: :data:`PRODUCT_ROWS` rows at a time: OpenBLAS multiplies a few rows by
#: thousands of columns two to five times slower once that dimension passes
#: about 4096 (measured with OpenBLAS 0.3.31, both precisions); with fewer
#: terms one call is faster.
MANY_TERMS = 16
PRODUCT_ROWS = 4096


#: With the products taken in pieces, chunks can be larger than the default:
#: about this many temporaries (8 MB in float64), at most :data:`MAX_CHUNK_ROWS`
#: rows. Fewer, larger chunks cost less per row in NumPy calls, and let worker
#: threads run long stretches without handing the GIL over.
CHUNK_VALUES_FEATURES = 4 * CHUNK_VALUES
MAX_CHUNK_ROWS = 16384


#: In float32 the row limit may double while one chunk's responsibilities take at
#: most this many bytes (see :func:`chunk_rows`).
FLOAT32_RESP_BYTES = 2**19


def chunk_rows(n_terms: int, n_components: int, itemsize: int = 8) -> int:
    """Rows per chunk for ``n_terms`` features and ``n_components`` components.

    In float32 (``itemsize`` 4) the operations are about twice as fast, so the
    fixed costs of each chunk weigh twice as much: small chunks may take up to
    twice :data:`MAX_CHUNK_ROWS` rows (1e6 x 2, K = 3: float32 went from 1.24x to
    1.8x faster than float64), while their responsibilities stay within
    :data:`FLOAT32_RESP_BYTES` (with K = 10 twice the rows left the cache and
    made float32 slower) and the temporaries within the same count of values
    as in float64 (at 50 columns more rows were slower).
    """
    cap = MAX_CHUNK_ROWS
    if itemsize < 8:
        cap = max(cap, min(2 * cap, FLOAT32_RESP_BYTES // (itemsize * n_components)))
    return min(cap, CHUNK_VALUES_FEATURES // (n_terms + 3 * n_components))


def pieced_product(coef: np.ndarray, features: np.ndarray) -> np.ndarray:
    """``coef @ features``, shape (n_components, n_rows), taken in pieces of
    :data:`PRODUCT_ROWS` rows when the terms are many (the passes of the models linear
    in their features, and k-means' scores, share it so they get the same bits)."""
    n_rows = features.shape[1]
    if n_rows <= PRODUCT_ROWS or features.shape[0] < MANY_TERMS:
        return coef @ features
    out = np.empty((coef.shape[0], n_rows), dtype=features.dtype)
    for start in range(0, n_rows, PRODUCT_ROWS):
        piece = slice(start, start + PRODUCT_ROWS)
        np.matmul(coef, features[:, piece], out=out[:, piece])
    return out


def linear_chunk_pass(
    features: np.ndarray,
    coef: np.ndarray,
    hard: bool,
    details: bool,
    ceiling: float | None = None,
    coef_error: np.ndarray | None = None,
) -> tuple[Normalised, np.ndarray]:
    """E-step and responsibility-weighted feature sums of one chunk.

    Parameters
    ----------
    features : ndarray of shape (n_terms, n_rows)
    coef : ndarray of shape (n_components, n_terms)
        ``coef @ features`` is ``log w_k + log p_k(x)`` up to terms that depend
        on the row alone (which the working data's ``constant`` carries).
    hard, details
        As for :meth:`engine.models.base.MixtureModel.chunk_pass` (with details, the
        labels are in ``normalised.labels``).
    ceiling : float, optional
        When given, ``coef @ features`` is the weighted log-density minus this
        bound on it (see :func:`engine.estep.normalise_under_ceiling`).
    coef_error : ndarray of shape (n_components, n_terms), optional
        ``coef`` less the exact coefficients it rounds (float32 ``coef``). The
        rounding shifts every row's log-density the same way, so it would not
        average out over rows; to first order it changes the log-likelihood by
        ``sum(coef_error * sums)``, which is taken off again.

    Returns
    -------
    normalised : Normalised
    sums : ndarray of shape (n_components, n_terms)
        ``sum over rows of resp_k * features``, in float64.
    """
    normalised, resp = responsibilities_in_place(
        pieced_product(coef, features), hard, details, ceiling,
        lambda columns: coef @ features[:, columns],
    )
    sums = _weighted_sums(resp, features)
    if coef_error is not None:
        correction = float(np.vdot(coef_error, sums))
        normalised.log_likelihood -= correction
        if hard:
            normalised.classification -= correction
    return normalised, sums


def _weighted_sums(resp: np.ndarray, features: np.ndarray) -> np.ndarray:
    """``resp @ features.T`` in float64, in pieces as :func:`pieced_product`.
    OpenBLAS's single-precision product is up to twice as fast with the terms as
    the left operand; its double-precision one is a little faster the other way."""
    total = None
    step = PRODUCT_ROWS if features.shape[0] >= MANY_TERMS else features.shape[1]
    for start in range(0, features.shape[1], step):
        piece = slice(start, start + step)
        if features.dtype == np.float32:
            part = (features[:, piece] @ resp[:, piece].T).T.astype(np.float64)
        else:
            part = resp[:, piece] @ features[:, piece].T
        total = part if total is None else total + part
    return total
