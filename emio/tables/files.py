"""Opening a data file: it exists, it is a file, it can be read; its first bytes and
the text encoding they are in (or a :class:`DataError` saying it is binary)."""

from __future__ import annotations

import codecs
import stat
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from emio.atomic import describe_os_error
from emio.tables.table import SUPPORTED, DataError

#: Sniffing looks at this many bytes from the start of a file.
SNIFF_BYTES = 64 * 1024

# Byte-order marks, checked before anything else: UTF-16 text is full of NUL bytes.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = frozenset(chr(c) for c in [*range(32), *range(127, 160)]) - set("\t\n\r\f\v")
#: ``str.translate`` table that deletes control characters (counting them so is fast).
_DROP_CONTROL = {ord(char): None for char in _CONTROL}


@dataclass(frozen=True)
class FileHead:
    """A file known to exist and be readable, with its first bytes."""

    path: Path
    head: bytes
    truncated: bool


def open_file(path: str | PathLike[str]) -> FileHead:
    """``path`` checked and its first :data:`SNIFF_BYTES` read; DataError saying why not."""
    path = Path(path).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError(f"there is no file {path}; check the name and the folder") from None
    except OSError as exc:
        raise DataError(describe_os_error(exc, path, "read")) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{path} is a folder, not a file; choose a data file inside it")
    if not stat.S_ISREG(info.st_mode):
        # Reading a pipe or a device would wait for ever, or never end.
        raise DataError(
            f"{path} is {special_kind(info.st_mode)}, not a file saved on disk; EM Studio reads "
            "data from files: save the data to a file first"
        )
    try:
        with open(path, "rb") as file:
            head = file.read(SNIFF_BYTES + 1)
    except OSError as exc:
        raise DataError(describe_os_error(exc, path, "read")) from None
    if not head:
        raise DataError(f"{path.name} is empty; choose a file with data in it")
    return FileHead(path, head[:SNIFF_BYTES], len(head) > SNIFF_BYTES)


def special_kind(mode: int) -> str:
    """What a path that is not a regular file or a folder is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _binary_error(name: str) -> DataError:
    return DataError(
        f"{name} does not look like a text table (it holds binary data); EM Studio reads "
        f"{SUPPORTED}"
    )


def decode(file: FileHead) -> tuple[str, str]:
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
