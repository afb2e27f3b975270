"""Reading data tables: text files (CSV and friends), NumPy, Excel and Parquet.

One reader serves the command line and the window. :func:`sniff_text` guesses
how a text file is laid out, :func:`preview_text` shows what a choice of
:class:`TextOptions` would give, and :func:`read_table` returns a
:class:`Table` of float64 numbers ready for the engine.

Every problem a person can fix is a :class:`DataError` with a one-line message
that says what is wrong and what to do; no parser jargon reaches the user.
"""

from __future__ import annotations

import codecs
import csv
import re
import stat
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.util import find_spec
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from emio.atomic import describe_os_error
from engine.validation import contiguous

#: Delimiters of text files, with the word used in messages. ``" "`` means any run of whitespace.
DELIMITERS: dict[str, str] = {",": "commas", ";": "semicolons", "\t": "tabs", " ": "spaces"}
#: Decimal separators, with the word used in messages.
DECIMALS: dict[str, str] = {".": "point", ",": "comma"}
#: What :func:`read_table` may do with rows that hold a missing or non-numeric value.
BAD_ROW_POLICIES = ("error", "drop")
#: Sniffing looks at this many bytes from the start of a file.
SNIFF_BYTES = 64 * 1024
#: ... and judges layouts on at most this many of the lines there.
SNIFF_ROWS = 300
#: :func:`preview_text` counts problems in at most this many rows.
PREVIEW_SCAN_ROWS = 200_000
#: The formats :func:`read_table` reads, for messages.
SUPPORTED = "text tables (.csv, .tsv, .txt, .dat), .npy, .npz, .xlsx and .parquet files"

# Cells that pandas reads as missing; the sniffer treats them the same way.
_MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "#n/a", "#na"})
# Byte-order marks, checked before anything else: UTF-16 text is full of NUL bytes.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = frozenset(chr(c) for c in [*range(32), *range(127, 160)]) - set("\t\n\r\f\v")
#: ``str.translate`` table that deletes control characters (counting them so is fast).
_DROP_CONTROL = {ord(char): None for char in _CONTROL}


class DataError(ValueError):
    """A data file cannot be read as asked; the message says why and what to do."""


@dataclass(frozen=True)
class TextOptions:
    """How a text table is laid out.

    Attributes
    ----------
    delimiter : str
        ``","``, ``";"``, ``"\\t"``, or ``" "`` for any run of spaces and tabs.
    decimal : str
        ``"."`` or ``","``.
    header : bool
        Whether the first row (after ``skip_rows``) holds column names.
    comment : str or None
        Lines starting with this character are ignored, as is the rest of a
        line after it; ``None`` for none.
    skip_rows : int
        Lines to skip at the top of the file (a title, say), comments included.
    encoding : str
        The text encoding; :func:`sniff_text` chooses between UTF-8 and the
        Windows Western European code page.
    """

    delimiter: str = ","
    decimal: str = "."
    header: bool = True
    comment: str | None = None
    skip_rows: int = 0
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        if self.delimiter not in DELIMITERS:
            raise DataError(
                f"the delimiter must be a comma, semicolon, tab or space, not {self.delimiter!r}"
            )
        if self.decimal not in DECIMALS:
            raise DataError(f"the decimal separator must be '.' or ',', not {self.decimal!r}")
        if self.delimiter == self.decimal:
            raise DataError(
                "the delimiter and the decimal separator are both ','; choose a point as the "
                "decimal separator, or another delimiter"
            )
        if self.comment is not None and (len(self.comment) != 1 or self.comment.isspace()):
            raise DataError(
                f"the comment marker must be one visible character, not {self.comment!r}"
            )
        skip = self.skip_rows
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise DataError(f"skip_rows must be a whole number of 0 or more, not {skip!r}")
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise DataError(
                f"unknown text encoding {self.encoding!r}; use 'utf-8' or 'cp1252'"
            ) from None


