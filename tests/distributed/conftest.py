"""What the tests of the Dask backend share: a client of their own on the session's
cluster (the ``cluster`` fixture of ``tests/conftest.py``), and ways to watch it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def client(cluster: object) -> Iterator[object]:
    """A client of the test's own, to look at the scheduler and the workers."""
    with distributed.Client(cluster, set_as_default=False) as own:
        yield own


def em_tasks(client: object) -> list[str]:
    """The keys of EM Studio's tasks the scheduler holds (queued, running or kept)."""

    def keys(dask_scheduler: object) -> list[str]:
        return [str(key) for key in dask_scheduler.tasks if str(key).startswith("em-")]

    return client.run_on_scheduler(keys)


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.02) -> float:
    """Seconds until ``condition()`` held; fails the test if it did not within ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(step)
    return time.monotonic() - started


@pytest.fixture
def helpers() -> type:
    """The module-level helpers above, for tests (there is no package to import from)."""

    class Helpers:
        em_tasks = staticmethod(em_tasks)
        wait_until = staticmethod(wait_until)

    return Helpers
