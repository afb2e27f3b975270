"""Issue 19's visual leftovers and issue 14's names in the window: the analysis dialogs take
the dark palette, panels fit a 1024x700 window, axis titles fit short plots, component
colours read on a dark background, and the Gaussian's covariances are called by mclust's
names everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from sklearn.datasets import load_wine

from emgui.features import installed
from emgui.features.analysis import ModelSelection
from emgui.features.help.pages import models_html
from emgui.features.labels.known_labels import KnownLabels
from emgui.features.teaching.lesson import Lesson
from emgui.shell.palette import dark_palette
from emgui.shell.window_layout import first_widths
from emgui.views.colors import PALETTE
from emgui.views.plot_style import new_plot_widget, set_axis_label
from emio.tables import read_table

MCLUST = ("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV",
          "EVV", "VVV")


@pytest.fixture
def dark(qapp):
    """The application in a dark palette, as a dark system theme gives it; restored after."""
    before = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    yield dark_palette()
    qapp.setPalette(before)


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory) -> Path:
    """Five of the wine data's columns (scales from 1 to 1000) with the cultivar as text."""
    wine = load_wine()
    columns = ["alcohol", "malic_acid", "flavanoids", "color_intensity", "proline"]
    frame = pd.DataFrame(wine.data, columns=wine.feature_names)[columns]
    frame["cultivar"] = [f"class_{t}" for t in wine.target]
    path = tmp_path_factory.mktemp("wine") / "wine5.csv"
    frame.to_csv(path, index=False)
    return path


def luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def plot_backgrounds(widget) -> list[str]:
    return [view.backgroundBrush().color().name() for view in widget.findChildren(pg.GraphicsView)]


def run_sweep(qtbot, window, faithful_csv) -> object:
    assert window.open_file(faithful_csv, ask=False)
    dialog = installed(window.host, ModelSelection).show_selection_dialog()
    dialog.k_edit.setText("1-2")
    dialog.n_init_spin.setValue(1)
    with qtbot.waitSignal(dialog.sweep_finished, timeout=60_000):
        dialog.run_bar.run_button.click()
    return dialog


# --- dark palette -----------------------------------------------------------------------------


def test_choose_k_under_a_dark_theme_draws_its_chart_on_the_dark_background(
    qtbot, dark, window, faithful_csv
):
    dialog = run_sweep(qtbot, window, faithful_csv)
    base = dark.color(QPalette.ColorRole.Base).name()
    ink = dark.color(QPalette.ColorRole.Text).name()
    assert dialog.palette().color(QPalette.ColorRole.Window).lightness() < 128
    assert plot_backgrounds(dialog) and set(plot_backgrounds(dialog)) == {base}
    scene_items = [item for view in dialog.findChildren(pg.GraphicsView)
                   for item in view.scene().items()]
    axes = [item for item in scene_items if isinstance(item, pg.AxisItem) and item.isVisible()]
    assert axes and {axis.textPen().color().name() for axis in axes} == {ink}
    # The word under the best cell's ring lies within the chart, above its axis.
    best = next(item for item in scene_items
                if isinstance(item, pg.TextItem) and item.toPlainText() == "best")
    box = next(item for item in scene_items if isinstance(item, pg.ViewBox))
    qtbot.waitUntil(lambda: best.isVisible()
                    and box.sceneBoundingRect().contains(best.sceneBoundingRect()))
    legends = [item for item in scene_items if isinstance(item, pg.LegendItem)]
    assert legends
    for legend in legends:
        assert legend.opts["brush"].color().lightness() < 128
        assert QColor(legend.opts["labelTextColor"]).name() == ink


def test_restarts_follows_the_main_windows_own_palette(qtbot, window, faithful_csv):
    assert window.open_file(faithful_csv, ask=False)
    window.setPalette(dark_palette())
    dialog = installed(window.host, ModelSelection).show_restarts_dialog()
    base = dark_palette().color(QPalette.ColorRole.Base).name()
    assert plot_backgrounds(dialog) and set(plot_backgrounds(dialog)) == {base}
    # And back: a dialog already open follows the window's palette as it changes.
    window.setPalette(QApplication.palette())
    light = QApplication.palette().color(QPalette.ColorRole.Base).name()
    qtbot.waitUntil(lambda: set(plot_backgrounds(dialog)) == {light})


def test_the_dialogs_first_open_at_a_size_that_fits_the_screen(qtbot, window):
    feature = installed(window.host, ModelSelection)
    for dialog in (feature.show_selection_dialog(), feature.show_restarts_dialog()):
        area = dialog.screen().availableGeometry()
        assert dialog.width() <= area.width() and dialog.height() <= area.height()
        # Not shrunk below what the screen allows either: the default where it fits.
        assert dialog.height() >= min(int(area.height() * 0.9), 700)
    # Shrunk to the screen, Explore Restarts gives its plots more room than its table.
    restarts = feature.restarts_dialog
    assert restarts.width() < 1120
    qtbot.waitUntil(lambda: restarts.curves.width() > restarts.table_view.width())


