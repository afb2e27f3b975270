"""Small tools for the engine's generators: run one to its end here, or make one of a call.

The engine's iteration is a generator that yields snapshots and returns its
result. :class:`Drain` runs one in the calling thread (where that is quick
enough: evaluating saved parameters, a budgeted comparison);
:func:`returning` turns a plain function into a generator, so a
:class:`~emgui.runs.worker.GeneratorWorker` can run it too.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Drain(Generic[T, R]):
    """Takes every item of ``steps``; the items stay here even if ``steps`` raises.

    Attributes
    ----------
    items : list
        What ``steps`` yielded, in order.
    value : object
        What ``steps`` returned (``None`` until it has ended).
    complete : bool
        Whether ``steps`` ran to its end (not stopped by ``until``).
    """

    def __init__(self, steps: Generator[T, None, R]) -> None:
        self._steps = steps
        self.items: list[T] = []
        self.value: R | None = None
        self.complete = False

    def run(self, until: Callable[[T], bool] | None = None) -> Drain[T, R]:
        """Take items until ``steps`` ends, or until ``until(item)`` says enough; then close it."""
        try:
            while True:
                try:
                    item = next(self._steps)
                except StopIteration as stop:
                    self.value, self.complete = stop.value, True
                    return self
                self.items.append(item)
                if until is not None and until(item):
                    return self
        finally:
            self._steps.close()


def drained(items: Iterable[T]) -> list[T]:
    """Every item of ``items``, taken here (for work known to be quick)."""
    return list(items)


def returning(function: Callable[..., R], *args: object, **kwargs: object) -> Generator[None, None, R]:
    """A generator that yields nothing and returns ``function(*args, **kwargs)``."""
    yield from ()  # nothing to report before the call: this makes a generator of it
    return function(*args, **kwargs)
