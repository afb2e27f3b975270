"""From weighted log-probabilities to responsibilities: the stable logsumexp.

Two layouts. :func:`normalise` takes rows by components, ``(n_samples,
n_components)``, and returns new arrays; it is the plain reference used by
:func:`engine.predict.e_step` and the generic chunk pass. :func:`normalise_in_place`
takes components by rows, ``(n_components, n_rows)``, and overwrites its input
with the responsibilities: every pass over the ``K x n`` numbers is then a run
over long contiguous rows, reductions over components are ``K - 1``
elementwise operations, and the fast chunk passes of the models use it.
:func:`normalise_under_ceiling` does the same with two passes fewer when a
bound on every log-density is known (Gaussians).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import FitError

#: Log-weight given to a component whose weight is exactly zero in the fast
#: passes. Any row's other terms dwarf it, so its responsibility is exactly 0,
#: as with -inf, but products such as ``0 * log_weight`` stay 0 instead of NaN.
#: It is finite in float32 too.
LOG_ZERO_WEIGHT = -1e30


def log_weights(weights: np.ndarray) -> np.ndarray:
    # A component whose weight is exactly zero can never hold a row.
    with np.errstate(divide="ignore"):
        return np.log(weights)


def finite_log_weights(weights: np.ndarray) -> np.ndarray:
    """``log(weights)`` with :data:`LOG_ZERO_WEIGHT` for weights of exactly zero."""
    if weights.min() > 0:  # the usual case (every pass), without the error-state context
        return np.log(weights)
    return np.maximum(log_weights(weights), LOG_ZERO_WEIGHT)


class NonFiniteRow(Exception):
    """A row's log-density is not finite; ``row`` counts from the start of its chunk."""

    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row


def zero_probability_error(row: int) -> FitError:
    return FitError(
        f"row {row + 1} has zero probability under every component; "
        "check the starting parameters or the data"
    )


