"""Parsing a long JSON text in short pieces, so that no single call holds the GIL for long.

:func:`json.loads` parses a whole document in one call to C, holding Python's
global interpreter lock throughout: reading a 50 MB session on a worker thread
froze the window for two seconds. :func:`loads_in_pieces` gives the same
document (or the same kind of error) but walks the containers in Python and
hands only pieces of at most :data:`PIECE` characters to the C scanner: a value
that fits in a piece is parsed by C at once, a longer list or object is opened
and its items are parsed one by one, and a long run of plain numbers inside a
list is parsed a piece at a time. Between the pieces the interpreter lets other
threads (the GUI thread) run.

Dropping such a document is one long call too (freeing millions of lists in one
cascade): :func:`release` takes it apart a piece at a time.
"""

from __future__ import annotations

import json
import math
import re
import sys
from json.decoder import scanstring
from typing import Any

#: The most characters one call to the C parser is given (about a millisecond of work).
PIECE = 1 << 16
#: The first try for a list or object: small values are parsed from a short slice
#: (copying a whole PIECE for each of many small items would cost more than parsing them).
FIRST_TRY = 1 << 10

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Characters of plain numbers, commas between them and whitespace: a run of these
# inside a list is a run of numbers (or not JSON, which a parse of it tells).
_NUMBERS = re.compile(r"[-+0-9.eE, \t\n\r]*")


def loads_in_pieces(
    text: str,
    *,
    parse_constant: Any = None,
    parse_int: Any = None,
    max_depth: int = 100,
    cls: type[json.JSONDecoder] = json.JSONDecoder,
) -> Any:
    """The document in ``text``, as :func:`json.loads` with the same hooks returns it.

    ``cls`` is the decoder class, as :func:`json.loads`'s: it is made with
    ``parse_constant`` and ``parse_int``, and every piece goes to its
    ``scan_once`` (a value at a position) or its ``decode`` (a run of numbers).

    Raises
    ------
    json.JSONDecodeError
        For text that is not JSON, with the position of the problem.
    RecursionError
        For a list or object longer than a piece nested more than ``max_depth`` deep.
    ValueError
        For a whole number longer than Python converts (as :func:`json.loads`).
    """
    decoder = cls(parse_constant=parse_constant, parse_int=parse_int)
    return _Parser(text, decoder, max_depth).document()


class _Parser:
    def __init__(self, text: str, decoder: json.JSONDecoder, max_depth: int) -> None:
        self.text = text
        self.decoder = decoder
        self.scan = self.decoder.scan_once
        self.max_depth = max_depth
        # A run of numbers that did not parse holds a problem before this position:
        # its items are walked one by one up to there (trying the run again at every
        # item would parse a piece per item).
        self._walk_before = 0

    def document(self) -> Any:
        start = self._skip(0)
        value, end = self._value(start, 0, FIRST_TRY)
        end = self._skip(end)
        if end != len(self.text):
            raise json.JSONDecodeError("Extra data", self.text, end)
        return value

    def _skip(self, position: int) -> int:
        return _WHITESPACE.match(self.text, position).end()

    def _char(self, position: int) -> str:
        return self.text[position : position + 1]

    def _value(self, position: int, depth: int, first_try: int) -> tuple[Any, int]:
        """The value at ``position`` and where it ends."""
        opening = self._char(position)
        if opening not in ("[", "{"):
            try:
                # A scalar: one string or number, scanned at C speed whatever its length.
                return self.scan(self.text, position)
            except StopIteration:
                raise json.JSONDecodeError("Expecting value", self.text, position) from None
        for size in (first_try, PIECE) if first_try < PIECE else (PIECE,):
            piece = self.text[position : position + size]
            try:
                value, end = self.scan(piece, 0)
            # Cut off by the end of the piece (or not JSON, or deeper than C goes):
            # a longer try, or a walk through it, tells which.
            except (json.JSONDecodeError, StopIteration, RecursionError):
                if len(piece) < size:
                    break  # the whole rest of the text did not parse: walk to the problem
                continue
            return value, position + end
        if depth >= self.max_depth:
            raise RecursionError("nested too deep")
        if opening == "[":
            return self._list(position, depth + 1)
        return self._object(position, depth + 1)

    def _list(self, position: int, depth: int) -> tuple[list[Any], int]:
        text = self.text
        items: list[Any] = []
        i = self._skip(position + 1)
        if self._char(i) == "]":
            return items, i + 1
        size = FIRST_TRY
        while True:
            i, closed = self._numbers(items, i)
            if closed:
                return items, i
            start = i
            value, i = self._value(i, depth, size)
            items.append(value)
            # The next item is probably about as long as this one.
            size = min(max(2 * (i - start), FIRST_TRY), PIECE)
            i = self._skip(i)
            mark = self._char(i)
            if mark == ",":
                i = self._skip(i + 1)
            elif mark == "]":
                return items, i + 1
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, i)

    def _numbers(self, items: list[Any], i: int) -> tuple[int, bool]:
        """Parse a run of plain numbers starting at ``i`` (an item's start) a piece at a time.

        Returns where the next item starts, or the end of the list and True when
        the run reached it. Anything unusual is left to the item-by-item walk.
        """
        text = self.text
        while i >= self._walk_before:
            limit = min(i + PIECE, len(text))
            run_end = _NUMBERS.match(text, i, limit).end()
            closes = run_end < limit and text[run_end] == "]"
            cut = run_end if closes else text.rfind(",", i, run_end)
            if cut <= i:
                return i, False
            try:
                values = self.decoder.decode("[" + text[i:cut] + "]")
            except json.JSONDecodeError:
                self._walk_before = cut  # the walk item by item finds and places it
                return i, False
            items.extend(values)
            if closes:
                return run_end + 1, True
            i = self._skip(cut + 1)
        return i, False

    def _object(self, position: int, depth: int) -> tuple[dict[str, Any], int]:
        text = self.text
        members: dict[str, Any] = {}
        i = self._skip(position + 1)
        if self._char(i) == "}":
            return members, i + 1
        size = FIRST_TRY
        while True:
            if self._char(i) != '"':
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes", text, i
                )
            key, i = scanstring(text, i + 1)
            i = self._skip(i)
            if self._char(i) != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", text, i)
            i = self._skip(i + 1)
            start = i
            members[key], i = self._value(i, depth, size)
            size = min(max(2 * (i - start), FIRST_TRY), PIECE)
            i = self._skip(i)
            mark = self._char(i)
            if mark == ",":
                i = self._skip(i + 1)
            elif mark == "}":
                return members, i + 1
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, i)


def release(doc: Any) -> None:
    """Take ``doc`` (a parsed document the caller gives up) apart a piece at a time.

    Lists and objects that nothing else holds are emptied item by item, so no
    single step frees more than one list of plain numbers; anything still
    held elsewhere (a list a result kept) is left as it is.
    """
    if not isinstance(doc, (dict, list)):
        return
    stack: list[Any] = [doc]
    while stack:
        container = stack.pop()
        while container:
            if isinstance(container, dict):
                _, item = container.popitem()
            else:
                if _plain_numbers(container):
                    container.clear()  # floats and ints only: quick to free at once
                    break
                item = container.pop()
            # Held by ``item`` and getrefcount's argument only: ours to take apart.
            if isinstance(item, (dict, list)) and item and sys.getrefcount(item) == 2:
                stack.append(item)
            del item


def _plain_numbers(values: list[Any]) -> bool:
    try:
        math.fsum(values)
    except (TypeError, OverflowError):
        return False
    return True
