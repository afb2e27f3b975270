"""How the count view marks its curves, and its two legends (rich text above the plots)."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QLabel

from emgui.views.colors import component_color
from emgui.views.plot_style import FOREGROUND

OBSERVED_BRUSH = QColor(190, 190, 190)
_LEGEND_STYLE = "padding: 4px 8px 0 8px;"
_GAP = "&nbsp;&nbsp;&nbsp; "


def mixture_pen() -> QPen:
    return pg.mkPen(FOREGROUND, width=2.5)


def component_pen(k: int) -> QPen:
    return pg.mkPen(component_color(k), width=1.8, style=Qt.PenStyle.DashLine)


def legend_entry(color: str | None, glyph: str, text: str) -> str:
    """One entry: ``glyph`` in ``color`` (``None``: the text's own, the palette's), ``text``."""
    # Non-breaking spaces: the label wraps between entries, never inside one.
    text = html.escape(text).replace(" ", "&nbsp;")
    style = "font-weight:bold" if color is None else f"color:{color}; font-weight:bold"
    return (
        f'<span style="white-space:nowrap"><span style="{style}">'
        f"{glyph}</span>&nbsp;{text}</span>"
    )


def legend_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setStyleSheet(_LEGEND_STYLE)
    return label


def legend_texts(weights: np.ndarray | None, pmf_lines: bool) -> tuple[str, str]:
    """The components' legend (each in its colour, with its weight) and the count plot's
    (observed, fitted mixture, components), as rich text."""
    entries = []
    if weights is not None:
        entries = [
            legend_entry(
                component_color(k).name(), "&#9632;",
                f"component {k + 1} (weight {weights[k]:.2f})",
            )
            for k in range(weights.shape[0])
        ]
    # Box-drawing lines: unlike hyphens and dashes, a line may not break after them.
    mixture_glyph = "&#9473;&#9679;&#9473;" if pmf_lines else "&#9679;"
    component_glyph = "&#9549;&#8226;&#9549;" if pmf_lines else "&#8226;"
    count_entries = [
        legend_entry(OBSERVED_BRUSH.name(), "&#9632;", "observed"),
        legend_entry(None, mixture_glyph, "fitted mixture"),
    ]
    if weights is not None and weights.shape[0] > 1:
        count_entries.append(legend_entry("#777777", component_glyph, "components (weighted)"))
    return _GAP.join(entries) or "&nbsp;", _GAP.join(count_entries)
