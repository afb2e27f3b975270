"""Features that add their own menus, actions and docks to the main window.

Each module's ``install(window)`` is called once, at the end of
``MainWindow.__init__``, so the window itself stays a composition of views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from emgui import export_actions, model_selection, teaching

if TYPE_CHECKING:
    from emgui.main_window import MainWindow

INSTALLERS: tuple[Callable[[MainWindow], None], ...] = (
    export_actions.install,
    model_selection.install,
    teaching.install,
)
