"""How another process reopens a source, and how a fit notices that its file changed.

A Dask worker never receives rows from the process that drives a fit: it gets a
:class:`SourceReference` (a path and the file's :class:`FileStamp`), opens the
file itself and checks that it is the version the fit started on. A streamed
source checks the same stamp once a pass (:meth:`engine.data.DataSource.check_unchanged`),
so a file rewritten during a fit stops it with :class:`DataChanged` instead of
mixing two versions of the data.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: An :class:`engine.data.DataSource` (not imported: engine.data builds on this module).
DataSource = Any


class DataChanged(ValueError):
    """The file a fit reads changed (its size or modification time) while the fit ran."""

    @classmethod
    def of(cls, path: object, opened: FileStamp, now: FileStamp | None) -> DataChanged:
        """The error for the file ``path``, opened with the stamp ``opened`` and now at
        ``now`` (``None``: gone)."""
        if now is None:
            what = "was removed or renamed"
        elif now.size != opened.size:
            what = f"changed size from {opened.size:,} to {now.size:,} bytes"
        else:
            what = "was modified"
        return cls(
            f"{path} {what} while the fit was reading it; the fit stopped. Fit again once the "
            "file is complete (write a new file beside it and rename it over the old one)"
        )


@dataclass(frozen=True)
class FileStamp:
    """What identifies one version of a file: its size and modification time."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | Path) -> FileStamp:
        info = os.stat(path)
        return cls(info.st_size, info.st_mtime_ns)


class SourceReference(ABC):
    """How another process (a Dask worker) reopens a source: picklable, small, and
    never the rows themselves. ``key`` names the rows and their version, so a worker
    can keep what it read under it."""

    @property
    @abstractmethod
    def key(self) -> tuple:
        """A hashable name of the rows and their version (path, size, modification time)."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the rows are, for messages: the file's path or URL."""

    @abstractmethod
    def open(self) -> DataSource:
        """The source, opened here; :class:`DataChanged` when the file is not the version
        the reference was made from."""


def check_stamp(path: str | Path, opened: FileStamp) -> None:
    """Raise :class:`DataChanged` unless ``path`` still has the stamp ``opened``."""
    try:
        now: FileStamp | None = FileStamp.of(path)
    except FileNotFoundError:
        now = None
    if now != opened:
        raise DataChanged.of(path, opened, now)


@dataclass(frozen=True)
class FileReference(SourceReference):
    """A source in one file: its path (or URL), the stamp it had when opened, and the
    names of its columns. Subclasses say how to open it (:meth:`reopen`)."""

    path: str
    stamp: FileStamp
    feature_names: tuple[str, ...]

    @property
    def key(self) -> tuple:
        return (type(self).__name__, self.path, self.stamp)

    @property
    def location(self) -> str:
        return self.path

    @abstractmethod
    def reopen(self) -> DataSource:
        """The source opened again, with a ``stamp`` attribute of its file as it is now."""

    def open(self) -> DataSource:
        # Opened first: a file this process cannot find is one it cannot read (not
        # shared with it), which says more than "changed".
        source = self.reopen()
        if source.stamp != self.stamp:
            raise DataChanged.of(self.path, self.stamp, source.stamp)
        return source
