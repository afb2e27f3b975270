"""Checks made once, where data enters the engine."""

from __future__ import annotations

import numpy as np


def contiguous(array: np.ndarray) -> np.ndarray:
    """``array`` itself when contiguous in row or column order, else a row-ordered copy.

    The passes copy the data into their own layout, so either order serves; a
    table pandas read arrives in column order and is not copied again.
    """
    if array.flags.c_contiguous or array.flags.f_contiguous:
        return array
    return np.ascontiguousarray(array)


def check_data(
    X: object, feature_names: list[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """``X`` as a float64 array of shape (n_samples, n_features), contiguous in row
    or column order (see :func:`contiguous`).

    A 1-D array is one column. Raises ``ValueError`` naming the first bad
    value, so a person can find it in their file.
    """
    try:
        array = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("the data must be numbers only; remove or convert text columns") from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"the data must be a table of rows and columns, not {array.ndim}-D")
    n_samples, n_features = array.shape
    if n_samples == 0 or n_features == 0:
        raise ValueError("the data has no rows or no columns; choose a file with numbers in it")
    if feature_names is None:
        feature_names = [f"x{j + 1}" for j in range(n_features)]
    elif len(feature_names) != n_features:
        raise ValueError(f"{len(feature_names)} column names for {n_features} columns")
    bad = ~np.isfinite(array)
    if np.any(bad):
        row, col = np.argwhere(bad)[0]
        what = "missing (NaN)" if np.isnan(array[row, col]) else "infinite"
        raise ValueError(
            f"column {feature_names[col]!r} has a {what} value in row {row + 1} "
            f"({int(bad.sum())} such values in all); remove or fill those rows"
        )
    return contiguous(array), list(feature_names)
