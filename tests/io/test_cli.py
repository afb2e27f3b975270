"""The headless command line: output schema, resuming, and one clear line for bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.selection import select_options
from emio import params_file
from emio.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_prints_a_complete_params_document(faithful_csv, capsys):
    code, out, err = run(capsys, "fit", faithful_csv, "--k", "3", "--covariance", "tied",
                         "--n-init", "5", "--seed", "3")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["format"] == "em-studio-params" and doc["version"] == 1
    assert doc["model"] == "gaussian" and doc["covariance"] == "EEE"  # mclust's name for tied
    assert doc["n_components"] == 3 and doc["n_features"] == 2
    assert doc["feature_names"] == ["eruptions", "waiting"]
    assert np.array(doc["means"]).shape == (3, 2)
    assert np.array(doc["covariances"]).shape == (2, 2)
    assert doc["history"][-1] == doc["log_likelihood"]
    assert len(doc["history"]) == doc["n_iter"] + 1
    assert doc["converged"] is True
    assert doc["seed"] == 3 and doc["settings"]["n_init"] == 5
    # BIC as defined: -2 logL + p log n, with p = 2 + 6 + 3 for K=3, D=2, tied.
    assert doc["n_parameters"] == 11
    assert doc["bic"] == pytest.approx(-2 * doc["log_likelihood"] + 11 * np.log(272), rel=1e-12)
    weights = np.array(doc["weights"])
    assert np.all(np.diff(weights) <= 0), "components come out largest weight first"


def test_same_fit_from_the_engine(faithful, faithful_csv, capsys):
    code, out, _ = run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "11")
    assert code == 0
    # The command line's defaults: k-means++ starts, SQUAREM.
    expected = engine.fit(faithful, engine.FitOptions(n_components=2, seed=11,
                                                        accelerate="squarem"))
    doc = json.loads(out)
    assert doc["log_likelihood"] == expected.log_likelihood
    np.testing.assert_array_equal(doc["means"], expected.params.means)


def test_semicolon_decimal_comma_file_gives_the_same_fit(
    faithful_csv, faithful_semicolon_csv, capsys
):
    _, comma, _ = run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "1")
    code, semicolon, err = run(capsys, "fit", faithful_semicolon_csv, "--k", "2", "--seed", "1")
    assert code == 0, err
    assert json.loads(comma)["log_likelihood"] == json.loads(semicolon)["log_likelihood"]


def test_output_file_labels_and_resume(faithful_csv, capsys, tmp_path):
    params, labels = tmp_path / "params.json", tmp_path / "labels.csv"
    code, out, err = run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "0", "-o", params,
                         "--labels", labels)
    assert code == 0 and out == "", err
    doc = json.loads(params.read_text())
    rows = np.loadtxt(labels, delimiter=",", skiprows=1)
    assert labels.read_text().splitlines()[0] == "component,resp_1,resp_2"
    assert rows.shape == (272, 3)
    np.testing.assert_allclose(rows[:, 1:].sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(rows[:, 0], np.argmax(rows[:, 1:], axis=1) + 1)

    # --max-iter 0 evaluates the file's parameters without changing them.
    code, out, err = run(capsys, "fit", faithful_csv, "--init", params, "--max-iter", "0")
    assert code == 0, err
    again = json.loads(out)
    assert again["n_iter"] == 0 and again["history"] == [again["log_likelihood"]]
    for name in ("weights", "means", "covariances"):
        np.testing.assert_array_equal(again[name], doc[name])
    assert again["log_likelihood"] == pytest.approx(doc["log_likelihood"], rel=1e-13)

    # Resuming a converged fit stays at (or a hair above) the same optimum.
    code, out, _ = run(capsys, "fit", faithful_csv, "--init", params, "--tol", "1e-10")
    assert code == 0
    assert json.loads(out)["log_likelihood"] >= doc["log_likelihood"] - 1e-9


def test_hand_written_init_with_fixed_weights(capsys, tmp_path):
    data = tmp_path / "coins.csv"
    data.write_text("heads\n3\n2\n1\n3\n2\n")
    init = tmp_path / "init.json"
    init.write_text(json.dumps({
        "format": "em-studio-params", "version": 1, "model": "binomial",
        "n_components": 2, "n_features": 1, "weights": [0.5, 0.5],
        "probs": [[0.2], [0.7]], "trials": [5],
    }))
    code, out, err = run(capsys, "fit", data, "--init", init, "--fix", "weights",
                         "--max-iter", "1", "--e-step", "hard")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["weights"] == [0.5, 0.5]
    # Hard EM by hand: rounds with 1 or 2 heads go to coin 1 (5 of 15 tosses are heads),
    # rounds with 3 heads to coin 2 (6 of 10).
    np.testing.assert_allclose(np.ravel(doc["probs"]), [5 / 15, 6 / 10], rtol=1e-12)
    assert doc["trials"] == [5]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


BAD_INPUTS = {
    "missing file": (lambda t: t / "nope.csv", ["--k", "2"], "nope.csv"),
    "empty file": (lambda t: write(t, "empty.csv", ""), ["--k", "2"], "empty"),
    "no numeric column": (lambda t: write(t, "text.csv", "a,b\nx,y\nz,w\n"), ["--k", "1"], "numeric"),
    "text in numeric column": (
        lambda t: write(t, "mixed.csv", "a,b\n1,2\n3,oops\n5,6\n7,8\n"), ["--k", "2"], "oops"),
    # With --missing em (the default) a gap is fitted; tests/io/test_cli_missing.py.
    "NaN": (
        lambda t: write(t, "nan.csv", "a,b\n1,2\n3,nan\n5,6\n7,8\n"),
        ["--k", "2", "--missing", "error"], "row"),
    "infinite": (lambda t: write(t, "inf.csv", "a,b\n1,2\n3,inf\n5,6\n7,8\n"), ["--k", "2"], "row"),
    "ragged rows": (
        lambda t: write(t, "ragged.csv", "a,b\n1,2\n3,4,5\n5,6\n"), ["--k", "2"], "line"),
    "fewer rows than K": (
        lambda t: write(t, "few.csv", "a,b\n1,2\n3,4\n5,7\n"), ["--k", "5"], "at most 3"),
    "K below 1": (None, ["--k", "0"], "at least 1"),
    "non-binary bernoulli": (
        lambda t: write(t, "b.csv", "a\n0\n1\n2\n1\n"), ["--k", "2", "--model", "bernoulli"], "0/1"),
    "negative poisson": (
        lambda t: write(t, "p.csv", "a\n0\n1\n-2\n1\n"), ["--k", "2", "--model", "poisson"], "-2"),
    "non-integer binomial": (
        lambda t: write(t, "n.csv", "a\n0\n1.5\n2\n1\n"),
        ["--k", "2", "--model", "binomial", "--trials", "5"], "1.5"),
    "counts above trials": (
        lambda t: write(t, "c.csv", "a\n0\n1\n7\n1\n"),
        ["--k", "2", "--model", "binomial", "--trials", "5"], "trials"),
    "binomial without trials": (
        lambda t: write(t, "c.csv", "a\n0\n1\n3\n1\n"), ["--k", "2", "--model", "binomial"], "trials"),
    "collapse with reg 0": (
        lambda t: write(t, "dup.csv", "a,b\n" + "0,0\n" * 10 + "5,5\n" * 10),
        ["--k", "2", "--reg-covar", "0"], "reg"),
    "malformed params": (
        None, ["--init", "{bad}"], "JSON"),
    "unknown model": (None, ["--k", "2", "--model", "magic"], "invalid choice"),
    "no k": (None, [], "--k"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gives_one_error_line_and_status_2(capsys, tmp_path, case, faithful_csv):
    make_path, extra, expected = BAD_INPUTS[case]
    if "{bad}" in extra:
        extra = ["--init", str(write(tmp_path, "bad.json", "{not json"))]
    out_file = tmp_path / "out.json"
    path = faithful_csv if make_path is None else make_path(tmp_path)
    code, out, err = run(capsys, "fit", path, *extra, "-o", out_file)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert expected.lower() in lines[0].lower(), lines[0]
    assert "Traceback" not in err
    assert not out_file.exists(), "a failed run must not leave an output file"


def test_params_whose_shapes_do_not_match_the_data(faithful, faithful_csv, capsys, tmp_path):
    doc = params_file.result_to_dict(
        engine.fit(faithful, engine.FitOptions(n_components=2, seed=0)), ["a", "b"]
    )
    wrong_shape = dict(doc, means=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    path = write(tmp_path, "shape.json", json.dumps(wrong_shape))
    code, _, err = run(capsys, "fit", faithful_csv, "--init", path)
    assert code == 2 and "means" in err and err.startswith("error: ")
    three_columns = write(tmp_path, "three.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,10\n")
    path = write(tmp_path, "ok.json", json.dumps(doc))
    code, _, err = run(capsys, "fit", three_columns, "--init", path)
    assert code == 2 and "columns" in err


def test_failed_run_keeps_the_previous_output_intact(faithful_csv, capsys, tmp_path):
    out_file = tmp_path / "out.json"
    out_file.write_text("previous contents")
    code, _, _ = run(capsys, "fit", faithful_csv, "--k", "999", "-o", out_file)
    assert code == 2
    assert out_file.read_text() == "previous contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_main_py_runs_the_command_line_headless(faithful_csv):
    completed = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "fit", str(faithful_csv), "--k", "2",
         "--seed", "5"],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["n_components"] == 2


def test_predict_applies_saved_params_without_refitting(
    faithful_csv, faithful_semicolon_csv, capsys, tmp_path
):
    params, fitted_labels, predicted = tmp_path / "p.json", tmp_path / "a.csv", tmp_path / "b.csv"
    code, _, _ = run(capsys, "fit", faithful_csv, "--k", "3", "--seed", "2", "-o", params,
                     "--labels", fitted_labels)
    assert code == 0
    code, out, err = run(capsys, "predict", params, faithful_semicolon_csv, "-o", predicted)
    assert code == 0 and out == "", err
    assert predicted.read_text() == fitted_labels.read_text()
    code, out, _ = run(capsys, "predict", params, faithful_csv)
    assert code == 0 and out == fitted_labels.read_text()


def test_predict_refuses_data_with_other_columns(faithful_csv, capsys, tmp_path):
    params = tmp_path / "p.json"
    run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "2", "-o", params)
    one_column = write(tmp_path, "one.csv", "a\n1\n2\n3\n")
    code, _, err = run(capsys, "predict", params, one_column)
    assert code == 2 and err.startswith("error: ") and "2 columns" in err


def test_select_prints_the_table_and_the_best_model(faithful, faithful_csv, capsys, tmp_path):
    table = tmp_path / "table.csv"
    code, out, err = run(capsys, "select", faithful_csv, "--k", "1-3", "--models", "full,tied",
                         "--n-init", "2", "--seed", "0", "-o", table)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split()[:3] == ["model", "k", "log_likelihood"]
    assert len(lines) == 1 + 6 + 1
    with table.open() as handle:
        rows = list(csv.DictReader(handle))
    # The old names are accepted; the table names the models as mclust does.
    assert [(r["model"], r["k"]) for r in rows] == [
        (m, str(k)) for m in ("VVV", "EEE") for k in (1, 2, 3)
    ]
    assert [line.split()[0] for line in lines[1:-1]] == ["VVV"] * 3 + ["EEE"] * 3
    best = min(rows, key=lambda r: float(r["bic"]))
    assert lines[-1].startswith(f"best: {best['model']}, K={best['k']} (BIC ")
    for row in rows:
        # select's defaults (an hc start, here then one k-means++ start; plain EM).
        expected = engine.fit(faithful, select_options(
            covariance_type=row["model"], n_components=int(row["k"]), n_init=2))
        assert float(row["bic"]) == pytest.approx(expected.bic, rel=1e-12)


def test_select_takes_mclusts_names_and_a_preset_for_all_fourteen(faithful_csv, capsys, tmp_path):
    table = tmp_path / "table.csv"
    code, out, err = run(capsys, "select", faithful_csv, "--k", "1", "--models", "all",
                         "-o", table)
    assert code == 0, err
    with table.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["model"] for r in rows] == [
        "VVV", "EEE", "VVI", "VII", "EII", "EEI", "VEI", "EVI", "VEE", "EVE", "VVE", "EEV",
        "VEV", "EVV",
    ]
    assert len(engine.covariance_types()) == 14
    code, out, err = run(capsys, "select", faithful_csv, "--k", "2", "--models", "VVV,EVE,full",
                         "-o", table)
    assert code == 0, err
    with table.open() as handle:
        assert [r["model"] for r in csv.DictReader(handle)] == ["VVV", "EVE"]


def help_text(capsys, command: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_select_and_fit_show_mclusts_names_and_take_the_old_ones(faithful_csv, capsys):
    out = help_text(capsys, "select")
    models_help = " ".join(out.split("--models MODELS")[-1].split("--regularisation")[0].split())
    assert "e.g. VVV,EEE" in models_help and "default sweep's lines, VVV,EEE,VVI,VII" in models_help
    out = help_text(capsys, "fit")
    assert "--covariance {VVV,EEE,VVI,VII,EII," in out and "{full," not in out
    code, out, err = run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "0",
                         "--covariance", "EEE")
    assert code == 0, err
    by_mclust = json.loads(out)
    code, out, err = run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "0",
                         "--covariance", "tied")
    assert code == 0, err
    assert json.loads(out)["log_likelihood"] == by_mclust["log_likelihood"]
    code, _, err = run(capsys, "fit", faithful_csv, "--k", "2", "--covariance", "XYZ")
    assert code == 2 and "VVV, EEE, VVI, VII" in err and "old names" in err
    code, _, err = run(capsys, "select", faithful_csv, "--models", "VVV,wobbly")
    assert code == 2 and "choose from VVV, EEE, VVI, VII, EII" in err and "full" not in err


def test_select_with_a_bad_model_name(faithful_csv, capsys):
    code, _, err = run(capsys, "select", faithful_csv, "--models", "full,wobbly")
    assert code == 2 and "wobbly" in err


@pytest.fixture
def no_blas_limiter():
    """No BLAS limiter registered for the test; the one before is put back after it."""
    from engine import parallel

    previous = parallel.blas_limiter()
    parallel.set_blas_limiter(None)
    yield
    parallel.set_blas_limiter(previous)


def test_the_command_line_holds_blas_to_one_thread_for_the_engine(
    faithful_csv, capsys, no_blas_limiter
):
    from engine import parallel

    code, _, _ = run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "0")
    assert code == 0
    limiter = parallel.blas_limiter()
    assert limiter is not None
    with limiter():
        import threadpoolctl

        blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        assert all(i["num_threads"] == 1 for i in blas)


HOSTILE_PARAMS = {
    "nested thousands deep": ("[" * 5_000 + "]" * 5_000,
                              "nests lists or objects more than 100 levels deep, which no EM "
                              "Studio file does"),
    "400-digit number": ('{"weights": [1' + "0" * 399 + "]}",
                         "holds a whole number of 400 digits at weights[0], too large for a "
                         "float (above 1.8e308 in size)"),
    "5000-digit number": ('{"weights": [1' + "0" * 4_999 + "]}",
                          "holds a whole number of 5000 digits at weights[0], too large for a "
                          "float (above 1.8e308 in size)"),
    "NaN": ('{"means": [[NaN, 1]]}', "holds NaN at means[0][0], which is not a finite number"),
    "1e400": ('{"tol": 1e400}',
              "holds a number too large for a float (above 1.8e308 in size) at tol"),
    "latin-1": ('{"feature_names": ["café"]}'.encode("latin-1"),
                "is not UTF-8 text (byte 0xE9 at position 23)"),
}


@pytest.mark.parametrize("command", ["fit", "predict"])
@pytest.mark.parametrize("case", sorted(HOSTILE_PARAMS))
def test_hostile_params_files_give_one_error_line(faithful_csv, capsys, tmp_path, command, case):
    content, problem = HOSTILE_PARAMS[case]
    path = tmp_path / "params.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    if command == "fit":
        code, out, err = run(capsys, "fit", faithful_csv, "--init", path)
    else:
        code, out, err = run(capsys, "predict", path, faithful_csv)
    assert (code, out) == (2, "")
    assert err == (
        f"error: params.json {problem}; fix the file or use a parameters file EM Studio wrote\n"
    )


def test_a_params_file_that_is_a_folder_or_missing(faithful_csv, capsys, tmp_path):
    code, _, err = run(capsys, "fit", faithful_csv, "--init", tmp_path)
    assert code == 2
    assert err == (
        f"error: cannot read {tmp_path}: it is a folder, not a file; choose a file inside it\n"
    )
    code, _, err = run(capsys, "predict", tmp_path / "nope.json", faithful_csv)
    assert code == 2
    assert err == (
        f"error: cannot read {tmp_path / 'nope.json'}: no such file or folder; check the name "
        "and the folder\n"
    )
