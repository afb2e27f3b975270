"""A real Dask cluster on loopback for the tests here: a scheduler and two worker
processes (each under its nanny, so a killed worker is a dead process that the
nanny replaces), started once for the session and stopped after it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def cluster() -> Iterator[object]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as local:
        yield local


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
