"""The estimators on data given as a path and on a Dask cluster (issue 18 point 3, issue 16):
the same file fitted from an array, streamed from its path and on a real Dask cluster (a
scheduler and two worker processes on loopback, the session's ``cluster`` fixture) gives the
same history; the methods that take ``X`` read paths the same way; the new arguments are
parameters like the others; what cannot work says what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import emio.sources
from em_studio import BernoulliMixture, GaussianMixture, KMeans, PoissonMixture

#: The agreement issue 16 asks of the backends: histories to a relative 1e-10 ...
HISTORY_RTOL = 1e-10
#: ... and fitted parameters to 1e-9.
PARAMS_RTOL = 1e-9


def gaussian_rows(n_samples: int = 6000, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    half = n_samples // 2
    return np.vstack([
        rng.normal([0.0, 0.0, 1.0], [1.0, 0.5, 1.0], (half, 3)),
        rng.normal([3.0, 2.0, -1.0], [0.7, 1.0, 0.6], (n_samples - half, 3)),
    ])


def count_rows(n_samples: int = 6000, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    half = n_samples // 2
    return np.vstack([
        rng.poisson([1.0, 6.0], (half, 2)), rng.poisson([8.0, 2.0], (n_samples - half, 2))
    ]).astype(np.float64)


#: (estimator class, its explicit start, rows): every array given, so nothing is drawn.
CASES = {
    "gaussian": (
        GaussianMixture,
        dict(
            weights_init=[0.4, 0.6], means_init=[[0.5, 0.5, 0.5], [2.0, 1.0, 0.0]],
            precisions_init=[np.eye(3), np.eye(3)],
        ),
        gaussian_rows,
    ),
    "poisson": (
        PoissonMixture,
        dict(weights_init=[0.5, 0.5], rates_init=[[2.0, 4.0], [5.0, 3.0]]),
        count_rows,
    ),
}


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every .npy and Parquet file is streamed, as a file of millions of rows is."""
    monkeypatch.setattr(emio.sources, "STREAM_ROWS", 1)


def relative(a: object, b: object) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny)))


def assert_same_fit(fitted: object, reference: object) -> float:
    """Assert the same history and parameters; the history's largest relative difference."""
    assert fitted.n_iter_ == reference.n_iter_ > 3
    difference = relative(fitted.lower_bounds_, reference.lower_bounds_)
    assert difference <= HISTORY_RTOL
    assert fitted.lower_bound_ == pytest.approx(reference.lower_bound_, rel=HISTORY_RTOL)
    np.testing.assert_allclose(fitted.weights_, reference.weights_, rtol=PARAMS_RTOL)
    for name in ("means_", "covariances_", "rates_"):
        if hasattr(reference, name):
            np.testing.assert_allclose(getattr(fitted, name), getattr(reference, name),
                                       rtol=PARAMS_RTOL)
    return difference


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_array_its_streamed_path_and_a_dask_cluster_give_the_same_history(
    case: str, tmp_path: Path, streamed: None, cluster: object
) -> None:
    distributed = pytest.importorskip("distributed")
    estimator, start, make_rows = CASES[case]
    X = make_rows()
    path = tmp_path / "rows.npy"
    np.save(path, X)
    settings = dict(n_components=2, tol=1e-10, max_iter=40, **start)

    in_memory = estimator(**settings).fit(X)
    from_path = estimator(**settings).fit(path)
    on_dask = estimator(**settings, backend="dask", scheduler=cluster.scheduler_address)
    with distributed.Client(cluster, set_as_default=False) as client:
        with distributed.get_task_stream(client) as stream:
            on_dask.fit(str(path))
        labels_on_dask = on_dask.predict(path)
    passes = [task["key"] for task in stream.data if str(task["key"]).startswith("em-pass")]

    assert in_memory.labels_ is not None
    assert from_path.labels_ is None  # streamed: no label per row kept
    assert passes, "the Dask fit computed no pass on the cluster's workers"
    np.testing.assert_array_equal(labels_on_dask, in_memory.labels_)
    differences = {
        "path": assert_same_fit(from_path, in_memory),
        "dask": assert_same_fit(on_dask, in_memory),
    }
    print(f"{case}: largest relative difference of lower_bounds_ from the array's: "
          f"{differences}")


