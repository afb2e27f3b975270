"""The command line at the edges of the system: pipes and devices, outputs that cannot be
written, signals and memory (issue 13.6). Nothing hangs, nothing is half written."""

from __future__ import annotations

import json
import math
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import engine
from emio.atomic import atomic_write_text
from emio.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_named_pipe_as_data_is_refused_at_once(capsys, tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "fit", fifo, "--k", "2")
    assert code == 2
    assert err == (
        f"error: {fifo} is a named pipe, not a file saved on disk; EM Studio reads data from "
        "files: save the data to a file first\n"
    )


def test_a_device_as_data_is_refused(capsys):
    code, _, err = run(capsys, "fit", "/dev/zero", "--k", "2")
    assert code == 2 and "/dev/zero is a device, not a file saved on disk" in err


def test_writing_to_a_device_leaves_the_device(faithful_csv, capsys):
    code, out, err = run(capsys, "fit", faithful_csv, "--k", "2", "-o", "/dev/null")
    assert code == 0 and out == "", err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_writing_to_dev_stdout_through_a_pipe(faithful_csv):
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from emio.cli import main; sys.exit(main())",
         "fit", str(faithful_csv), "--k", "2", "-o", "/dev/stdout"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('{\n  "format": "em-studio-params"')


def test_every_output_is_checked_before_any_is_written(faithful_csv, capsys, tmp_path):
    params = tmp_path / "params.json"
    code, _, err = run(capsys, "fit", faithful_csv, "--k", "2", "-o", params,
                       "--labels", tmp_path / "missing" / "labels.csv")
    assert code == 2
    assert err.startswith(f"error: cannot write {tmp_path / 'missing' / 'labels.csv'}: ")
    assert not params.exists()
    code, _, err = run(capsys, "fit", faithful_csv, "--k", "2", "-o", tmp_path)
    assert code == 2 and f"cannot write {tmp_path}: it is a folder" in err


def test_temporary_files_of_a_killed_writer_are_removed_on_the_next_write(tmp_path):
    target = tmp_path / "params.json"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = tmp_path / f".params.json.{gone.pid}.0123abcd.tmp"
    alive = tmp_path / f".params.json.{os.getppid()}.89abcdef.tmp"
    other = tmp_path / f".other.json.{gone.pid}.0123abcd.tmp"
    for path in (stale, alive, other):
        path.write_text("half a file")
    atomic_write_text(target, "whole\n")
    assert target.read_text() == "whole\n"
    assert not stale.exists()
    assert alive.exists() and other.exists()  # a live writer's, and another target's


def test_sigterm_during_a_write_removes_the_temporary_file(faithful_csv, tmp_path):
    # The command line's output is written half-way when SIGTERM arrives: it unwinds, and the
    # half-written temporary file goes with it.
    script = textwrap.dedent("""
        import os, signal, sys
        from emio.cli import main
        from emio.cli.common import Outputs

        def write_half_then_terminate(self, path, text):
            with self.open(path, "w") as file:
                file.write(text[: len(text) // 2])
                os.kill(os.getpid(), signal.SIGTERM)
                file.write(text[len(text) // 2 :])

        Outputs.write = write_half_then_terminate
        sys.exit(main(sys.argv[1:]))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script, "fit", str(faithful_csv), "--k", "2",
         "-o", str(tmp_path / "params.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 143, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "error: terminated"
    assert list(tmp_path.iterdir()) == []


def test_running_out_of_memory_says_what_to_do(faithful_csv, capsys, monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(engine, "fit", out_of_memory)
    code, _, err = run(capsys, "fit", faithful_csv, "--k", "2")
    assert code == 2
    assert err.startswith("error: not enough memory for this data; save it as .npy")


def test_sigterm_to_the_command_line_ends_it_with_a_line(faithful_csv, tmp_path):
    # A sweep of minutes' work, sent SIGTERM by a timer a second into it.
    script = textwrap.dedent("""
        import os, signal, sys, threading
        from emio.cli import main
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
        sys.exit(main(sys.argv[1:]))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script, "select", str(faithful_csv), "--k", "1-40",
         "--models", "full,tied,diag,spherical", "--n-init", "20",
         "-o", str(tmp_path / "table.csv")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 143, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "error: terminated"
    assert list(tmp_path.iterdir()) == []


NARROW = (
    "the covariance of component 1 is too narrow: values as large as {} in column {} (of the "
    "data or the means) would lie more than 1e+100 of its standard deviations away, and their "
    "squares overflow; give it variances of at least 9e-195"
)


@pytest.mark.parametrize(("covariance", "message"), [
    ([[1.0, 2.0], [2.0, 1.0]], "the covariance of component 1 is not positive definite: give a "
     "symmetric matrix with positive variances whose correlations lie between -1 and 1"),
    ([[0.0, 0.0], [0.0, 1.0]], "the covariance of component 1 is not positive definite"),
    ([[1.0, 0.5], [0.1, 1.0]], "the covariance of component 1 is not symmetric: entry (1, 2) is "
     "0.5 but entry (2, 1) is 0.1; make them equal"),
    # Positive, but so narrow that the squared distances of the rows overflow: the
    # fit ended "Out of range float values are not JSON compliant" after warnings.
    ([[5e-324, 0.0], [0.0, 5e-324]], NARROW.format(96, 2)),
    ([[1e-308, 0.0], [0.0, 1.0]], NARROW.format(5.1, 1)),
    ([[1e-190, 1e-190 * (1 - 1e-15)], [1e-190 * (1 - 1e-15), 1e-190]],
     "the covariance of component 1 is nearly singular: its correlations come so near -1 or 1 "
     "that values as large as 96 in column 2 (of the data or the means) would lie more than "
     "1e+100 of its standard deviations away, and their squares overflow; give correlations "
     "farther from -1 and 1"),
])
def test_predict_with_a_hostile_covariance_says_what_to_fix(
    faithful_csv, capsys, tmp_path, covariance, message
):
    import json
    good = tmp_path / "good.json"
    assert run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "1", "-o", good)[0] == 0
    doc = json.loads(good.read_text())
    doc["covariances"][0] = covariance
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    for args in (("predict", bad, faithful_csv), ("fit", faithful_csv, "--init", bad)):
        code, _, err = run(capsys, *args)
        assert code == 2 and err.startswith(f"error: {message}"), err


