"""The data file of a session: its checksum, and whether it is still the file the fit was made on.

A session names its data file rather than copying it. The file's SHA-256 and
size tell whether it changed; the checksum of the numbers read from it tells
whether reading it again gives the same table.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from emio.atomic import describe_os_error
from emio.session.contents import DataSource, Session, SessionError
from emio.tables import DataError, Table, TextOptions, sniff_text
from emio.tables.files import special_kind

#: What :func:`check_data_file` finds.
DATA_OK, DATA_CHANGED, DATA_MISSING = "ok", "changed", "missing"
#: Files :func:`emio.tables.read_table` does not read as text, so they have no text options.
NON_TEXT_SUFFIXES = frozenset({".npy", ".npz", ".xlsx", ".xls", ".parquet"})

_CHUNK = 1 << 20


def file_digest(path: str | os.PathLike[str]) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def table_digest(table: Table) -> str:
    """SHA-256 of a table's numbers and shape: equal digests mean equal data."""
    digest = hashlib.sha256(f"{table.data.shape}".encode())
    digest.update(table.data.tobytes())  # row order, whatever the layout in memory
    return digest.hexdigest()


def data_source(
    table: Table,
    name: str,
    text_options: TextOptions | None = None,
    bad_rows: str | None = None,
    sample_id: str | None = None,
) -> DataSource:
    """Describe the file ``table`` was read from, with its checksum.

    Parameters
    ----------
    table : Table
        Must have been read from a file (``table.source``).
    name : str
        What the window calls the data.
    text_options : TextOptions, optional
        How a text file was read; sniffed again from the file when not given.
    bad_rows : {"error", "drop"}, optional
        By default "drop" when the table lost rows, else "error".
    sample_id : str, optional

    Raises
    ------
    SessionError
        If the data did not come from a file, or the file cannot be read.
    """
    if table.source is None:
        raise SessionError(
            "these data were not read from a file, so a session cannot refer to them; "
            "save them to a file and open that first"
        )
    path = Path(table.source).resolve()
    try:
        sha256, size = file_digest(path)
        if text_options is None and path.suffix.lower() not in NON_TEXT_SUFFIXES:
            text_options = sniff_text(path)
    except OSError as exc:
        raise SessionError(describe_os_error(exc, path, "read")) from None
    except DataError as exc:
        raise SessionError(str(exc)) from None
    return DataSource(
        path=path,
        name=name,
        size=size,
        sha256=sha256,
        columns=list(table.columns),
        text_options=text_options,
        bad_rows=bad_rows or ("drop" if table.dropped_rows else "error"),
        n_samples=table.n_samples,
        n_features=table.n_features,
        table_sha256=table_digest(table),
        sample_id=sample_id,
        label_column=table.label_name,
    )


def check_data_file(session: Session) -> str:
    """Whether the session's data file is still there and unchanged.

    Returns
    -------
    str
        :data:`DATA_OK`, :data:`DATA_CHANGED` (other size or checksum) or
        :data:`DATA_MISSING` (no such file, or it cannot be read).
    """
    path = session.data.path
    try:
        if not path.is_file():
            return DATA_MISSING
        if path.stat().st_size != session.data.size:
            return DATA_CHANGED
        sha256, _ = file_digest(path)
    except OSError:
        return DATA_MISSING
    return DATA_OK if sha256 == session.data.sha256 else DATA_CHANGED


def data_file_problem(path: Path) -> str:
    """Why a session's data file cannot be used, to follow its name in a sentence:
    :func:`check_data_file` says only :data:`DATA_MISSING` for all of these."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "is missing: it was moved, renamed or deleted"
    except OSError as exc:
        return f"cannot be reached ({exc.strerror or exc})"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a data file"
    if not stat.S_ISREG(info.st_mode):
        return f"is {special_kind(info.st_mode)}, not a data file saved on disk"
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    return "cannot be read"