def test_the_methods_read_a_streamed_path_as_the_rows_in_memory(
    tmp_path: Path, streamed: None
) -> None:
    X = gaussian_rows(3000)
    path = tmp_path / "rows.npy"
    np.save(path, X)
    fitted = GaussianMixture(2, random_state=0).fit(X)

    np.testing.assert_array_equal(fitted.predict(path), fitted.predict(X))
    np.testing.assert_allclose(fitted.predict_proba(path), fitted.predict_proba(X),
                               rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(fitted.score_samples(path), fitted.score_samples(X), rtol=1e-12)
    assert fitted.score(path) == pytest.approx(fitted.score(X), rel=1e-12)
    assert fitted.bic(path) == pytest.approx(fitted.bic(X), rel=1e-12)
    assert fitted.aic(path) == pytest.approx(fitted.aic(X), rel=1e-12)
    assert fitted.icl(path) == pytest.approx(fitted.icl(X), rel=1e-12)
    np.testing.assert_array_equal(GaussianMixture(2, random_state=0).fit_predict(path),
                                  GaussianMixture(2, random_state=0).fit(path).predict(X))


def test_parquet_files_and_folders_are_fitted_as_the_rows_they_hold(
    tmp_path: Path, streamed: None
) -> None:
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    estimator, start, make_rows = CASES["gaussian"]
    X = make_rows()
    table = pa.table({name: X[:, j] for j, name in enumerate(("a", "b", "c"))})
    parquet.write_table(table, tmp_path / "rows.parquet", row_group_size=1000)
    folder = tmp_path / "parts"
    folder.mkdir()
    parquet.write_table(table.slice(0, 2500), folder / "part-0.parquet")
    parquet.write_table(table.slice(2500), folder / "part-1.parquet")
    reference = estimator(2, tol=1e-10, **start).fit(X)

    for path in (tmp_path / "rows.parquet", folder):
        fitted = estimator(2, tol=1e-10, **start).fit(path)
        assert fitted.n_features_in_ == 3
        assert_same_fit(fitted, reference)


def test_a_small_file_is_read_whole_and_fitted_as_its_rows(tmp_path: Path) -> None:
    X = gaussian_rows(500)
    path = tmp_path / "small.npy"
    np.save(path, X)
    from_array = GaussianMixture(2, random_state=0).fit(X)
    from_path = GaussianMixture(2, random_state=0).fit(path)
    # Read whole, the fit is the array's, scikit-learn's starts and labels_ included.
    np.testing.assert_array_equal(from_path.labels_, from_array.labels_)
    np.testing.assert_array_equal(from_path.means_, from_array.means_)


def test_a_streamed_fit_starts_from_the_same_seed_on_every_backend(
    tmp_path: Path, streamed: None, cluster: object
) -> None:
    pytest.importorskip("distributed")
    path = tmp_path / "rows.npy"
    np.save(path, gaussian_rows())
    local = GaussianMixture(2, random_state=5, max_iter=0).fit(path)
    dask = GaussianMixture(
        2, random_state=5, max_iter=0, backend="dask", scheduler=cluster.scheduler_address
    ).fit(path)
    np.testing.assert_allclose(dask.means_, local.means_, rtol=1e-12)


def test_kmeans_of_a_streamed_file_has_the_centres_and_inertia_of_its_rows(
    tmp_path: Path, streamed: None, cluster: object
) -> None:
    pytest.importorskip("distributed")
    X = gaussian_rows()
    path = tmp_path / "rows.npy"
    np.save(path, X)
    # Lloyd's algorithm from the same means: the same partitions whatever the first
    # variance (which a streamed start takes from the engine's own start).
    settings = dict(n_components=3, means_init=X[[0, 2000, 5000]], max_iter=50)
    in_memory = KMeans(**settings).fit(X)
    fitted = [
        KMeans(**settings).fit(path),
        KMeans(**settings, backend="dask", scheduler=cluster.scheduler_address).fit(path),
    ]
    for kmeans in fitted:
        assert kmeans.labels_ is None
        np.testing.assert_allclose(kmeans.cluster_centers_, in_memory.cluster_centers_,
                                   rtol=1e-12)
        assert kmeans.inertia_ == pytest.approx(in_memory.inertia_, rel=1e-12)


def test_without_a_scheduler_a_local_cluster_is_started_for_the_call(
    tmp_path: Path, streamed: None
) -> None:
    pytest.importorskip("distributed")
    estimator, start, make_rows = CASES["poisson"]
    X = make_rows(2000)
    path = tmp_path / "rows.npy"
    np.save(path, X)
    psutil = pytest.importorskip("psutil")  # distributed's own dependency
    me = psutil.Process()

    def new_processes() -> set[int]:
        """Processes started since the test began, but multiprocessing's resource
        tracker (one per program, kept for its life)."""
        return {
            child.pid for child in me.children(recursive=True)
            if child.pid not in before and "resource_tracker" not in " ".join(child.cmdline())
        }

    before = {child.pid for child in me.children(recursive=True)}
    during: list[set[int]] = []
    reference = estimator(2, tol=1e-10, **start).fit(X)
    fitted = estimator(
        2, tol=1e-10, backend="dask", callback=lambda _: during.append(new_processes()), **start
    ).fit(path)
    assert_same_fit(fitted, reference)
    # Worker processes ran the fit, and were stopped with their cluster after it.
    assert all(len(started) >= 1 for started in during)
    assert new_processes() == set()


def test_backend_and_scheduler_are_parameters_like_the_others() -> None:
    clone = pytest.importorskip("sklearn.base").clone
    for estimator in (GaussianMixture, KMeans, BernoulliMixture, PoissonMixture):
        params = estimator().get_params()
        assert params["backend"] == "local" and params["scheduler"] is None
    gm = GaussianMixture(2, backend="dask", scheduler="tcp://127.0.0.1:8786")
    copy = clone(gm)
    assert (copy.backend, copy.scheduler) == ("dask", "tcp://127.0.0.1:8786")
    copy.set_params(backend="local", scheduler=None)
    assert copy.get_params()["backend"] == "local"


@pytest.mark.parametrize(
    ("arguments", "X", "words"),
    [
        (dict(backend="dask"), "array", "pass the path"),
        (dict(scheduler="tcp://127.0.0.1:8786"), "array", "scheduler is for backend='dask'"),
        (dict(backend="cluster"), "array", "unknown backend .cluster.; choose local or dask"),
        (dict(backend="dask", scheduler=8786), "array", "scheduler's address"),
        (dict(backend="dask", engine_options={"backend": object()}), "npy",
         "backend is given twice"),
        (dict(), "missing", "no file"),
        (dict(backend="dask"), "csv", "convert it once"),
    ],
)
def test_what_cannot_work_says_what_to_do(
    arguments: dict, X: str, words: str, tmp_path: Path
) -> None:
    rows = gaussian_rows(200)
    given = {
        "array": rows,
        "npy": tmp_path / "rows.npy",
        "missing": tmp_path / "nowhere.npy",
        "csv": tmp_path / "rows.csv",
    }[X]
    np.save(tmp_path / "rows.npy", rows)
    np.savetxt(tmp_path / "rows.csv", rows, delimiter=",")
    with pytest.raises(ValueError, match=words):
        GaussianMixture(2, **arguments).fit(given)


def test_a_streamed_file_is_checked_like_rows(tmp_path: Path, streamed: None) -> None:
    path = tmp_path / "rows.npy"
    np.save(path, gaussian_rows(300))
    fitted = GaussianMixture(2, random_state=0).fit(gaussian_rows(300)[:, :2])
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture is expecting 2"):
        fitted.predict(path)
    counts = tmp_path / "counts.npy"
    np.save(counts, (count_rows(300) > 3).astype(np.float64))
    with pytest.raises(ValueError, match="binarize applies to rows in memory"):
        BernoulliMixture(2, binarize=0.5).fit(counts)
    np.save(counts, -count_rows(300))
    with pytest.raises(ValueError, match="negative|non-negative|count"):
        PoissonMixture(2, random_state=0).fit(counts)


def test_importing_the_estimators_leaves_the_file_readers_unloaded() -> None:
    """emio, the file readers, is imported only when a path is given."""
    code = "import sys, em_studio; print(sorted(name for name in sys.modules if 'emio' in name))"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"
