"""``--standardize`` for fit and select: fitted in standard units, written in the original."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import engine
from emio.cli import main
from emio.cli.common import read_params
from engine.standardize import column_scaling, fit_standardized


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_standardize_writes_original_units_and_the_scaling(capsys, scales_csv, tmp_path):
    out = tmp_path / "p.json"
    code, _, err = run(capsys, "fit", scales_csv, "--k", "2", "--seed", "1", "--standardize",
                       "--accelerate", "none", "-o", out)
    assert code == 0, err
    doc = json.loads(out.read_text())
    X = pd.read_csv(scales_csv).to_numpy()
    scaling = column_scaling(X)
    np.testing.assert_allclose(doc["standardized"]["center"], scaling.center, rtol=1e-12)
    np.testing.assert_allclose(doc["standardized"]["scale"], scaling.scale, rtol=1e-12)
    read = read_params(out)
    options = read.options()
    expected = fit_standardized(X, options.replace(init="kmeans++", seed=1), ["big", "small"])
    np.testing.assert_allclose(np.sort(read.params["means"][:, 0]),
                               np.sort(expected.params["means"][:, 0]), rtol=1e-6)
    log_norm, _ = engine.predict_log_resp(X, read.params, options)
    assert doc["log_likelihood"] == pytest.approx(float(log_norm.sum()), rel=1e-9)


def test_fit_standardize_refuses_k_means_with_advice(capsys, scales_csv):
    code, _, err = run(capsys, "fit", scales_csv, "--k", "2", "--model", "kmeans",
                       "--standardize")
    assert code != 0
    assert "VVI (diag) covariance" in err and "Traceback" not in err


def test_select_standardize_ranks_as_the_raw_columns_do(capsys, scales_csv):
    code, plain, err = run(capsys, "select", scales_csv, "--k", "1-3", "--models", "full,diag")
    assert code == 0, err
    code, scaled, err = run(capsys, "select", scales_csv, "--k", "1-3", "--models", "full,diag",
                            "--standardize")
    assert code == 0, err
    assert plain.splitlines()[-1].split("(")[0] == scaled.splitlines()[-1].split("(")[0]


def test_fit_standardize_without_a_seed_records_the_seed_it_drew(capsys, scales_csv, tmp_path):
    first, again = tmp_path / "first.json", tmp_path / "again.json"
    code, _, err = run(capsys, "fit", scales_csv, "--k", "2", "--standardize", "-o", first)
    assert code == 0, err
    seed = json.loads(first.read_text())["seed"]
    assert isinstance(seed, int)
    code, _, err = run(capsys, "fit", scales_csv, "--k", "2", "--standardize", "--seed", seed,
                       "-o", again)
    assert code == 0, err
    assert json.loads(again.read_text())["log_likelihood"] == json.loads(
        first.read_text())["log_likelihood"]


def test_fit_standardize_refusal_names_the_covariance(capsys, scales_csv):
    code, _, err = run(capsys, "fit", scales_csv, "--k", "2", "--covariance", "VII",
                       "--standardize")
    assert code == 2
    assert err.startswith("error: the gaussian model with the VII covariance keeps one spread "
                          "per component for every column")
