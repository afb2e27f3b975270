"""Run, Pause/Resume, Step, Stop and Reset: actions enabled only where they make sense."""

from __future__ import annotations

from PySide6.QtCore import QObject

from emgui.shell.actions import make_action
from emgui.shell.document import RunState


class RunActions(QObject):
    """The actions that drive a fit; :meth:`update` enables them for a state."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.run = make_action(parent, "Run", "Fit the model from the start", "F5")
        self.pause = make_action(parent, "Pause", "Pause or resume the running fit", "F6")
        self.pause.setCheckable(True)
        self.step = make_action(parent, "Step", "Run exactly one iteration, then pause", "F10")
        self.stop = make_action(parent, "Stop", "Stop the fit where it is", "Esc")
        self.reset = make_action(parent, "Reset", "Clear the fit and show the data alone", "Ctrl+R")
        self.all = (self.run, self.pause, self.step, self.stop, self.reset)

    def update(self, state: RunState, has_data: bool, held: bool = False) -> None:
        """Enable what makes sense in ``state``; ``held``: a feature shows states of its own."""
        active = state in (RunState.RUNNING, RunState.PAUSED)
        self.run.setEnabled(has_data)
        self.pause.setEnabled(active)
        self.pause.blockSignals(True)
        self.pause.setChecked(state is RunState.PAUSED)
        self.pause.setText("Resume" if state is RunState.PAUSED else "Pause")
        self.pause.blockSignals(False)
        self.step.setEnabled(has_data and state is not RunState.RUNNING)
        self.stop.setEnabled(active)
        self.reset.setEnabled(has_data and not active and (state is not RunState.IDLE or held))
