"""The one worker that drives a generator off the GUI thread (the superqt/napari generator worker).

Fits, the model-selection sweep, the restarts explorer, replays of a fit and
background file reads all hand this worker a function that makes a generator;
it runs on its own ``QThread`` (see :class:`emgui.runs.registry.ThreadRegistry`),
asks the generator for one item at a time and emits the items it should
report. The engine knows nothing of threads: pause, step, stop and the
teaching delay are plain thread-safe methods called from the GUI thread,
checked between any two items (a queued slot would only run after the
generator had ended). Exactly one of ``finished``, ``failed`` and
``cancelled`` fires per run, and the generator is always closed, so the
engine's row-chunk threads end with the run.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Generator

from PySide6.QtCore import QObject, Signal, Slot

#: Said when the generator raised an error it was not expected to raise.
UNEXPECTED = (
    "the run stopped on an unexpected error ({error}); please report it with the details"
)


class GeneratorWorker(QObject):
    """Runs ``make()``'s generator to its end, one item at a time, until asked to stop.

    Parameters
    ----------
    make : callable
        Makes the generator, in the worker thread (so a slow start never
        blocks the GUI).
    paused : bool
        Start paused: nothing runs until :meth:`step` or :meth:`resume`.
    delay : float
        Seconds to wait after each item (slows a fit down for teaching).
    report : type or tuple of type
        ``yielded`` carries only the items that are instances of these; the
        others are steps at which a stop or pause can take effect (``()``
        reports nothing).
    expected : tuple of exception types
        Errors whose message is meant for the user as it is; any other error
        is reported with :data:`UNEXPECTED`'s wording (or ``unexpected``'s).
    unexpected : str
        The message for any other error, with ``{error}`` for its type and text.
    max_pending : int or None
        At most this many reported items may be emitted and not yet taken in by
        the consumer (:meth:`acknowledge`); the generator waits beyond that. A fit
        of a few hundred rows yields thousands of snapshots a second: when the
        GUI thread takes each in more slowly than the engine makes it, unbounded
        queued signals pile up, every turn of its event loop spends longer
        draining them, and timers (the frames drawn) starve. ``None``: no bound,
        for generators whose items come seldom.
    """

    yielded = Signal(object)
    """An item the generator yielded (one that ``report`` accepts)."""
    finished = Signal(object)
    """The generator's return value: it ran to its end."""
    failed = Signal(str, str)
    """A message for the user and the technical details (traceback)."""
    cancelled = Signal()
    """A stop was requested and the generator was closed before its end."""

    def __init__(
        self,
        make: Callable[[], Generator],
        *,
        paused: bool = False,
        delay: float = 0.0,
        report: type | tuple[type, ...] = object,
        expected: tuple[type[BaseException], ...] = (ValueError,),
        unexpected: str = UNEXPECTED,
        max_pending: int | None = None,
    ) -> None:
        super().__init__()
        self._make = make
        self._report = report
        self._expected = expected
        self._unexpected = unexpected
        self._gate = threading.Condition()
        self._paused = paused
        self._steps = 0
        self._stop = threading.Event()
        self._delay = delay
        self._waiting = False
        self._emitted = 0
        self._acknowledged = 0
        self._max_pending = max_pending
        #: Set when :meth:`run` has returned its last signal (read from the GUI thread).
        self.ended = False

    # --- called from the GUI thread ---------------------------------------------------

    def request_stop(self) -> None:
        """Stop before the next item; ``cancelled`` follows unless the run has ended."""
        with self._gate:
            self._stop.set()
            self._gate.notify_all()

    def pause(self) -> None:
        with self._gate:
            self._paused = True

    def resume(self) -> None:
        with self._gate:
            self._paused = False
            self._gate.notify_all()

    def step(self) -> None:
        """While paused, allow exactly one more item."""
        with self._gate:
            self._steps += 1
            self._gate.notify_all()

    def acknowledge(self) -> None:
        """The consumer has taken in one more reported item (see ``max_pending``)."""
        with self._gate:
            self._acknowledged += 1
            self._gate.notify_all()

    def set_delay(self, seconds: float) -> None:
        """Wait this long after each item from now on."""
        self._delay = max(0.0, float(seconds))

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def emitted(self) -> int:
        """How many items this worker has emitted so far."""
        with self._gate:
            return self._emitted

    @property
    def is_waiting(self) -> bool:
        """Paused between two items (every item emitted before is already queued)."""
        with self._gate:
            return self._waiting

    # --- the worker thread --------------------------------------------------------------

    def _may_continue(self) -> bool:
        """Block while paused or while the consumer is ``max_pending`` items behind;
        False once a stop has been requested."""
        with self._gate:
            while self._is_flooding() and not self._stop.is_set():
                self._gate.wait()
            while self._paused and self._steps == 0 and not self._stop.is_set():
                self._waiting = True
                self._gate.wait()
            self._waiting = False
            if self._stop.is_set():
                return False
            if self._paused:
                self._steps -= 1
            return True

    def _is_flooding(self) -> bool:
        limit = self._max_pending
        return limit is not None and self._emitted - self._acknowledged >= limit

    @Slot()
    def run(self) -> None:
        """Drive the generator to its end (connected to the thread's ``started``)."""
        steps = None
        try:
            steps = self._make()
            first = True
            while True:
                if not first and self._delay > 0:
                    self._stop.wait(self._delay)
                if not self._may_continue():
                    self.cancelled.emit()
                    return
                try:
                    item = next(steps)
                except StopIteration as stop:
                    self.finished.emit(stop.value)
                    return
                first = False
                if isinstance(item, self._report):
                    with self._gate:
                        self._emitted += 1
                    self.yielded.emit(item)
        except self._expected as exc:
            self.failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            error = f"{type(exc).__name__}: {exc}"
            self.failed.emit(self._unexpected.format(error=error), traceback.format_exc())
        finally:
            # A stopped generator still holds the engine's resources (its row-chunk
            # threads); closing it releases them now rather than at garbage collection.
            if steps is not None:
                steps.close()
            self.ended = True
