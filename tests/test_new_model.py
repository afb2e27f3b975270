"""A model added in one file works everywhere emio reads and writes, unchanged.

This module stands in for ``engine/models/exponential.py``: one class, a mixture
of exponential distributions for positive measurements (waiting times, sizes),
with its declaration and its maths, written the way ``engine/models/poisson.py``
is. A fixture registers it (a file in ``engine/models/`` would register itself
on import) and unregisters it afterwards. Then it is fitted by the engine, by
the command line (``fit``, ``--labels``, ``predict``, ``--init``, ``select``),
kept in a session, exported (components table, arrays, trace, summary) and
applied to its data by the generated NumPy-only script.

The last tests record which repository files a new model touches: the model's
own file, and any emio module that names models or their arrays (a static scan
of emio's code, docstrings and comments aside). That list must be the one
engine file.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Collection, Iterator
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.models import MixtureModel, ParamSpec, model_class, model_names, registry
from engine.models.base import EMPTY_MASS, ScriptCode, Stats
from engine.restarts import replay
from emio import exports
from emio import session as sessions
from emio.cli import main as cli
from emio.tables import read_table

ROOT = Path(__file__).resolve().parents[1]
#: The file this module stands in for.
MODEL_FILE = "engine/models/exponential.py"
#: Data made for particular models by design: the bundled samples and their seeded script.
SAMPLE_DATA = ROOT / "emio" / "resources"

# --- the model: what engine/models/exponential.py would hold ------------------------------

_SCRIPT_LOG_PROB = '''\
def log_prob(X, doc, p):
    """Log-density of every row under every component, shape (n_samples, n_components)."""
    scales = p["scales"]
    if np.any(~(X > 0)):
        sys.exit("error: the exponential model needs positive measurements")
    return -(X @ (1.0 / scales).T) - np.log(scales).sum(axis=1)
'''


class ExponentialModel(MixtureModel):
    """Positive columns, each exponential with its own mean (scale) per component."""

    name = "exponential"
    title = "Exponential"
    summary = (
        "Positive measurements such as waiting times; within a component every column is "
        "exponential with its own mean, independently of the others."
    )
    data_kind = "measurements"
    views = ("histogram",)
    menu_order = 90
    script = ScriptCode(_SCRIPT_LOG_PROB)

    @property
    def param_specs(self) -> tuple[ParamSpec, ...]:
        return (ParamSpec("scales", "scale", ("K", "D"), "location"),)

    def check_chunk(self, rows: np.ndarray, first_row: int, feature_names) -> None:
        bad = ~(rows > 0)
        if np.any(bad):
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"the exponential model needs positive measurements, but column "
                f"{feature_names[col]!r} has {rows[row, col]:g} in row {first_row + row + 1}"
            )

    def check_params(self, params: engine.Params, n_features: int) -> None:
        super().check_params(params, n_features)
        if np.any(params["scales"] <= 0):
            raise ValueError("exponential scales must be positive")

    def log_prob(self, X: np.ndarray, params: engine.Params) -> np.ndarray:
        scales = params["scales"]
        return -(X @ (1.0 / scales).T) - np.log(scales).sum(axis=1)

    def suff_stats(self, X: np.ndarray, resp: np.ndarray, params: engine.Params) -> Stats:
        return {"nk": resp.sum(axis=0), "sx": resp.T @ X}

    def m_step(
        self, stats: Stats, params: engine.Params, fixed: Collection[str], n_samples: int
    ) -> engine.Params:
        nk = stats["nk"] + EMPTY_MASS
        weights = params.weights if "weights" in fixed else nk / nk.sum()
        scales = params["scales"] if "scales" in fixed else stats["sx"] / nk[:, None]
        return engine.Params(weights, scales=scales)


# --- fixtures -----------------------------------------------------------------------------

SCALES = np.array([[1.0, 6.0], [9.0, 0.5]])
NAMES = ["wait", "size"]


@pytest.fixture
def exponential() -> Iterator[type[ExponentialModel]]:
    registry.register(ExponentialModel)
    yield ExponentialModel
    registry.unregister(ExponentialModel.name)


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    labels = rng.random(300) < 0.4
    X = rng.exponential(np.where(labels[:, None], SCALES[0], SCALES[1]))
    path = tmp_path / "waits.csv"
    path.write_text(
        ",".join(NAMES) + "\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in X),
        encoding="utf-8",
    )
    return path


def fitted(path: Path) -> tuple[engine.FitResult, list[engine.Snapshot]]:
    """The fit and its snapshots, components in the fit's order."""
    table = read_table(path)
    # As the command line fits it (SQUAREM is its default).
    options = engine.FitOptions(model="exponential", n_components=2, seed=3, accelerate="squarem")
    return replay(table.data, options, table.columns)


