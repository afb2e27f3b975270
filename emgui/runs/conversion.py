"""Converting a text table too large for memory to Parquet or ``.npy`` once, as a task with progress and
Cancel (the window's side of ``python main.py convert``, issue 16 point 1).

:func:`convert_steps` runs :func:`emio.convert.convert_text` on a thread of its own
and yields its progress; closing the generator (Cancel, or the window closing)
makes the conversion stop at its next block, and the half-written output is
removed (:func:`emio.atomic.atomic_open`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Generator
from pathlib import Path

from emgui.runs.generators import Progress
from emio.convert import convert_text

#: Text files larger than this many bytes are offered the conversion; ``None``: a quarter
#: of this computer's memory (tests set a small number).
CONVERT_ABOVE_BYTES: int | None = None
#: How often the conversion's progress is looked at.
POLL_S = 0.1
#: What a conversion can write, with the file dialog's filter for each.
TARGET_FILTERS = {".parquet": "Parquet (*.parquet)", ".npy": "NumPy array (*.npy)"}


def target_suffix() -> str:
    """Parquet when pyarrow is installed (it keeps the columns' names), else ``.npy``."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return ".npy"
    return ".parquet"


def memory_bytes() -> int | None:
    """This computer's memory, or ``None`` when it cannot be told."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def convert_above() -> int | None:
    """The size above which a text file is offered the conversion (``None``: never)."""
    if CONVERT_ABOVE_BYTES is not None:
        return CONVERT_ABOVE_BYTES
    memory = memory_bytes()
    return None if memory is None else memory // 4


def should_offer(path: Path) -> bool:
    limit = convert_above()
    try:
        return limit is not None and path.is_file() and path.stat().st_size > limit
    except OSError:
        return False


class _Stopped(Exception):
    """The conversion was cancelled."""


def convert_steps(source: Path, target: Path) -> Generator[Progress, None, Path]:
    """Convert ``source`` to ``target`` (``.parquet`` or ``.npy``), yielding how far it got."""
    stop = threading.Event()
    state: dict[str, object] = {"read": 0, "total": source.stat().st_size, "rows": 0}

    def progress(read: int, total: int, rows: int) -> None:
        if stop.is_set():
            raise _Stopped
        state.update(read=read, total=total, rows=rows)

    def run() -> None:
        try:
            state["result"] = convert_text(source, target, progress=progress)
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed over to the task's thread
            state["error"] = exc

    thread = threading.Thread(target=run, name="em-convert", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(POLL_S)
            read, total = int(state["read"]), max(int(state["total"]), 1)
            yield Progress(read * 1000 // total, 1000,
                           f"Converting {source.name}: {int(state['rows']):,} rows, "
                           f"{100 * read // total}%")
    finally:
        stop.set()
        thread.join()
    if "error" in state:
        raise state["error"]  # type: ignore[misc]
    return target
