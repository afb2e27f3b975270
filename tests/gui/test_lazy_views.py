"""The histogram and the count view are made when data first need them (issue 13 point 9:
they were a fifth of a window's build each, though only one view shows), and are then
drawn, styled and given menus as if they had been there from the start."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette

from emgui.features.plot_menus import PlotMenu
from emgui.shell.main_window import MainWindow
from emgui.shell.palette import dark_palette
from emgui.views.discrete_view import DiscreteView
from emgui.views.histogram_view import HistogramView
from emio.tables import Table


def made(window: MainWindow) -> tuple[int, int]:
    """How many histogram views and count views the window holds."""
    return len(window.findChildren(HistogramView)), len(window.findChildren(DiscreteView))


def fit(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()


def test_a_new_window_makes_neither_view_until_data_need_it(qtbot, window):
    assert made(window) == (0, 0)
    assert window.open_sample("blobs")
    fit(qtbot, window)
    # Everything a feature or the shell asks of the views leaves them unmade.
    window.reset()
    assert window.display.plot_widget("fit") is window.views.scatter.plot_widget
    assert window.display.kind == "scatter"
    assert made(window) == (0, 0)
    assert window.open_sample("heights")
    assert window.views.kind == "histogram" and made(window) == (1, 0)
    assert window.open_sample("two_coins")
    assert window.views.kind == "discrete" and made(window) == (1, 1)
    # Made once: the same views show the data again.
    histogram = window.views.histogram
    assert window.open_sample("heights")
    assert window.views.currentWidget() is histogram and made(window) == (1, 1)


def test_the_plots_keep_their_share_of_a_new_window(qtbot, window):
    """A stack asks the room of its largest page: the count view, made with the window
    before, gave the plots about twice the trace's height; the scatter alone (86 px
    before data, for its height at its width) gave them half the trace's."""
    qtbot.waitUntil(lambda: window.centralWidget().sizes()[0] > 0)
    plots, trace = window.centralWidget().sizes()
    assert plots > trace


def test_the_histograms_mean_handles_make_it_only_when_shown_on_it(qtbot, window):
    assert window.open_sample("heights")
    handles = window.views.handles
    handles.show([[150.0], [170.0]], [0, 1], "histogram")
    lines = handles.handles
    assert len(lines) == 2 and all(isinstance(line, pg.InfiniteLine) for line in lines)
    assert all(line in window.views.histogram.plot_item.items for line in lines)


def plot_colours(view: pg.GraphicsView) -> list[tuple[str, str]]:
    """The background's and every visible axis's colours of ``view``."""
    found = [("background", view.backgroundBrush().color().name())]
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem) and item.isVisible():
            found += [("axis", item.pen().color().name()),
                      ("tick labels", item.textPen().color().name())]
            if item.labelText:
                found.append(("axis title", item.labelStyle.get("color")))
    return found


def test_a_view_made_later_takes_the_windows_palette(qtbot, window):
    """The window's own dark palette (not the application's, which a new plot reads) is
    given to a view made after it."""
    dark = dark_palette()
    window.setPalette(dark)
    base, ink = (dark.color(role) for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Text))
    assert window.open_sample("heights")
    fit(qtbot, window)
    histogram = window.views.histogram.plot_widget
    found = plot_colours(histogram)
    assert found[0] == ("background", base.name()) and len(found) > 4
    assert {colour for what, colour in found[1:]} == {ink.name()}
    # The mixture's density, drawn in the house's ink, is in the palette's.
    assert any(isinstance(item, pg.PlotCurveItem) and item.opts["pen"] is not None
               and pg.mkPen(item.opts["pen"]).color() == ink
               for item in histogram.scene().items())
    assert window.open_sample("two_coins")
    fit(qtbot, window)
    discrete = window.views.discrete
    # Its frame around the plots and their legends too.
    assert discrete.palette().color(QPalette.ColorRole.Window) == base
    for view in (discrete.param_widget, discrete.count_widget):
        found = plot_colours(view)
        assert found[0] == ("background", base.name())
        assert {colour for what, colour in found[1:]} == {ink.name()}
    fills = [pg.mkBrush(item.opts["symbolBrush"]).color()
             for item in discrete.count_plot.listDataItems() if item.opts.get("symbol")]
    assert ink in fills and QColor("#202020") not in fills


def test_a_view_made_by_choosing_another_model_has_the_applications_menu(qtbot, window):
    """Only the model changes (no other data): the histogram made then gets the menu too."""
    document = window.document
    document.set_options(document.options.replace(model="poisson", n_components=2))
    counts = np.random.default_rng(0).poisson(3.0, size=(200, 1)).astype(float)
    document.set_data(Table(data=counts, columns=["calls"]), "calls")
    assert window.views.kind == "discrete" and made(window) == (0, 1)
    document.set_options(document.options.replace(model="gaussian"))
    assert window.views.kind == "histogram" and made(window) == (1, 1)
    view_box = window.views.histogram.plot_item.getViewBox()
    assert isinstance(view_box.menu, PlotMenu)


def test_a_sample_is_drawn_only_in_the_view_its_own_model_chooses(qtbot, window):
    # Its data and model come in force together: the one-column coins were first drawn
    # in the histogram the Gaussian chose, then again in the count view.
    window.settings_panel.model_combo.setCurrentIndex(
        window.settings_panel.model_combo.findData("gaussian"))
    assert window.open_sample("two_coins")
    assert window.views.kind == "discrete" and made(window) == (0, 1)