@dataclass(frozen=True, eq=False)
class Table:
    """Numbers read from a file, ready for the engine.

    Attributes
    ----------
    data : ndarray of shape (n_samples, n_features)
        float64, contiguous in row or column order, read-only, every value finite.
    columns : list of str
        One name per column of ``data``; ``x1, x2, ...`` when the file has none.
    source : Path or None
        The file read, if any.
    dropped_rows : int
        Rows left out because they held a missing or non-numeric value.
    row_index : ndarray of shape (n_samples,)
        For each row of ``data``, its 0-based position among the data rows of
        the source (header, comments and blank lines not counted), so results
        can be written next to the original rows.
    notes : tuple of str
        What the reader decided on its own: skipped text columns, dropped rows.
    text_options : TextOptions or None
        For a text file, the options it was read with (given or detected), so
        a session can read it again the same way.
    """

    data: np.ndarray
    columns: list[str]
    source: Path | None = None
    dropped_rows: int = 0
    row_index: np.ndarray | None = None
    notes: tuple[str, ...] = ()
    text_options: TextOptions | None = None

    def __post_init__(self) -> None:
        # A view, so that marking it read-only never changes the caller's array.
        data = contiguous(np.asarray(self.data, dtype=np.float64)).view()
        if data.ndim != 2:
            raise ValueError(f"Table data must be 2-D (rows x columns), not {data.ndim}-D")
        if len(self.columns) != data.shape[1]:
            raise ValueError(f"{len(self.columns)} column names for {data.shape[1]} columns")
        if self.row_index is None:
            row_index = np.arange(data.shape[0])
        else:
            row_index = np.asarray(self.row_index, dtype=np.int64).view()
        if row_index.shape != (data.shape[0],):
            raise ValueError(f"row_index has shape {row_index.shape}; it needs one entry per row")
        data.flags.writeable = False
        row_index.flags.writeable = False
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "row_index", row_index)
        object.__setattr__(self, "columns", list(self.columns))
        object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def n_samples(self) -> int:
        return int(self.data.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.data.shape[1])


@dataclass(eq=False)
class TablePreview:
    """What :func:`read_table` would see in a text file under some options.

    Attributes
    ----------
    frame : pandas.DataFrame
        The first rows as read: numbers as numbers, other cells as text,
        missing cells as NaN; columns named as in ``columns``.
    columns : list of str
        Every column of the file.
    numeric : dict of str to bool
        Whether each column holds numbers (and would be read by default).
    reasons : dict of str to str
        For each column that does not hold numbers, why not, for a person:
        ``"text such as 'setosa' in 150 rows"``.
    bad_rows : int
        Rows (of the ``rows_read`` scanned) with a missing, infinite or
        non-numeric value in one of the numeric columns.
    bad_cells : ndarray of shape (rows_read, n_columns)
        Where those values are; always False in non-numeric columns.
    rows_read : int
        Data rows scanned for the counts above.
    whole_file : bool
        Whether ``rows_read`` is all the rows of the file.
    options : TextOptions
        The options the preview was made with.
    """

    frame: pd.DataFrame
    columns: list[str]
    numeric: dict[str, bool]
    reasons: dict[str, str]
    bad_rows: int
    bad_cells: np.ndarray
    rows_read: int
    whole_file: bool
    options: TextOptions

    def bad_rows_in(self, columns: Iterable[str]) -> int:
        """Rows with a missing or non-numeric value in any of ``columns``."""
        positions = [self.columns.index(name) for name in columns]
        if not positions:
            return 0
        return int(self.bad_cells[:, positions].any(axis=1).sum())


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class _FileHead:
    """A file known to exist and be readable, with its first bytes."""

    path: Path
    head: bytes
    truncated: bool


