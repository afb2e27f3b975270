"""Run, Pause/Resume, Step, Stop and Reset: actions enabled only where they make sense."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from emgui.fit_controller import RunState


def _action(parent: QObject, text: str, shortcut: str | QKeySequence.StandardKey, tip: str) -> QAction:
    action = QAction(text, parent)
    action.setShortcut(QKeySequence(shortcut))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
    action.setStatusTip(tip)
    return action


class RunActions(QObject):
    """The actions that drive a fit; :meth:`update` enables them for a state."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.run = _action(parent, "Run", "F5", "Fit the model from the start")
        self.pause = _action(parent, "Pause", "F6", "Pause or resume the running fit")
        self.pause.setCheckable(True)
        self.step = _action(parent, "Step", "F10", "Run exactly one iteration, then pause")
        self.stop = _action(parent, "Stop", "Esc", "Stop the fit where it is")
        self.reset = _action(parent, "Reset", "Ctrl+R", "Clear the fit and show the data alone")
        self.all = (self.run, self.pause, self.step, self.stop, self.reset)

    def update(self, state: RunState, has_data: bool) -> None:
        active = state in (RunState.RUNNING, RunState.PAUSED)
        self.run.setEnabled(has_data)
        self.pause.setEnabled(active)
        self.pause.blockSignals(True)
        self.pause.setChecked(state is RunState.PAUSED)
        self.pause.setText("Resume" if state is RunState.PAUSED else "Pause")
        self.pause.blockSignals(False)
        self.step.setEnabled(has_data and state is not RunState.RUNNING)
        self.stop.setEnabled(active)
        self.reset.setEnabled(has_data and not active and state is not RunState.IDLE)
