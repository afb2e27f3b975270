"""Checks at the estimators' boundary: the rows given to a method, and the constructor's arguments.

The rows are checked as scikit-learn's ``validate_data`` checks them, with its
messages (its estimator checks look for them), whether or not scikit-learn is
installed: a 2-D array of real numbers, finite, with enough rows, and at
predict time the columns — their number and, for a DataFrame, their names —
of the fit. Arguments are checked in ``fit`` (scikit-learn's rule: the
constructor only stores them), each against what it accepts; the starting
arrays (``weights_init`` and the like) with scikit-learn's messages.
"""

from __future__ import annotations

import numbers
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from engine.options import Absent, OneOf, Real, Whole


def feature_names(X: object) -> np.ndarray | None:
    """The column names of a DataFrame when all are strings (scikit-learn's rule), else None.

    Raises
    ------
    TypeError
        When some names are strings and others not.
    """
    columns = getattr(X, "columns", None)
    if columns is None or callable(columns):
        return None
    names = np.asarray(list(columns), dtype=object)
    if len(names) == 0:
        return None
    types = sorted({type(name).__qualname__ for name in names})
    if len(types) > 1 and "str" in types:
        raise TypeError(
            "Feature names are only supported if all input features have string names, but "
            f"your input has {types} as feature name / column name types. If you want feature "
            "names to be stored and validated, you must convert them all to strings, by using "
            "X.columns = X.columns.astype(str) for example. Otherwise you can remove feature / "
            "column names from your input data, or convert them all to a non-string data type."
        )
    return names if types == ["str"] else None


def _check_names(estimator: object, X: object, reset: bool) -> None:
    names = feature_names(X)
    name = type(estimator).__name__
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is None and names is None:
        return
    if fitted is None:
        warnings.warn(f"X has feature names, but {name} was fitted without feature names")
        return
    if names is None:
        warnings.warn(
            f"X does not have valid feature names, but {name} was fitted with feature names"
        )
        return
    if len(fitted) == len(names) and np.all(fitted == names):
        return
    unseen = sorted(set(names) - set(fitted))
    missing = sorted(set(fitted) - set(names))
    message = "The feature names should match those that were passed during fit.\n"
    if unseen:
        message += "Feature names unseen at fit time:\n" + _listed(unseen)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + _listed(missing)
    if not unseen and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message)


def _listed(names: list[str], most: int = 5) -> str:
    lines = [f"- {name}\n" for name in names[:most]]
    return "".join(lines) + ("- ...\n" if len(names) > most else "")


def _is_sparse(X: object) -> bool:
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(X)


def _as_2d(X: object, name: str) -> np.ndarray:
    """``X`` as a 2-D array of real numbers in its own floating precision (float32 stays
    float32, anything else becomes float64)."""
    if _is_sparse(X):
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required. "
            "Use '.toarray()' to convert to a dense numpy array."
        )
    array = np.asarray(X)
    if array.dtype.kind == "c":
        raise ValueError(f"Complex data not supported\n{X}\n")
    if array.dtype not in (np.float32, np.float64):
        # Raises TypeError for values that are not numbers ("float() argument must be
        # a string or a real number"), ValueError for text that is not one.
        array = array.astype(np.float64)
    if array.ndim != 2:
        shape = {0: "scalar array", 1: "1D array"}.get(array.ndim)
        if shape is None:
            raise ValueError(f"Found array with dim {array.ndim}. {name} expected <= 2.")
        raise ValueError(
            f"Expected 2D array, got {shape} instead:\narray={array!r}.\nReshape your data "
            "either using array.reshape(-1, 1) if your data has a single feature or "
            "array.reshape(1, -1) if it contains a single sample."
        )
    return array


