"""Putting the chosen columns side by side in one array, without a copy where pandas'
own block already holds them in order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

#: Rows above which the columns are interleaved by two threads.
PARALLEL_STACK_ROWS = 200_000


def _root(array: np.ndarray) -> np.ndarray:
    """The array that owns the memory ``array`` views."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _whole_block(columns: list[np.ndarray]) -> np.ndarray | None:
    """The columns as one (n_rows, n_columns) view, when they are the rows, in order,
    of one C-ordered block (as pandas keeps a table of numbers); otherwise None."""
    first = columns[0]
    block = _root(first)
    if not (
        block.ndim == 2
        and block.flags.c_contiguous
        and block.dtype == np.float64
        and block.shape == (len(columns), first.shape[0])
    ):
        return None
    for j, column in enumerate(columns):
        if not (
            column.dtype == np.float64
            and column.shape == first.shape
            and column.flags.c_contiguous
            and column.ctypes.data == block.ctypes.data + j * block.strides[0]
            and _root(column) is block
        ):
            return None
    return block.T


def side_by_side(columns: list[np.ndarray]) -> np.ndarray:
    """The columns side by side, shape (n_rows, n_columns).

    Columns that fill one block of pandas' table, in order, are returned as a
    column-ordered view of it: copying a million rows into row order cost 15 ms,
    and 100-230 ms about one time in three while the machine handed out the new
    array's memory. Others are copied into a row-ordered array.
    """
    whole = _whole_block(columns)
    if whole is not None:
        return whole
    n_rows = columns[0].shape[0]
    data = np.empty((n_rows, len(columns)))
    # Transposing a few megabytes at a time stays in cache: twice as fast as
    # filling one strided column after another, without a full-size temporary.
    step = max(1, 2**19 // len(columns))

    def fill(rows: range) -> None:
        for start in rows:
            stop = min(start + step, rows.stop)
            data[start:stop] = np.vstack([column[start:stop] for column in columns]).T

    if n_rows < PARALLEL_STACK_ROWS:
        fill(range(0, n_rows, step))
        return data
    middle = (n_rows // 2 // step) * step
    with ThreadPoolExecutor(max_workers=1) as pool:
        second = pool.submit(fill, range(middle, n_rows, step))
        fill(range(0, middle, step))
        second.result()
    return data
