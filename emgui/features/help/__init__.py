"""The Help menu: getting started, the keyboard shortcuts, the models' assumptions, the user
guide (the README, by section) and the About box.

:func:`install` adds the menu's entries; the pages are made when opened, from the
window's actions and the engine's declarations (:mod:`~emgui.features.help.pages`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from emgui.features.help import pages
from emgui.features.help.help_dialog import AboutDialog, HelpDialog
from emgui.shell.actions import make_action
from emgui.shell.host import Host

__all__ = ["HelpMenu", "install"]


class HelpMenu(QObject):
    """The Help menu's actions and windows for one window."""

    def __init__(self, host: Host) -> None:
        parent = host.parent_widget
        super().__init__(parent)
        self._host = host
        self.start_action = make_action(
            parent, "&Getting Started", "A short tour: open data, choose a model, run, read",
            QKeySequence.StandardKey.HelpContents,
        )
        self.shortcuts_action = make_action(
            parent, "&Keyboard Shortcuts", "Every keyboard shortcut of the window"
        )
        self.models_action = make_action(
            parent, "&Models and Their Assumptions",
            "What each model takes for granted about the data, and its options",
        )
        self.sections = pages.readme_sections(pages.readme_text())
        self.guide_menu = QMenu("User &Guide", parent)
        self.guide_menu.setStatusTip("The sections of the README, EM Studio's user guide")
        for section in self.sections:
            action = self.guide_menu.addAction(section.title)
            action.setData(section.title)
        self.about_action = make_action(
            parent, "&About EM Studio", "EM Studio's version and those of Python, Qt, NumPy and "
            "pyqtgraph",
        )
        host.add_actions("help", [self.start_action, self.shortcuts_action, self.models_action,
                                  self.guide_menu, None, self.about_action])
        self.dialog: HelpDialog | None = None
        self.about_dialog: AboutDialog | None = None
        self.start_action.triggered.connect(self._on_start_action_triggered)
        self.shortcuts_action.triggered.connect(self._on_shortcuts_action_triggered)
        self.models_action.triggered.connect(self._on_models_action_triggered)
        self.guide_menu.triggered.connect(self._on_guide_menu_triggered)
        self.about_action.triggered.connect(self._on_about_action_triggered)

    def show_help(self, page: str, section: str = "") -> HelpDialog:
        """The Help window on ``page`` (see :data:`~emgui.features.help.help_dialog.PAGES`),
        its pages made afresh (a feature may have added shortcuts since)."""
        if self.dialog is None:
            self.dialog = HelpDialog(self._host.parent_widget)
        window = self._host.parent_widget
        bars = window.findChildren(QMenuBar)
        menus = [pages.plain_text(a.text()) for a in bars[0].actions()] if bars else []
        shortcuts = pages.shortcuts(window.findChildren(QAction), menus)
        self.dialog.set_pages(
            pages.getting_started_text(), pages.shortcuts_html(shortcuts),
            pages.models_html(), self.sections,
        )
        self.dialog.show_page(page, section)
        return self.dialog

    def show_about(self) -> AboutDialog:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(
                pages.about_html(pages.versions()), self._host.parent_widget
            )
        self.about_dialog.show()
        self.about_dialog.raise_()
        return self.about_dialog

    def _on_start_action_triggered(self) -> None:
        self.show_help("start")

    def _on_shortcuts_action_triggered(self) -> None:
        self.show_help("shortcuts")

    def _on_models_action_triggered(self) -> None:
        self.show_help("models")

    def _on_guide_menu_triggered(self, action: QAction) -> None:
        self.show_help("guide", str(action.data()))

    def _on_about_action_triggered(self) -> None:
        self.show_about()


def install(host: Host) -> HelpMenu:
    """Add the Help menu's entries."""
    return HelpMenu(host)
