"""The component palette: one fixed, colour-blind-friendly colour per component index.

Component ``k`` has the same colour in every view (scatter, histogram, bars,
the swatch in the parameter table), so a reader can match them at a glance.
The first six are Okabe-Ito colours (a colour-blind-safe set, without black);
after them come tab10 colours, Okabe-Ito's yellow darkened to a gold that stays
visible on white (late, as it is the closest to orange), and a few extra.
Indices beyond the palette wrap around.

One set serves light and dark themes alike, so a component keeps its colour when
the theme changes: every colour contrasts at least 2.2:1 with white and 3:1 with
a dark theme's #1e1e1e plot background. Okabe-Ito's blue (#0072B2), tab10's
brown and a navy were too dark on the dark background, so they are lightened.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

#: Hex colours in component order, chosen to read on white and on a dark theme's background.
PALETTE: tuple[str, ...] = (
    "#2B88CC",  # blue (Okabe-Ito's #0072B2, lightened to read on dark backgrounds)
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#9467BD",  # purple
    "#A36F60",  # brown (tab10's #8C564B, lightened)
    "#B59A00",  # dark gold (Okabe-Ito yellow is invisible on white)
    "#7F7F7F",  # grey
    "#17BECF",  # cyan
    "#E377C2",  # pink
    "#6F86C6",  # slate blue
    "#7A9E3A",  # olive green
)

#: The palette as an (n_colors, 3) array of 0..255 RGB values.
PALETTE_RGB: np.ndarray = np.array(
    [[int(code[i : i + 2], 16) for i in (1, 3, 5)] for code in PALETTE], dtype=np.float64
)
PALETTE_RGB.flags.writeable = False

#: Neutral grey for data not yet assigned to any component.
UNASSIGNED_COLOR = "#8A8A8A"
#: Dark outline used around markers so they stand out on any fill colour.
OUTLINE_COLOR = "#1A1A1A"


def component_rgb(k: int) -> tuple[int, int, int]:
    """RGB of component ``k`` (0-based), wrapping past the end of the palette."""
    r, g, b = PALETTE_RGB[k % len(PALETTE)]
    return int(r), int(g), int(b)


def component_color(k: int, alpha: int = 255) -> QColor:
    """The colour of component ``k`` (0-based), optionally with an alpha 0..255."""
    color = QColor(PALETTE[k % len(PALETTE)])
    color.setAlpha(alpha)
    return color


def blend_colors(resp: np.ndarray, alpha: int = 255) -> np.ndarray:
    """Colours of rows mixed by their responsibilities.

    Parameters
    ----------
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities; each row is normalised before mixing, so
        unnormalised weights are fine.
    alpha : int
        Alpha of every returned colour, 0..255.

    Returns
    -------
    ndarray of shape (n_samples, 4), dtype uint8
        RGBA per row: a row certain of component ``k`` gets exactly
        ``component_rgb(k)``; an undecided row gets the weighted average.
    """
    resp = np.asarray(resp, dtype=np.float64)
    if resp.ndim != 2:
        raise ValueError(f"resp must be 2-D (n_samples, n_components), got shape {resp.shape}")
    n_components = resp.shape[1]
    palette = PALETTE_RGB[np.arange(n_components) % len(PALETTE)]
    totals = resp.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    rgb = (resp / totals) @ palette
    rgba = np.empty((resp.shape[0], 4), dtype=np.uint8)
    rgba[:, :3] = np.clip(np.rint(rgb), 0, 255)
    rgba[:, 3] = alpha
    return rgba
