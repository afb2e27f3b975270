"""Session files: save, load and get back the same options, parameters and trace."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import engine
from emio import session as sessions
from emio.tables import TextOptions, read_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "emio" / "resources" / "samples"


def run(X: np.ndarray, options: engine.FitOptions, names: list[str]):
    iterator = engine.iterate(X, options, names)
    snapshots = []
    while True:
        try:
            snapshots.append(next(iterator))
        except StopIteration as stop:
            return snapshots, stop.value


def make_session(tmp_path: Path, options: engine.FitOptions, source: Path | None = None,
                 **read_options) -> sessions.Session:
    source = source or SAMPLES / "blobs_2d.csv"
    local = tmp_path / source.name
    shutil.copyfile(source, local)
    table = read_table(local, **read_options)
    snapshots, result = run(table.data, options, table.columns)
    return sessions.Session(
        data=sessions.data_source(table, "my data", bad_rows=read_options.get("bad_rows")),
        options=options.replace(seed=99),
        view=sessions.ViewState("click", (1, 0), True, ((0.5, -1.25), (2.0, 3.0))),
        result=result,
        snapshots=tuple(snapshots),
        shown_index=1,
    )


def assert_params_identical(a: engine.Params, b: engine.Params) -> None:
    mine, theirs = a.arrays(), b.arrays()
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert mine[name].dtype == theirs[name].dtype
        assert mine[name].tobytes() == theirs[name].tobytes(), name


def assert_options_equal(a: engine.FitOptions, b: engine.FitOptions) -> None:
    for name in engine.FitOptions.field_names():
        mine, theirs = getattr(a, name), getattr(b, name)
        if isinstance(mine, engine.Params):
            assert_params_identical(mine, theirs)
        else:
            assert mine == theirs and type(mine) is type(theirs), name


def round_trip(session: sessions.Session, tmp_path: Path) -> sessions.Session:
    path = tmp_path / f"saved{sessions.SUFFIX}"
    sessions.save_session(path, session)
    return sessions.load_session(path)


def test_round_trip_restores_options_params_result_and_trace(tmp_path):
    options = engine.FitOptions(n_components=3, covariance_type="diag", n_init=2, seed=5)
    saved = make_session(tmp_path, options)
    loaded = round_trip(saved, tmp_path)
    assert_options_equal(loaded.options, saved.options)
    assert loaded.view == saved.view
    assert loaded.shown_index == 1
    assert loaded.data == saved.data
    result, again = saved.result, loaded.result
    assert_options_equal(again.options, result.options)
    assert_params_identical(again.params, result.params)
    for name in ("log_likelihood", "history", "objective_history", "n_iter", "converged",
                 "n_samples", "n_features", "n_parameters", "entropy", "restart",
                 "restart_objectives", "messages", "bic", "aic", "icl", "seed"):
        assert getattr(again, name) == getattr(result, name), name
    assert dict(again.metrics_history) == dict(result.metrics_history)
    np.testing.assert_array_equal(again.labels, result.labels)
    np.testing.assert_array_equal(again.order, result.order)
    assert len(loaded.snapshots) == len(saved.snapshots) > 2
    for mine, theirs in zip(saved.snapshots, loaded.snapshots):
        assert (theirs.restart, theirs.iteration, theirs.converged) == (
            mine.restart, mine.iteration, mine.converged)
        assert theirs.log_likelihood == mine.log_likelihood
        assert theirs.objective == mine.objective
        assert dict(theirs.metrics) == dict(mine.metrics)
        assert_params_identical(theirs.params, mine.params)


def test_restored_parameters_predict_exactly_the_same(tmp_path):
    saved = make_session(tmp_path, engine.FitOptions(n_components=3, seed=1))
    loaded = round_trip(saved, tmp_path)
    X = loaded.data.read().data
    _, before = engine.predict_log_resp(X, saved.result.params, saved.result.options)
    _, after = engine.predict_log_resp(X, loaded.result.params, loaded.result.options)
    np.testing.assert_array_equal(after, before)


def test_every_fit_option_survives_including_explicit_starts(tmp_path):
    start = engine.Params(weights=[0.5, 0.5], probs=[[0.2, 0.3], [0.7, 0.6]])
    options = engine.FitOptions(
        model="binomial", n_components=2, trials=(10, 12), init=start,
        fixed=frozenset({"weights"}), e_step="hard", max_iter=7, tol=1e-9, reg_covar=0.0,
        n_init=3, seed=None, chunk_size=64,
    )
    data = sessions.data_source(read_table(SAMPLES / "counts.csv"), "counts")
    saved = sessions.Session(data=data, options=options)
    loaded = round_trip(saved, tmp_path)
    assert_options_equal(loaded.options, options)
    doc = json.loads((tmp_path / f"saved{sessions.SUFFIX}").read_text(encoding="utf-8"))
    assert set(doc["settings"]["options"]) == set(engine.FitOptions.field_names()) | {
        "init_params"
    }, "every field of FitOptions is written, and nothing else"
    assert doc["settings"]["options"]["init"] == "explicit"
    assert doc["settings"]["options"]["init_params"]["format"] == "em-studio-params"
    assert loaded.result is None and loaded.snapshots == () and loaded.shown_index == -1


def test_kmeans_session_keeps_the_inertia(tmp_path):
    options = engine.FitOptions(model="kmeans", n_components=3, e_step="hard", seed=3)
    loaded = round_trip(make_session(tmp_path, options), tmp_path)
    assert loaded.result.metrics_history["inertia"][-1] == loaded.snapshots[-1].metrics["inertia"]
    assert all("inertia" in s.metrics for s in loaded.snapshots)


def test_failed_starts_with_infinite_objectives_are_strict_json(tmp_path):
    saved = make_session(tmp_path, engine.FitOptions(n_components=2, seed=1))
    result = dataclasses.replace(saved.result, restart_objectives=(float("-inf"), -10.5))
    path = tmp_path / f"inf{sessions.SUFFIX}"
    sessions.save_session(path, dataclasses.replace(saved, result=result))
    json.loads(path.read_text(encoding="utf-8"), parse_constant=pytest.fail)
    assert sessions.load_session(path).result.restart_objectives == (float("-inf"), -10.5)


def test_data_source_reads_the_same_table_back_with_its_import_options(
    faithful_semicolon_csv, tmp_path
):
    source = tmp_path / "faithful.csv"
    shutil.copyfile(faithful_semicolon_csv, source)
    table = read_table(source)
    data = sessions.data_source(table, "faithful")
    assert data.text_options == TextOptions(delimiter=";", decimal=",", comment="#")
    assert data.path == source.resolve() and data.size == source.stat().st_size
    again = data.read()
    np.testing.assert_array_equal(again.data, table.data)
    assert sessions.table_digest(again) == data.table_sha256


def test_dropped_rows_are_dropped_again(tmp_path):
    source = tmp_path / "gaps.csv"
    source.write_text("x,y\n1,2\n,3\n2,5\n3,7\n", encoding="utf-8")
    table = read_table(source, bad_rows="drop")
    data = sessions.data_source(table, "gaps")
    assert data.bad_rows == "drop"
    np.testing.assert_array_equal(data.read().data, table.data)


def test_check_data_file_tells_ok_changed_and_missing(tmp_path):
    saved = make_session(tmp_path, engine.FitOptions(n_components=2, seed=1))
    path = saved.data.path
    assert sessions.check_data_file(saved) == sessions.DATA_OK
    content = path.read_bytes()
    # Same size, one digit different: only the checksum can tell.
    changed = content.replace(b"1", b"2", 1)
    assert len(changed) == len(content)
    path.write_bytes(changed)
    assert sessions.check_data_file(saved) == sessions.DATA_CHANGED
    path.write_bytes(content + b"0,0\n")
    assert sessions.check_data_file(saved) == sessions.DATA_CHANGED
    path.write_bytes(content)
    assert sessions.check_data_file(saved) == sessions.DATA_OK
    path.rename(path.with_name("moved.csv"))
    assert sessions.check_data_file(saved) == sessions.DATA_MISSING


def test_a_data_file_that_cannot_be_used_is_said_to_be_what_it_is(tmp_path):
    missing = tmp_path / "gone.csv"
    assert sessions.data_file_problem(missing) == "is missing: it was moved, renamed or deleted"
    assert sessions.data_file_problem(tmp_path) == "is a folder, not a data file"
    assert sessions.data_file_problem(Path("/dev/zero")) == (
        "is a device, not a data file saved on disk")
    os.mkfifo(tmp_path / "pipe")
    assert sessions.data_file_problem(tmp_path / "pipe") == (
        "is a named pipe, not a data file saved on disk")
    assert sessions.data_file_problem(missing / "below.csv").startswith("is missing")
    (tmp_path / "plain").write_text("x\n1\n", encoding="utf-8")
    assert sessions.data_file_problem(tmp_path / "plain" / "below.csv") == (
        "cannot be reached (Not a directory)")


def test_data_that_came_from_no_file_cannot_be_saved():
    table = read_table(SAMPLES / "blobs_2d.csv")
    table = dataclasses.replace(table, source=None)
    with pytest.raises(sessions.SessionError, match="not read from a file"):
        sessions.data_source(table, "in memory")


def session_doc(tmp_path: Path) -> dict:
    saved = make_session(tmp_path, engine.FitOptions(n_components=2, seed=1))
    return json.loads(sessions.dumps(saved))


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda d: d.update(format="something-else"), "not an EM Studio session"),
        (lambda d: d.update(version=2), "session version 2 is not supported"),
        (lambda d: d.pop("data"), "has no data"),
        (lambda d: d["data"].update(sha256="abc"), "data.sha256 must be 64 hexadecimal digits"),
        (lambda d: d["data"].update(bad_rows="skip"), "data.bad_rows must be one of"),
        (lambda d: d["settings"]["options"].update(model="tree"), "settings.options.model"),
        (lambda d: d["settings"]["options"].update(n_components=0),
         "settings.options.n_components must be a whole number of at least 1"),
        (lambda d: d["settings"]["options"].update(colour="red"),
         "settings.options has unknown settings colour"),
        (lambda d: d["settings"].update(scatter_columns=[0]), "two column indices"),
        (lambda d: d["result"]["params"].update(weights=[1.0]), "result.params: 'weights'"),
        (lambda d: d["result"].update(labels=[0, 1]),
         "result.labels must be a list of 600 whole numbers from 0 to 1, not a list of 2"),
        (lambda d: d["result"]["labels"].__setitem__(70_000 % 600, 3), "but item 400 is 3"),
        (lambda d: d["result"]["labels"].__setitem__(7, True), "but item 7 is True"),
        (lambda d: d["result"]["labels"].__setitem__(9, 0.0), "but item 9 is 0.0"),
        (lambda d: d["result"]["labels"].__setitem__(11, 10**300), "item 11 is a whole number "
         "of about 300 digits"),
        (lambda d: d["trace"][0]["params"].update(means=[[1.0]]), r"trace\[0\].params.means"),
        (lambda d: d["trace"][1].update(log_likelihood="lots"), r"trace\[1\].log_likelihood"),
        (lambda d: d.update(shown_index=10_000), "shown_index must be an index"),
        (lambda d: d.update(trace=d["trace"] * 3),
         r"trace\[\d+\] is iteration 0 of start 1, after iteration \d+ of start 1"),
        (lambda d: d["trace"].reverse(), r"trace\[1\] is iteration \d+ of start 1, after"),
        (lambda d: d["data"]["text_options"].update(delimiter="|"),
         "data.text_options: the delimiter must be"),
    ],
)
def test_malformed_sessions_name_the_field_at_fault(tmp_path, damage, match):
    doc = session_doc(tmp_path)
    damage(doc)
    path = tmp_path / f"bad{sessions.SUFFIX}"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(sessions.SessionError, match=match):
        sessions.load_session(path)


def test_files_that_are_not_sessions(tmp_path):
    broken = tmp_path / "broken.emsession"
    broken.write_text('{"format": "em-studio-session",', encoding="utf-8")
    with pytest.raises(sessions.SessionError, match=r"not valid JSON \(line 1"):
        sessions.load_session(broken)
    binary = tmp_path / "binary.emsession"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(sessions.SessionError, match="not a session file"):
        sessions.load_session(binary)
    listing = tmp_path / "list.emsession"
    listing.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(sessions.SessionError, match="must be a JSON object"):
        sessions.load_session(listing)
    with pytest.raises(sessions.SessionError, match="no such file"):
        sessions.load_session(tmp_path / "absent.emsession")


def test_a_failed_save_keeps_the_previous_session(tmp_path, monkeypatch):
    saved = make_session(tmp_path, engine.FitOptions(n_components=2, seed=1))
    path = tmp_path / f"work{sessions.SUFFIX}"
    sessions.save_session(path, saved)
    before = path.read_bytes()

    def replace_fails(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", replace_fails)
    with pytest.raises(OSError):
        sessions.save_session(path, dataclasses.replace(saved, shown_index=0))
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_file_is_documented_json_with_one_iteration_per_line(tmp_path):
    saved = make_session(tmp_path, engine.FitOptions(n_components=2, seed=1))
    text = sessions.dumps(saved)
    doc = json.loads(text)
    assert list(doc) == ["format", "version", "saved_at", "data", "settings", "result", "trace",
                         "shown_index"]
    for key in doc:
        assert key in sessions.__doc__, f"{key} is documented"
    for key in list(doc["data"]) + list(doc["settings"]) + list(doc["result"]):
        assert key in sessions.__doc__, f"{key} is documented"
    trace_lines = [line for line in text.splitlines() if line.startswith('    {"restart"')]
    assert len(trace_lines) == len(saved.snapshots)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[" * 5_000 + "]" * 5_000,
         "nests lists or objects more than 100 levels deep, which no EM Studio file does"),
        ('{"version": 1' + "0" * 4_999 + "}",
         "holds a whole number of 5000 digits at version, too large for a float "
         "(above 1.8e308 in size)"),
        ('{"result": {"entropy": NaN}}',
         "holds NaN at result.entropy, which is not a finite number"),
        ('{"saved_at": "août"}'.encode("latin-1"), "is not UTF-8 text (byte 0xFB at position 16)"),
    ],
)
def test_hostile_session_files_are_refused_with_one_message(tmp_path, content, problem):
    path = tmp_path / f"hostile{sessions.SUFFIX}"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(sessions.SessionError) as caught:
        sessions.load_session(path)
    assert str(caught.value) == (
        f"hostile{sessions.SUFFIX} {problem}; it is damaged or not a session file; open one that "
        "EM Studio saved"
    )


def test_a_folder_given_as_a_session(tmp_path):
    with pytest.raises(sessions.SessionError) as caught:
        sessions.load_session(tmp_path)
    assert str(caught.value) == (
        f"cannot read {tmp_path}: it is a folder, not a file; choose a file inside it"
    )


def test_damaged_sessions_of_every_kind_give_a_message(tmp_path):
    # A seeded walk over a real session, replacing or deleting one to three values
    # anywhere with values of the wrong kind, size or sign: every load either works
    # or raises a ValueError (SessionError) with a message, never anything else.
    import copy
    import random

    golden = Path(__file__).resolve().parent / "golden" / "gaussian-full.emsession"
    source = json.loads(golden.read_text(encoding="utf-8"))
    replacements = [None, True, 0, -1, 2**70, 10**40, 1e308, -1e308, "x", "", [], {}, [1, 2],
                    {"a": 1}, 1.5, "full", float("nan")]
    paths: list[tuple] = []

    def walk(value, path=()):
        paths.append(path)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value[:3]):
                walk(item, path + (index,))

    walk(source)
    rng = random.Random(20261204)
    path = tmp_path / "damaged.emsession"
    refused = 0
    for _ in range(1500):
        doc = copy.deepcopy(source)
        for _ in range(rng.choice([1, 1, 2, 3])):
            where = rng.choice(paths[1:])
            parent = doc
            try:
                for key in where[:-1]:
                    parent = parent[key]
                if rng.random() < 0.2 and isinstance(parent, dict):
                    del parent[where[-1]]
                else:
                    parent[where[-1]] = rng.choice(replacements)
            except (KeyError, IndexError, TypeError):
                pass
        path.write_text(json.dumps(doc), encoding="utf-8")
        try:
            sessions.load_session(path)
        except ValueError as exc:
            assert str(exc)
            refused += 1
    assert refused > 1000


def test_standard_units_are_recorded_only_when_on(tmp_path):
    session = make_session(tmp_path, engine.FitOptions(n_components=2, seed=0))
    on = dataclasses.replace(session, view=dataclasses.replace(session.view, standardize=True))
    assert round_trip(on, tmp_path).view.standardize is True
    assert round_trip(session, tmp_path).view.standardize is False
    assert "standardize" not in json.loads(sessions.dumps(session))["settings"]
    assert json.loads(sessions.dumps(on))["settings"]["standardize"] is True


def test_a_long_session_read_in_pieces_is_the_same_session(tmp_path, monkeypatch):
    from emio import jsonfile

    saved = make_session(tmp_path, engine.FitOptions(n_components=3, seed=4))
    path = tmp_path / f"saved{sessions.SUFFIX}"
    sessions.save_session(path, saved)
    whole = sessions.load_session(path)
    monkeypatch.setattr(jsonfile, "PIECES_ABOVE", 0)
    assert sessions.dumps(sessions.load_session(path)) == sessions.dumps(whole)


def test_a_long_damaged_trace_is_refused_at_its_first_bad_iteration(tmp_path):
    doc = session_doc(tmp_path)
    n_kept = len(doc["trace"])
    doc["trace"] = doc["trace"] * 300  # some megabytes: read in pieces
    path = tmp_path / f"bad{sessions.SUFFIX}"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(sessions.SessionError, match=(
            rf"trace\[{n_kept}\] is iteration 0 of start 1, after iteration \d+ of start 1")):
        sessions.load_session(path)
