"""``--backend dask`` on the command line: the local numbers from a cluster, Ctrl-C that
cancels the cluster's work at once, and one ``error:`` line for what cannot be done."""

from __future__ import annotations

import csv
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest


ROOT = Path(__file__).resolve().parents[2]


def blobs(n_samples: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    group = rng.integers(3, size=n_samples)[:, None]
    return 4.0 * group + rng.normal(size=(n_samples, 4))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dask-cli") / "blobs.npy"
    np.save(path, blobs(30_000))
    return path


def responsibilities(path: Path) -> np.ndarray:
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][:2] == ["component", "resp_1"]
    return np.array(rows[1:], dtype=float)


def test_fit_predict_and_select_on_a_cluster_give_the_local_results(
    run_cli: object, tmp_path: Path, cluster: object, data: Path
) -> None:
    address = cluster.scheduler_address
    fit = ["fit", data, "--k", "3", "--seed", "2", "--tol", "1e-9"]
    code, local, _ = run_cli(*fit, "--labels", tmp_path / "local.csv")
    assert code == 0
    code, remote, err = run_cli(*fit, "--backend", "dask", "--scheduler", address,
                            "--labels", tmp_path / "remote.csv")
    assert code == 0, err
    assert f"computing on the Dask cluster at {address} (2 workers)" in err
    local_doc, remote_doc = json.loads(local), json.loads(remote)
    np.testing.assert_allclose(remote_doc["history"], local_doc["history"], rtol=1e-10)
    np.testing.assert_allclose(remote_doc["means"], local_doc["means"], rtol=1e-9)
    np.testing.assert_allclose(
        responsibilities(tmp_path / "remote.csv"), responsibilities(tmp_path / "local.csv"),
        rtol=1e-9, atol=1e-12,
    )
    params = tmp_path / "params.json"
    params.write_text(local)
    code, predicted, err = run_cli("predict", params, data, "--backend", "dask",
                               "--scheduler", address, "-o", tmp_path / "predicted.csv")
    assert code == 0, err
    np.testing.assert_allclose(
        responsibilities(tmp_path / "predicted.csv")[:, 1:],
        responsibilities(tmp_path / "local.csv")[:, 1:], rtol=1e-6, atol=1e-9,
    )
    code, table, err = run_cli("select", data, "--k", "2-3", "--models", "full,diag",
                           "--n-init", "1", "--backend", "dask", "--scheduler", address)
    assert code == 0, err
    assert "K=3 (BIC" in table.splitlines()[-1]


def test_without_a_scheduler_a_cluster_is_started_for_the_command_and_stopped(
    run_cli: object, data: Path
) -> None:
    before = worker_processes()
    code, out, err = run_cli("fit", data, "--k", "2", "--seed", "1", "--backend", "dask")
    assert code == 0, err
    assert "computing on a local Dask cluster" in err and "(2 workers)" in err
    assert json.loads(out)["n_components"] == 2
    assert worker_processes() <= before  # the command's workers have gone


def worker_processes() -> set[int]:
    """Worker processes started from this one (multiprocessing's own resource tracker
    may stay for the life of the process, and is not one)."""
    return {
        child.pid for child in psutil.Process().children(recursive=True)
        if "spawn_main" in " ".join(child.cmdline())
    }


def test_ctrl_c_cancels_the_clusters_work_and_leaves_it_usable(
    tmp_path: Path, cluster: object, client: object, helpers: type
) -> None:
    path = tmp_path / "long.npy"
    np.save(path, blobs(400_000, seed=9))
    command = [sys.executable, str(ROOT / "main.py"), "fit", str(path), "--k", "4", "--tol", "0",
               "--backend", "dask", "--scheduler", cluster.scheduler_address]
    process = subprocess.Popen(
        [*command, "--max-iter", "100000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Interrupted while a pass's tasks are queued or running on the workers.
        helpers.wait_until(
            lambda: any(key.startswith("em-pass-") for key in helpers.em_tasks(client)),
            timeout=60, step=0.01,
        )
        process.send_signal(signal.SIGINT)
        # How soon is measured by `python -m bench.cancel` (within a second); here a
        # generous bound only tells a hang from a cancel on a busy machine.
        helpers.wait_until(lambda: not helpers.em_tasks(client), timeout=30)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == "error: interrupted"
    # The cluster takes the next command as if nothing had happened.
    done = subprocess.run([*command, "--max-iter", "3"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n_iter"] == 3


def test_a_scheduler_that_does_not_answer_is_named_within_seconds(
    run_cli: object, data: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    address = f"tcp://127.0.0.1:{port}"
    started = time.monotonic()
    code, out, err = run_cli("fit", data, "--k", "2", "--backend", "dask",
                         "--scheduler", address)
    assert time.monotonic() - started < 15
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: no Dask scheduler answered at")
    assert address in err and "dask scheduler" in err and f"dask worker {address}" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler is for --backend dask"),
        (["--backend", "dask"], "convert it once with: python main.py convert"),
    ],
)
def test_what_a_cluster_cannot_do_gets_one_error_line(
    run_cli: object, tmp_path: Path, args: list[str], message: str
) -> None:
    text = tmp_path / "blobs.csv"
    np.savetxt(text, blobs(50), delimiter=",")
    code, out, err = run_cli("fit", text, "--k", "2", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_without_dask_installed_the_error_names_the_extra(data: Path) -> None:
    # The packages made unimportable in a fresh interpreter, as if never installed.
    script = (
        "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None; "
        "from emio.cli import main; "
        f"sys.exit(main(['fit', {str(data)!r}, '--k', '2', '--backend', 'dask']))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert 'pip install "em-studio[dask]"' in done.stderr
