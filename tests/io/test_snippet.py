"""The generated Python snippet, run as its users would run it, against the engine."""

from __future__ import annotations

import ast
import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine
from emio import exports
from emio.snippet import snippet
from emio.tables import read_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "emio" / "resources" / "samples"
BLOBS = SAMPLES / "blobs_2d.csv"
GAUSSIAN_CASES = [f"gaussian-{c}" for c in engine.COVARIANCE_TYPES]


def binomial_data() -> np.ndarray:
    rng = np.random.default_rng(5)
    first = rng.binomial(10, [0.2, 0.7], size=(80, 2))
    second = rng.binomial(10, [0.8, 0.3], size=(60, 2))
    return np.vstack([first, second]).astype(float)


def fitted(case: str) -> tuple[engine.FitResult, np.ndarray, list[str]]:
    if case.startswith("gaussian"):
        table = read_table(BLOBS)
        options = engine.FitOptions(n_components=3, covariance_type=case.split("-")[1], seed=2)
        return engine.fit(table.data, options), table.data, table.columns
    if case == "kmeans":
        table = read_table(BLOBS)
        options = engine.FitOptions(model="kmeans", n_components=3, seed=2)
        return engine.fit(table.data, options), table.data, table.columns
    if case == "binomial":
        X = binomial_data()
        options = engine.FitOptions(model="binomial", n_components=2, trials=10, seed=2)
        return engine.fit(X, options), X, ["heads", "tails"]
    name = {"bernoulli": "binary_features.csv", "poisson": "counts.csv"}[case]
    table = read_table(SAMPLES / name)
    return engine.fit(table.data, engine.FitOptions(model=case, n_components=2, seed=2)), \
        table.data, table.columns


def export(tmp_path: Path, case: str) -> tuple[Path, engine.FitResult, np.ndarray, list[str]]:
    result, X, names = fitted(case)
    written = exports.write_params(tmp_path / "model.json", result, names, script=True)
    return written[-1], result, X, names


def write_new_data(path: Path, X: np.ndarray, names: list[str]) -> None:
    """New rows with the columns reversed and an extra one: the script picks by name."""
    rng = np.random.default_rng(0)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["note"] + names[::-1])
        for row in X:
            writer.writerow([f"r{rng.integers(100)}"] + [repr(float(v)) for v in row[::-1]])


def run_script(script: Path, *args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script), *map(str, args)],
        capture_output=True, text=True, timeout=120, cwd=script.parent.parent,
    )


def parse(output: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    rows = list(csv.reader(io.StringIO(output)))
    values = np.array(rows[1:], dtype=float)
    return rows[0], values[:, 0].astype(int), values[:, 1:-1], values[:, -1]


CASES = GAUSSIAN_CASES + ["kmeans", "bernoulli", "binomial", "poisson"]


@pytest.mark.parametrize("case", CASES)
def test_the_script_reproduces_the_engine(tmp_path, case):
    script, result, X, names = export(tmp_path, case)
    new = X[::3]
    data = tmp_path / "new rows.csv"
    write_new_data(data, new, names)
    done = run_script(script, data)
    assert done.returncode == 0, done.stderr
    header, labels, resp, log_density = parse(done.stdout)
    k = result.options.n_components
    assert header == ["component"] + [f"resp_{j + 1}" for j in range(k)] + ["log_density"]
    log_norm, log_resp = engine.predict_log_resp(new, result.params, result.options, names)
    np.testing.assert_allclose(resp, np.exp(log_resp), rtol=0, atol=1e-10)
    np.testing.assert_allclose(log_density, log_norm, rtol=1e-12, atol=1e-10)
    np.testing.assert_array_equal(labels, np.argmax(log_resp, axis=1) + 1)


@pytest.mark.parametrize("case", GAUSSIAN_CASES)
def test_the_scikit_learn_mixture_built_from_json_agrees(tmp_path, case):
    pytest.importorskip("sklearn")
    script, result, X, names = export(tmp_path, case)
    data = tmp_path / "new.csv"
    write_new_data(data, X, names)
    done = run_script(script, data, "--sklearn")
    assert done.returncode == 0, done.stderr
    _, labels, resp, log_density = parse(done.stdout)
    log_norm, log_resp = engine.predict_log_resp(X, result.params, result.options, names)
    np.testing.assert_allclose(resp, np.exp(log_resp), rtol=0, atol=1e-10)
    np.testing.assert_allclose(log_density, log_norm, rtol=1e-10)
    np.testing.assert_array_equal(labels, np.argmax(log_resp, axis=1) + 1)


def test_a_headerless_file_is_read_in_column_order(tmp_path):
    script, result, X, names = export(tmp_path, "gaussian-full")
    data = tmp_path / "plain.csv"
    np.savetxt(data, X[:10], delimiter=",", fmt="%.17g")
    done = run_script(script, data)
    assert done.returncode == 0, done.stderr
    _, _, resp, _ = parse(done.stdout)
    _, log_resp = engine.predict_log_resp(X[:10], result.params, result.options)
    np.testing.assert_allclose(resp, np.exp(log_resp), rtol=0, atol=1e-10)


def test_the_script_says_what_is_wrong(tmp_path):
    script, _, _, _ = export(tmp_path, "gaussian-full")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    done = run_script(script, wrong)
    assert done.returncode == 1
    assert "has no column x, y; its columns are a, b" in done.stderr
    other = tmp_path / "poisson.py"
    other.write_text(snippet("model.json", "poisson"), encoding="utf-8")
    done = run_script(other, wrong)
    assert done.returncode == 1 and "holds a gaussian model, not poisson" in done.stderr


def imported(nodes) -> set[str]:
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("model", engine.MODEL_NAMES)
def test_the_script_needs_numpy_and_the_standard_library_only(model):
    tree = ast.parse(snippet("fit.json", model))
    assert imported(tree.body) <= {"argparse", "csv", "json", "math", "sys", "pathlib", "numpy"}
    # scikit-learn only inside the function that builds its model; nothing unpickles.
    everywhere = imported(ast.walk(tree))
    assert everywhere - imported(tree.body) == ({"sklearn"} if model == "gaussian" else set())
    assert not everywhere & {"pickle", "joblib", "dill"}


def test_snippet_refuses_unknown_models_and_paths():
    with pytest.raises(ValueError, match="unknown model 'tree'"):
        snippet("fit.json", "tree")
    with pytest.raises(ValueError, match="without a folder"):
        snippet("out/fit.json", "gaussian")
