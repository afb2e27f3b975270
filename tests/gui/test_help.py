"""The Help menu: pages made from what they describe (actions, model declarations, the
README), and an About box with the versions in use."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import numpy as np
import pyqtgraph
import PySide6
import pytest
from PySide6.QtGui import QAction

from emgui.features import installed
from emgui.features.help import HelpMenu, pages
from emgui.shell.actions import make_action
from engine.models import registry

README = Path(__file__).resolve().parents[2] / "README.md"


def help_of(window) -> HelpMenu:
    return installed(window.host, HelpMenu)


def test_the_help_menu_comes_last_with_its_entries(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-1] == "&Help"
    entries = [a.text() for a in window.help_menu.actions() if not a.isSeparator()]
    assert entries == ["&Getting Started", "&Keyboard Shortcuts", "&Models and Their Assumptions",
                       "User &Guide", "&About EM Studio"]


def test_getting_started_opens_on_f1(window):
    menu = help_of(window)
    assert menu.start_action.shortcut().toString() == "F1"
    menu.start_action.trigger()
    dialog = menu.dialog
    assert dialog.isVisible() and dialog.tabs.currentIndex() == 0
    assert "Open data" in dialog.start.toPlainText()


def test_the_shortcuts_page_lists_every_shortcut_of_the_window_even_ones_added_later(window):
    menu = help_of(window)
    menu.shortcuts_action.trigger()
    text = menu.dialog.shortcuts.toPlainText()
    with_keys = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(with_keys) >= 8
    for action in with_keys:
        assert pages.plain_text(action.text()) in text
        assert action.shortcut().toString() in text
    assert text.index("Run menu") < text.index("View menu") < text.index("Help menu")
    # A feature adding an action afterwards: the page is made again when opened.
    late = make_action(window, "Late &Action…", "added after the Help menu", "Ctrl+Shift+J")
    window.view_menu.addAction(late)
    menu.shortcuts_action.trigger()
    text = menu.dialog.shortcuts.toPlainText()
    assert "Late Action" in text and "Ctrl+Shift+J" in text


def test_shortcuts_follow_the_menu_bar_and_each_menus_order(window):
    rows = pages.shortcuts(window.findChildren(QAction), ["File", "Run", "View", "Help"])
    run = [r.action for r in rows if r.place == "Run"]
    assert run[:3] == ["Run", "Pause", "Step"]
    places = list(dict.fromkeys(r.place for r in rows))
    assert places[0] == "File" and places[-1] == "in its panel"


def test_the_models_page_says_what_every_registered_model_assumes(window, no_gaps_model):
    menu = help_of(window)
    menu.models_action.trigger()
    text = menu.dialog.models.toPlainText()
    for name in registry.model_names():
        cls = registry.model_class(name)
        assert cls.title in text and cls.summary in text
    # The model registered by the fixture, which does not fit rows with gaps, is there too.
    assert "No-gaps Poisson" in text and "must be dropped first" in text
    spec = registry.option_spec("gaussian", "covariance_type")
    for choice in spec.current_choices():
        assert spec.describe(choice) in text


def test_the_user_guide_holds_every_section_of_the_readme(window):
    headings = re.findall(r"^## (.+)$", README.read_text(encoding="utf-8"), flags=re.MULTILINE)
    menu = help_of(window)
    assert [s.title for s in menu.sections] == ["Introduction", *headings]
    entries = [a.text() for a in menu.guide_menu.actions()]
    assert entries == ["Introduction", *headings]
    target = next(a for a in menu.guide_menu.actions() if a.text() == "Missing values")
    target.trigger()
    dialog = menu.dialog
    assert dialog.tabs.currentIndex() == 3 and dialog.section_shown() == "Missing values"
    assert "EM was devised for incomplete data" in dialog.guide.toPlainText()


def test_a_link_inside_the_readme_opens_its_section(window):
    menu = help_of(window)
    dialog = menu.show_help("guide", "Introduction")
    from PySide6.QtCore import QUrl

    dialog.guide.anchorClicked.emit(QUrl("#missing-values"))
    assert dialog.section_shown() == "Missing values"


def test_without_a_checkout_the_guide_comes_from_the_installed_metadata(monkeypatch, tmp_path):
    monkeypatch.setattr(pages, "CHECKOUT_README", tmp_path / "README.md")
    sections = pages.readme_sections(pages.readme_text())
    assert "The window" in [s.title for s in sections]


def test_readme_sections_skip_pictures_and_headings_inside_code():
    text = "# Title\n\nIntro.\n\n![shot](docs/a.png)\n\n## One\n\n```\n## not a heading\n```\n\n## Two\nText.\n"
    sections = pages.readme_sections(text)
    assert [s.title for s in sections] == ["Introduction", "One", "Two"]
    assert "docs/a.png" not in sections[0].text
    assert "## not a heading" in sections[1].text
    assert pages.Section("Data larger than memory, and Dask clusters", "").anchor == (
        "data-larger-than-memory-and-dask-clusters"
    )


def test_the_about_box_gives_the_versions_in_use(window):
    about = help_of(window).show_about()
    text = about.label.text()
    for version in (np.__version__, PySide6.__version__, pyqtgraph.__version__):
        assert version in text
    found = pages.versions()
    assert set(found) == {"EM Studio", "Python", "Qt", "PySide6", "NumPy", "pyqtgraph"}
    assert found["EM Studio"] == importlib.metadata.version("em-studio")


def test_closing_the_window_closes_its_dialogs_and_floating_panels(qtbot, window, threads):
    """Help and a floating panel left open went on showing after their window closed."""
    from PySide6.QtWidgets import QDockWidget

    menu = help_of(window)
    menu.start_action.trigger()
    panel = window.findChild(QDockWidget, "pairs_dock")
    panel.show()
    panel.setFloating(True)
    assert menu.dialog.isVisible() and panel.isVisible() and panel.isWindow()
    window.close()
    qtbot.waitUntil(lambda: not threads.busy(owner=window))
    assert not window.isVisible()
    assert not menu.dialog.isVisible() and not panel.isVisible()
