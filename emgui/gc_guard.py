"""Cyclic garbage is collected in the GUI thread only.

Python's cycle collector runs in whichever thread happens to allocate when a
threshold is crossed. If that is a fit worker, it may destroy Qt wrappers
(pyqtgraph items, models, indexes) created by the GUI thread, while the GUI
thread sits inside Qt waiting for the GIL: the two then wait on each other.
That froze the test suite in about one run in thirty, always with the worker
inside an allocation in the engine and the GUI thread entering a Python
override called from Qt. pyqtgraph documents the same hazard and the same cure
(``pyqtgraph.util.garbage_collector``): switch automatic collection off and
collect from a timer in the GUI thread, generation by generation as the
thresholds say.

A collection looks at every object made since the last one of its generation,
wherever it was made. A worker that builds millions of short-lived objects
(the JSON document of a long session, say) would make each collection in the
GUI thread cost hundreds of milliseconds for nothing: such work runs inside
:func:`deferred`, and the timer leaves those objects alone until it ends (by
then refcounting has freed the temporaries).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the GUI thread looks at the collector's counts.
INTERVAL_MS = 500

_guard: _GcGuard | None = None
#: How many pieces of work in any thread asked to defer collections now.
_deferring = 0
_deferring_lock = threading.Lock()


class _GcGuard(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()

    def _on_timer_timeout(self) -> None:
        tick(self.thresholds)


def tick(thresholds: tuple[int, int, int] | None = None) -> int:
    """What the GUI thread's timer does every :data:`INTERVAL_MS`: collect the generations
    due (by ``thresholds``, the collector's own by default), unless some work defers
    collections; returns the highest generation collected, or -1."""
    if _deferring:
        return -1
    return collect_due(gc.get_threshold() if thresholds is None else thresholds)


@contextmanager
def deferred() -> Iterator[None]:
    """No collection on the GUI thread's timer while the block runs (in any thread).

    For work that makes many objects without cycles and drops most of them at
    the end; cycles made meanwhile are collected after it.
    """
    global _deferring
    with _deferring_lock:
        _deferring += 1
    try:
        yield
    finally:
        with _deferring_lock:
            _deferring -= 1


def collect_due(thresholds: tuple[int, int, int]) -> int:
    """Collect the generations whose counts passed their thresholds; returns the
    highest generation collected, or -1."""
    counts = gc.get_count()
    highest = -1
    for generation in range(3):
        if counts[generation] <= thresholds[generation]:
            break
        highest = generation
    if highest >= 0:
        gc.collect(highest)
    return highest


def install() -> bool:
    """Collect cycles on a GUI-thread timer from now on (idempotent).

    Needs the ``QApplication``; call it from the GUI thread. Returns whether it
    was installed by this call.
    """
    global _guard
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication before installing the GC guard")
    if _guard is not None:
        return False
    _guard = _GcGuard(app)
    gc.disable()
    return True


def settle() -> None:
    """Collect everything now, and leave what survives out of later collections.

    Call it once the window is built: the modules, classes and widgets alive then
    live as long as the application. A full collection had to look at all of
    them, about 100 000 objects and 60 ms of the GUI thread's time; afterwards it
    looks only at objects made since, a few ms. The price: a cycle among those
    objects that becomes garbage later is never collected, so call it only when
    what exists is meant to last (the application does, once; tests do not).
    """
    gc.collect()
    gc.freeze()


def installed() -> bool:
    return _guard is not None and not gc.isenabled()
