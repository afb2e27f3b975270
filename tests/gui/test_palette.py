"""Plots and text follow the palette (issue 19 point 11): readable under a dark system theme,
and when the theme changes while the window is open."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QWidget

from emgui.features import installed
from emgui.features.teaching.lesson import Lesson
from emgui.shell.main_window import MainWindow
from emgui.shell.palette import dark_palette


@pytest.fixture
def dark(qapp):
    """The application in a dark palette, as a dark system theme gives it; restored after."""
    before = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    yield dark_palette()
    qapp.setPalette(before)


def fit(qtbot, window: MainWindow, sample: str) -> None:
    assert window.open_sample(sample)
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()


def e_step(qtbot, window: MainWindow) -> None:
    """E-step, pressed as a student does (a window's first is taken a turn after the docks)."""
    lesson = installed(window.host, Lesson)
    lesson.e_step_action.trigger()
    qtbot.waitUntil(lambda: not lesson.step_pending)


def plot_colours(window: MainWindow, palette: QPalette) -> list[tuple[str, str, str]]:
    """(what, its colour, the colour ``palette`` gives it) for every plot's background and
    axes."""
    base = palette.color(QPalette.ColorRole.Base).name()
    ink = palette.color(QPalette.ColorRole.Text).name()
    found = []
    for view in window.findChildren(pg.GraphicsView):
        found.append((f"{view.objectName()} background", view.backgroundBrush().color().name(), base))
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem) and item.isVisible():
                found.append(("axis", item.pen().color().name(), ink))
                found.append(("tick labels", item.textPen().color().name(), ink))
                if item.labelText:
                    found.append(("axis title", item.labelStyle.get("color", ink), ink))
    return found


def wrong(found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [entry for entry in found if entry[1] != entry[2]]


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1: none, 21: black on white)."""
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_a_window_opened_in_a_dark_theme_draws_its_plots_in_it(qtbot, dark, new_window):
    window = new_window()
    fit(qtbot, window, "blobs")
    e_step(qtbot, window)
    found = plot_colours(window, dark)
    assert len(found) > 10 and wrong(found) == []
    assert QColor(found[0][1]).lightness() < 60  # a dark background, not pyqtgraph's white


def test_docks_made_when_first_shown_draw_in_the_dark_theme(qtbot, dark, new_window):
    """The Projection, Uncertainty and Cluster Sizes docks make their plots when first
    shown, after the window took its palette: they are drawn in it all the same."""
    window = new_window()
    fit(qtbot, window, "blobs")
    before = len(plot_colours(window, dark))
    for dock in window.findChildren(QDockWidget):
        dock.show()
    found = plot_colours(window, dark)
    assert len(found) > before and wrong(found) == []


def test_plots_follow_a_theme_changed_while_the_window_is_open(qtbot, window, qapp):
    fit(qtbot, window, "heights")  # the 1-D view: its density curve is drawn in ink
    light = QPalette(qapp.palette())
    assert wrong(plot_colours(window, light)) == []
    light_ink = light.color(QPalette.ColorRole.Text)
    curves = [item for item in window.views.histogram.plot_widget.scene().items()
              if isinstance(item, pg.PlotCurveItem) and item.opts["pen"] is not None
              and pg.mkPen(item.opts["pen"]).color() == light_ink]
    assert curves  # the mixture's density
    try:
        qapp.setPalette(dark_palette())
        qtbot.waitUntil(lambda: wrong(plot_colours(window, dark_palette())) == [])
        ink = dark_palette().color(QPalette.ColorRole.Text)
        assert all(pg.mkPen(c.opts["pen"]).color() == ink for c in curves)
        # Back to the light theme: everything follows again.
        qapp.setPalette(light)
        qtbot.waitUntil(lambda: wrong(plot_colours(window, light)) == [])
        assert all(pg.mkPen(c.opts["pen"]).color() == light_ink for c in curves)
    finally:
        qapp.setPalette(light)


def drawn_colour(label: QLabel) -> QColor:
    """The colour ``label`` draws its text in: a style sheet's, else its palette's role."""
    sheet = label.styleSheet().replace(" ", "")
    for rule in sheet.split(";"):
        if rule.startswith("color:"):
            return QColor(rule[len("color:"):])
    return label.palette().color(label.foregroundRole())


#: The least contrast of a legend's glyph (a graphic in a component's colour, WCAG's 3:1 for
#: graphics, less the Okabe-Ito blue's shortfall on a dark grey); the house's dark ink has 1.2.
GLYPH_CONTRAST = 2.5


def poorly_drawn(window) -> list[tuple[str, str]]:
    """Labels shown with text whose text (4.5:1) or rich text's own colours (a legend's
    glyphs, :data:`GLYPH_CONTRAST`) stand out too little from their background."""
    poor = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        background = label.palette().color(QPalette.ColorRole.Window)
        colour = drawn_colour(label)
        if contrast(colour, background) < 4.5:
            poor.append((label.text()[:40], colour.name()))
        for part in label.text().split("color:")[1:]:
            code = part.strip().lstrip("'\"")[:7]
            if code.startswith("#") and contrast(QColor(code), background) < GLYPH_CONTRAST:
                poor.append((label.text()[:40], code))
    return poor


def test_text_is_readable_in_the_dark_theme(qtbot, dark, new_window):
    """Every label the window shows has its text in the palette's colours, with contrast."""
    window = new_window()
    fit(qtbot, window, "blobs")
    e_step(qtbot, window)
    assert poorly_drawn(window) == []
    report = window.results_pane.browser
    assert report.palette().color(QPalette.ColorRole.Text) == dark.color(QPalette.ColorRole.Text)
    assert report.palette().color(QPalette.ColorRole.Base) == dark.color(QPalette.ColorRole.Base)


