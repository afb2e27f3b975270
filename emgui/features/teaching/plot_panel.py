"""The layout both teaching plots share: a legend above the plot, a note and an explanation below."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


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
    layout.addWidget(plot, stretch=1)
    layout.addWidget(note_label)
    layout.addWidget(explanation_label)
    return legend_label, note_label, explanation_label
