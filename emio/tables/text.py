"""Reading text tables (CSV and friends) with pandas' C parser, and saying in plain
words why a file does not parse."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from emio.atomic import describe_os_error
from emio.tables.columns import Source, frame_names, scan_frame
from emio.tables.files import FileHead, decode
from emio.tables.sniff import sniff_text
from emio.tables.table import DELIMITERS, DataError, TextOptions


def _parser_message(message: str, name: str, options: TextOptions) -> str:
    separated = f"separated by {DELIMITERS[options.delimiter]}"
    ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if ragged:
        expected, line, saw = ragged.groups()
        first = "the header has" if options.header else "the first row has"
        return (
            f"line {line} of {name} has {saw} values but {first} {expected}; make every row "
            f"hold the same number of values, or check that values are {separated}"
        )
    if "EOF inside string" in message:
        return f'a quote (") in {name} is never closed; close it or remove it'
    return (
        f"{name} cannot be read as a table of values {separated}; check the delimiter and "
        "look for stray quotes"
    )


def csv_arguments(options: TextOptions) -> dict[str, object]:
    """The arguments of ``pandas.read_csv`` that read a text table laid out as ``options``."""
    kwargs: dict[str, object] = {
        "sep": r"\s+" if options.delimiter == " " else options.delimiter,
        "decimal": options.decimal,
        "header": 0 if options.header else None,
        "encoding": options.encoding,
        # Otherwise pandas silently turns the first column into an index when
        # the rows have one value more than the header.
        "index_col": False,
        "engine": "c",
    }
    if options.comment:
        kwargs["comment"] = options.comment
    if options.skip_rows:
        kwargs["skiprows"] = options.skip_rows
    return kwargs


@contextmanager
def plain_words(path: Path, options: TextOptions) -> Iterator[None]:
    """Inside the block, pandas' errors and warnings about a text table become a
    DataError in plain words."""
    name = path.name
    try:
        with warnings.catch_warnings():
            # Columns that mix numbers and text are sorted out cell by cell
            # later; pandas' warning about them would only be noise.
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            warnings.simplefilter("error", pd.errors.ParserWarning)
            yield
    except pd.errors.EmptyDataError:
        skipped = f" after the first {options.skip_rows} lines" if options.skip_rows else ""
        raise DataError(
            f"{name} holds no data{skipped}, only blank or comment lines; choose a file with data "
            "in it"
        ) from None
    except pd.errors.ParserWarning:
        raise DataError(
            f"the rows of {name} hold more values than the header has names; add the missing "
            f"names, or check that values are separated by {DELIMITERS[options.delimiter]}"
        ) from None
    except pd.errors.ParserError as exc:
        raise DataError(_parser_message(str(exc), name, options)) from None
    except UnicodeError:
        raise DataError(
            f"{name} is not {options.encoding} text; choose another encoding, or save the file "
            "as UTF-8"
        ) from None
    except OSError as exc:
        raise DataError(describe_os_error(exc, path, "read")) from None


def read_text_frame(
    file: FileHead, options: TextOptions, nrows: int | None = None
) -> pd.DataFrame:
    """The file as pandas reads it under ``options`` (``nrows`` data rows at most);
    DataError in plain words when it does not parse."""
    kwargs = csv_arguments(options)
    if nrows is not None:
        kwargs["nrows"] = nrows
    with plain_words(file.path, options):
        return pd.read_csv(file.path, **kwargs)


def _file_line(path: Path, options: TextOptions, row: int) -> int | None:
    """The 1-based line of ``path`` that holds data row ``row``, or None if not found.

    Counts as pandas does: skipped lines, blank lines, comment lines and the
    header hold no data. Quoted values that span lines would throw it off;
    they are rare in numeric tables.
    """
    header_left = options.header
    data_row = 0
    with open(path, encoding=options.encoding, errors="replace") as file:
        for number, line in enumerate(file, start=1):
            stripped = line.strip()
            if number <= options.skip_rows or not stripped:
                continue
            if options.comment and stripped.startswith(options.comment):
                continue
            if header_left:
                header_left = False
                continue
            if data_row == row:
                return number
            data_row += 1
    return None


def layout(file: FileHead, options: TextOptions | None) -> TextOptions:
    """``options``, or when None those sniffed from ``file``; DataError if it is binary."""
    if options is None:
        return sniff_text(file.path)
    # Given options skip the sniffer, not its refusal of binary files.
    decode(file)
    return options


def read_text(file: FileHead, options: TextOptions | None) -> Source:
    """The columns of a text table, read with ``options`` (sniffed when None)."""
    options = layout(file, options)
    frame = read_text_frame(file, options)
    if frame.shape[0] == 0:
        raise DataError(
            f"{file.path.name} has column names but no rows of data; choose a file with data in it"
        )
    columns = scan_frame(frame, frame_names(frame, options.header), options.decimal)

    def locate(row: int) -> str:
        line = _file_line(file.path, options, row)
        return f"data row {row + 1}" if line is None else f"line {line}"

    return Source(file.path.name, columns, locate, text_options=options)
