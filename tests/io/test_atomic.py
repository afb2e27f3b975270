"""Atomic writes: the target is replaced whole or not at all."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from emio import atomic
from emio.atomic import (
    StagedFiles,
    atomic_write_all,
    atomic_open,
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    describe_os_error,
)

OLD = b"old contents\r\nkept byte for byte\n"


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "result.json"
    path.write_bytes(OLD)
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "result.json")


def test_write_text_creates_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "new.txt"
    atomic_write_text(path, "first\n")
    assert path.read_bytes() == b"first\n"
    atomic_write_text(path, "second\nline ü\n")
    assert path.read_bytes() == "second\nline ü\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.txt"]


def test_write_text_keeps_newlines_as_given(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.txt", "a\nb\r\n", encoding="latin-1")
    assert (tmp_path / "a.txt").read_bytes() == b"a\nb\r\n"


def test_write_bytes(target: Path) -> None:
    atomic_write_bytes(target, b"\x00\x01new")
    assert target.read_bytes() == b"\x00\x01new"
    assert leftovers(target.parent) == []


def test_write_either_kind_of_content(target: Path) -> None:
    atomic_write(target, b"\x00bytes\r\n")
    assert target.read_bytes() == b"\x00bytes\r\n"
    atomic_write(target, "text ü\r\n")
    assert target.read_bytes() == "text ü\r\n".encode()
    assert leftovers(target.parent) == []


def test_atomic_open_text_and_binary(target: Path) -> None:
    with atomic_open(target, "w", encoding="utf-8", newline="") as file:
        file.write("one,two\n")
    assert target.read_bytes() == b"one,two\n"
    with atomic_open(target, "wb") as file:
        file.write(b"raw")
    assert target.read_bytes() == b"raw"


def test_error_inside_the_block_keeps_the_old_file(target: Path) -> None:
    with pytest.raises(RuntimeError, match="half-way"):
        with atomic_open(target) as file:
            file.write("partial new contents")
            raise RuntimeError("half-way")
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []


def test_failing_write_keeps_the_old_file(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError) as info:
        atomic_write_text(target, "new contents " * 1000)
    assert info.value.errno == errno.ENOSPC
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []
    assert describe_os_error(info.value, target) == (
        f"cannot write {target}: the disk is full; free some space or choose another drive"
    )


def test_failing_replace_keeps_the_old_file(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(source: object, destination: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(PermissionError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []


def test_read_only_folder_gives_a_message(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom chmod does not stop writing, so the refusal is simulated.
    real_open = os.open

    def refuse_temp_files(path: object, flags: int, mode: int = 0o777) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(atomic.os, "open", refuse_temp_files)
    with pytest.raises(PermissionError) as info:
        atomic_write_text(target, "new")
    assert target.read_bytes() == OLD
    assert leftovers(target.parent) == []
    assert describe_os_error(info.value, target) == (
        f"cannot write {target}: permission denied; choose another folder"
    )


def test_fsync_comes_before_replace(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def replace(source: str, destination: str) -> None:
        calls.append("replace")
        real_replace(source, destination)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    atomic_write_text(target, "x")
    assert calls[:2] == ["fsync", "replace"]


def test_permissions_of_the_old_file_are_kept(target: Path) -> None:
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_files_get_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "n.txt", "new")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "n.txt").stat().st_mode) == 0o644


def test_a_symlink_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_missing_folder_raises_an_os_error(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "out.json"
    with pytest.raises(FileNotFoundError) as info:
        atomic_write_text(path, "x")
    assert describe_os_error(info.value, path).endswith("no such file or folder; choose a folder that exists")


def test_only_write_modes_are_accepted(target: Path) -> None:
    for mode in ("a", "r", "x", "r+"):
        with pytest.raises(ValueError, match="writes whole files"):
            with atomic_open(target, mode):
                pass
    assert target.read_bytes() == OLD


@pytest.mark.parametrize(
    ("exc", "action", "expected"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "write", "permission denied; choose another folder"),
        (OSError(errno.EROFS, "Read-only file system"), "write", "the drive is read-only; choose a folder on another drive"),
        (PermissionError(errno.EACCES, "Permission denied"), "read", "permission denied; ask for access"),
        (OSError(errno.EIO, "Input/output error"), "write", "input/output error; check the file"),
        (OSError("something odd"), "read", "something odd; check the file"),
    ],
)
def test_describe_os_error(exc: OSError, action: str, expected: str) -> None:
    message = describe_os_error(exc, "/x/y.json", action)
    assert message.startswith(f"cannot {action} /x/y.json: {expected}")
    assert "\n" not in message


def test_describe_os_error_checks_the_action() -> None:
    with pytest.raises(ValueError, match="'write' or 'read'"):
        describe_os_error(OSError(), "/x", "append")


def test_staged_files_are_put_in_place_together_or_not_at_all(tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("old first")
    with pytest.raises(OSError):
        with StagedFiles() as staged:
            staged.write(first, "new first")
            assert first.read_text() == "old first"  # nothing in place before the end
            staged.write(tmp_path / "missing" / "x.txt", "cannot be written")
    assert first.read_text() == "old first" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.txt"]
    with StagedFiles() as staged:
        staged.write(first, "new first")
        staged.write(second, b"new second")
    assert (first.read_text(), second.read_bytes()) == ("new first", b"new second")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.txt", "second.txt"]


def test_atomic_write_all_keeps_every_file_when_one_fails(tmp_path):
    kept = tmp_path / "kept.txt"
    kept.write_text("before")
    with pytest.raises(OSError):
        atomic_write_all([(kept, "after"), (tmp_path, "a folder is not a file")])
    assert kept.read_text() == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]
