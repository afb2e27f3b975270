"""The layout both teaching plots share: a legend above the plot, a note and an explanation below."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

#: The least height of a teaching plot: room for a few ticks and the axis title.
PLOT_MIN_HEIGHT = 150


class _PlotHolder(QWidget):
    """Holds a plot and asks for no more height than :data:`PLOT_MIN_HEIGHT`, taking any
    height it is given. A panel sits in a scroll area (for a small screen), which makes it
    as tall as it would like to be; a plot wants about 480 px, so its axis title ended
    below the dock's edge, out of sight."""

    def __init__(self, plot: QWidget) -> None:
        super().__init__()
        plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plot)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(super().sizeHint().width(), PLOT_MIN_HEIGHT)


def lay_out_plot_panel(
    owner: QWidget, legend: str, plot: QWidget, explanation: str, wrap_legend: bool = False
) -> tuple[QLabel, QLabel, QLabel]:
    """Put ``legend`` above ``plot`` and a note and ``explanation`` below it, in ``owner``.

    Returns the legend, note and explanation labels (the note starts empty).
    """
    legend_label = QLabel(legend)
    legend_label.setTextFormat(Qt.TextFormat.RichText)
    legend_label.setWordWrap(wrap_legend)
    legend_label.setStyleSheet("padding: 4px 6px 0 6px;")
    note_label = QLabel()
    note_label.setWordWrap(True)
    note_label.setStyleSheet("padding: 2px 6px;")
    explanation_label = QLabel(explanation)
    explanation_label.setWordWrap(True)
    explanation_label.setStyleSheet("padding: 0 6px 4px 6px;")
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(legend_label)
    layout.addWidget(_PlotHolder(plot), stretch=1)
    layout.addWidget(note_label)
    layout.addWidget(explanation_label)
    return legend_label, note_label, explanation_label
