"""File > Apply Model to Data, the exports and the copies."""

from __future__ import annotations

from emgui.features.export.actions import ExportActions
from emgui.shell.host import Host

__all__ = ["ExportActions", "install"]


def install(host: Host) -> ExportActions:
    """Add Apply Model, the exports and the copies to the File menu."""
    return ExportActions(host)
