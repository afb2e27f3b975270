"""Settings ▸ Compute on a Dask cluster (issue 16, point 11): remembered between launches, the
same fit as this computer's, the cluster named while it computes, a clear message for an
address that does not answer, and Stop that cancels the cluster's tasks."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from emgui.runs.compute import CLUSTER, HERE, ComputePlace
from emgui.shell.document import RunState

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def blobs_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(5)
    group = rng.integers(3, size=20_000)[:, None]
    path = tmp_path_factory.mktemp("window-dask") / "blobs.npy"
    np.save(path, 5.0 * group + rng.normal(size=(20_000, 2)))
    return path


def em_tasks(cluster: object) -> list[str]:
    """EM Studio's tasks the scheduler holds (queued, running or kept)."""
    with distributed.Client(cluster, set_as_default=False) as client:
        return client.run_on_scheduler(
            lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks if str(k).startswith("em-")]
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def set_fit(window, k: int = 3, tol: str = "1e-8", max_iter: int = 500) -> None:
    panel = window.settings_panel
    panel.k_spin.setValue(k)
    panel.seed_spin.setValue(4)
    panel.tol_combo.setCurrentText(tol)
    panel.max_iter_spin.setValue(max_iter)


def compute_on(window, where: str, address: str = "") -> None:
    section = window.settings_panel.compute
    section.address_edit.setText(address)
    section.address_edit.editingFinished.emit()
    section.where_combo.setCurrentIndex(section.where_combo.findData(where))


def test_the_place_is_remembered_between_launches(new_window):
    first = new_window()
    assert first.controller.place == ComputePlace(HERE, "")
    compute_on(first, CLUSTER, "tcp://10.1.2.3:8786")
    assert first.controller.place == ComputePlace(CLUSTER, "tcp://10.1.2.3:8786")
    second = new_window()
    section = second.settings_panel.compute
    assert section.where_combo.currentData() == CLUSTER
    assert section.address_edit.text() == "tcp://10.1.2.3:8786"
    assert second.controller.place == ComputePlace(CLUSTER, "tcp://10.1.2.3:8786")


def test_a_fit_on_the_cluster_equals_the_fit_here(qtbot, window, cluster, blobs_file, errors):
    window.open_file(blobs_file, ask=False)
    qtbot.waitUntil(lambda: window.document.table is not None, timeout=20_000)
    set_fit(window)
    with qtbot.waitSignal(window.controller.run_finished, timeout=60_000) as here:
        window.run()
    compute_on(window, CLUSTER, cluster.scheduler_address)
    named: list[str] = []
    window.controller.computing.connect(named.append)
    with qtbot.waitSignal(window.controller.run_finished, timeout=120_000) as there:
        window.run()
    assert not errors
    assert named == [f"Computing on the Dask cluster at {cluster.scheduler_address} (2 workers)"]
    local, remote = here.args[0], there.args[0]
    np.testing.assert_allclose(remote.history, local.history, rtol=1e-10)
    np.testing.assert_allclose(remote.params["means"], local.params["means"], rtol=1e-9)
    assert not window.compute.where_label.isVisibleTo(window)  # said while it ran only


def test_stop_cancels_the_cluster_s_tasks(qtbot, window, cluster, blobs_file):
    window.open_file(blobs_file, ask=False)
    qtbot.waitUntil(lambda: window.document.table is not None, timeout=20_000)
    set_fit(window, tol="0", max_iter=100_000)
    compute_on(window, CLUSTER, cluster.scheduler_address)
    window.run()
    qtbot.waitUntil(lambda: window.document.n_snapshots >= 3, timeout=60_000)
    assert window.compute.where_label.isVisibleTo(window)
    assert "(2 workers)" in window.compute.where_label.text()
    window.stop()
    assert window.document.run_state is RunState.CANCELLED
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    qtbot.waitUntil(lambda: not em_tasks(cluster), timeout=10_000)


def test_an_address_that_does_not_answer_gives_a_message_and_the_window_stays_usable(
    qtbot, window, blobs_file, errors
):
    window.open_file(blobs_file, ask=False)
    qtbot.waitUntil(lambda: window.document.table is not None, timeout=20_000)
    address = f"tcp://127.0.0.1:{free_port()}"
    compute_on(window, CLUSTER, address)
    with qtbot.waitSignal(window.controller.run_failed, timeout=30_000):
        window.run()
        # The connecting happens off the GUI thread: the window answers meanwhile.
        assert window.document.is_running
        window.settings_panel.k_spin.setValue(2)
    assert window.document.run_state is RunState.FAILED
    message = errors[-1][0]
    assert f"no Dask scheduler answered at {address}" in message
    assert "dask scheduler" in message
    compute_on(window, HERE)
    with qtbot.waitSignal(window.controller.run_finished, timeout=60_000):
        window.run()


def test_data_the_workers_cannot_read_is_refused_with_what_to_do(qtbot, window, cluster, errors):
    window.open_sample(window.sample_menu.actions()[0].data())
    compute_on(window, CLUSTER, cluster.scheduler_address)
    with qtbot.waitSignal(window.controller.run_failed, timeout=30_000):
        window.run()
    assert "read .npy or Parquet files themselves" in errors[-1][0]
    assert "python main.py convert" in errors[-1][0]


def test_a_pass_on_the_cluster_shows_how_much_of_it_is_done(qtbot, window, cluster, blobs_file):
    window.controller.show_pass_after_s = 0.0
    window.open_file(blobs_file, ask=False)
    qtbot.waitUntil(lambda: window.document.table is not None, timeout=20_000)
    set_fit(window, tol="0", max_iter=100_000)
    compute_on(window, CLUSTER, cluster.scheduler_address)
    progress: list[tuple[int, int]] = []
    window.controller.pass_progress.connect(lambda number, done: progress.append((number, done)))
    window.run()
    qtbot.waitUntil(lambda: any(number >= 3 for number, _ in progress), timeout=60_000)
    assert all(number >= 1 and 0 <= done < 1000 for number, done in progress)
    numbers = [number for number, _ in progress]
    assert numbers == sorted(numbers)  # passes follow one another
    assert window.compute.pass_bar.isVisibleTo(window)
    assert window.compute.pass_label.text().endswith("on the cluster")
    window.stop()
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    assert progress[-1] == (0, 0) and not window.compute.pass_bar.isVisibleTo(window)
