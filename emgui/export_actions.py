"""Getting results out: parameters, assignments, traces, plots, snippets and sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emgui.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Add this feature's menus and actions to ``window``."""
