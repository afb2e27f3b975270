"""Atomic writes: a file is either left as it was or replaced whole.

Results, parameter files and exports are written to a temporary file in the
target's own folder, flushed to disk, then renamed over the target with
:func:`os.replace`, which is atomic on one filesystem. A crash, a full disk or
an exception half-way through therefore never leaves a truncated file behind,
and the previous version stays byte for byte as it was.

Several files can be replaced together (:class:`StagedFiles`): each is written to
its temporary file, and the renames follow only once every one is complete.

A target that exists and is not a regular file — ``/dev/null``, a terminal,
a pipe such as ``/dev/stdout`` — is written directly: replacing it would put
a file where the device was. A temporary file names the process that writes
it; one whose process is gone (killed mid-write) is removed the next time its
target is written.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

#: Open modes that make sense for a file written from scratch.
WRITE_MODES = ("w", "wt", "wb", "w+", "w+t", "w+b")

# O_BINARY exists only on Windows; without it the C runtime would translate newlines
# a second time, under the text layer of os.fdopen.
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)

# errno -> (what happened, what to do about it when writing, ... when reading).
_OS_ERRORS: dict[int, tuple[str, str, str]] = {
    errno.EACCES: (
        "permission denied",
        "choose another folder",
        "ask for access, or copy the file to a folder of your own",
    ),
    errno.EPERM: (
        "operation not permitted",
        "choose another folder",
        "ask for access, or copy the file to a folder of your own",
    ),
    errno.EROFS: (
        "the drive is read-only",
        "choose a folder on another drive",
        "copy the file to a folder of your own",
    ),
    errno.ENOSPC: (
        "the disk is full",
        "free some space or choose another drive",
        "free some space and try again",
    ),
    errno.EDQUOT: (
        "your disk quota is used up",
        "delete some files or choose another drive",
        "delete some files and try again",
    ),
    errno.ENOENT: (
        "no such file or folder",
        "choose a folder that exists",
        "check the name and the folder",
    ),
    errno.EISDIR: (
        "it is a folder",
        "choose a file name inside it",
        "choose a file inside it",
    ),
    errno.ENOTDIR: (
        "part of the path is a file, not a folder",
        "choose a folder that exists",
        "check the path",
    ),
    errno.ENXIO: (
        "no program is reading from this pipe",
        "start the program that reads it first, then run again",
        "check the path",
    ),
    errno.ENAMETOOLONG: (
        "the name is too long",
        "choose a shorter name or folder",
        "move the file to a shorter path",
    ),
}


def describe_os_error(exc: OSError, path: str | os.PathLike[str], action: str = "write") -> str:
    """A one-line message about ``exc`` that a person can act on.

    Parameters
    ----------
    exc : OSError
        The error raised while reading or writing ``path``.
    path : str or path-like
        The file the program was working on (not the temporary file).
    action : str
        ``"write"`` or ``"read"``; the advice differs.

    Returns
    -------
    str
        For example ``"cannot write /x/y.json: permission denied; choose
        another folder"``.
    """
    if action not in ("write", "read"):
        raise ValueError(f"action must be 'write' or 'read', not {action!r}")
    known = _OS_ERRORS.get(exc.errno) if exc.errno is not None else None
    if known is None:
        reason = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
        reason = reason[:1].lower() + reason[1:]
        advice = "check the file and the folder, then try again"
    else:
        reason, write_advice, read_advice = known
        advice = write_advice if action == "write" else read_advice
    return f"cannot {action} {os.fspath(path)}: {reason}; {advice}"


def _temp_name(target: Path, pid: int, token: str) -> str:
    return f".{target.name}.{pid}.{token}.tmp"


def _remove_stale_temp_files(target: Path) -> None:
    """Remove temporary files of ``target`` whose writing process no longer runs."""
    prefix = f".{target.name}."
    with suppress(OSError):
        for entry in os.scandir(target.parent):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            parts = name[len(prefix) : -len(".tmp")].split(".")
            if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 8:
                continue
            if not _process_alive(int(parts[0])):
                with suppress(OSError):
                    os.unlink(entry.path)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists, as another user's process
    return True


def _new_temp_file(target: Path) -> tuple[int, Path]:
    """Create and open an empty temporary file beside ``target``."""
    _remove_stale_temp_files(target)
    while True:
        temp = target.with_name(_temp_name(target, os.getpid(), secrets.token_hex(4)))
        try:
            # 0o666 lets the umask decide permissions, as open() would for the
            # target itself; tempfile.mkstemp would force 0o600 on the result.
            fd = os.open(temp, _TEMP_FLAGS, 0o666)
        except FileExistsError:
            continue
        return fd, temp


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX only)."""
    if os.name == "nt":
        return
    # Some filesystems refuse to open or sync a folder; the data itself is
    # already on disk by then, so this last step is best effort.
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def is_special(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` exists and is not a regular file or a folder (a device, a pipe)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise ``OSError`` if ``path`` plainly cannot be written (its folder is missing
    or read-only, or it is a folder), before any work or any other output is written."""
    if is_special(path):
        if not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, "permission denied", os.fspath(path))
        return
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder", os.fspath(path))
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder", os.fspath(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "permission denied", os.fspath(path))


def _check_mode(mode: str) -> None:
    if mode not in WRITE_MODES:
        raise ValueError(
            f"atomic_open writes whole files; use one of the modes {', '.join(WRITE_MODES)}, "
            f"not {mode!r}"
        )


def _open_special(path: str | os.PathLike[str], mode: str, **kwargs: Any) -> IO[Any]:
    """A device or a pipe, opened in place as a shell redirection would; a named pipe
    that no program reads is refused at once (``ENXIO``) instead of waiting for one."""
    if not stat.S_ISFIFO(os.stat(path).st_mode):
        return open(path, mode, **kwargs)
    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    os.set_blocking(fd, True)
    return os.fdopen(fd, mode, **kwargs)


class StagedFiles:
    """Files replaced together: each is written to a temporary file beside it, and all
    are put in place by :meth:`commit` once every one is complete. On an error (or
    :meth:`discard`) none is, and the temporary files are removed.

    As a context manager it commits when the block succeeds and discards when it
    raises. A device or a pipe cannot be staged: it is written at once, in place.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()

    @contextmanager
    def open(self, path: str | os.PathLike[str], mode: str = "w",
             **kwargs: Any) -> Iterator[IO[Any]]:
        """A temporary file that becomes ``path`` at :meth:`commit` (see :func:`atomic_open`).
        If the block raises, the file is removed at once."""
        _check_mode(mode)
        if is_special(path):
            with _open_special(path, mode, **kwargs) as file:
                yield file
            return
        target = Path(os.path.realpath(path))
        if target.is_dir():  # found now, not by the rename, after others were put in place
            raise IsADirectoryError(errno.EISDIR, "is a folder", os.fspath(path))
        fd, temp = _new_temp_file(target)
        try:
            with os.fdopen(fd, mode, **kwargs) as file:
                yield file
                file.flush()
                os.fsync(file.fileno())
        except BaseException:
            with suppress(OSError):
                os.unlink(temp)
            raise
        self._staged.append((temp, target))

    def write(self, path: str | os.PathLike[str], content: str | bytes) -> None:
        """Stage ``content``: bytes as they are, text as UTF-8 with newlines as given."""
        if isinstance(content, bytes):
            with self.open(path, "wb") as file:
                file.write(content)
        else:
            with self.open(path, "w", encoding="utf-8", newline="") as file:
                file.write(content)

    def commit(self) -> None:
        """Put every staged file in place, keeping each replaced file's permissions."""
        staged, self._staged = self._staged, []
        try:
            for temp, target in staged:
                with suppress(FileNotFoundError):
                    os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
                os.replace(temp, target)
        except BaseException:
            self._staged = staged
            self.discard()
            raise
        for folder in dict.fromkeys(target.parent for _, target in staged):
            _fsync_folder(folder)

    def discard(self) -> None:
        """Remove every staged file not yet in place."""
        staged, self._staged = self._staged, []
        for temp, _ in staged:
            with suppress(OSError):
                os.unlink(temp)


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` when the block succeeds.

    The temporary file lives in the same folder as ``path``, so the final
    :func:`os.replace` is atomic. It is flushed and fsynced before the
    replace. If the block raises, the temporary file is removed, the
    exception propagates, and ``path`` is untouched.

    Parameters
    ----------
    path : str or path-like
        The file to create or replace. A symbolic link is followed, so the
        file it points to is replaced and the link stays.
    mode : str
        A write mode: ``"w"`` (text, the default), ``"wb"``, ``"w+"``, ...
    **kwargs
        Passed to :func:`open` (``encoding``, ``newline``, ...).

    Yields
    ------
    file object
        The open temporary file.

    Raises
    ------
    OSError
        If the folder cannot be written, the disk is full, a named pipe has no
        reader, and so on; turn it into a message with :func:`describe_os_error`.
    ValueError
        If ``mode`` is not a write mode.
    """
    with StagedFiles() as staged, staged.open(path, mode, **kwargs) as file:
        yield file


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically; see :func:`atomic_open`."""
    with atomic_open(path, "wb") as file:
        file.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically; see :func:`atomic_open`.

    Newlines are written as given (``"\\n"`` stays ``"\\n"`` on every
    platform), so the same text gives the same bytes everywhere.
    """
    with atomic_open(path, "w", encoding=encoding, newline="") as file:
        file.write(text)


def atomic_write(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Replace ``path`` with ``content`` atomically: bytes as they are, text as UTF-8."""
    with StagedFiles() as staged:
        staged.write(path, content)


def atomic_write_all(outputs: Iterable[tuple[str | os.PathLike[str], str | bytes]]) -> None:
    """Replace every file of ``outputs`` (path, content) with its content, all or none:
    if one cannot be written, each keeps its previous content."""
    with StagedFiles() as staged:
        for path, content in outputs:
            staged.write(path, content)
