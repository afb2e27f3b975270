"""Guessing how a text table is laid out: delimiter, decimal separator, header, comments."""

from __future__ import annotations

import csv
from collections import Counter
from os import PathLike

from emio.tables.files import SNIFF_BYTES, decode, open_file
from emio.tables.table import DECIMALS, DELIMITERS, DataError, TextOptions

#: ... and judges layouts on at most this many of the lines there.
SNIFF_ROWS = 300

# Cells that pandas reads as missing; the sniffer treats them the same way.
_MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "#n/a", "#na"})


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        return line.split()
    return next(csv.reader([line], delimiter=delimiter))


def _is_number(cell: str, decimal: str) -> bool | None:
    """True for a number written with ``decimal``, None for a missing cell, else False."""
    cell = cell.strip()
    if cell.lower() in _MISSING_TEXT:
        return None
    # pandas' parser reads "3.6" as text when the decimal separator is a comma;
    # the sniffer must judge cells the same way.
    other = "," if decimal == "." else "."
    if other in cell or "_" in cell:
        return False
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True


def _number_share(rows: list[list[str]], decimal: str) -> float:
    kinds = [_is_number(cell, decimal) for row in rows for cell in row]
    numbers, texts = kinds.count(True), kinds.count(False)
    return numbers / (numbers + texts) if numbers + texts else 0.0


def _has_header(first: list[str], body: list[list[str]], decimal: str) -> bool:
    """A header is a first row with text above columns that otherwise hold numbers."""
    if not body:
        return any(_is_number(cell, decimal) is False for cell in first)
    numeric_columns = [
        j
        for j in range(len(first))
        if _number_share([row[j : j + 1] for row in body], decimal) >= 0.5
    ]
    if not numeric_columns:
        return any(_is_number(cell, decimal) is False for cell in first)
    return any(_is_number(first[j], decimal) is False for j in numeric_columns)


def sniff_text(path: str | PathLike[str]) -> TextOptions:
    """Guess how the text table in ``path`` is laid out, from its first 64 KB.

    Tries every delimiter with both decimal separators and keeps the layout
    whose rows agree on their number of values and hold the largest share of
    numbers: ``3,6;79,0`` is two numbers with a decimal comma, not three
    values of which one is text. Lines that start with ``#`` are comments;
    lines above the table whose number of values differs from the rest
    (a title, say) are skipped.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    TextOptions

    Raises
    ------
    DataError
        If the file is missing, unreadable, empty, binary or holds no data.
    """
    file = open_file(path)
    text, encoding = decode(file)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if file.truncated:
        lines = lines[:-1]
    comment = "#" if any(line.lstrip().startswith("#") for line in lines) else None
    rows = [
        (number, line.split(comment)[0] if comment else line)
        for number, line in enumerate(lines)
        if line.strip() and not (comment and line.lstrip().startswith(comment))
    ][:SNIFF_ROWS]
    if not rows and file.truncated:
        raise DataError(
            f"the first line of {file.path.name} is longer than {SNIFF_BYTES // 1024} KB, more "
            "than EM Studio reads to tell how a table is laid out (a table of thousands of "
            "columns?); save the data as .npy (numpy.save) or Parquet and open that"
        )
    if not rows:
        raise DataError(
            f"{file.path.name} holds only blank or comment lines; choose a file with data in it"
        )

    candidates: list[tuple[tuple[object, ...], TextOptions]] = []
    for delimiter_rank, delimiter in enumerate(DELIMITERS):
        cells = [_split(line, delimiter) for _, line in rows]
        counts = [len(row) for row in cells]
        width = Counter(counts).most_common(1)[0][0]
        start = counts.index(width)
        # One odd line must not decide the delimiter of a small file; the
        # reader then reports that line.
        misfits = sum(count != width for count in counts[start:])
        consistent = misfits <= max(1, len(counts[start:]) // 10)
        body = cells[start + 1 :]
        for decimal_rank, decimal in enumerate(DECIMALS):
            if decimal == delimiter:
                continue
            share = _number_share(body or cells[start:], decimal)
            key = (consistent, share, start == 0, width, -delimiter_rank, -decimal_rank)
            options = TextOptions(
                delimiter=delimiter,
                decimal=decimal,
                header=_has_header(cells[start], body, decimal),
                comment=comment,
                skip_rows=rows[start][0] if start else 0,
                encoding=encoding,
            )
            candidates.append((key, options))
    return max(candidates, key=lambda candidate: candidate[0])[1]