def run_cli(capsys, *args: object) -> tuple[int, str, str]:
    code = cli([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# --- the model at work --------------------------------------------------------------------


def test_the_engine_fits_it_and_recovers_the_scales(exponential, data_file):
    result, snapshots = fitted(data_file)
    X = read_table(data_file).data
    scales = result.params["scales"]
    order = np.argsort(scales[:, 0])
    np.testing.assert_allclose(scales[order], SCALES, rtol=0.25)
    weighted = -(X @ (1.0 / scales).T) - np.log(scales).sum(axis=1) + np.log(result.params.weights)
    top = weighted.max(axis=1)
    log_likelihood = float((top + np.log(np.exp(weighted - top[:, None]).sum(axis=1))).sum())
    assert result.log_likelihood == pytest.approx(log_likelihood, rel=1e-12)
    assert np.all(np.diff(result.history) >= -1e-9 * abs(result.history[-1]))
    assert result.n_parameters == 1 + 4
    assert len(snapshots) == result.n_iter + 1


def test_the_command_line_fits_predicts_and_resumes_it(exponential, data_file, capsys, tmp_path):
    params, labels = tmp_path / "fit.json", tmp_path / "labels.csv"
    code, _, err = run_cli(capsys, "fit", data_file, "--model", "exponential", "--k", "2",
                           "--seed", "3", "-o", params, "--labels", labels)
    assert code == 0, err
    doc = json.loads(params.read_text(encoding="utf-8"))
    expected, _ = fitted(data_file)
    assert doc["model"] == "exponential" and doc["feature_names"] == NAMES
    assert doc["scales"] == expected.params["scales"].tolist()
    assert doc["log_likelihood"] == expected.log_likelihood
    assert list(doc)[:8] == ["format", "version", "model", "n_components", "n_features",
                             "feature_names", "weights", "scales"]

    predicted = tmp_path / "predicted.csv"
    code, _, err = run_cli(capsys, "predict", params, data_file, "-o", predicted)
    assert code == 0, err
    assert predicted.read_text() == labels.read_text()
    assert labels.read_text().splitlines()[0] == "component,resp_1,resp_2"

    code, out, err = run_cli(capsys, "fit", data_file, "--init", params, "--max-iter", "0")
    assert code == 0, err
    again = json.loads(out)
    assert again["model"] == "exponential" and again["scales"] == doc["scales"]
    assert again["log_likelihood"] == pytest.approx(doc["log_likelihood"], rel=1e-13)

    code, out, err = run_cli(capsys, "select", data_file, "--models", "exponential,full",
                             "--k", "1-2", "--n-init", "1")
    assert code == 0, err
    assert re.search(r"^ *exponential +2 ", out, re.MULTILINE), out

    code, _, err = run_cli(capsys, "fit", data_file, "--model", "exponential", "--k", "2",
                           "--fix", "means")
    assert code == 2 and "it can hold weights, scales" in err


def test_a_session_keeps_it_bit_for_bit(exponential, data_file, tmp_path):
    result, snapshots = fitted(data_file)
    table = read_table(data_file)
    session = sessions.Session(
        data=sessions.data_source(table, data_file.name),
        options=result.options.replace(init=result.params, max_iter=0),
        result=result,
        snapshots=tuple(snapshots),
        shown_index=len(snapshots) - 1,
        saved_at="2026-12-04T00:00:00+00:00",
    )
    path = tmp_path / "fit.emsession"
    sessions.save_session(path, session)
    loaded = sessions.load_session(path)
    assert sessions.dumps(loaded) == path.read_text(encoding="utf-8")
    assert loaded.result.params["scales"].tobytes() == result.params["scales"].tobytes()
    assert loaded.options.init["scales"].tobytes() == result.params["scales"].tobytes()
    last = snapshots[-1].params["scales"]
    assert loaded.snapshots[-1].params["scales"].tobytes() == last.tobytes()
    assert loaded.result.options == result.options


def test_its_exports_follow_its_declaration(exponential, data_file):
    result, snapshots = fitted(data_file)
    components = exports.components_csv(result, NAMES)
    assert components.splitlines()[0] == "component,weight,scale(wait),scale(size)"
    rows = list(csv.reader(io.StringIO(components)))[1:]
    np.testing.assert_array_equal(np.array(rows, dtype=float)[:, 2:], result.params["scales"])

    archive = np.load(io.BytesIO(exports.params_npz(result, NAMES)), allow_pickle=False)
    assert set(archive.files) <= set(exports.npz_arrays())
    assert archive["scales"].tobytes() == result.params["scales"].tobytes()
    assert str(archive["model"]) == "exponential"

    trace = exports.trace_csv(snapshots, result.options, NAMES, with_params=True)
    header = next(csv.reader(io.StringIO(trace)))
    assert header[-6:] == ["weights[1]", "weights[2]", "scales[1,wait]", "scales[1,size]",
                           "scales[2,wait]", "scales[2,size]"]
    document = json.loads(exports.trace_json(snapshots, result.options, NAMES, with_params=True))
    assert document["model"] == "exponential"
    assert document["iterations"][-1]["params"]["scales"] == result.params["scales"].tolist()

    summary = exports.summary_text(result, NAMES)
    assert "\nModel:            Exponential mixture\n" in summary


def test_its_script_reproduces_the_fit(exponential, data_file, tmp_path):
    result, _ = fitted(data_file)
    written = exports.write_params(tmp_path / "fit.json", result, NAMES, script=True)
    done = subprocess.run(
        [sys.executable, str(written[-1]), str(data_file)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    values = np.array(rows[1:], dtype=float)
    assert values[:, -1].sum() == pytest.approx(result.log_likelihood, rel=1e-12)
    X = read_table(data_file).data
    _, log_resp = engine.predict_log_resp(X, result.params, result.options, NAMES)
    np.testing.assert_allclose(values[:, 1:-1], np.exp(log_resp), rtol=0, atol=1e-12)

    bad = tmp_path / "bad.csv"
    bad.write_text("wait,size\n1.0,-2.0\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(written[-1]), str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "needs positive measurements" in done.stderr


# --- which files a new model touches ------------------------------------------------------

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+*")  # "kmeans++" is an initialisation, not a model


def model_words() -> set[str]:
    """The names of every registered model, of their arrays (any variant), options and
    values per column: what a module that names models would spell out."""
    words = {spec.name for *_, model in registry.variant_models() for spec in model.param_specs}
    for name in model_names():
        cls = model_class(name)
        words |= {name, *(spec.name for spec in cls.option_specs), *cls.column_constants}
    return words


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, nodes) and node.body and isinstance(node.body[0], ast.Expr):
            value = node.body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(id(value))
    return found


def named_models(source: str, words: set[str]) -> list[str]:
    """The words of ``words`` that code in ``source`` spells out, in strings or names;
    docstrings and comments may name models as examples."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts = [] if id(node) in docstrings else _WORD.findall(node.value)
        elif isinstance(node, ast.Name):
            texts = [node.id]
        elif isinstance(node, ast.Attribute):
            texts = [node.attr]
        elif isinstance(node, (ast.keyword, ast.arg)):
            texts = [node.arg] if node.arg else []
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            texts = [node.name]
        else:
            texts = []
        found += [text for text in texts if text in words]
    return found


def files_a_new_model_touches() -> list[str]:
    """The model's own file, and every emio module that names models."""
    words = model_words()
    naming = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "emio").rglob("*.py"))
        if SAMPLE_DATA not in path.parents and named_models(path.read_text("utf-8"), words)
    ]
    return [MODEL_FILE, *naming]


def test_the_scan_finds_models_named_in_code_and_not_in_prose(exponential):
    words = model_words()
    assert {"exponential", "scales", "gaussian", "covariance_type", "probs", "trials"} <= words
    assert named_models('if options.model == "exponential":\n    pass\n', words)
    assert named_models("shape = params.means.shape\n", words)
    assert named_models('help = f"trials for binomial: {n}"\n', words)
    assert named_models("def f(covariance_type):\n    return 1\n", words)
    assert not named_models('"""A gaussian in prose."""\n# and poisson in a comment\n', words)
    assert not named_models('init = "kmeans++"\n', words)


def test_a_new_model_touches_one_engine_file(exponential):
    assert not (ROOT / MODEL_FILE).exists(), "this module stands in for that file"
    assert files_a_new_model_touches() == [MODEL_FILE]
