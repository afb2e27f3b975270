"""Small tools for generators the workers run: run one to its end here, make one of a
call, call something that makes many objects, and the progress a long task reports.

:func:`drained` runs a generator in the calling thread (for work known to be
quick); :func:`returning` turns a plain function into a generator, so a
:class:`~emgui.runs.worker.GeneratorWorker` can run it; :func:`many_objects`
calls a function that makes millions of short-lived objects without stalling
the GUI thread's collector; a generator that does long work yields
:class:`Progress` between its steps, for a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import TypeVar

from emgui import gc_guard

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Progress:
    """How far a long task has got: ``done`` of ``total`` steps (``total`` 0: unknown),
    and what it is doing."""

    done: int
    total: int
    text: str = ""


def drained(items: Iterable[T]) -> list[T]:
    """Every item of ``items``, taken here (for work known to be quick)."""
    return list(items)


def returning(function: Callable[..., R], *args: object, **kwargs: object) -> Generator[None, None, R]:
    """A generator that yields nothing and returns ``function(*args, **kwargs)``."""
    yield from ()  # nothing to report before the call: this makes a generator of it
    return function(*args, **kwargs)


def many_objects(function: Callable[..., R], *args: object) -> R:
    """``function(*args)``, for work that makes millions of short-lived objects (reading a
    long session): the GUI thread's collector leaves them alone meanwhile, as looking at
    them all, again and again, would stall it (:func:`emgui.gc_guard.deferred`)."""
    with gc_guard.deferred():
        return function(*args)
