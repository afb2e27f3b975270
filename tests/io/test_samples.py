"""The bundled samples: reproducible from their script, readable, and fit as catalogued."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import engine
from emio import samples
from emio.samples import CatalogueError, Sample, load_catalogue
from emio.tables import read_table

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "emio" / "resources" / "make_samples.py"
CATALOGUE = load_catalogue()


def make_samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_paths_resolve_inside_the_repository() -> None:
    assert samples.SAMPLES_DIR == REPO / "emio" / "resources" / "samples"
    assert samples.CATALOGUE_PATH == REPO / "emio" / "resources" / "samples.json"


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    written = make_samples().write_samples(tmp_path)
    committed = sorted(p.name for p in samples.SAMPLES_DIR.iterdir())
    assert sorted(p.name for p in written) == committed
    for path in written:
        assert path.read_bytes() == (samples.SAMPLES_DIR / path.name).read_bytes(), path.name


def test_catalogue_and_files_match_one_to_one() -> None:
    listed = sorted(sample.path.name for sample in CATALOGUE)
    assert listed == sorted(p.name for p in samples.SAMPLES_DIR.iterdir())
    assert len({sample.id for sample in CATALOGUE}) == len(CATALOGUE)


def test_descriptions_are_a_few_sentences() -> None:
    for sample in CATALOGUE:
        sentences = sample.description.count(". ") + 1
        assert 2 <= sentences <= 4, sample.id
        assert sample.title and sample.description.endswith(".")


@pytest.mark.parametrize("sample", CATALOGUE, ids=[s.id for s in CATALOGUE])
def test_every_sample_reads_and_fits_its_declared_model(sample: Sample) -> None:
    table = sample.read()
    # Nothing is dropped; a sample with gaps keeps them for EM, and says so.
    assert table.dropped_rows == 0
    gaps = read_table(sample.path, bad_rows="keep")
    np.testing.assert_array_equal(table.data, gaps.data)
    assert table.notes == (
        (f"kept {gaps.n_rows_with_gaps} rows with missing values "
         f"({gaps.n_missing_values} values in all)",) if gaps.n_rows_with_gaps else ()
    )
    init = None
    if sample.init is not None:
        init = engine.Params(
            weights=sample.init["weights"],
            probs=sample.init.get("probs"),
            means=sample.init.get("means"),
            covariances=sample.init.get("covariances"),
            rates=sample.init.get("rates"),
        )
    options = engine.FitOptions(
        model=sample.model,
        n_components=sample.n_components,
        covariance_type=sample.covariance_type or "full",
        trials=sample.trials,
        init=init if init is not None else "kmeans++",
        fixed=frozenset(sample.fixed),
        e_step=sample.e_step,
        seed=0,
        max_iter=200,
    )
    result = engine.fit(table.data, options, feature_names=table.columns)
    assert np.isfinite(result.log_likelihood)
    assert result.params.n_components == sample.n_components
    # Sample.fit_options says the same thing.
    same = sample.fit_options(seed=0, max_iter=200)
    assert same.model == options.model and same.fixed == options.fixed
    assert same.explicit_init == (init is not None)


def test_the_sample_with_gaps_is_fitted_over_its_gaps() -> None:
    sample = next(s for s in CATALOGUE if s.id == "heights_weights_gaps")
    table = sample.read()
    missing = np.isnan(table.data)
    # Gaps in both columns, never a whole row, and a small share of the values.
    assert missing[:, 0].any() and missing[:, 1].any() and not missing.all(axis=1).any()
    assert 0 < missing.sum() <= 0.1 * table.data.size
    result = engine.fit(table.data, sample.fit_options(tol=1e-8, max_iter=1000))
    # Every row counts, and the fit separates the two groups: one heavier and taller.
    assert result.converged and result.n_fitted == table.data.shape[0]
    shorter, taller = result.params.means[np.argsort(result.params.means[:, 0])]
    assert taller[0] - shorter[0] > 8 and taller[1] - shorter[1] > 10


def test_textbook_coin_samples() -> None:
    by_id = {sample.id: sample for sample in CATALOGUE}
    two = by_id["two_coins"]
    np.testing.assert_array_equal(two.read().data.ravel(), [3, 2, 1, 3, 2])
    assert (two.model, two.n_components, two.trials, two.fixed) == ("binomial", 2, 5, ("weights",))
    np.testing.assert_array_equal(two.init_params().probs, [[0.2], [0.7]])
    three = by_id["three_coins"]
    np.testing.assert_array_equal(three.read().data.ravel(), [1, 1, 0, 1, 0, 0, 1, 0, 1, 1])
    # The textbook's first step from pi=0.4, p=0.6, q=0.7.
    result = engine.fit(three.read().data, three.fit_options(max_iter=1))
    np.testing.assert_allclose(result.params.weights, [0.4064, 0.5936], atol=1e-4)
    np.testing.assert_allclose(result.params.probs.ravel(), [0.5368, 0.6432], atol=1e-4)


def test_generated_data_has_the_promised_shape() -> None:
    by_id = {sample.id: sample.read() for sample in CATALOGUE}
    heights = by_id["heights"]
    assert heights.columns == ["height_cm"] and heights.data.shape == (200, 1)
    np.testing.assert_array_equal(heights.data, np.round(heights.data, 1))
    assert by_id["blobs"].data.shape == (600, 2)
    assert by_id["elongated"].data.shape == (600, 2)
    binary = by_id["binary_features"].data
    assert binary.shape == (400, 6) and set(np.unique(binary)) == {0.0, 1.0}
    counts = by_id["counts"].data
    assert counts.shape == (500, 2) and np.all(counts == np.round(counts)) and counts.min() >= 0
    assert by_id["large"].data.shape == (100_000, 2)
    assert (samples.SAMPLES_DIR / "large_2d.npy").stat().st_size < 2_000_000


def test_catalogue_errors_name_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "samples.json"
    path.write_text(json.dumps([{"id": "a", "title": "A", "file": "a.csv"}]))
    with pytest.raises(CatalogueError, match=r"entry 1 \('a'\).*lacks description, model, n_components"):
        load_catalogue(path)
    entry = {"id": "a", "title": "A", "file": "a.csv", "description": "d", "model": "gaussian", "n_components": 2}
    path.write_text(json.dumps([{**entry, "colour": "red"}]))
    with pytest.raises(CatalogueError, match="unknown keys colour"):
        load_catalogue(path)
    path.write_text(json.dumps([{**entry, "model": "dirichlet"}]))
    with pytest.raises(CatalogueError, match="unknown model 'dirichlet'"):
        load_catalogue(path)
    path.write_text(json.dumps([entry, entry]))
    with pytest.raises(CatalogueError, match="unique"):
        load_catalogue(path)
    path.write_text("[{")
    with pytest.raises(CatalogueError, match="not valid JSON"):
        load_catalogue(path)
