"""Exports: PARAMS.json, components table, arrays, assignments, trace and summary.

Round trips are exact: what is written reads back to the same bits, and the
parameters read back give the same predictions.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import engine
from engine.models import covariance
from emio import exports
from emio.atomic import describe_os_error
from emio.params_file import params_from_dict
from emio.tables import Table, read_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "emio" / "resources" / "samples"
BLOBS = SAMPLES / "blobs_2d.csv"


def blobs() -> engine.FitResult:
    table = read_table(BLOBS)
    return engine.fit(table.data, engine.FitOptions(n_components=3, seed=1))


def binomial_data() -> np.ndarray:
    rng = np.random.default_rng(5)
    first = rng.binomial(10, [0.2, 0.7], size=(80, 2))
    second = rng.binomial(10, [0.8, 0.3], size=(60, 2))
    return np.vstack([first, second]).astype(float)


def fitted(case: str) -> tuple[engine.FitResult, np.ndarray, list[str]]:
    """A fit of each kind: gaussian-<covariance>, kmeans, bernoulli, binomial, poisson."""
    if case.startswith("gaussian"):
        table = read_table(BLOBS)
        options = engine.FitOptions(n_components=3, covariance_type=case.split("-")[1], seed=2)
        return engine.fit(table.data, options), table.data, table.columns
    if case == "kmeans":
        table = read_table(BLOBS)
        options = engine.FitOptions(model="kmeans", n_components=3, e_step="hard", seed=2)
        return engine.fit(table.data, options), table.data, table.columns
    if case == "binomial":
        X = binomial_data()
        options = engine.FitOptions(model="binomial", n_components=2, trials=(10, 10), seed=2)
        return engine.fit(X, options), X, ["a", "b"]
    name = {"bernoulli": "binary_features.csv", "poisson": "counts.csv"}[case]
    table = read_table(SAMPLES / name)
    options = engine.FitOptions(model=case, n_components=2, seed=2)
    return engine.fit(table.data, options), table.data, table.columns


CASES = [f"gaussian-{c}" for c in engine.COVARIANCE_TYPES] + [
    "kmeans", "bernoulli", "binomial", "poisson"
]


@pytest.mark.parametrize("case", CASES)
def test_params_json_round_trip_is_bit_exact_and_predicts_the_same(case, tmp_path):
    result, X, names = fitted(case)
    path = tmp_path / "fit.json"
    assert exports.write_params(path, result, names) == [path]
    document = params_from_dict(json.loads(path.read_text(encoding="utf-8")))
    mine, theirs = result.params.arrays(), document.params.arrays()
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert mine[name].tobytes() == theirs[name].tobytes(), name
    log_norm, log_resp = engine.predict_log_resp(X, result.params, result.options, names)
    again_norm, again_resp = engine.predict_log_resp(X, document.params, document.options(), names)
    np.testing.assert_array_equal(again_resp, log_resp)
    np.testing.assert_array_equal(again_norm, log_norm)


@pytest.mark.parametrize("case", CASES)
def test_npz_holds_documented_arrays_that_load_without_pickle(case):
    result, _, names = fitted(case)
    archive = np.load(io.BytesIO(exports.params_npz(result, names)), allow_pickle=False)
    assert set(archive.files) <= set(exports.npz_arrays()), "every array name is documented"
    assert str(archive["model"]) == result.options.model
    assert list(archive["feature_names"]) == names
    for name, array in result.params.arrays().items():
        assert archive[name].dtype == np.float64
        assert archive[name].tobytes() == array.tobytes(), name
    assert ("covariance_type" in archive.files) == (result.options.model == "gaussian")
    if result.options.model == "gaussian":
        # mclust's name for the structure (VVV for full), as PARAMS.json writes it
        assert str(archive["covariance_type"]) == covariance.shown_name(
            result.options.covariance_type
        )
    if result.options.model == "binomial":
        np.testing.assert_array_equal(archive["trials"], [10, 10])
    if result.options.model == "bernoulli":
        np.testing.assert_array_equal(archive["trials"], np.ones(len(names)))
    history = result.metrics_history["inertia"] if case == "kmeans" else result.history
    np.testing.assert_array_equal(archive["history"], history)
    assert float(archive["log_likelihood"]) == result.log_likelihood
    assert float(archive["bic"]) == result.bic and int(archive["seed"]) == result.seed
    assert bool(archive["converged"]) == result.converged


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_components_csv_full_covariance_reads_in_pandas_with_every_digit():
    result, _, names = fitted("gaussian-full")
    frame = read_csv(exports.components_csv(result, names))
    assert list(frame.columns) == [
        "component", "weight", "mean(x)", "mean(y)", "var(x)", "var(y)", "cov(x,y)"
    ]
    params = result.params
    np.testing.assert_array_equal(frame["component"], [1, 2, 3])
    np.testing.assert_array_equal(frame["weight"], params.weights)
    np.testing.assert_array_equal(frame[["mean(x)", "mean(y)"]], params.means)
    np.testing.assert_array_equal(frame["var(y)"], params.covariances[:, 1, 1])
    np.testing.assert_array_equal(frame["cov(x,y)"], params.covariances[:, 0, 1])


@pytest.mark.parametrize(
    ("case", "spread"),
    [
        ("gaussian-tied", ["var(x) (shared)", "var(y) (shared)", "cov(x,y) (shared)"]),
        ("gaussian-diag", ["var(x)", "var(y)"]),
        ("gaussian-spherical", ["var"]),
        ("kmeans", ["var (shared)"]),
    ],
)
def test_components_csv_spread_columns_follow_the_covariance_type(case, spread):
    result, _, names = fitted(case)
    frame = read_csv(exports.components_csv(result, names))
    assert list(frame.columns) == ["component", "weight", "mean(x)", "mean(y)", *spread]
    covariances = result.params.covariances
    if case == "gaussian-tied":
        np.testing.assert_array_equal(frame["cov(x,y) (shared)"], [covariances[0, 1]] * 3)
    elif case == "gaussian-diag":
        np.testing.assert_array_equal(frame["var(y)"], covariances[:, 1])
    else:
        np.testing.assert_array_equal(frame[spread[0]], np.broadcast_to(covariances, (3,)))


@pytest.mark.parametrize(("case", "prefix", "field"), [
    ("bernoulli", "p", "probs"), ("binomial", "p", "probs"), ("poisson", "rate", "rates"),
])
def test_components_csv_of_count_models(case, prefix, field):
    result, _, names = fitted(case)
    frame = read_csv(exports.components_csv(result, names))
    assert list(frame.columns) == ["component", "weight"] + [f"{prefix}({n})" for n in names]
    np.testing.assert_array_equal(
        frame[[f"{prefix}({n})" for n in names]], getattr(result.params, field)
    )


def test_components_csv_needs_one_name_per_column():
    result, _, _ = fitted("gaussian-full")
    with pytest.raises(ValueError, match="3 column names were given for 2 columns"):
        exports.components_csv(result, ["a", "b", "c"])


def test_assignments_keep_the_original_columns_and_values(tmp_path):
    source = tmp_path / "counts.csv"
    source.write_text("emails,calls\n8,3\n20,11\n7,2.5\n0,1\n", encoding="utf-8")
    table = read_table(source)
    with np.errstate(divide="ignore"):  # a responsibility of exactly zero is -inf in log space
        log_resp = np.log(np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5], [1.0, 0.0]]))
    text = exports.assignments_csv(table, log_resp)
    lines = text.splitlines()
    assert lines[0] == "emails,calls,component,resp_1,resp_2,uncertainty"
    # Whole numbers stay whole, as the file had them.
    assert lines[1].startswith("8,3,1,") and lines[3].startswith("7,2.5,1,")
    frame = read_csv(text)
    np.testing.assert_array_equal(frame[["emails", "calls"]], table.data)
    np.testing.assert_array_equal(frame["component"], [1, 2, 1, 1])
    np.testing.assert_allclose(frame[["resp_1", "resp_2"]], np.exp(log_resp), rtol=1e-15)
    np.testing.assert_allclose(frame["uncertainty"], [0.1, 0.2, 0.5, 0.0], atol=1e-15)
    assert "source_row" not in frame.columns
    assert exports.assignments_note(table) == "all 4 rows written"


def test_assignments_after_dropped_rows_say_where_each_row_came_from(tmp_path):
    source = tmp_path / "gaps.csv"
    source.write_text("x,y\n1.5,2\n,3\n2.5,4\n3.5,oops\n4.5,6\n", encoding="utf-8")
    table = read_table(source, bad_rows="drop")
    assert table.dropped_rows == 2
    log_resp = np.log(np.full((3, 2), 0.5))
    frame = read_csv(exports.assignments_csv(table, log_resp))
    np.testing.assert_array_equal(frame["x"], [1.5, 2.5, 4.5])
    np.testing.assert_array_equal(frame["source_row"], [1, 3, 5])
    note = exports.assignments_note(table)
    assert "2 rows with missing or non-numeric values were left out" in note


def test_assignment_columns_do_not_clash_with_the_data(tmp_path):
    source = tmp_path / "clash.csv"
    source.write_text("component,uncertainty\n1,2\n3,5\n", encoding="utf-8")
    table = read_table(source)
    header = exports.assignments_csv(table, np.log(np.full((2, 1), 1.0))).splitlines()[0]
    assert header == "component,uncertainty,component_em,resp_1,uncertainty_em"


def test_assignments_refuse_responsibilities_of_other_rows():
    table = read_table(BLOBS)
    with pytest.raises(ValueError, match="do not belong to 600 rows"):
        exports.assignments_csv(table, np.zeros((5, 3)))


def test_labels_are_the_assignments_without_the_data():
    table = read_table(BLOBS)
    result = blobs()
    _, log_resp = engine.predict_log_resp(table.data, result.params, result.options)
    labels = read_csv(exports.labels_csv(log_resp))
    assert list(labels.columns) == ["component", "resp_1", "resp_2", "resp_3"]
    assignments = read_csv(exports.assignments_csv(table, log_resp))
    pd.testing.assert_frame_equal(labels, assignments[list(labels.columns)])


def run_snapshots(X: np.ndarray, options: engine.FitOptions):
    iterator = engine.iterate(X, options)
    snapshots = []
    while True:
        try:
            snapshots.append(next(iterator))
        except StopIteration as stop:
            return snapshots, stop.value


def test_trace_csv_has_one_row_per_iteration_and_every_parameter():
    X = read_table(BLOBS).data
    options = engine.FitOptions(n_components=2, covariance_type="tied", seed=4)
    snapshots, result = run_snapshots(X, options)
    frame = read_csv(exports.trace_csv(snapshots, result.options, ["x", "y"], with_params=True))
    assert len(frame) == len(snapshots) == result.n_iter + 1
    np.testing.assert_array_equal(frame["log_likelihood"], result.history)
    np.testing.assert_array_equal(frame["iteration"], np.arange(len(snapshots)))
    assert (frame["restart"] == 1).all()
    assert frame["converged"].iloc[-1] == result.converged
    expected = ["weights[1]", "weights[2]", "means[1,x]", "means[1,y]", "means[2,x]",
                "means[2,y]", "covariances[x,x]", "covariances[x,y]", "covariances[y,x]",
                "covariances[y,y]"]
    assert list(frame.columns[5:]) == expected
    for i, snapshot in enumerate(snapshots):
        np.testing.assert_array_equal(frame.loc[i, expected[4:6]], snapshot.params.means[1])
        assert frame.loc[i, "covariances[x,y]"] == snapshot.params.covariances[0, 1]


def test_trace_without_parameters_and_with_kmeans_inertia():
    X = read_table(BLOBS).data
    snapshots, result = run_snapshots(
        X, engine.FitOptions(model="kmeans", n_components=3, e_step="hard", seed=4)
    )
    frame = read_csv(exports.trace_csv(snapshots, result.options, ["x", "y"]))
    assert list(frame.columns) == [
        "restart", "iteration", "log_likelihood", "objective", "converged", "inertia"
    ]
    np.testing.assert_array_equal(frame["inertia"], result.metrics_history["inertia"])


def test_trace_json_round_trips_every_iteration():
    X = read_table(BLOBS).data
    snapshots, result = run_snapshots(X, engine.FitOptions(n_components=3, seed=4, n_init=2))
    doc = json.loads(exports.trace_json(snapshots, result.options, ["x", "y"], with_params=True))
    assert doc["format"] == "em-studio-trace" and doc["version"] == 1
    assert doc["model"] == "gaussian" and doc["covariance"] == "VVV"
    assert doc["feature_names"] == ["x", "y"] and doc["n_components"] == 3
    entries = doc["iterations"]
    assert len(entries) == len(snapshots)
    assert {e["restart"] for e in entries} == {1, 2}
    for entry, snapshot in zip(entries, snapshots):
        assert entry["log_likelihood"] == snapshot.log_likelihood
        for name, array in snapshot.params.arrays().items():
            assert np.array(entry["params"][name]).tobytes() == array.tobytes()
    plain = json.loads(exports.trace_json(snapshots, result.options, ["x", "y"]))
    assert "params" not in plain["iterations"][0]


def test_trace_of_nothing_is_refused():
    with pytest.raises(ValueError, match="run a fit first"):
        exports.trace_csv([], engine.FitOptions(), ["x"])


def test_summary_reports_what_mclust_would():
    result, _, names = fitted("gaussian-full")
    text = exports.summary_text(result, names)
    assert "Gaussian mixture, VVV covariance (full:" in text
    assert "Components (K):   3" in text
    assert f"Log-likelihood:   {result.log_likelihood:.4f}" in text
    assert f"Free parameters:  {result.n_parameters}" in text
    assert f"BIC:              {result.bic:.4f}" in text
    assert f"AIC:              {result.aic:.4f}" in text
    assert f"ICL:              {result.icl:.4f}" in text
    assert f"Seed:             {result.seed}" in text
    its = "iteration" if result.n_iter == 1 else "iterations"
    assert f"Converged:        yes, after {result.n_iter} {its}" in text
    sizes_line = next(line for line in text.splitlines() if line.strip().startswith("rows"))
    assert [int(v) for v in sizes_line.split()[1:]] == list(np.bincount(result.labels))
    assert sum(np.bincount(result.labels)) == 600


def test_summary_of_a_held_and_unconverged_hard_fit():
    X = read_table(BLOBS).data
    options = engine.FitOptions(n_components=2, e_step="hard", fixed={"weights"}, max_iter=1,
                                tol=0.0, seed=3)
    result = engine.fit(X, options)
    text = exports.summary_text(result, ["x", "y"])
    assert "hard (classification EM)" in text
    assert "(held fixed: weights)" in text
    assert "Converged:        no, stopped after 1 iteration" in text
    assert "Note: did not converge" in text


def test_write_params_writes_the_files_asked_for(tmp_path):
    result, _, names = fitted("gaussian-diag")
    written = exports.write_params(tmp_path / "fit.json", result, names,
                                   components=True, npz=True, script=True)
    assert [p.name for p in written] == ["fit.json", "fit_components.csv", "fit.npz", "fit.py"]
    assert all(p.stat().st_size > 0 for p in written)
    compile(written[3].read_text(encoding="utf-8"), "fit.py", "exec")


def test_a_failed_replace_leaves_the_previous_export_intact(tmp_path, monkeypatch):
    result, _, names = fitted("gaussian-full")
    path = tmp_path / "fit.json"
    old = b'{"an": "older export"}\n'
    path.write_bytes(old)

    def replace_fails(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", replace_fails)
    with pytest.raises(OSError) as caught:
        exports.write_params(path, result, names)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.json"], "no temporary file left"
    assert describe_os_error(caught.value, path) == (
        f"cannot write {path}: the disk is full; free some space or choose another drive"
    )


def test_a_read_only_folder_gives_a_message_and_keeps_the_old_file(tmp_path, monkeypatch):
    result, _, names = fitted("gaussian-full")
    path = tmp_path / "fit.json"
    path.write_text("old", encoding="utf-8")
    real_open = os.open

    def read_only(file, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(OSError) as caught:
        exports.write_params(path, result, names, components=True)
    assert "the drive is read-only" in describe_os_error(caught.value, path)
    assert path.read_text(encoding="utf-8") == "old"
    assert not (tmp_path / "fit_components.csv").exists()


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, {root!r})
    import engine
    from emio import exports
    from emio.tables import read_table

    table = read_table({data!r})
    result = engine.fit(table.data, engine.FitOptions(n_components=3, seed=1))

    def fsync_then_wait(fd):
        # Everything is in the temporary file but not yet renamed: say so, then
        # wait to be killed.
        print("writing", flush=True)
        sys.stdin.read()

    os.fsync = fsync_then_wait
    exports.write_params({target!r}, result, table.columns)
    print("finished", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_a_process_killed_midway_through_a_write_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "fit.json"
    old = b"the previous export, byte for byte\n"
    target.write_bytes(old)
    script = KILLED_WRITER.format(root=str(ROOT), data=str(BLOBS), target=str(target))
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "writing", child.stderr.read()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == old
    # A killed process cannot tidy up: its hidden temporary file is all that is left,
    # holding the complete new document.
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".fit.json.")
    assert json.loads(leftovers[0].read_text(encoding="utf-8"))["format"] == "em-studio-params"


def test_assignments_give_the_expected_value_of_each_missing_one() -> None:
    data = np.array([[1.0, np.nan], [2.0, 5.0], [np.nan, 6.0]])
    table = Table(data=data, columns=["a", "b"])
    filled = np.array([[1.0, 4.5], [2.0, 5.0], [1.25, 6.0]])
    log_resp = np.log(np.full((3, 1), 1.0))
    frame = read_csv(exports.assignments_csv(table, log_resp, filled))
    assert list(frame.columns) == ["a", "b", "a_expected", "b_expected", "component", "resp_1",
                                   "uncertainty"]
    np.testing.assert_array_equal(frame["a_expected"], [np.nan, np.nan, 1.25])
    np.testing.assert_array_equal(frame["b_expected"], [4.5, np.nan, np.nan])
    np.testing.assert_array_equal(frame[["a", "b"]], data)
    # Without gaps, or without filled-in values, no such columns.
    assert "a_expected" not in read_csv(exports.assignments_csv(table, log_resp)).columns
    with pytest.raises(ValueError, match="do not belong"):
        exports.assignments_csv(table, log_resp, filled[:2])
