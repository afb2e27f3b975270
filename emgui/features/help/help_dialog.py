"""The Help window (getting started, keyboard shortcuts, models, user guide) and the About box."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from emgui.features.help.pages import Section

PAGES = ("start", "shortcuts", "models", "guide")


def _browser() -> QTextBrowser:
    browser = QTextBrowser()
    browser.setOpenLinks(False)
    return browser


class HelpDialog(QDialog):
    """One window, a tab per page; made once and shown again (not modal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("EM Studio Help")
        self.start = _browser()
        self.shortcuts = _browser()
        self.models = _browser()
        self.guide_list = QListWidget()
        self.guide_list.setToolTip("The sections of the README, EM Studio's user guide.")
        self.guide_list.setMinimumWidth(240)
        self.guide = _browser()
        guide_page = QWidget()
        guide_layout = QHBoxLayout(guide_page)
        guide_layout.setContentsMargins(0, 0, 0, 0)
        guide_layout.addWidget(self.guide_list, 1)
        guide_layout.addWidget(self.guide, 3)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.start, "Getting started")
        self.tabs.addTab(self.shortcuts, "Keyboard shortcuts")
        self.tabs.addTab(self.models, "Models")
        self.tabs.addTab(guide_page, "User guide")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self._sections: list[Section] = []
        self.guide_list.currentRowChanged.connect(self._on_guide_list_current_row_changed)
        for browser in (self.start, self.shortcuts, self.models, self.guide):
            browser.anchorClicked.connect(self._on_browser_anchor_clicked)
        self.resize(760, 600)

    def set_pages(self, start_markdown: str, shortcuts_html: str, models_html: str,
                  sections: list[Section]) -> None:
        self.start.setMarkdown(start_markdown)
        self.shortcuts.setHtml(shortcuts_html)
        self.models.setHtml(models_html)
        self._sections = sections
        self.guide_list.blockSignals(True)
        self.guide_list.clear()
        self.guide_list.addItems([s.title for s in sections])
        self.guide_list.blockSignals(False)
        if not sections:
            self.guide.setPlainText("The README could not be found in this installation.")
        elif self.guide_list.currentRow() < 0:
            self.guide_list.setCurrentRow(0)

    def show_page(self, page: str, section: str = "") -> None:
        """Show tab ``page`` (one of :data:`PAGES`); for the guide, the section titled ``section``."""
        self.tabs.setCurrentIndex(PAGES.index(page))
        if section:
            titles = [s.title for s in self._sections]
            if section in titles:
                self.guide_list.setCurrentRow(titles.index(section))
        self.show()
        self.raise_()
        self.activateWindow()

    def section_shown(self) -> str:
        row = self.guide_list.currentRow()
        return self._sections[row].title if 0 <= row < len(self._sections) else ""

    def _on_guide_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._sections):
            self.guide.setMarkdown(self._sections[row].text)

    def _on_browser_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        # A link within the README (``#missing-values``): that section.
        anchor = url.fragment()
        for row, section in enumerate(self._sections):
            if section.anchor == anchor:
                self.tabs.setCurrentIndex(PAGES.index("guide"))
                self.guide_list.setCurrentRow(row)
                return


class AboutDialog(QDialog):
    """EM Studio's version and those of what it runs on."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About EM Studio")
        self.label = QLabel(text)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
