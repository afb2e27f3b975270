"""Reading a JSON file a person gave us: the document, or one message that says what to do.

Parameters files, sessions and anything else EM Studio reads as JSON come
through :func:`read_json_file`. It reads regular files only (a pipe or a
device can keep a reader waiting forever, or never end), of at most
:data:`MAX_BYTES`, as UTF-8. It refuses what the :mod:`json` module would let
through but no EM Studio file holds and the code after it could not use:
nesting deeper than :data:`MAX_DEPTH` (Python's own recursion limit sits not
far above), ``NaN`` and ``Infinity``, numbers beyond the range of a float
(``1e400`` reads as infinity), and whole numbers too long for Python to convert.

Every refusal is a :class:`JsonFileError`, a ``ValueError`` whose message says
what is wrong and what to do, to be shown to the person as it is.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from emio.atomic import describe_os_error
from emio.json_pieces import loads_in_pieces

#: The largest file read; EM Studio's own JSON files are far smaller.
MAX_BYTES = 256 * 2**20
#: The deepest nesting of lists and objects read; EM Studio's files nest about six deep.
MAX_DEPTH = 100
#: Longer texts are parsed in pieces (:mod:`emio.json_pieces`): one call to
#: :func:`json.loads` holds the GIL for all of its text, and freezes the window
#: while a worker thread reads a long session.
PIECES_ABOVE = 256 * 2**10
#: Bytes decoded as UTF-8 in one call.
DECODE_PIECE = 2**20
#: What to do, said after a problem with the content when the caller says nothing better.
DEFAULT_ADVICE = "correct it, or choose a file that EM Studio wrote"

# Python refuses to convert longer digit strings to int (a guard against slow
# conversions); json.loads raises a plain ValueError when it meets one.
_INT_DIGITS_LIMIT = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# O_NONBLOCK lets a pipe be opened (and then refused) without waiting for a writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class JsonFileError(ValueError):
    """A JSON file that cannot be used; the message says why and what to do."""


class _Literal(str):
    """``NaN``, ``Infinity`` or ``-Infinity`` as written, kept so the walk can say where."""


class _Digits(str):
    """A whole number as written, kept as text so its size can be judged without converting."""


def read_json_file(path: str | os.PathLike[str], advice: str = DEFAULT_ADVICE) -> Any:
    """Read the JSON document in ``path``.

    Parameters
    ----------
    path : str or path-like
        A regular file of UTF-8 text (a byte-order mark is allowed).
    advice : str
        What the person should do when the content is unusable, said after the
        problem: ``"fix the file or use a parameters file EM Studio wrote"``.
        Problems with the file itself (missing, a folder, too large, ...) carry
        their own advice.

    Returns
    -------
    dict, list, str, int, float, bool or None
        As :func:`json.loads` returns it; every float finite, every int within
        the range of a float, nesting at most :data:`MAX_DEPTH` deep.

    Raises
    ------
    JsonFileError
        For anything that stops the file being read or used; the message
        names the file and, for a bad value, where in the document it is.
    """
    path = Path(path)
    data = _read_regular_file(path)
    name = path.name
    if not data.strip():
        raise JsonFileError(f"{name} is empty; {advice}")
    # A byte-order mark is no part of the text (Windows editors like to write one).
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = _decode(memoryview(data)[bom:])
    except UnicodeDecodeError as exc:
        position = bom + exc.start
        raise JsonFileError(
            f"{name} is not UTF-8 text (byte 0x{data[position]:02X} at position {position}); "
            f"{advice}"
        ) from None
    doc, problem = _parse(text)
    if problem is not None:
        raise JsonFileError(f"{name} {problem}; {advice}")
    return doc


def _decode(data: memoryview) -> str:
    """``data`` as UTF-8 text, decoded a piece at a time (one call for 50 MB holds the
    GIL for a tenth of a second); a problem is placed as one call would place it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        parts = [
            decoder.decode(data[start : start + DECODE_PIECE])
            for start in range(0, len(data), DECODE_PIECE)
        ]
        parts.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return bytes(data).decode("utf-8")  # raises, with the position in the whole text
    return "".join(parts)


def _read_regular_file(path: Path) -> bytes:
    """The bytes of ``path``, refused unless it is a regular file of at most MAX_BYTES."""
    try:
        _check_regular(os.stat(path), path)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise JsonFileError(describe_os_error(exc, path, "read")) from None
    with open(fd, "rb") as file:
        # The name may have been given to a pipe between stat and open.
        _check_regular(os.fstat(file.fileno()), path)
        try:
            data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise JsonFileError(describe_os_error(exc, path, "read")) from None
    if len(data) > MAX_BYTES:
        _refuse_size(path)
    return data


