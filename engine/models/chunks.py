"""A pass's unit of work: a chunk of rows as a model reads it, what the chunk gives
back, and the plain pass every model has.

A pass over the data goes chunk by chunk (:mod:`engine.backends`): each chunk is
prepared once per fit (:class:`PreparedChunk`), gives its E-step's sums and its
additive statistics (:class:`ChunkResult`), and the statistics of all chunks
add up. :func:`plain_chunk_pass` builds that from a model's ``log_prob`` and
``suff_stats``; it is the reference the fused passes agree with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.estep import NonFiniteRow, log_weights, normalise
from engine.params import Params

#: Additive statistics: arrays by name that add across chunks.
Stats = dict[str, np.ndarray]

#: Temporaries of one chunk hold about this many values (2 MB in float64):
#: small enough to stay in a core's cache, large enough that NumPy's cost per
#: call (a few microseconds, some dozens of calls per chunk) is amortised.
CHUNK_VALUES = 2**18


@dataclass(frozen=True, eq=False)
class PreparedChunk:
    """A chunk of rows as a model's pass reads it.

    ``values`` is in the layout and dtype the model's :meth:`~engine.models.base.MixtureModel.chunk_pass`
    wants (rows by columns, or columns by rows for the fused passes);
    ``constant`` is the part of the chunk's log-likelihood that depends on its
    rows alone (such as log-factorials of counts), so passes need not recompute it.
    """

    values: np.ndarray
    n_rows: int
    constant: float = 0.0


@dataclass
class ChunkResult:
    """What one chunk contributes to a pass: sums over its rows and additive statistics
    (which :meth:`~engine.models.base.MixtureModel.pass_stats` turns into the M-step's, once summed).

    ``classification`` is the sum of each row's largest ``log w_k + log p_k(x)``
    and is only computed under the hard E-step or with details; ``entropy``
    (``-sum r log r``) and ``labels`` (the most probable component of each
    row) only with details.
    """

    log_likelihood: float
    classification: float
    entropy: float
    stats: Stats
    labels: np.ndarray | None = None


def plain_chunk_pass(
    log_prob: Callable[[np.ndarray, Params], np.ndarray],
    suff_stats: Callable[[np.ndarray, np.ndarray, Params], Stats],
    chunk: np.ndarray,
    params: Params,
    hard: bool,
    details: bool,
) -> ChunkResult:
    """E-step and sufficient statistics of one chunk under ``params``, from a model's
    ``log_prob`` and ``suff_stats`` (:meth:`engine.models.base.MixtureModel.chunk_pass`
    says what the other arguments mean)."""
    weighted = log_prob(chunk, params) + log_weights(params.weights)
    if not np.all(np.isfinite(weighted.max(axis=1))):
        raise NonFiniteRow(int(np.flatnonzero(~np.isfinite(weighted.max(axis=1)))[0]))
    log_norm, log_resp = normalise(weighted)
    # Components far from a row underflow to zero; that is the intended result.
    with np.errstate(under="ignore"):
        resp = np.exp(log_resp)
    labels = np.argmax(log_resp, axis=1)
    index = np.arange(chunk.shape[0])
    classification = entropy = 0.0
    if hard or details:
        classification = float((log_resp[index, labels] + log_norm).sum())
    if details:
        entropy = float(-np.where(resp > 0, resp * log_resp, 0.0).sum())
    if hard:
        resp = np.zeros_like(resp)
        resp[index, labels] = 1.0
    return ChunkResult(
        float(log_norm.sum()), classification, entropy, suff_stats(chunk, resp, params),
        labels if details else None,
    )
