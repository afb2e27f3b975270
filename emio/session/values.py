"""How a session file holds values: non-finite floats as text, and typed access to its
objects with messages that name the field at fault."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from emio.session.contents import SessionError

#: Items of a long list of whole numbers turned into an array at a time: about a
#: millisecond each, so that a worker reading a session never holds the GIL for long
#: (item by item in Python, a million labels took the worker 0.3 s and made the GUI
#: thread wait for the GIL at every turn).
WHOLE_PIECE = 1 << 16

# Strict JSON has no NaN or infinity; a failed start's objective is -inf.
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def json_float(value: float) -> float | str:
    """``value`` as the file holds it: the float itself, or ``"inf"``, ``"-inf"``, ``"nan"``."""
    value = float(value)
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


class Fields:
    """Typed access to one JSON object of the file, with messages naming the field."""

    def __init__(self, doc: Any, where: str = "") -> None:
        if not isinstance(doc, dict):
            raise SessionError(
                f"{where or 'the session'} must be a JSON object ({{...}}); the file is damaged "
                "or not a session file"
            )
        self.doc = doc
        self.where = where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def raw(self, key: str, default: Any = ...) -> Any:
        if key not in self.doc:
            if default is ...:
                raise SessionError(
                    f"the session file has no {self._name(key)}; it is damaged or was not "
                    "written by EM Studio"
                )
            return default
        return self.doc[key]

    def get(self, key: str, check: Callable[[Any], bool], what: str, default: Any = ...) -> Any:
        value = self.raw(key, default)
        if value is default and default is not ...:
            return value
        if not check(value):
            raise SessionError(
                f"{self._name(key)} must be {what}, not {value!r}; the session file is damaged"
            )
        return value

    def whole(self, key: str, minimum: int = 0, default: Any = ...) -> int:
        return self.get(
            key, lambda v: is_int(v) and v >= minimum, f"a whole number of at least {minimum}",
            default,
        )

    def whole_numbers(self, key: str, count: int, low: int, high: int) -> np.ndarray:
        """The list ``key`` of ``count`` whole numbers from ``low`` to ``high - 1``, as int64."""
        values = self.raw(key)
        what = f"a list of {count} whole numbers from {low} to {high - 1}"
        if not isinstance(values, list) or len(values) != count:
            found = f"a list of {len(values)}" if isinstance(values, list) else repr(values)[:60]
            raise SessionError(
                f"{self._name(key)} must be {what}, not {found}; the session file is damaged"
            )
        out = np.empty(count, dtype=np.int64)
        for start in range(0, count, WHOLE_PIECE):
            piece = values[start : start + WHOLE_PIECE]
            block = None
            if set(map(type, piece)) <= {int}:  # not bool, float or text
                try:
                    block = np.array(piece, dtype=np.int64)
                except OverflowError:
                    pass
            if block is None or (block.size and (block.min() < low or block.max() >= high)):
                at = start + next(i for i, v in enumerate(piece)
                                  if not (is_int(v) and low <= v < high))
                raise SessionError(
                    f"{self._name(key)} must be {what}, but item {at} is {_short(values[at])}; "
                    "the session file is damaged"
                )
            out[start : start + len(piece)] = block
        return out

    def text(self, key: str, default: Any = ...) -> str:
        return self.get(key, lambda v: isinstance(v, str), "text", default)

    def number(self, key: str) -> float:
        return read_float(self.raw(key), self._name(key))

    def numbers(self, key: str) -> list[float]:
        values = self.get(key, lambda v: isinstance(v, list), "a list of numbers")
        return [read_float(v, self._name(key)) for v in values]

    def choice(self, key: str, choices: Sequence[Any], default: Any = ...) -> Any:
        listed = ", ".join(repr(c) for c in choices)
        return self.get(key, lambda v: v in choices, f"one of {listed}", default)

    def flag(self, key: str, default: Any = ...) -> bool:
        return self.get(key, lambda v: isinstance(v, bool), "true or false", default)

    def child(self, key: str) -> Fields:
        return Fields(self.raw(key), self._name(key))


def _short(value: Any) -> str:
    """``value`` as a message may quote it (Python will not write out a whole number of
    more than 4300 digits)."""
    if is_int(value) and value.bit_length() > 200:
        return f"a whole number of about {int(value.bit_length() * 0.30103)} digits"
    return repr(value)[:60]


def is_int(value: Any) -> bool:
    """True for a JSON whole number (``true`` and ``false`` are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def read_float(value: Any, where: str) -> float:
    """A number of the file, or the text of a non-finite one, as a float; SessionError else."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    raise SessionError(f"{where} must hold numbers, not {value!r}; the session file is damaged")