def test_every_component_colour_reads_on_white_and_on_a_dark_theme():
    dark_base = dark_palette().color(QPalette.ColorRole.Base)
    for code in PALETTE:
        assert contrast(QColor(code), dark_base) >= 3.0, code
        assert contrast(QColor(code), QColor("white")) >= 2.2, code


# --- room for every panel at 1024x700 ------------------------------------------------------


def test_the_label_comparison_button_is_whole_in_a_1024x700_window(
    qtbot, window, labelled_csv
):
    window.resize(1024, 700)
    window.document.set_data(read_table(labelled_csv, labels="cultivar"), labelled_csv.name)
    window.document.set_options(window.document.options.replace(
        model="gaussian", n_components=3, n_init=2, seed=0))
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()
    labels = installed(window.host, KnownLabels)
    button = labels.panel.colour_button
    qtbot.waitUntil(lambda: labels.dock.isVisible() and button.isVisible())
    scroll = labels.dock.widget().viewport()

    def button_in_view() -> bool:
        top = button.mapTo(scroll, QPoint(0, 0)).y()
        return top >= 0 and top + button.height() <= scroll.height()

    qtbot.waitUntil(button_in_view)
    assert window.height() <= 700


def test_at_1600x1000_the_results_show_three_components_of_five_columns_uncut(
    qtbot, window, labelled_csv
):
    window.resize(1600, 1000)
    first_widths(window, window.settings_dock, window.results_dock)
    window.document.set_data(read_table(labelled_csv, labels="cultivar"), labelled_csv.name)
    window.document.set_options(window.document.options.replace(
        model="gaussian", n_components=3, covariance_type="full", n_init=2, seed=0))
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()
    window.results_dock.raise_()
    browser = window.results_pane.browser
    qtbot.waitUntil(lambda: browser.isVisible() and "Sizes" in browser.toPlainText())
    qtbot.waitUntil(lambda: browser.horizontalScrollBar().maximum() == 0)


def test_the_lower_bound_plot_is_whole_in_its_dock_with_its_axis_title(
    qtbot, window, faithful_csv
):
    window.resize(1024, 700)
    assert window.open_file(faithful_csv, ask=False)
    lesson = installed(window.host, Lesson)
    for _ in range(2):
        lesson.e_step_action.trigger()
        qtbot.waitUntil(lambda: not lesson.step_pending)  # a turn after the docks
        lesson.m_step_action.trigger()
    plot = lesson.bound_plot.plot_widget
    qtbot.waitUntil(lambda: lesson.bound_dock.isVisible() and plot.isVisible())
    # Nothing of the plot (its axis titles included) lies below the edge of the dock's
    # scroll area: the panel's text may scroll, the plot is whole in view.
    viewport = lesson.bound_dock.widget().viewport()

    def plot_in_view() -> bool:
        top = plot.mapTo(viewport, QPoint(0, 0)).y()
        return top >= 0 and top + plot.height() <= viewport.height()

    qtbot.waitUntil(plot_in_view)
    assert plot.getPlotItem().getAxis("left").labelText == "log-likelihood"


def test_an_axis_title_fits_a_short_plot_and_comes_back_whole_when_it_grows(qtbot):
    widget = new_plot_widget()
    qtbot.addWidget(widget)
    name = "a column name far too long for a short plot's side"
    set_axis_label(widget.getPlotItem(), "left", name)
    axis = widget.getPlotItem().getAxis("left")
    widget.resize(400, 120)
    widget.show()
    qtbot.waitUntil(lambda: axis.labelText not in ("", name))
    assert axis.toolTip() == name  # the whole name is a hover away
    widget.resize(400, 900)
    qtbot.waitUntil(lambda: axis.labelText == name)


# --- mclust's names ---------------------------------------------------------------------------


def test_the_covariance_combo_says_mclusts_names_with_the_familiar_words(window):
    combo = window.settings_panel.option_field("covariance_type").combo
    texts = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}
    assert texts["full"] == "VVV (full)"
    assert texts["tied"] == "EEE (tied)"
    assert texts["diag"] == "VVI (diag)"
    assert texts["spherical"] == "VII (spherical)"
    assert {text.split(" ")[0] for text in texts.values()} == set(MCLUST)
    tip = combo.itemData(list(texts).index("EEV"), 3)  # Qt.ToolTipRole
    assert "EEV:" in tip and "shape E: equal" in tip and "orientation V: each component its own" in tip


def test_the_models_help_page_lists_the_fourteen_models_in_mclusts_order():
    page = models_html()
    listed = re.findall(r"<li>([A-Z]{3}) covariance", page)
    assert listed == list(MCLUST)
    assert "E equal for all components, V each component its own, I the identity" in page
