"""View ▸ Show Legend: the scatter's legend (component colours and weights, the 1, 2 and 3 sd
ellipses, the mean marker) on or off, remembered between sessions."""

from __future__ import annotations

from PySide6.QtCore import QObject

from emgui.shell.actions import make_action
from emgui.shell.host import Host

LEGEND_KEY = "view/show_legend"


class LegendToggle(QObject):
    """The View menu's legend switch for one window."""

    def __init__(self, host: Host) -> None:
        super().__init__(host.parent_widget)
        self._host = host
        self.action = make_action(
            host.parent_widget, "Show &Legend",
            "Show the scatter's legend: component colours with their weights, the 1, 2 and 3 "
            "standard-deviation ellipses and the mean marker (drag it aside if it hides points)",
        )
        self.action.setCheckable(True)
        self.action.setChecked(host.settings.value(LEGEND_KEY, True, type=bool))
        host.add_actions("view", [self.action])
        host.canvas.set_legend_visible(self.action.isChecked())
        self.action.toggled.connect(self._on_action_toggled)

    def _on_action_toggled(self, checked: bool) -> None:
        self._host.settings.setValue(LEGEND_KEY, checked)
        self._host.canvas.set_legend_visible(checked)


def install(host: Host) -> LegendToggle:
    """Add View ▸ Show Legend."""
    return LegendToggle(host)
