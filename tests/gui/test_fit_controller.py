"""The worker and controller: signals in order, pause/step/stop, stale runs ignored."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import engine
from emgui.runs.fit_controller import FitController
from emgui.runs.worker import GeneratorWorker
from emgui.shell.document import Document, RunState


def blobs(n: int = 300, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    return np.vstack([rng.normal(c, 1.0, size=(n // 3, 2)) for c in centres])


def slow_options(**changes) -> engine.FitOptions:
    # tol=0 never converges: the run lasts max_iter iterations unless stopped.
    return engine.FitOptions(n_components=3, tol=0.0, max_iter=100_000, seed=0).replace(**changes)


@pytest.fixture
def document() -> Document:
    return Document()


@pytest.fixture
def controller(qtbot, document, threads):
    controller = FitController(document, threads)
    yield controller
    controller.stop()
    qtbot.waitUntil(lambda: controller.threads_running == 0, timeout=10_000)


def test_run_emits_every_iteration_then_finished(qtbot, controller, document):
    X = blobs()
    options = engine.FitOptions(n_components=3, seed=1)
    expected = engine.fit(X, options)
    added: list[int] = []
    document.snapshot_added.connect(added.append)
    with qtbot.waitSignal(controller.run_finished, timeout=20_000) as finished:
        with qtbot.assertNotEmitted(controller.run_failed):
            controller.start(X, options, ["x", "y"])
    result = finished.args[0]
    assert added == list(range(expected.n_iter + 1))
    assert result.log_likelihood == expected.log_likelihood
    assert [s.log_likelihood for s in document.snapshots] == list(expected.history)
    assert document.snapshots[-1].params.allclose(expected.params, rtol=0)
    assert document.result is result
    assert document.run_state is RunState.FINISHED


def test_worker_signals_come_in_order_and_exactly_one_ending(qtbot):
    X = blobs(90)
    options = engine.FitOptions(n_components=2, max_iter=3, tol=0.0, seed=2)
    worker = GeneratorWorker(partial(engine.iterate, X, options, ["x", "y"]))
    endings: list[str] = []
    worker.finished.connect(lambda _: endings.append("finished"))
    worker.failed.connect(lambda *_: endings.append("failed"))
    worker.cancelled.connect(lambda: endings.append("cancelled"))
    with qtbot.waitSignals(
        [worker.yielded, worker.yielded, worker.yielded, worker.yielded, worker.finished],
        order="strict",
        timeout=10_000,
    ):
        worker.run()  # run synchronously: the order of emissions is what is tested
    assert endings == ["finished"]


def test_bad_input_reaches_run_failed_not_the_thread(qtbot, controller, document):
    X = blobs(30)
    with qtbot.waitSignal(controller.run_failed, timeout=10_000) as failed:
        with qtbot.assertNotEmitted(controller.run_finished):
            controller.start(X, engine.FitOptions(n_components=50), ["x", "y"])
    message, details = failed.args
    assert "K is 50" in message and "at most 30" in message
    assert "Traceback" in details
    assert document.run_state is RunState.FAILED


def test_pause_step_resume_and_stop(qtbot, controller, document):
    X = blobs()
    controller.start(X, slow_options(), ["x", "y"], paused=True)
    # A paused start performs exactly one step: the initial parameters.
    qtbot.waitUntil(lambda: document.n_snapshots == 1 and controller.is_waiting,
                    timeout=10_000)
    assert document.run_state is RunState.PAUSED
    with qtbot.assertNotEmitted(document.snapshot_added, wait=200):
        pass
    for expected in (2, 3, 4):
        controller.step()
        qtbot.waitUntil(lambda: document.n_snapshots == expected, timeout=10_000)
    assert [s.iteration for s in document.snapshots] == [0, 1, 2, 3]
    controller.resume()
    assert document.run_state is RunState.RUNNING
    qtbot.waitUntil(lambda: document.n_snapshots > 20, timeout=10_000)
    controller.pause()
    with qtbot.waitSignal(controller.run_cancelled, timeout=10_000):
        controller.stop()
    assert document.run_state is RunState.CANCELLED
    count = document.n_snapshots
    qtbot.waitUntil(lambda: controller.threads_running == 0, timeout=10_000)
    assert document.n_snapshots == count, "no iteration arrives after Stop"


def test_a_new_run_ignores_the_old_runs_signals(qtbot, controller, document):
    X = blobs()
    controller.start(X, slow_options(), ["x", "y"])
    qtbot.waitUntil(lambda: document.n_snapshots > 5, timeout=10_000)
    quick = engine.FitOptions(n_components=2, seed=4)
    expected = engine.fit(X, quick)
    with qtbot.waitSignal(controller.run_finished, timeout=20_000):
        controller.start(X, quick, ["x", "y"])
    qtbot.waitUntil(lambda: controller.threads_running == 0, timeout=10_000)
    assert [s.log_likelihood for s in document.snapshots] == list(expected.history)
    assert all(s.params.n_components == 2 for s in document.snapshots)


def test_thousands_of_signals_in_one_process(qtbot, controller, document):
    """Guards against binding regressions (PySide6 6.12.0 aborted after some hundreds)."""
    X = blobs(60)
    options = engine.FitOptions(n_components=2, tol=0.0, max_iter=3000, seed=0)
    with qtbot.waitSignal(controller.run_finished, timeout=60_000):
        controller.start(X, options, ["x", "y"])
    assert document.n_snapshots == 3001


def test_other_data_stop_the_run_and_let_go_of_its_fit(qtbot, controller, document):
    from emio.tables import Table

    X = blobs()
    controller.start(X, slow_options(), ["x", "y"])
    qtbot.waitUntil(lambda: document.n_snapshots > 2, timeout=10_000)
    fits: list[object] = []
    document.fit_changed.connect(fits.append)
    with qtbot.waitSignal(controller.run_cancelled, timeout=1000):
        document.set_data(Table(data=X[:30], columns=["x", "y"]), "other")
    assert fits == [None] and document.snapshots == ()
    assert document.run_state is RunState.CANCELLED
    qtbot.waitUntil(lambda: controller.threads_running == 0, timeout=10_000)
    assert document.n_snapshots == 0, "no iteration of the old data arrives"


def test_an_ended_thread_is_forgotten_even_without_its_sender(qtbot, controller, threads):
    # Under load QObject.sender() was seen to miss in the finished handler; the
    # registry must still forget a thread that has ended.
    controller.start(blobs(), engine.FitOptions(n_components=3, max_iter=3, seed=0), ["x", "y"])
    # Registered, not "running": three iterations may be over before the next line runs;
    # no event loop runs in between, so the thread cannot have been let go of yet.
    (thread,) = threads.registered(owner=controller)
    assert thread.wait(20_000)  # ended, its finished not yet delivered (no event loop ran)
    with qtbot.waitSignal(threads.thread_forgotten, timeout=1000):
        threads.forget_finished()  # as the finished handler does when sender() is None
    assert controller.threads_running == 0