def _open_file(path: str | PathLike[str]) -> _FileHead:
    path = Path(path).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError(f"there is no file {path}; check the name and the folder") from None
    except OSError as exc:
        raise DataError(describe_os_error(exc, path, "read")) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{path} is a folder, not a file; choose a data file inside it")
    try:
        with open(path, "rb") as file:
            head = file.read(SNIFF_BYTES + 1)
    except OSError as exc:
        raise DataError(describe_os_error(exc, path, "read")) from None
    if not head:
        raise DataError(f"{path.name} is empty; choose a file with data in it")
    return _FileHead(path, head[:SNIFF_BYTES], len(head) > SNIFF_BYTES)


def _binary_error(name: str) -> DataError:
    return DataError(
        f"{name} does not look like a text table (it holds binary data); EM Studio reads "
        f"{SUPPORTED}"
    )


def _decode(file: _FileHead) -> tuple[str, str]:
    """The text at the start of ``file`` and its encoding; DataError if it is binary."""
    for bom, encoding in _BOMS:
        if file.head.startswith(bom):
            # A cut at SNIFF_BYTES may split a character; the decoder keeps it back.
            return codecs.getincrementaldecoder(encoding)("replace").decode(file.head), encoding
    if b"\x00" in file.head:
        raise _binary_error(file.path.name)
    # latin-1 decodes any bytes, so the loop always returns.
    for encoding in ("utf-8", "cp1252", "latin-1"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(file.head, final=not file.truncated)
        except UnicodeDecodeError:
            continue
        if len(text) - len(text.translate(_DROP_CONTROL)) > 0.01 * len(text):
            raise _binary_error(file.path.name)
        return text, encoding
    raise _binary_error(file.path.name)


# --------------------------------------------------------------------------- sniffing


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
    file = _open_file(path)
    text, encoding = _decode(file)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if file.truncated:
        lines = lines[:-1]
    comment = "#" if any(line.lstrip().startswith("#") for line in lines) else None
    rows = [
        (number, line.split(comment)[0] if comment else line)
        for number, line in enumerate(lines)
        if line.strip() and not (comment and line.lstrip().startswith(comment))
    ][:SNIFF_ROWS]
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


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True, eq=False)
class _Column:
    """One column of a source, judged: numbers or not, and why not."""

    name: str
    values: np.ndarray  # float64, NaN where a cell is missing or text
    text: np.ndarray | None  # bool, cells that hold text; None when none can
    cells: np.ndarray | None  # the cells as read, to quote them in messages
    reason: str | None  # why this column does not hold numbers; None when it does

    @property
    def numeric(self) -> bool:
        return self.reason is None


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _quote(cell: object) -> str:
    text = str(cell).strip()
    return repr(text if len(text) <= 30 else text[:27] + "...")