@pytest.mark.parametrize(("args", "message"), [
    (("fit", "faithful.csv", "--k", "2", "--n-init", "1000000000"),
     "error: n_init must be at most 10,000, not 1,000,000,000"),
    (("select", "faithful.csv", "--models", ""),
     "error: --models names no model; give at least one, for example VVV,EEE"),
    (("select", "faithful.csv", "--k", "1-1e12"),
     "error: argument --k: K range '1-1e12' must look like 1-9 or 2,3,5; see "
     "'em-studio-cli select --help'"),
    (("select", "faithful.csv", "--k", "1-10000000"),
     "error: argument --k: K range '1-10000000' goes up to K = 10,000,000; K can be at most "
     "1,000; see 'em-studio-cli select --help'"),
    (("fit", "faithful.csv", "--k", "2", "--tol", "inf"),
     "error: tol must be a finite number, not inf"),
    (("fit", "faithful.csv", "--k", "2", "--seed", "-1"),
     "error: seed must not be negative, not -1"),
    (("fit", "faithful.csv", "--k", "2", "--max-iter", "99999999999"),
     "error: max_iter must be at most 1,000,000, not 99,999,999,999"),
    (("fit", "faithful.csv", "--k", "2", "--reg-covar", "1e308"),
     "error: reg_covar must be at most 1e+06, not 1e+308"),
    # select checks its options before the first cell, as fit does (it said "no model
    # could be fitted; lower K or raise --reg-covar" of each).
    (("select", "faithful.csv", "--k", "1-2", "--n-init", "0"),
     "error: n_init must be a whole number of at least 1, not 0"),
    (("select", "faithful.csv", "--k", "1-2", "--seed", "-5"),
     "error: seed must not be negative, not -5"),
    (("select", "faithful.csv", "--k", "1-2", "--tol", "nan"),
     "error: tol must be a finite number, not nan"),
    (("select", "faithful.csv", "--k", "1-2", "--reg-covar", "-1"),
     "error: reg_covar must not be negative, not -1.0"),
])
def test_resource_sized_options_are_refused_naming_the_limit(capsys, datasets, args, message):
    code, _, err = run(capsys, args[0], datasets / args[1], *args[2:])
    assert code == 2 and err == message + "\n"


def test_a_fit_on_the_regularisation_alone_says_so_in_params_json_too(capsys, tmp_path):
    # The two-coin counts as measurements: three tied components on three values.
    data = tmp_path / "coins.csv"
    data.write_text("heads\n3\n2\n1\n3\n2\n", encoding="utf-8")
    params = tmp_path / "params.json"
    code, _, err = run(capsys, "fit", data, "--k", "3", "--covariance", "tied", "--n-init", "3",
                       "--seed", "0", "-o", params)
    assert code == 0
    warning = (
        "components 1, 2, 3 rest on the regularisation alone: they sit on rows with no spread "
        "in some direction (rows that share a value, lie on a line or a plane, or are fewer than the columns), a spurious optimum whose likelihood means little; every one of the 3 starts "
        "ended so; try more starts (n_init) or fewer components"
    )
    assert f"note: {warning}\n" in err
    doc = json.loads(params.read_text(encoding="utf-8"))
    assert warning in doc["warnings"]
    # The file is still one to start from or to predict with.
    code, out, err = run(capsys, "predict", params, data)
    assert code == 0 and err == "" and len(out.splitlines()) == 6


