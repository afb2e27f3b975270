"""What the three thread registries (fits, model selection, file loading) share.

Each registry maps a ``QThread`` to its worker and forgets the pair when the
thread's ``finished`` arrives. ``QObject.sender()`` alone cannot be trusted to
name that thread: on a loaded machine it was seen to miss, which left an ended
thread registered for ever (and a window that waits for its fits to end before
closing would never close). So a registry also forgets every thread that says
it has finished, and looks again shortly while a worker has returned but its
thread is still winding down.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QThread

#: Milliseconds before a registry looks again for a thread that is just ending.
RECHECK_MS = 20


def ended_threads(threads: Iterable[QThread], sender: object) -> list[QThread]:
    """The registered threads that have ended: ``sender`` (the thread whose
    ``finished`` is being handled) and any other that reports it has finished."""
    return [thread for thread in threads if thread is sender or thread.isFinished()]
