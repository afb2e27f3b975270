"""File > Open Session and Save Session (the file format is :mod:`emio.session`'s)."""

from __future__ import annotations

from emgui.features.sessions.actions import SessionActions
from emgui.shell.host import Host

__all__ = ["SessionActions", "install"]


def install(host: Host) -> SessionActions:
    """Add Open Session and Save Session to the File menu."""
    return SessionActions(host)