def test_the_players_buttons_are_drawn_in_the_themes_ink(qtbot, dark, new_window):
    window = new_window()
    button = window.player.play_button
    image = button.icon().pixmap(button.iconSize()).toImage()
    inked = [QColor(image.pixel(x, y)) for x in range(image.width()) for y in range(image.height())
             if QColor.fromRgba(image.pixel(x, y)).alpha() == 255]
    assert inked and all(c.lightness() > 180 for c in inked)  # light ink on dark buttons


def test_the_count_view_and_the_lower_bound_speak_in_the_themes_ink(qtbot, dark, new_window):
    """The discrete view's legends and the lower bound's legend had the house's dark ink
    (#202020) written in; the count plot's mixture markers were filled with it."""
    window = new_window()
    fit(qtbot, window, "counts")
    assert window.views.kind == "discrete"
    e_step(qtbot, window)
    assert poorly_drawn(window) == []
    ink = dark.color(QPalette.ColorRole.Text)
    # The count plot's markers: the components' in their colours, the mixture's in the ink.
    fills = [pg.mkBrush(item.opts["symbolBrush"]).color()
             for item in window.views.discrete.count_plot.listDataItems()
             if item.opts.get("symbol") is not None]
    assert ink in fills and QColor("#202020") not in fills


def test_notes_and_warnings_take_their_colours_from_the_palette(qtbot, window, qapp):
    """A muted note is drawn in the palette's placeholder-text role; the settings' warning
    that a model cannot fit the data turns light on a dark theme and back."""
    scatter = window.views.scatter
    scatter.set_placing(2)
    note = next(label for label in scatter.findChildren(QLabel)
                if label.text().startswith("Click on the plot to place 2 more"))
    assert note.foregroundRole() == QPalette.ColorRole.PlaceholderText
    scatter.set_placing(None)
    warning = window.settings_panel.model_note
    light = QPalette(qapp.palette())
    before = warning.palette().color(QPalette.ColorRole.WindowText)
    try:
        qapp.setPalette(dark_palette())
        qtbot.waitUntil(lambda: warning.palette().color(QPalette.ColorRole.WindowText) != before)
        after = warning.palette().color(QPalette.ColorRole.WindowText)
        assert contrast(after, dark_palette().color(QPalette.ColorRole.Window)) >= 4.5
        assert contrast(before, light.color(QPalette.ColorRole.Window)) >= 4.5
    finally:
        qapp.setPalette(light)
    qtbot.waitUntil(lambda: warning.palette().color(QPalette.ColorRole.WindowText) == before)


def test_marked_cells_keep_dark_text_on_their_light_marks(qtbot, dark, new_window, tmp_path):
    """The label comparison's matched cells are light green: a dark theme's light text
    vanished on them."""
    import pandas as pd
    from PySide6.QtWidgets import QTableWidget

    from emgui.features.labels import KnownLabels
    from emio.tables import read_table

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(np.vstack([rng.normal(0, 1, (40, 2)), rng.normal(6, 1, (40, 2))]),
                         columns=["x", "y"])
    frame["kind"] = ["a"] * 40 + ["b"] * 40
    path = tmp_path / "two.csv"
    frame.to_csv(path, index=False)
    window = new_window()
    window.document.set_data(read_table(path, labels="kind"), path.name)
    window.document.set_options(window.document.options.replace(n_components=2, seed=1))
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()
    table = installed(window.host, KnownLabels).panel.findChild(QTableWidget)
    qtbot.waitUntil(lambda: table.item(0, 0) is not None)
    marked = [table.item(r, c) for r in range(2) for c in range(2)
              if table.item(r, c).background().style() != Qt.BrushStyle.NoBrush]
    assert marked
    for item in marked:
        assert contrast(item.foreground().color(), item.background().color()) >= 4.5


def test_the_responsibilities_headers_are_readable_in_the_dark(qtbot, dark, new_window):
    """Their component colours were deepened for a white header: on a dark one they
    vanished."""
    window = new_window()
    assert window.open_sample("heights_weights_gaps")
    lesson = installed(window.host, Lesson)
    lesson.e_step_action.trigger()
    qtbot.waitUntil(lambda: not lesson.step_pending)  # a turn after the docks
    model = lesson.resp_panel.model
    header = dark.color(QPalette.ColorRole.Button)
    coloured = [model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ForegroundRole)
                for c in range(model.columnCount())]
    coloured = [c for c in coloured if c is not None]
    assert coloured
    assert all(contrast(c, header) >= 3.0 for c in coloured), [c.name() for c in coloured]


def test_points_with_a_brush_each_keep_their_colours_when_the_ink_changes(qtbot):
    # The Choose K chart marks each point with its own brush (a list); restyling a window
    # left open met that list and raised a TypeError from pg.mkBrush.
    from emgui.shell.palette import restyle

    window = QWidget()
    qtbot.addWidget(window)
    window.setPalette(dark_palette())
    widget = pg.PlotWidget(parent=window)
    brushes = [pg.mkBrush("#1f77b4"), pg.mkBrush("#ff7f0e")]
    item = widget.plot([0, 1], [0, 1], symbol="o", symbolBrush=brushes)
    ink_marked = widget.plot([0, 1], [1, 0], symbol="o", symbolBrush=pg.mkBrush("#202020"))
    restyle(window)
    assert item.opts["symbolBrush"] == brushes
    ink = dark_palette().color(QPalette.ColorRole.Text)
    assert pg.mkBrush(ink_marked.opts["symbolBrush"]).color().rgb() == ink.rgb()
