"""EM made visible: half-steps, the responsibilities table, the lower bound, hard vs soft
E-steps and means dragged by hand.

``half_steps`` steps the engine by halves; ``resp_table`` and ``bound_plot``
draw; ``hard_soft`` runs, draws and offers the comparison of hard and soft EM;
``dragging`` turns a dragged mean into an edit; ``step_status`` words the status
line of a half-step; ``lesson`` puts them in the window through its host.
"""

from __future__ import annotations

from emgui.features.teaching.lesson import Lesson
from emgui.shell.host import Host

__all__ = ["Lesson", "install"]


def install(host: Host) -> Lesson:
    """Add the E-step and M-step actions, the teaching docks and draggable means."""
    return Lesson(host)
