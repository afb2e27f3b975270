"""EM made visible: half-steps, the responsibilities table, the lower bound, hard vs soft
E-steps and means dragged by hand.

``session`` steps the engine by halves; ``resp_table``, ``bound_plot`` and
``hard_soft`` draw; ``seeding`` offers the means to drag; ``lesson`` wires
them into the main window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emgui.teaching.lesson import Lesson

if TYPE_CHECKING:
    from emgui.main_window import MainWindow

__all__ = ["Lesson", "install", "lesson_of"]


def install(window: MainWindow) -> None:
    """Add the E-step and M-step actions, the teaching docks and draggable means to ``window``."""
    Lesson(window)


def lesson_of(window: MainWindow) -> Lesson:
    """The lesson installed in ``window``."""
    lesson = window.findChild(Lesson, "lesson")
    if lesson is None:
        raise LookupError("this window has no lesson installed")
    return lesson
