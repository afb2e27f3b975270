"""The README's "From Python" example, run as written (in a folder holding
``faithful.csv``), and what its comments promise."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[2] / "README.md"


def from_python_example() -> str:
    """The Python block of the README's section "From Python"."""
    section = README.read_text(encoding="utf-8").split("\n## From Python\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_readme_example_runs_as_written_and_does_what_it_says(
    faithful_csv: Path, tmp_path: Path, monkeypatch
) -> None:
    shutil.copy(faithful_csv, tmp_path / "faithful.csv")
    monkeypatch.chdir(tmp_path)
    code = from_python_example()
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), namespace)
    gm, X, bic = namespace["gm"], namespace["X"], namespace["bic"]
    # "responsibilities, shape (5, 2)"; "2: lower is better".
    assert gm.predict_proba(X[:5]).shape == (5, 2)
    assert gm.labels_.shape == (272,) and set(gm.labels_) == {0, 1}
    assert sorted(bic) == [1, 2, 3, 4, 5, 6] and min(bic, key=bic.get) == 2
    # "watch EM climb": one line per snapshot, iterations from 0, the bound rising.
    lines = [line.split() for line in printed.getvalue().splitlines()]
    iterations = [int(line[0]) for line in lines]
    values = np.array([float(line[1]) for line in lines])
    assert iterations == list(range(len(lines))) and len(lines) >= 3
    assert np.all(np.diff(values) >= 0)


def test_the_readme_example_of_files_and_dask_runs_as_written(
    tmp_path: Path, monkeypatch, cluster: object
) -> None:
    """The second block: a fit from a .npy path, its labels, and fits on a Dask cluster
    (one started for the fit, and the session's cluster at the example's address)."""
    section = README.read_text(encoding="utf-8").split("\n## From Python\n", 1)[1]
    code = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)[1]
    assert "tcp://10.0.0.5:8786" in code
    code = code.replace("tcp://10.0.0.5:8786", cluster.scheduler_address)
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(4.0 * k, 1.0, (500, 2)) for k in range(4)])
    np.save(tmp_path / "big.npy", X)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"GaussianMixture": __import__("em_studio").GaussianMixture}
    exec(compile(code, str(README), "exec"), namespace)
    gm, labels = namespace["gm"], namespace["labels"]
    assert labels.shape == (2000,) and set(labels) == {0, 1, 2, 3}
    np.testing.assert_array_equal(labels, gm.predict(X))
