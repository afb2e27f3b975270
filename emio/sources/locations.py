"""Where a streamed file lives: a local path or a URL that fsspec understands, its
stamp (size and modification time) and how to open it for reading."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import IO, Any

from engine import DataChanged, FileStamp
from emio.tables.table import DataError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(location: str) -> bool:
    """Whether ``location`` is a URL (``s3://...``, ``file:///...``) rather than a path."""
    return bool(_URL.match(location))


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:
        raise DataError(
            f"reading {url} needs the fsspec package; install it with: "
            'pip install "em-studio[dask]"'
        ) from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise DataError(f"cannot read {url}: {exc}") from None


def _modified_ns(info: dict[str, Any]) -> int:
    for key in ("mtime", "LastModified", "last_modified", "modified", "created"):
        value = info.get(key)
        if isinstance(value, (int, float)):
            return int(value * 1e9)
        if isinstance(value, dt.datetime):
            return int(value.timestamp() * 1e9)
        if isinstance(value, str):
            try:
                return int(dt.datetime.fromisoformat(value).timestamp() * 1e9)
            except ValueError:
                continue
    return 0


def stamp_of(location: str) -> FileStamp:
    """The size and modification time of the file at ``location``; OSError when it
    cannot be looked at."""
    if not is_url(location):
        return FileStamp.of(location)
    fs, path = _filesystem(location)
    try:
        info = fs.info(path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # each filesystem has its own errors
        raise OSError(f"cannot look at {location}: {exc}") from None
    return FileStamp(int(info.get("size") or 0), _modified_ns(info))


def check_stamp(location: str, stamp: FileStamp) -> None:
    """Raise :class:`engine.references.DataChanged` unless the file is still the version
    ``stamp`` describes."""
    try:
        now: FileStamp | None = stamp_of(location)
    except FileNotFoundError:
        now = None
    if now != stamp:
        raise DataChanged.of(location, stamp, now)


def open_binary(location: str) -> IO[bytes]:
    """The file at ``location`` open for reading bytes (OSError when it cannot be)."""
    if not is_url(location):
        return open(location, "rb")
    fs, path = _filesystem(location)
    try:
        return fs.open(path, "rb")
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise OSError(f"cannot open {location}: {exc}") from None


def list_files(location: str, suffix: str) -> list[str]:
    """The files ending in ``suffix`` in the folder ``location`` (path or URL), sorted;
    ``[location]`` itself when it is a file."""
    if not is_url(location):
        path = Path(location)
        if path.is_dir():
            return sorted(str(p) for p in path.iterdir() if p.name.endswith(suffix) and p.is_file())
        return [str(path)]
    fs, path = _filesystem(location)
    if fs.isdir(path):
        found = sorted(p for p in fs.ls(path, detail=False) if p.endswith(suffix))
        return [fs.unstrip_protocol(p) for p in found]
    return [location]


def absolute(location: str) -> str:
    """A path made absolute (a worker's working folder is not ours); URLs as they are."""
    return location if is_url(location) else os.path.abspath(location)

