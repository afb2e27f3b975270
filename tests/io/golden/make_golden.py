"""Write the golden files of ``tests/io/test_golden.py``: small fits of every model,
each saved as a session and exported every way emio exports a fit.

The files in this folder were first written by the emio of main at 3c39379,
before the file formats read the models' declarations, and showed that they
read them without a byte changing; they were written again when the Gaussian
model gained its ``regularisation`` option (a key sessions and PARAMS.json now
hold), when fits gained ``accelerate`` (a key of a session's options), and when the
Gaussian's script came to lay covariances out by their storage (a table of every
covariance type). The test checks that today's emio writes the same bytes. Run
``python tests/io/golden/make_golden.py`` only when a format changes on
purpose, and say so in the commit.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

import engine
from engine.restarts import replay
from emio import exports, params_file, samples
from emio import session as sessions
from emio.snippet import snippet
from emio.tables import read_table

HERE = Path(__file__).resolve().parent
SAVED_AT = "2026-12-04T00:00:00+00:00"
MODELS = ("gaussian", "kmeans", "bernoulli", "binomial", "poisson")

#: case: (data file in this folder, the fit's options)
CASES: dict[str, tuple[str, dict]] = {
    **{
        f"gaussian-{c}": ("blobs.csv", dict(model="gaussian", covariance_type=c, n_components=3))
        for c in ("full", "tied", "diag", "spherical")
    },
    "kmeans": ("blobs.csv", dict(model="kmeans", n_components=3, e_step="hard")),
    "bernoulli": ("binary.csv", dict(model="bernoulli", n_components=2)),
    "binomial": ("binomial.csv", dict(model="binomial", n_components=2, trials=(10, 12))),
    "poisson": ("counts.csv", dict(model="poisson", n_components=2, fixed=frozenset({"weights"}))),
}


def write_data(folder: Path) -> None:
    """Small data files: the head of three bundled samples, and seeded binomial counts."""
    for name, sample in [("blobs.csv", "blobs_2d.csv"), ("binary.csv", "binary_features.csv"),
                         ("counts.csv", "counts.csv")]:
        lines = (samples.SAMPLES_DIR / sample).read_text(encoding="utf-8").splitlines()
        (folder / name).write_text("\n".join(lines[:41]) + "\n", encoding="utf-8")
    rng = np.random.default_rng(5)
    X = np.vstack([rng.binomial(10, [0.2, 0.7], size=(20, 2)),
                   rng.binomial(10, [0.8, 0.3], size=(20, 2))])
    rows = "".join(f"{a},{b}\n" for a, b in X)
    (folder / "binomial.csv").write_text(f"heads,tails\n{rows}", encoding="utf-8")


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_data(folder)
    for case, (data_name, options) in CASES.items():
        table = read_table(folder / data_name)
        names = table.columns
        options = engine.FitOptions(seed=2, max_iter=6, **options)
        result, snapshots = replay(table.data, options, table.columns)
        data = dataclasses.replace(
            sessions.data_source(table, data_name), path=Path("tests/io/golden") / data_name
        )
        session = sessions.Session(
            data=data, options=result.options.replace(init=result.params), result=result,
            snapshots=tuple(snapshots), shown_index=len(snapshots) - 1, saved_at=SAVED_AT,
        )
        outputs = {
            ".emsession": sessions.dumps(session),
            ".params.json": params_file.dumps(params_file.result_to_dict(result, names)),
            "_components.csv": exports.components_csv(result, names),
            ".trace.csv": exports.trace_csv(snapshots, result.options, names, with_params=True),
            ".trace.json": exports.trace_json(snapshots, result.options, names, with_params=True),
            ".summary.txt": exports.summary_text(result, names),
            ".npz": exports.params_npz(result, names),
        }
        for suffix, content in outputs.items():
            path = folder / f"{case}{suffix}"
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
    for model in MODELS:
        text = snippet("fit.json", model, script_name="apply.py")
        (folder / f"snippet-{model}.py.txt").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
