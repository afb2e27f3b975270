"""Analyse > Choose K and Model and Analyse > Explore Restarts.

:func:`install` adds the two entries to the Analyse menu. Each opens a
non-modal dialog over the window (made on first use, then reused); their
threads belong to the dialogs, so closing the window stops them and waits.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog

from emgui.features.analysis.restarts_dialog import RestartsDialog
from emgui.features.analysis.selection_dialog import ModelSelectionDialog
from emgui.shell.actions import make_action
from emgui.shell.host import Host

__all__ = ["ModelSelection", "install"]


class ModelSelection(QObject):
    """The feature's actions and dialogs for one window (a child of the host's widget)."""

    def __init__(self, host: Host) -> None:
        super().__init__(host.parent_widget)
        self._host = host
        parent = host.parent_widget
        self.choose_action = make_action(
            parent, "Choose &K and Model…",
            "Fit every K and model, compare them by BIC, AIC or ICL, and open any fit",
        )
        self.restarts_action = make_action(
            parent, "Explore &Restarts…",
            "Run many starts of the current settings and compare where each one ends",
        )
        host.add_actions("analyse", [self.choose_action, self.restarts_action])
        self.selection_dialog: ModelSelectionDialog | None = None
        self.restarts_dialog: RestartsDialog | None = None
        self.choose_action.triggered.connect(self._on_choose_action_triggered)
        self.restarts_action.triggered.connect(self._on_restarts_action_triggered)

    def show_selection_dialog(self) -> ModelSelectionDialog:
        if self.selection_dialog is None:
            self.selection_dialog = ModelSelectionDialog(self._host)
        return _present(self.selection_dialog)

    def show_restarts_dialog(self) -> RestartsDialog:
        if self.restarts_dialog is None:
            self.restarts_dialog = RestartsDialog(self._host)
        return _present(self.restarts_dialog)

    def _on_choose_action_triggered(self) -> None:
        self.show_selection_dialog()

    def _on_restarts_action_triggered(self) -> None:
        self.show_restarts_dialog()


def _present(dialog: QDialog) -> QDialog:
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def install(host: Host) -> ModelSelection:
    """Add Choose K and Model and Explore Restarts to the Analyse menu."""
    return ModelSelection(host)
