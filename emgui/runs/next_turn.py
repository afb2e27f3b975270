"""Finishing a piece of GUI work at the next turn of the event loop, after a paint.

Showing what a task brought back (a session, a model applied to a file) means drawing
the data and then the fit over them; at 200 000 rows each takes most of 100 ms. Done
in one handler they block the window for their sum; :class:`NextTurn` runs the second
after the window has painted and handled input (a timer, not a posted call, which
would run ahead of the paint).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QTimer

#: How long after the first part the second runs: enough for the paint in between.
TURN_MS = 1


class NextTurn(QObject):
    """Calls one function a turn of the event loop later; a newer call replaces it."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._pending: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TURN_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def is_pending(self) -> bool:
        return self._pending is not None

    def call(self, function: Callable[..., None], *args: object) -> None:
        """Call ``function(*args)`` (a method of an object of the GUI thread) next turn."""
        self._pending = partial(function, *args)
        self._timer.start()

    def cancel(self) -> None:
        self._pending = None
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending()
