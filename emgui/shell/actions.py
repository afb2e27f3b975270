"""Making a menu or toolbar action: its text, status tip and shortcut, said the same everywhere."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence


def make_action(
    parent: QObject,
    text: str,
    tip: str,
    shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
    name: str = "",
) -> QAction:
    """An action whose status tip is ``tip``; a shortcut works in the whole window and is
    named in the tool tip; ``name`` is its object name (to find it in tests)."""
    action = QAction(text, parent)
    action.setStatusTip(tip)
    if name:
        action.setObjectName(name)
    if shortcut is not None:
        keys = QKeySequence(shortcut)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip} ({keys.toString()})")
    return action
