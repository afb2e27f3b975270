"""Reading data tables: text files (CSV and friends), NumPy, Excel and Parquet.

One reader serves the command line and the window. :func:`sniff_text` guesses
how a text file is laid out, :func:`preview_text` shows what a choice of
:class:`TextOptions` would give, and :func:`read_table` returns a
:class:`Table` of float64 numbers ready for the engine.

Every problem a person can fix is a :class:`DataError` with a one-line message
that says what is wrong and what to do; no parser jargon reaches the user.

The modules, in the order a file passes through them: :mod:`~emio.tables.files`
(open it, find its encoding), :mod:`~emio.tables.sniff` (guess a text layout),
:mod:`~emio.tables.text`, :mod:`~emio.tables.binary` and
:mod:`~emio.tables.spreadsheets` (one per kind of file), :mod:`~emio.tables.columns`
(judge each column), :mod:`~emio.tables.layout` (one array) and
:mod:`~emio.tables.read`; :mod:`~emio.tables.preview` serves the import dialog.
"""

from emio.tables.files import SNIFF_BYTES
from emio.tables.preview import PREVIEW_SCAN_ROWS, TablePreview, preview_text
from emio.tables.read import gap_policy, read_table
from emio.tables.sniff import SNIFF_ROWS, sniff_text
from emio.tables.table import (
    BAD_ROW_POLICIES,
    DECIMALS,
    DELIMITERS,
    MISSING_MARKERS,
    SUPPORTED,
    DataError,
    Table,
    TextOptions,
)

__all__ = [
    "BAD_ROW_POLICIES",
    "DECIMALS",
    "DELIMITERS",
    "MISSING_MARKERS",
    "PREVIEW_SCAN_ROWS",
    "SNIFF_BYTES",
    "SNIFF_ROWS",
    "SUPPORTED",
    "DataError",
    "Table",
    "gap_policy",
    "TablePreview",
    "TextOptions",
    "preview_text",
    "read_table",
    "sniff_text",
]
