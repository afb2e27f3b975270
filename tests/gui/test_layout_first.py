"""A plot changed in the same handler as the layout around it is painted at its new size
only, never at the old one first."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from emgui.views.plot_style import new_plot_widget


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[tuple[int, int]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.sizes.append(watched.size().toTuple())
        return False


def test_a_plot_is_painted_only_at_the_size_its_new_caption_leaves_it(qtbot) -> None:
    # New items queue the scene's update; a caption above the plot then takes a second
    # line (as the lesson's panels' do): a layout request queued behind the update.
    # Qt's scene paints the window when it handles its update, so the plot was painted
    # at its old size and then again at the new one.
    panel = QWidget()
    qtbot.addWidget(panel)
    caption = QLabel("one line")
    plot = new_plot_widget()
    plot.getPlotItem().getViewBox().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    layout = QVBoxLayout(panel)
    layout.addWidget(caption)
    layout.addWidget(plot)
    panel.resize(400, 400)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(50)  # the first paints are over
    before = plot.height()
    counter = PaintCounter()
    plot.viewport().installEventFilter(counter)
    plot.plot([0.2, 0.8], [0.3, 0.6])
    caption.setText("two\nlines")
    qtbot.waitUntil(lambda: len(counter.sizes) > 0)
    qtbot.wait(50)  # the rest of the turn's paints
    assert plot.height() < before
    assert set(counter.sizes) == {plot.viewport().size().toTuple()}
