"""Features: export, sessions, analysis (choose K, restarts), teaching, known labels, the
legend switch and the Help menu.

Each package's ``install(host)`` adds the feature to a window through its
:class:`~emgui.shell.host.Host` and returns the feature's object, a child of
the host's parent widget (:func:`installed` finds it again). Features never
import the window module; they use the host and the document alone.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

from emgui.shell.host import Host

F = TypeVar("F", bound=QObject)


def installed(host: Host, kind: type[F]) -> F:
    """The feature object of ``kind`` installed with ``host``."""
    found = host.parent_widget.findChild(kind)
    if found is None:
        raise LookupError(f"no {kind.__name__} is installed with this host")
    return found
