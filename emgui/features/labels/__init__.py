"""Known labels: colour the points by a label column, and compare the clusters with it.

:func:`install` adds View ▸ Colour Points by Known Label and the Label
Comparison panel (:mod:`~emgui.features.labels.known_labels`); the maths is the
engine's (:mod:`engine.agreement`).
"""

from __future__ import annotations

from emgui.features.labels.known_labels import KnownLabels
from emgui.shell.host import Host

__all__ = ["KnownLabels", "install"]


def install(host: Host) -> KnownLabels:
    """Add the colour toggle and the Label Comparison panel."""
    return KnownLabels(host)