def normalise(weighted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stable log-normaliser and log-responsibilities of ``weighted``.

    Parameters
    ----------
    weighted : ndarray of shape (n_samples, n_components)
        ``log w_k + log p_k(x_n)``.

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
    log_resp : ndarray of shape (n_samples, n_components)
    """
    top = weighted.max(axis=1)
    if not np.all(np.isfinite(top)):
        raise zero_probability_error(int(np.flatnonzero(~np.isfinite(top))[0]))
    # Components far from a row underflow to zero; that is the intended result.
    with np.errstate(under="ignore"):
        log_norm = top + np.log(np.exp(weighted - top[:, None]).sum(axis=1))
    return log_norm, weighted - log_norm[:, None]


@dataclass
class Normalised:
    """Sums over the rows of one chunk, from :func:`normalise_in_place`.

    ``classification`` (the sum of each row's largest weighted log-probability),
    ``labels`` and ``hits`` (the one-hot rows of the labels, (K, n)) are only
    filled in when labels were asked for, ``entropy`` when it was asked for;
    otherwise they are 0.0 and ``None``.
    """

    log_likelihood: float
    classification: float
    entropy: float
    labels: np.ndarray | None
    hits: np.ndarray | None = None


def first_maxima(weighted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The largest value of each column of ``weighted`` (K, n), where it first
    occurs as one-hot rows (in ``weighted``'s dtype) and as indices.

    ``np.argmax(axis=0)`` copies the array into row order first; comparing with
    the maxima and reading the index off with one product is several times
    faster. Exact ties, which are rare, are then settled to the first index, as
    ``argmax`` does.
    """
    n_components = weighted.shape[0]
    top = np.maximum.reduce(weighted, axis=0)
    hits = np.empty_like(weighted)
    np.equal(weighted, top, out=hits)
    # Each row's label and its count of maxima from one product (one read of the hits).
    index_and_count = np.ones((2, n_components), dtype=weighted.dtype)
    index_and_count[0] = np.arange(n_components)
    labels, counts = index_and_count @ hits
    tied = np.flatnonzero(counts > 1)
    if tied.size:
        first = np.argmax(weighted[:, tied], axis=0)
        hits[:, tied] = 0
        hits[first, tied] = 1
        labels[tied] = first
    return top, hits, labels.astype(np.int64)


def normalise_in_place(
    weighted: np.ndarray,
    want_labels: bool = False,
    want_entropy: bool = False,
    scale: bool = True,
) -> Normalised:
    """Overwrite ``weighted`` (n_components, n_rows) with the responsibilities.

    The log-likelihood, classification likelihood and entropy are summed in
    float64 whatever the dtype of ``weighted``. Without ``scale`` the columns are
    left unnormalised (``exp(weighted - max)``), for callers that only want the
    sums and labels. Raises :class:`NonFiniteRow` when a row's log-density is
    not finite.
    """
    labels = hits = None
    if want_labels:
        top, hits, labels = first_maxima(weighted)
    else:
        top = np.maximum.reduce(weighted, axis=0)
    weighted -= top
    shifted = weighted.copy() if want_entropy else None
    _keep_normal(weighted)
    # Components far from a row underflow to zero responsibility, as they should.
    with np.errstate(under="ignore"):
        np.exp(weighted, out=weighted)
    # The largest term of every column is exp(0) = 1, so the total is at least 1.
    total = np.add.reduce(weighted, axis=0)
    log_total = np.log(total)
    if scale or want_entropy:
        np.reciprocal(total, out=total)
        weighted *= total
    classification = float(np.add.reduce(top, dtype=np.float64)) if want_labels else 0.0
    np.add(top, log_total, out=log_total)
    log_likelihood = float(np.add.reduce(log_total, dtype=np.float64))
    if not np.isfinite(log_likelihood):
        raise NonFiniteRow(int(np.flatnonzero(~np.isfinite(log_total))[0]))
    entropy = 0.0
    if shifted is not None:
        # -sum r log r, with log r = shifted - log(total) and sum_k r = 1 per row;
        # rows with r = 0 contribute nothing whatever their (very negative) log.
        log_total -= top
        held = np.where(weighted > 0, weighted * shifted, 0.0)
        entropy = float(
            np.add.reduce(log_total, dtype=np.float64) - np.add.reduce(held, axis=None, dtype=np.float64)
        )
    return Normalised(log_likelihood, classification, entropy, labels, hits)


#: In single precision, exponents are kept at or above this before ``exp``:
#: exp(-80) = 1.8e-35 is still a normal float32, and after division by a total
#: of at most K stays one. Below it exp gives subnormal numbers, which every
#: later product reads through a microcode assist on common CPUs, 10 to 30
#: times slower (a whole chunk of them made float32 passes 4x slower than
#: float64). A responsibility of 1e-35 instead of less changes nothing a fit sees.
FLOAT32_LOWEST_EXPONENT = np.float32(-80.0)


def _keep_normal(exponents: np.ndarray) -> None:
    """Raise single-precision ``exponents`` to :data:`FLOAT32_LOWEST_EXPONENT`, in place.

    The bound is given as a row of the array's last length, not as a scalar:
    NumPy 2.4's ``maximum`` with a scalar operand runs 2.5-3 times slower (0.39
    against 0.14 ns a value in float32), as slow as the ``exp`` that follows,
    which took most of float32's lead over float64 in the E-step.
    """
    if exponents.dtype == np.float32:
        lowest = np.full(exponents.shape[-1:], FLOAT32_LOWEST_EXPONENT, dtype=np.float32)
        np.maximum(exponents, lowest, out=exponents)


#: A row whose exponentials under the ceiling sum to less than this has lost
#: digits to underflow (its best component lies hundreds of log-units below the
#: ceiling) and is normalised again about its own largest term.
_SMALLEST_TOTAL = {np.dtype(np.float64): 1e-200, np.dtype(np.float32): 1e-25}
#: When more of a chunk's rows than this fraction are so far below the ceiling,
#: the whole chunk is normalised the usual way.
_MOST_LOW_ROWS = 0.125


#: Every this many rows of a single-precision chunk are looked at first (see
#: :func:`_mostly_low`).
_SAMPLE_STEP = 64
#: Past this fraction of low rows among those, normalising every row about its own
#: maximum (two passes more over the chunk) costs less than recomputing the low
#: ones (gathering them, a product, normalising them and putting them back).
_SAMPLED_LOW_ROWS = 0.02


def _mostly_low(shifted: np.ndarray, smallest: float) -> bool:
    """Whether, judged by every :data:`_SAMPLE_STEP`-th row, more than :data:`_SAMPLED_LOW_ROWS`
    of single-precision ``shifted`` (log-densities under the ceiling) lie so far below
    it that they would be normalised again.

    Only float32 meets this often: it holds exponentials down to about e**-87, so
    a row whose best component lies 57 log-units below the ceiling (a component
    far wider than the narrowest, in many columns) is already low, and with 50
    columns and ten components one row in ten was. Such a chunk is then
    normalised about each row's own maximum at once, instead of after a pass of
    ``exp`` and a product that recomputes the low rows' log-densities. Looking at
    the rows themselves, the choice depends on the chunk alone, so never on the
    threads; either way gives the same responsibilities to rounding.
    """
    if shifted.dtype != np.float32:
        return False
    tops = np.maximum.reduce(shifted[:, ::_SAMPLE_STEP], axis=0)
    return np.count_nonzero(tops < math.log(smallest)) > _SAMPLED_LOW_ROWS * tops.size


def normalise_under_ceiling(
    shifted: np.ndarray, ceiling: float, recompute: Callable[[object], np.ndarray]
) -> tuple[Normalised, np.ndarray]:
    """Responsibilities from weighted log-densities minus a ``ceiling`` none exceeds.

    A Gaussian log-density is largest at its mean, so ``log w_k`` + its value
    there, largest over k, bounds every row's: the exponentials cannot
    overflow, and the per-row maximum and its subtraction (two passes over
    ``K x n``) are not needed. The rare rows so far below the ceiling that all
    their terms underflow are recomputed (``recompute(columns)`` returns their
    shifted log-densities afresh) and normalised about their own maximum.
    Overwrites ``shifted`` and returns it as the responsibilities, unless most
    rows had to be recomputed, when a new array is returned.
    """
    n_rows = shifted.shape[1]
    smallest = _SMALLEST_TOTAL[shifted.dtype]
    if _mostly_low(shifted, smallest):
        normalised = normalise_in_place(shifted)
        normalised.log_likelihood += n_rows * ceiling
        return normalised, shifted
    _keep_normal(shifted)
    # Components far below the ceiling underflow to zero, as they should.
    with np.errstate(under="ignore"):
        np.exp(shifted, out=shifted)
    total = np.add.reduce(shifted, axis=0)
    low = np.empty(0, dtype=np.intp)
    if n_rows and not total.min() >= smallest:
        low = np.flatnonzero(~(total >= smallest))
        if low.size > _MOST_LOW_ROWS * n_rows:
            exact = recompute(slice(None))
            normalised = normalise_in_place(exact)
            normalised.log_likelihood += n_rows * ceiling
            return normalised, exact
        total[low] = 1.0
    log_total = np.log(total)
    np.reciprocal(total, out=total)
    shifted *= total
    log_likelihood = float(np.add.reduce(log_total, dtype=np.float64))
    if low.size:
        # Their totals were set to one, so they have added nothing so far.
        again = recompute(low)
        log_likelihood += normalise_in_place(again).log_likelihood
        shifted[:, low] = again
    if not math.isfinite(log_likelihood):
        raise NonFiniteRow(int(np.flatnonzero(~np.isfinite(log_total))[0]))
    return Normalised(log_likelihood + n_rows * ceiling, 0.0, 0.0, None), shifted


def hard_under_ceiling(
    shifted: np.ndarray, ceiling: float, recompute: Callable[[object], np.ndarray]
) -> Normalised:
    """The hard E-step's sums, labels and one-hot rows (in ``Normalised.hits``) from
    weighted log-densities minus a ``ceiling`` none exceeds (overwritten).

    As :func:`normalise_under_ceiling` for the log-likelihood: the exponentials
    are taken against the ceiling, so the rows' maxima need not be subtracted
    first, and rows so far below it that their terms underflow are recomputed
    and normalised about their own maximum.
    """
    n_rows = shifted.shape[1]
    top, hits, labels = first_maxima(shifted)
    classification = float(np.add.reduce(top, dtype=np.float64)) + n_rows * ceiling
    _keep_normal(shifted)
    # Components far below the ceiling underflow to zero, as they should.
    with np.errstate(under="ignore"):
        np.exp(shifted, out=shifted)
    total = np.add.reduce(shifted, axis=0)
    smallest = _SMALLEST_TOTAL[shifted.dtype]
    low = np.empty(0, dtype=np.intp)
    if n_rows and not np.min(total) >= smallest:
        low = np.flatnonzero(~(total >= smallest))
        total[low] = 1.0
    log_total = np.log(total)
    log_likelihood = float(np.add.reduce(log_total, dtype=np.float64))
    if low.size:
        # Their totals were set to one, so they have added nothing so far.
        log_likelihood += normalise_in_place(recompute(low), scale=False).log_likelihood
    if not np.isfinite(log_likelihood):
        raise NonFiniteRow(int(np.flatnonzero(~np.isfinite(log_total))[0]))
    return Normalised(log_likelihood + n_rows * ceiling, classification, 0.0, labels, hits)


def responsibilities_in_place(
    weighted: np.ndarray,
    hard: bool,
    details: bool,
    ceiling: float | None = None,
    recompute: Callable[[object], np.ndarray] | None = None,
) -> tuple[Normalised, np.ndarray]:
    """A chunk's sums and responsibilities (n_components, n_rows) from its weighted
    log-densities: the posterior, in place of ``weighted``, or under the hard
    E-step the one-hot rows of the most probable components.

    With a ``ceiling`` (and ``recompute``), ``weighted`` holds the log-densities
    minus it, as for :func:`normalise_under_ceiling`, which a soft pass without
    details then uses.
    """
    if ceiling is not None and recompute is not None and not details:
        if hard:
            normalised = hard_under_ceiling(weighted, ceiling, recompute)
            return normalised, normalised.hits
        return normalise_under_ceiling(weighted, ceiling, recompute)
    normalised = normalise_in_place(weighted, hard or details, details, scale=not hard)
    if ceiling is not None:
        n_rows = weighted.shape[1]
        normalised.log_likelihood += n_rows * ceiling
        if hard or details:
            normalised.classification += n_rows * ceiling
    return normalised, normalised.hits if hard else weighted