def test_a_fit_with_nothing_to_warn_of_writes_no_warnings(faithful_csv, capsys, tmp_path):
    params = tmp_path / "params.json"
    code, _, err = run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "0", "-o", params)
    assert code == 0 and err == ""
    assert "warnings" not in json.loads(params.read_text(encoding="utf-8"))


def test_params_json_gives_what_em_climbed_and_it_never_falls(capsys, tmp_path):
    # With the prior regularisation (and SQUAREM, the command line's default) EM raises
    # the log-likelihood plus the log prior; the log-likelihood alone may dip (on iris,
    # K = 5 and this seed, by 0.018 at iteration 38).
    from sklearn.datasets import load_iris

    data = tmp_path / "iris.csv"
    np.savetxt(data, load_iris().data, delimiter=",", header="a,b,c,d", comments="")
    params = tmp_path / "params.json"
    code, _, _ = run(capsys, "fit", data, "--k", "5", "--n-init", "10", "--seed", "433428664",
                     "-o", params)
    assert code == 0
    doc = json.loads(params.read_text(encoding="utf-8"))
    assert doc["objective"] == "log-likelihood + log prior"
    climbed = np.asarray(doc["objective_history"])
    assert len(climbed) == len(doc["history"]) == doc["n_iter"] + 1
    assert np.all(np.diff(climbed) >= -1e-9 * np.abs(climbed[:-1]))


def test_select_gives_the_reason_no_model_could_be_fitted(capsys, datasets):
    code, out, err = run(capsys, "select", datasets / "faithful.csv", "--k", "1-2",
                         "--models", "poisson")
    assert code == 2 and out.count("needs non-negative whole-number counts") == 2
    assert err == (
        "error: the poisson model needs non-negative whole-number "
        "counts, but column 'eruptions' has 3.6 in row 1; choose a Gaussian model for "
        "measurements\n"
    )


def test_select_says_when_every_model_fitted_has_collapsed(capsys, tmp_path):
    data = tmp_path / "coins.csv"
    data.write_text("heads\n3\n2\n1\n3\n2\n", encoding="utf-8")
    code, out, err = run(capsys, "select", data, "--k", "3-4", "--models", "VII", "--seed", "0")
    assert code == 0, err
    assert "(components 1, 2, 3 collapsed onto tied values)" in out
    assert "not chosen as best" not in out
    assert ("note: every model fitted has components collapsed onto tied values, so the best "
            "is no clustering to trust; lower K") in err


@pytest.mark.parametrize("unit", [1e-308, 5e-324])
def test_data_too_narrow_to_square_get_one_line_whose_advice_works(capsys, tmp_path, unit):
    whole = np.random.default_rng(0).integers(1, 20, size=(60, 2))
    data = tmp_path / "tiny.csv"
    np.savetxt(data, whole * unit, delimiter=",", header="x,y", comments="", fmt="%.17g")
    spread, near = ("1.8e-307", "1.9e-307") if unit == 1e-308 else ("8.89e-323", "9.39e-323")
    message = (
        f"error: column 'x' varies by only {spread} (values near {near}), too little to "
        "compute with (its square, the variance, nears the smallest floats); multiply the "
        "column by 1e300, or another power of ten that makes it vary by more than 1e-100\n"
    )
    for args in (("fit", data, "--k", "2"), ("fit", data, "--k", "2", "--model", "kmeans"),
                 ("fit", data, "--k", "2", "--regularisation", "sklearn", "--reg-covar", "1"),
                 ("fit", data, "--k", "2", "--standardize"), ("select", data, "--k", "1,2")):
        code, _, err = run(capsys, *args)
        assert (code, err) == (2, message), args
    np.savetxt(data, whole * unit * 1e300, delimiter=",", header="x,y", comments="", fmt="%.17g")
    for args in (("fit", data, "--k", "2", "--seed", "0"),
                 ("fit", data, "--k", "2", "--model", "kmeans", "--seed", "0"),
                 ("fit", data, "--k", "2", "--standardize", "--seed", "0"),
                 ("select", data, "--k", "1,2", "--seed", "0")):
        code, _, err = run(capsys, *args)
        assert (code, err) == (0, ""), args


def _hostile(tmp_path, capsys, faithful_csv, change, name="bad.json") -> Path:
    good = tmp_path / "good.json"
    assert run(capsys, "fit", faithful_csv, "--k", "2", "--seed", "1", "-o", good)[0] == 0
    doc = json.loads(good.read_text())
    change(doc)
    bad = tmp_path / name
    bad.write_text(json.dumps(doc))
    return bad


