"""Drawing rows without replacement in memory that does not grow with the number of rows.

NumPy's ``Generator.choice(n, size, replace=False)`` shuffles the tail of an
index array of all ``n`` rows when ``size`` is more than ``n / 50``: 8 bytes a
row, 16 MB at two million rows, for a sample of a hundred thousand.
:func:`choice_without_replacement` gives exactly the rows NumPy gives for the
same generator state (so starts do not change), holding only arrays of
``size``: the same random draws replayed on the ``size`` positions the shuffle
touches. Above ``n / 50`` rows NumPy's own algorithm (Floyd's, with a hash set
of ``size``) is already that lean and is used as it is.
"""

from __future__ import annotations

import numpy as np

#: NumPy shuffles the tail of an index of all rows when the sample is larger than
#: the population divided by this (``numpy/random/_generator.pyx``, ``choice``).
_TAIL_SHUFFLE_CUTOFF = 50
#: ... and always for populations up to this size.
_SMALL_POPULATION = 10000
#: Draws replayed per slice of the loop.
_LOOP_BLOCK = 4096


def choice_without_replacement(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """``rng.choice(n, size=size, replace=False)``, the same values in the same order,
    with memory of order ``size`` whatever ``n``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Advanced exactly as ``rng.choice`` would advance it.
    n : int
        The population: rows 0 to n - 1.
    size : int
        How many to draw, at most ``n``.

    Returns
    -------
    ndarray of shape (size,), int64
    """
    if n <= _SMALL_POPULATION or size <= n // _TAIL_SHUFFLE_CUTOFF or size >= n:
        return rng.choice(n, size=size, replace=False)
    first = n - size
    # The shuffle swaps position i (from n - 1 down to first) with a uniform j <= i,
    # drawing j as integers() draws a bounded integer.
    swaps = rng.integers(0, np.arange(n - 1, first - 1, -1), endpoint=True)
    # Positions below ``first`` are touched only as some step's j; a position hit
    # twice holds what the first hit left there. ``earlier[t]``: the step that last
    # hit step t's j before it, or -1.
    order = np.argsort(swaps, kind="stable")
    sorted_swaps = swaps[order]
    repeat = np.flatnonzero(sorted_swaps[1:] == sorted_swaps[:-1]) + 1
    earlier = np.full(size, -1, dtype=np.int64)
    earlier[order[repeat]] = order[repeat - 1]
    del order, sorted_swaps, repeat
    tail = np.arange(first, n, dtype=np.int64)  # the values at positions first..n-1
    left_in_head = np.empty(size, dtype=np.int64)  # what step t left at its j below first
    for block in range(0, size, _LOOP_BLOCK):
        # Python ints a block at a time: a list of them all would take 36 bytes a row.
        for t, j in enumerate(swaps[block : block + _LOOP_BLOCK].tolist(), start=block):
            i = n - 1 - t - first
            moved = tail[i]
            if j >= first:
                tail[i] = tail[j - first]
                tail[j - first] = moved
            else:
                before = earlier[t]
                tail[i] = j if before < 0 else left_in_head[before]
                left_in_head[t] = moved
    return tail