def _check_regular(info: os.stat_result, path: Path) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise JsonFileError(
            f"cannot read {path}: it is a folder, not a file; choose a file inside it"
        )
    if not stat.S_ISREG(info.st_mode):
        kind = next((kind for test, kind in _NOT_REGULAR if test(info.st_mode)), "not a file")
        raise JsonFileError(
            f"cannot read {path}: it is {kind}, not a regular file; EM Studio reads JSON from "
            "regular files only, as anything else can keep it waiting forever; save the JSON "
            "to a file and choose that"
        )
    if info.st_size > MAX_BYTES:
        _refuse_size(path)


def _refuse_size(path: Path) -> None:
    raise JsonFileError(
        f"cannot read {path}: it is larger than {_size_text(MAX_BYTES)}, the most EM Studio "
        "reads from a JSON file; its own files are far smaller, so check that this is the "
        "file you meant"
    )


def _size_text(n_bytes: int) -> str:
    for unit, size in (("MB", 2**20), ("KB", 2**10)):
        if n_bytes >= size:
            return f"{n_bytes / size:g} {unit}"
    return f"{n_bytes} bytes"


def _parse(text: str) -> tuple[Any, str | None]:
    """The document in ``text``, and what makes it unusable (None when nothing does)."""
    try:
        doc = _loads(text)
    except json.JSONDecodeError as exc:
        return None, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except RecursionError:
        return None, _too_deep()
    except ValueError:
        # A whole number longer than Python converts raises a plain ValueError;
        # parse again keeping whole numbers as text, to say where it is.
        try:
            problem = _value_problem(_loads(text, parse_int=_Digits))
        except RecursionError:
            return None, _too_deep()
        if problem is None:
            raise
        return None, problem
    return doc, _value_problem(doc)


def _loads(text: str, parse_int: Any = None) -> Any:
    if len(text) > PIECES_ABOVE:
        return loads_in_pieces(
            text, parse_constant=_Literal, parse_int=parse_int, max_depth=MAX_DEPTH
        )
    return json.loads(text, parse_constant=_Literal, parse_int=parse_int)


def _too_deep() -> str:
    return f"nests lists or objects more than {MAX_DEPTH} levels deep, which no EM Studio file does"


def _value_problem(doc: Any) -> str | None:
    """What is wrong with the first unusable value of ``doc``, and where; None if nothing.

    Walks the document with a stack, never recursion, in document order.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, (dict, list)) and len(path) >= MAX_DEPTH:
            return _too_deep()
        if isinstance(value, dict):
            children = list(value.items())
        elif isinstance(value, list):
            if _finite_numbers(value):
                continue
            children = list(enumerate(value))
        else:
            problem = _scalar_problem(value)
            if problem is not None:
                return problem.format(where=_where(path))
            continue
        stack.extend((child, (*path, key)) for key, child in reversed(children))
    return None


def _finite_numbers(values: list[Any]) -> bool:
    """True when every item is a finite number a float can hold (checked at C speed)."""
    try:
        return math.isfinite(math.fsum(values))
    # Items that are not numbers, or one too large for a float (or a sum that
    # overflows on the way): the items are then looked at one by one.
    except (TypeError, OverflowError):
        return False


def _scalar_problem(value: Any) -> str | None:
    """A message template (``{where}`` to fill) for an unusable value, or None."""
    if isinstance(value, _Literal):
        return f"holds {value} at {{where}}, which is not a finite number"
    if isinstance(value, _Digits):
        digits = len(value.lstrip("-"))
        if _INT_DIGITS_LIMIT and digits > _INT_DIGITS_LIMIT:
            return _huge_int(digits)
        value = int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "holds a number too large for a float (above 1.8e308 in size) at {where}"
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return _huge_int(len(str(abs(value))))
    return None


def _huge_int(digits: int) -> str:
    return (
        f"holds a whole number of {digits} digits at {{where}}, too large for a float "
        "(above 1.8e308 in size)"
    )


def _where(path: tuple[str | int, ...]) -> str:
    """``result.params.means[1][0]``: keys joined by dots, list positions in brackets."""
    if not path:
        return "the top level"
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif _IDENTIFIER.fullmatch(key):
            text += f".{key}" if text else key
        else:
            quoted = json.dumps(key if len(key) <= 30 else key[:27] + "...")
            text += f"[{quoted}]"
    return text