@pytest.mark.parametrize(("covariance", "advised"), [
    ([[5e-324, 0.0], [0.0, 5e-324]], [[9e-195, 0.0], [0.0, 9e-195]]),
    ([[1e-190, 1e-190 * (1 - 1e-15)], [1e-190 * (1 - 1e-15), 1e-190]],
     [[1e-190, 0.5e-190], [0.5e-190, 1e-190]]),
])
def test_the_advice_for_a_hostile_covariance_works(
    faithful_csv, capsys, tmp_path, covariance, advised
):
    def with_covariance(value):
        return lambda doc: doc["covariances"].__setitem__(0, value)

    bad = _hostile(tmp_path, capsys, faithful_csv, with_covariance(covariance))
    fixed = _hostile(tmp_path, capsys, faithful_csv, with_covariance(advised), "fixed.json")
    for params in (bad, fixed):
        for args in (("predict", params, faithful_csv),
                     ("fit", faithful_csv, "--init", params, "--max-iter", "0"),
                     ("fit", faithful_csv, "--init", params, "--standardize")):
            code, out, err = run(capsys, *args)
            if params is bad:
                assert code == 2 and err.startswith("error: the covariance of component 1 is")
            else:  # warnings are errors here: none was raised
                assert code == 0 and "error" not in err, err
                if args[0] == "fit":
                    doc = json.loads(out)
                    assert np.all(np.isfinite(doc["covariances"])) and math.isfinite(
                        doc["log_likelihood"])


@pytest.mark.parametrize("mean", [1e308, -1e200])
def test_a_mean_too_large_to_square_is_refused_as_given(faithful_csv, capsys, tmp_path, mean):
    bad = _hostile(tmp_path, capsys, faithful_csv,
                   lambda doc: doc["means"].__setitem__(0, [mean, 50.0]))
    message = (
        f"error: the mean of component 1 is {mean:.3g} in column 1, too large to compute with "
        "(its square overflows); give means below 1e+150 in size, within the range of the data\n"
    )
    for args in (("predict", bad, faithful_csv), ("fit", faithful_csv, "--init", bad),
                 ("fit", faithful_csv, "--init", bad, "--standardize")):
        assert run(capsys, *args)[::2] == (2, message), args


def test_as_many_components_as_rows_says_lower_k_and_that_works(faithful_csv, capsys, tmp_path):
    data = tmp_path / "six.csv"
    data.write_text("".join(faithful_csv.read_text().splitlines(keepends=True)[:7]))
    fit = ("fit", data, "--covariance", "VII", "--seed", "0")
    code, _, err = run(capsys, *fit, "--k", "6", "--reg-covar", "4e-25")
    assert (code, err) == (2, (
        "error: component 1 collapsed at iteration 0: the data hold 6 distinct rows, as many "
        "as the 6 components, so each component can sit on copies of one row alone, which have "
        "no spread. Lower K to at most 5, or raise the regularisation (reg_covar, now 4e-25) to "
        "the default 1e-06 or more.\n"
    ))
    code, _, err = run(capsys, *fit, "--k", "5", "--reg-covar", "4e-25")
    assert code == 2 and err.endswith(
        "Lower K, or raise the regularisation to reg_covar 2e-23 or more (now 4e-25).\n"
    )
    assert run(capsys, *fit, "--k", "5", "--reg-covar", "2e-23")[0] == 0
    code, _, err = run(capsys, *fit, "--k", "6", "--reg-covar", "1e-6")
    assert code == 0 and err.endswith("; choose K of at most 5\n")
    assert run(capsys, *fit, "--k", "2", "--reg-covar", "0")[::2] == (0, "")


def test_select_gives_a_model_option_to_the_lines_of_models_that_have_it(capsys, tmp_path):
    counts = np.random.default_rng(0).binomial(3, [0.2, 0.7], size=(50, 2))
    data = tmp_path / "counts.csv"
    np.savetxt(data, counts, delimiter=",", header="a,b", comments="", fmt="%d")
    code, out, err = run(capsys, "select", data, "--k", "1-2", "--models", "binomial,VVV",
                         "--trials", "3", "--seed", "0")
    assert code == 0, err
    binomial = [line for line in out.splitlines() if line.lstrip().startswith("binomial")]
    assert len(binomial) == 2 and all("trials" not in line for line in binomial)
    fitted = engine.fit(counts, engine.FitOptions(model="binomial", n_components=1, trials=3,
                                                  seed=0))
    assert f"{fitted.log_likelihood:.3f}" in binomial[0]


@pytest.mark.parametrize("command", [["fit", "--k", "2"], ["select", "--k", "1-2"]])
def test_a_model_option_no_chosen_model_has_is_refused(capsys, datasets, command):
    code, _, err = run(capsys, command[0], datasets / "faithful.csv", *command[1:],
                       "--trials", "-1")
    assert code == 2
    assert err == ("error: --trials is an option of the binomial model, not of gaussian; drop "
                   "--trials or choose such a model\n")
