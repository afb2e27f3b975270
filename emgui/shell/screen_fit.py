"""Windows that fit the screen they open on: a first size that fits the available area, and
a size and place clamped to it after showing (a restored geometry may come from a bigger
screen, or from before the scaling changed)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: The share of the available area a window takes at most when it first opens.
FIRST_SHARE = 0.9


def fitting_size(preferred: QSize, available: QRect, share: float = FIRST_SHARE) -> QSize:
    """``preferred``, made smaller where it exceeds ``share`` of ``available``."""
    return QSize(min(preferred.width(), int(available.width() * share)),
                 min(preferred.height(), int(available.height() * share)))


def available_area(window: QWidget) -> QRect:
    """The part of the window's screen (else the primary screen) not taken by panels."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def clamp_to_screen(window: QWidget) -> None:
    """Resize and move a shown ``window`` so that its frame lies on its screen's available
    area (as far as its minimum size allows)."""
    area = available_area(window)
    frame = window.frameGeometry()
    extra = QSize(frame.width() - window.width(), frame.height() - window.height())
    width = max(min(window.width(), area.width() - extra.width()), window.minimumWidth())
    height = max(min(window.height(), area.height() - extra.height()), window.minimumHeight())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    move_onto(window, area)


def move_onto(window: QWidget, area: QRect) -> None:
    """Move ``window`` so that as much of its frame as fits lies on ``area``, top left first."""
    frame = window.frameGeometry()
    x = min(max(frame.left(), area.left()), max(area.right() + 1 - frame.width(), area.left()))
    y = min(max(frame.top(), area.top()), max(area.bottom() + 1 - frame.height(), area.top()))
    if (x, y) != (frame.left(), frame.top()):
        window.move(QPoint(x, y))


def grow_within_screen(window: QWidget, extra: QSize) -> QSize:
    """Make ``window`` up to ``extra`` larger, as far as its screen's available area allows
    (not when maximised or full screen); returns how much it grew."""
    if window.isMaximized() or window.isFullScreen() or not window.isVisible():
        return QSize(0, 0)
    area = available_area(window)
    frame = window.frameGeometry()
    grow = QSize(max(0, min(extra.width(), area.width() - frame.width())),
                 max(0, min(extra.height(), area.height() - frame.height())))
    if grow.isNull():
        return grow
    window.resize(window.size() + grow)
    move_onto(window, area)
    return grow
