"""The iteration player's keys: Space plays or pauses, Left or comma shows the iteration
before, Right or period the next, Home the first and End the last.

They are window-wide actions (listed in View ▸ Iterations and named in the buttons'
tool tips), but they never take a key from a focused control that uses it: a button
or a list keeps Space, a table, a list, a tab bar or another slider keeps its arrows,
Home and End. Text fields claim the keys they type themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QApplication,
    QComboBox,
    QTabBar,
    QToolButton,
    QWidget,
)


@dataclass(frozen=True)
class PlayerKey:
    """A control of the player: its button's name, menu text, keys and what it does."""

    button: str
    text: str
    keys: tuple[str, ...]
    tip: str


PLAYER_KEYS = (
    PlayerKey("play_button", "&Play or Pause", ("Space",), "Play the iterations from here, or pause"),
    PlayerKey("back_button", "Pre&vious Iteration", ("Left", ","), "One iteration back"),
    PlayerKey("forward_button", "&Next Iteration", ("Right", "."), "One iteration on"),
    PlayerKey("first_button", "&First Iteration", ("Home",), "First iteration"),
    PlayerKey("last_button", "&Last Iteration", ("End",), "Last iteration"),
)

def _code(key: object) -> int:
    """A key as a plain number (Qt gives an enum member or an int, by the call)."""
    return int(getattr(key, "value", key))


_SPACE = {_code(Qt.Key.Key_Space)}
_MOVES = {_code(k) for k in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End)}


def keys_text(keys: tuple[str, ...]) -> str:
    """``keys`` as the platform names them: "Left, ,"."""
    return ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)


def uses_key(widget: QWidget, key: int) -> bool:
    """Whether a focused ``widget`` does something with ``key`` (a plain number) itself."""
    if key in _SPACE:
        return isinstance(widget, (QAbstractButton, QComboBox, QAbstractItemView))
    if key in _MOVES:
        return isinstance(widget, (QAbstractItemView, QComboBox, QTabBar, QAbstractSlider))
    return False


class PlayerKeys(QObject):
    """The actions of ``player``'s buttons (``actions``), each pressing its button; a key
    is left to the focused widget when that widget uses it (see :func:`uses_key`)."""

    def __init__(self, player: QWidget) -> None:
        super().__init__(player)
        self._player = player
        self._keys: set[int] = set()
        self._watched: QWidget | None = None
        self.actions: list[QAction] = []
        for spec in PLAYER_KEYS:
            button: QToolButton = getattr(player, spec.button)
            action = QAction(spec.text, player)
            action.setObjectName(spec.button.replace("_button", "_key_action"))
            action.setShortcuts([QKeySequence(k) for k in spec.keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setStatusTip(f"{spec.tip} ({keys_text(spec.keys)})")
            action.triggered.connect(button.click)
            self._keys |= {_code(QKeySequence(k)[0].key()) for k in spec.keys}
            self.actions.append(action)
        player.addActions(self.actions)
        self.tips = {spec.button: keys_text(spec.keys) for spec in PLAYER_KEYS}
        app = QApplication.instance()
        app.focusChanged.connect(self._on_app_focus_changed)
        self._on_app_focus_changed(None, app.focusWidget())

    def _on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        # The focused widget is the one that hears of a key first (ShortcutOverride).
        if self._watched is not None:
            self._watched.removeEventFilter(self)
            self._watched.destroyed.disconnect(self._on_watched_destroyed)
            self._watched = None
        if new is not None and new.window() is self._player.window():
            self._watched = new
            new.installEventFilter(self)
            new.destroyed.connect(self._on_watched_destroyed)

    def _on_watched_destroyed(self) -> None:
        self._watched = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            key = _code(event.key())
            if (key in self._keys and isinstance(watched, QWidget)
                    and not self._player.isAncestorOf(watched) and uses_key(watched, key)):
                event.accept()  # the widget keeps the key
        return False