def _text_numbers(text: pd.Series, decimal: str) -> np.ndarray:
    """Numbers in cells of text, NaN where a cell is not a number."""
    text = text.str.strip()
    if decimal == ",":
        text = text.where(~text.str.contains(".", regex=False)).str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _parse_cells(series: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, text mask and cells of a column that pandas did not read as numbers.

    Such a column may mix strings with numbers pandas already converted (it
    reads big files in chunks), so strings and other cells are parsed apart.
    """
    cells = series.to_numpy(dtype=object)
    is_str = np.fromiter((isinstance(cell, str) for cell in cells), dtype=bool, count=cells.size)
    values = np.full(cells.size, np.nan)
    if is_str.any():
        values[is_str] = _text_numbers(pd.Series(cells[is_str], dtype=str), decimal)
    is_number = np.fromiter(
        (isinstance(c, (int, float, np.number)) and not isinstance(c, bool) for c in cells),
        dtype=bool,
        count=cells.size,
    )
    values[is_number] = cells[is_number].astype(np.float64)
    text = ~is_number & ~pd.isna(cells) & np.isnan(values)
    return values, text, cells


def _scan(series: pd.Series, name: str, decimal: str) -> _Column:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    ):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        empty = not np.any(~np.isnan(values))
        return _Column(name, values, None, None, "no values at all" if empty else None)
    if dtype.kind in "mM":
        return _Column(name, np.full(len(series), np.nan), None, None, "dates or times")
    values, text, cells = _parse_cells(series, decimal)
    n_text = int(np.count_nonzero(text))
    n_numbers = int(np.count_nonzero(~np.isnan(values)))
    reason = None
    if n_numbers == 0 and n_text == 0:
        reason = "no values at all"
    elif n_numbers < n_text:
        # Mostly text: a label column. A few text cells among numbers are
        # errors in a numeric column instead, and are reported as bad rows.
        reason = f"text such as {_quote(cells[np.argmax(text)])} in {_rows(n_text)}"
    return _Column(name, values, text, cells, reason)


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for name in names:
        candidate, copy = name, 2
        while candidate in seen:
            candidate, copy = f"{name} ({copy})", copy + 1
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _frame_names(frame: pd.DataFrame, header: bool) -> list[str]:
    """Column names; ``x1, x2, ...`` where the file gives none."""
    if not header:
        return [f"x{j + 1}" for j in range(frame.shape[1])]
    names = []
    for j, label in enumerate(frame.columns):
        name = str(label).strip()
        names.append(f"x{j + 1}" if not name or name.startswith("Unnamed: ") else name)
    return _unique(names)


def _scan_frame(frame: pd.DataFrame, names: list[str], decimal: str) -> list[_Column]:
    return [_scan(frame.iloc[:, j], name, decimal) for j, name in enumerate(names)]


# --------------------------------------------------------------------------- readers


@dataclass(frozen=True)
class _Source:
    """The columns of a file, and how to tell a person where a row is."""

    name: str  # what to call the source in messages: "data.csv", "array 'X' of d.npz"
    columns: list[_Column]
    locate: Callable[[int], str]  # 0-based data row -> "line 7", "row 7", ...
    notes: tuple[str, ...] = field(default=())
    text_options: TextOptions | None = None  # the options a text file was read with


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


def _read_text_frame(
    file: _FileHead, options: TextOptions, nrows: int | None = None
) -> pd.DataFrame:
    name = file.path.name
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
    if nrows is not None:
        kwargs["nrows"] = nrows
    try:
        with warnings.catch_warnings():
            # Columns that mix numbers and text are sorted out cell by cell
            # later; pandas' warning about them would only be noise.
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(file.path, **kwargs)
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
        raise DataError(describe_os_error(exc, file.path, "read")) from None


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


def _read_text(file: _FileHead, options: TextOptions | None) -> _Source:
    if options is None:
        options = sniff_text(file.path)
    else:
        _decode(file)
    frame = _read_text_frame(file, options)
    if frame.shape[0] == 0:
        raise DataError(
            f"{file.path.name} has column names but no rows of data; choose a file with data in it"
        )
    columns = _scan_frame(frame, _frame_names(frame, options.header), options.decimal)

    def locate(row: int) -> str:
        line = _file_line(file.path, options, row)
        return f"data row {row + 1}" if line is None else f"line {line}"

    return _Source(file.path.name, columns, locate, text_options=options)


def _array_source(array: np.ndarray, name: str, notes: tuple[str, ...] = ()) -> _Source:
    """Columns of a NumPy array of numbers; 1-D is one column."""
    if array.dtype.names is not None:
        raise DataError(
            f"{name} holds a structured array; save a plain 2-D array of numbers instead"
        )
    if array.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "U": "text", "S": "bytes", "M": "dates", "m": "times"}
        raise DataError(
            f"{name} holds {what.get(array.dtype.kind, array.dtype.name)}, not real numbers; "
            "save an array of numbers, for example with X.astype(float)"
        )
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise DataError(
            f"{name} holds a {array.ndim}-D array; save a 2-D array of shape "
            "(n_samples, n_features)"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise DataError(f"{name} holds an empty array of shape {array.shape}; save some data in it")
    columns = [
        _Column(f"x{j + 1}", array[:, j].astype(np.float64), None, None, None)
        for j in range(array.shape[1])
    ]
    return _Source(name, columns, lambda row: f"row {row + 1}", notes)


def _corrupt(name: str, kind: str) -> DataError:
    return DataError(f"{name} is not a valid {kind} file (it may be damaged); save it again")


def _read_npy(file: _FileHead, options: TextOptions | None) -> _Source:
    name = file.path.name
    if not file.head.startswith(b"\x93NUMPY"):
        raise _corrupt(name, ".npy")
    try:
        array = np.load(file.path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{name} holds Python objects, not numbers; save an array of numbers, for "
                "example with X.astype(float)"
            ) from None
        raise _corrupt(name, ".npy") from None
    except (OSError, EOFError):
        raise _corrupt(name, ".npy") from None
    return _array_source(array, name)


def _read_npz(file: _FileHead, options: TextOptions | None) -> _Source:
    name = file.path.name
    if not file.head.startswith(b"PK"):
        raise _corrupt(name, ".npz")
    notes: tuple[str, ...] = ()
    try:
        # Our own handle: np.load leaks the one it opens when the archive is damaged.
        with open(file.path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            names = list(archive.files)
            if not names:
                raise DataError(f"{name} holds no arrays; save the data in it with numpy.savez")
            if len(names) == 1:
                chosen = names[0]
            elif "X" in names or "data" in names:
                chosen = "X" if "X" in names else "data"
                notes = (f"read the array {chosen!r} of the {len(names)} in {name}",)
            else:
                raise DataError(
                    f"{name} holds several arrays ({', '.join(names)}) and none is called 'X' "
                    "or 'data'; save the array to fit under the name X"
                )
            array = archive[chosen]
            if not isinstance(array, np.ndarray):
                # A member that is not itself a .npy file comes back as raw bytes.
                raise _corrupt(name, ".npz")
    except DataError:
        raise
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{name} holds Python objects, not numbers; save arrays of numbers"
            ) from None
        raise _corrupt(name, ".npz") from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile):
        raise _corrupt(name, ".npz") from None
    return _array_source(array, f"array {chosen!r} of {name}", notes)


def _require(module: str, extra: str, what: str) -> None:
    if find_spec(module) is None:
        raise DataError(
            f"reading {what} needs the {module} package; install it with: "
            f'pip install "em-studio[{extra}]"'
        )


def _frame_source(frame: pd.DataFrame, name: str, locate: Callable[[int], str]) -> _Source:
    if frame.shape[0] == 0:
        raise DataError(f"{name} has no rows of data; choose a file with data in it")
    return _Source(name, _scan_frame(frame, _frame_names(frame, header=True), "."), locate)


def _read_excel(file: _FileHead, options: TextOptions | None) -> _Source:
    _require("openpyxl", "excel", "Excel .xlsx files")
    try:
        with open(file.path, "rb") as handle:
            frame = pd.read_excel(handle, sheet_name=0, engine="openpyxl")
    # openpyxl raises its own types for damaged or encrypted workbooks; any
    # failure here means the file is not a workbook we can read.
    except Exception:
        raise DataError(
            f"{file.path.name} cannot be read as an Excel workbook (it may be damaged or "
            "password-protected); open it in Excel and save it again, or save it as .csv"
        ) from None
    return _frame_source(
        frame, f"the first sheet of {file.path.name}", lambda row: f"row {row + 2}"
    )


def _read_parquet(file: _FileHead, options: TextOptions | None) -> _Source:
    _require("pyarrow", "parquet", "Parquet files")
    try:
        with open(file.path, "rb") as handle:
            frame = pd.read_parquet(handle, engine="pyarrow")
    # As for Excel: pyarrow has its own exception types for damaged files.
    except Exception:
        raise DataError(
            f"{file.path.name} cannot be read as a Parquet file (it may be damaged); write it again"
        ) from None
    return _frame_source(frame, file.path.name, lambda row: f"row {row + 1}")


def _read_xls(file: _FileHead, options: TextOptions | None) -> _Source:
    raise DataError(
        f"{file.path.name} is an old-style .xls workbook, which EM Studio cannot read; save it "
        "as .xlsx or .csv"
    )


_READERS: dict[str, Callable[[_FileHead, TextOptions | None], _Source]] = {
    ".csv": _read_text,
    ".tsv": _read_text,
    ".txt": _read_text,
    ".dat": _read_text,
    ".npy": _read_npy,
    ".npz": _read_npz,
    ".xlsx": _read_excel,
    ".parquet": _read_parquet,
    ".xls": _read_xls,
}


# --------------------------------------------------------------------------- tables


def _choose(
    all_columns: list[_Column], requested: list[str] | None, name: str
) -> tuple[list[_Column], list[str]]:
    """The columns to read, and notes on those skipped."""
    if requested is None:
        chosen = [column for column in all_columns if column.numeric]
        skipped = [column for column in all_columns if not column.numeric]
        if not chosen:
            details = "; ".join(f"{c.name!r}: {c.reason}" for c in skipped[:3])
            raise DataError(
                f"{name} has no column of numbers ({details}); check the delimiter and the "
                "decimal separator, or choose a file with numeric columns"
            )
        return chosen, [f"skipped column {c.name!r}: {c.reason}" for c in skipped]
    if isinstance(requested, str):
        raise DataError(f"give the columns as a list of names, for example [{requested!r}]")
    if not requested:
        raise DataError("no columns were chosen; choose at least one column of numbers")
    by_name = {column.name: column for column in all_columns}
    unknown = [column for column in requested if column not in by_name]
    if unknown:
        known = ", ".join(repr(c.name) for c in all_columns[:12])
        more = ", ..." if len(all_columns) > 12 else ""
        raise DataError(
            f"{name} has no column named {', '.join(map(repr, unknown))}; its columns are "
            f"{known}{more}"
        )
    repeated = [column for column, count in Counter(requested).items() if count > 1]
    if repeated:
        raise DataError(f"column {repeated[0]!r} is chosen twice; choose each column once")
    chosen = [by_name[column] for column in requested]
    for column in chosen:
        if not column.numeric:
            raise DataError(
                f"column {column.name!r} of {name} cannot be used: it holds {column.reason}; "
                "leave it out"
            )
    return chosen, []


#: Rows above which the columns are interleaved by two threads.
_PARALLEL_STACK_ROWS = 200_000


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


def _side_by_side(columns: list[np.ndarray]) -> np.ndarray:
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

    if n_rows < _PARALLEL_STACK_ROWS:
        fill(range(0, n_rows, step))
        return data
    middle = (n_rows // 2 // step) * step
    with ThreadPoolExecutor(max_workers=1) as pool:
        second = pool.submit(fill, range(middle, n_rows, step))
        fill(range(0, middle, step))
        second.result()
    return data


def _bad_value(column: _Column, row: int) -> str:
    if column.text is not None and column.cells is not None and column.text[row]:
        return f"the text {_quote(column.cells[row])}"
    value = column.values[row]
    return "a missing value" if np.isnan(value) else f"an infinite value ({value:g})"


def read_table(
    path: str | PathLike[str],
    options: TextOptions | None = None,
    columns: list[str] | None = None,
    bad_rows: str = "error",
) -> Table:
    """Read the numbers in a data file.

    Parameters
    ----------
    path : str or path-like
        A text table (``.csv``, ``.tsv``, ``.txt``, ``.dat`` or any other
        suffix), ``.npy``, ``.npz``, ``.xlsx`` (needs openpyxl) or
        ``.parquet`` (needs pyarrow).
    options : TextOptions, optional
        Layout of a text table; sniffed when not given. Ignored for other formats.
    columns : list of str, optional
        Columns to read, in this order. By default every column of numbers;
        columns of text (labels, say) are skipped, as ``Table.notes`` records.
    bad_rows : {"error", "drop"}
        What to do with rows holding a missing, infinite or non-numeric value
        in a chosen column: raise a :class:`DataError` naming the first, or
        drop them (``Table.dropped_rows`` says how many).

    Returns
    -------
    Table
        ``data`` of shape (n_samples, n_features).

    Raises
    ------
    DataError
        For anything that stops the file being read as asked, with a message
        that says what to do.
    """
    if bad_rows not in BAD_ROW_POLICIES:
        raise DataError(f"bad_rows must be 'error' or 'drop', not {bad_rows!r}")
    file = _open_file(path)
    source = _READERS.get(file.path.suffix.lower(), _read_text)(file, options)
    name = source.name
    chosen, notes = _choose(source.columns, columns, name)
    n_rows = chosen[0].values.shape[0]
    bad = np.zeros(n_rows, dtype=bool)
    for column in chosen:
        bad |= ~np.isfinite(column.values)
    n_bad = int(np.count_nonzero(bad))
    if n_bad and bad_rows == "error":
        row = int(np.argmax(bad))
        column = next(c for c in chosen if not np.isfinite(c.values[row]))
        others = f" ({n_bad} rows have missing or non-numeric values)" if n_bad > 1 else ""
        raise DataError(
            f"column {column.name!r} has {_bad_value(column, row)} on {source.locate(row)} of "
            f"{name}{others}; fix the file, or choose to drop such rows"
        )
    if n_bad and n_bad == n_rows:
        raise DataError(
            f"every row of {name} has a missing or non-numeric value in the chosen columns; "
            "choose other columns, or check the delimiter and the decimal separator"
        )
    row_index = None
    values = [column.values for column in chosen]
    if n_bad:
        row_index = np.flatnonzero(~bad)
        values = [column[row_index] for column in values]
        notes.append(f"dropped {_rows(n_bad)} with missing or non-numeric values")
    data = _side_by_side(values)
    return Table(
        data=data,
        columns=[column.name for column in chosen],
        source=file.path,
        dropped_rows=n_bad,
        row_index=row_index,
        notes=source.notes + tuple(notes),
        text_options=source.text_options,
    )


def preview_text(
    path: str | PathLike[str],
    options: TextOptions | None = None,
    n_rows: int = 100,
    scan_rows: int = PREVIEW_SCAN_ROWS,
) -> TablePreview:
    """What :func:`read_table` would find in a text file under ``options``.

    Unlike :func:`read_table`, a preview does not fail on a file without
    numbers or with bad rows: it reports them, so a person can change the options.

    Parameters
    ----------
    path : str or path-like
    options : TextOptions, optional
        Sniffed when not given.
    n_rows : int
        Rows kept in ``frame``.
    scan_rows : int
        Rows scanned to judge columns and count bad rows; more are not read.

    Returns
    -------
    TablePreview

    Raises
    ------
    DataError
        If the file cannot be read as a table at all under ``options``
        (missing, binary, rows of different lengths, ...).
    """
    file = _open_file(path)
    if options is None:
        options = sniff_text(file.path)
    else:
        _decode(file)
    frame = _read_text_frame(file, options, nrows=scan_rows + 1)
    whole_file = frame.shape[0] <= scan_rows
    frame = frame.iloc[:scan_rows]
    names = _frame_names(frame, options.header)
    scanned = _scan_frame(frame, names, options.decimal)
    bad_cells = np.zeros((frame.shape[0], len(names)), dtype=bool)
    for j, column in enumerate(scanned):
        if column.numeric:
            bad_cells[:, j] = ~np.isfinite(column.values)
    shown = frame.iloc[:n_rows].copy()
    shown.columns = names
    return TablePreview(
        frame=shown,
        columns=names,
        numeric={column.name: column.numeric for column in scanned},
        reasons={column.name: column.reason for column in scanned if column.reason is not None},
        bad_rows=int(bad_cells.any(axis=1).sum()),
        bad_cells=bad_cells,
        rows_read=int(frame.shape[0]),
        whole_file=whole_file,
        options=options,
    )