def validate_rows(
    estimator: object, X: object, *, reset: bool, min_samples: int = 1, allow_nan: bool = False
) -> np.ndarray:
    """``X`` checked for ``estimator``: shape (n_samples, n_features), float32 or float64.

    With ``reset`` (in ``fit``) sets ``n_features_in_`` and ``feature_names_in_``;
    without, checks ``X`` against them (a warning when one side has names and
    the other not, as scikit-learn).

    Raises
    ------
    ValueError, TypeError
        With scikit-learn's messages.
    """
    name = type(estimator).__name__
    _check_names(estimator, X, reset)
    array = _as_2d(X, name)
    n_samples, n_features = array.shape
    if n_samples < min_samples:
        raise ValueError(
            f"Found array with {n_samples} sample(s) (shape={array.shape}) while a minimum of "
            f"{min_samples} is required by {name}."
        )
    if n_features == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={array.shape}) while a minimum of 1 is "
            f"required by {name}."
        )
    if not allow_nan and np.isnan(array).any():
        raise ValueError(
            f"Input X contains NaN. {name} does not accept missing values encoded as NaN; "
            "remove those rows or impute the values first."
        )
    if np.isinf(array).any():
        raise ValueError(f"Input X contains infinity or a value too large for {array.dtype!r}.")
    if reset:
        estimator.n_features_in_ = n_features
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {name} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    return array


# --- the constructor's arguments --------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A value of some types, described in words for messages."""

    types: tuple[type, ...]
    words: str

    def accepts(self, value: object) -> bool:
        return isinstance(value, self.types) and not (
            isinstance(value, bool) and bool not in self.types
        )

    def problem(self, label: str, value: object) -> str:
        return f"{label} must be {self.words}, not {value!r}"


@dataclass(frozen=True)
class Satisfies:
    """A value a predicate accepts, described in words for messages."""

    test: Callable[[object], bool]
    words: str

    def accepts(self, value: object) -> bool:
        return self.test(value)

    def problem(self, label: str, value: object) -> str:
        return f"{label} must be {self.words}, not {value!r}"


BOOLEAN = Kind((bool, np.bool_), "True or False")
ABSENT = Absent()
OPTIONAL_MAPPING = (ABSENT, Kind((Mapping,), "a dict of engine options (engine.FitOptions names)"))
OPTIONAL_CALLABLE = (ABSENT, Satisfies(callable, "None or a function of one snapshot"))
RANDOM_STATE = (
    ABSENT,
    Whole(0, 2**32 - 1),
    Kind(
        (np.random.RandomState, np.random.Generator),
        "None, a whole number of at least 0 or a numpy RandomState or Generator",
    ),
)
OPTIONAL_ADDRESS = (
    ABSENT,
    Kind((str,), "None or a Dask scheduler's address, such as 'tcp://10.0.0.5:8786'"),
)
VERBOSE = (Whole(0),)
VERBOSE_INTERVAL = (Whole(1),)


def check_argument(estimator: object, name: str, constraints: tuple) -> None:
    """Raise ``ValueError`` unless ``estimator.<name>`` satisfies one of ``constraints``
    (the last one words the message)."""
    value = getattr(estimator, name)
    if not any(constraint.accepts(value) for constraint in constraints):
        raise ValueError(f"{type(estimator).__name__}: {constraints[-1].problem(name, value)}")


def one_of(*words: str, more: str = "") -> tuple:
    """A constraint for one of ``words``."""
    return (OneOf(tuple(words), more=more),)


def whole(low: int, high: int | None = None) -> tuple:
    return (Whole(low, high),)


def real(low: float, high: float | None = None) -> tuple:
    return (Real(low, high),)


def is_real_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_weights(weights: object, n_components: int) -> np.ndarray:
    """Starting weights checked as scikit-learn checks them, with its messages (their sum
    within 1e-8 of one, 1e-6 for float32 weights)."""
    atol = 1e-6 if np.asarray(weights).dtype == np.float32 else 1e-8
    weights = np.asarray(weights, dtype=np.float64)
    check_shape(weights, (n_components,), "weights")
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got max value "
            f"{np.max(weights):.5f}, min value {np.min(weights):.5f}"
        )
    if not np.allclose(abs(1.0 - np.sum(weights)), 0.0, atol=atol):
        raise ValueError(
            "The parameter 'weights' should be normalized, but got sum(weights) = "
            f"{np.sum(weights):.5f}"
        )
    return weights


def check_shape(array: np.ndarray, shape: tuple[int, ...], name: str) -> None:
    """Raise scikit-learn's ``ValueError`` when ``array`` does not have ``shape``."""
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got {array.shape}"
        )
