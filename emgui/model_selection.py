"""Choosing K and the model: the BIC/AIC/ICL explorer and the restarts explorer.

Adds two entries to the window's Analyse menu. Each opens a non-modal dialog
owned by the window (made on first use, then reused); a :class:`CloseGuard`
keeps the window open until the dialogs' threads have stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from emgui.restarts_dialog import RestartsDialog
from emgui.selection_dialog import ModelSelectionDialog
from emgui.selection_hooks import CloseGuard

if TYPE_CHECKING:
    from emgui.main_window import MainWindow


class ModelSelection(QObject):
    """The feature's actions and dialogs for one window (a child of the window)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.choose_action = QAction("Choose &K and Model…", window)
        self.choose_action.setStatusTip(
            "Fit every K and model, compare them by BIC, AIC or ICL, and open any fit")
        self.restarts_action = QAction("Explore &Restarts…", window)
        self.restarts_action.setStatusTip(
            "Run many starts of the current settings and compare where each one ends")
        window.analyse_menu.addAction(self.choose_action)
        window.analyse_menu.addAction(self.restarts_action)
        self.selection_dialog: ModelSelectionDialog | None = None
        self.restarts_dialog: RestartsDialog | None = None
        self.guard = CloseGuard(window, [])
        self.choose_action.triggered.connect(self.show_selection_dialog)
        self.restarts_action.triggered.connect(self.show_restarts_dialog)

    def show_selection_dialog(self) -> ModelSelectionDialog:
        if self.selection_dialog is None:
            self.selection_dialog = ModelSelectionDialog(self.window)
            self.guard.add_runner(self.selection_dialog.threads)
        return _present(self.selection_dialog)

    def show_restarts_dialog(self) -> RestartsDialog:
        if self.restarts_dialog is None:
            self.restarts_dialog = RestartsDialog(self.window)
            self.guard.add_runner(self.restarts_dialog.threads)
        return _present(self.restarts_dialog)


def _present(dialog: QDialog) -> QDialog:
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def install(window: MainWindow) -> None:
    """Add this feature's menus and actions to ``window``."""
    # A child of the window, so it lives as long as the window (find it with findChild).
    ModelSelection(window)
