"""Fits of files larger than memory: a ``.npy`` streamed chunk by chunk gives the fit of
the same rows in memory, bit for bit, and holds memory that does not grow with the rows.

A streamed source is read and prepared again in every pass, a group of chunks at a
time, and its statistics are added to a running sum in chunk order: the same
arithmetic, in the same order, as a fit of rows kept in memory.
"""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.data import START_SAMPLE_ROWS, ArraySource, NpySource, start_sample
from engine.references import DataChanged
from engine.sampling import choice_without_replacement

MODELS = [
    ("gaussian", "full"), ("gaussian", "tied"), ("gaussian", "diag"), ("gaussian", "spherical"),
    ("kmeans", "full"), ("bernoulli", "full"), ("binomial", "full"), ("poisson", "full"),
]


def fit_options(model: str, covariance_type: str, **changes: object) -> engine.FitOptions:
    base = engine.FitOptions(
        model=model, covariance_type=covariance_type, n_components=2,
        trials=4 if model == "binomial" else None, max_iter=12, tol=0.0, seed=3,
    )
    return base.replace(**changes)


def saved(tmp_path: Path, X: np.ndarray, name: str = "rows.npy") -> Path:
    path = tmp_path / name
    np.save(path, X)
    return path


@pytest.mark.parametrize(("model", "covariance_type"), MODELS)
def test_a_streamed_file_gives_the_fit_in_memory_bit_for_bit(
    tmp_path: Path, mixture_rows: object, model: str, covariance_type: str
) -> None:
    X = mixture_rows(model, 40_000, n_groups=2)
    # Small chunks, many more than the threads compute ahead.
    options = fit_options(model, covariance_type, chunk_size=256, n_threads=2)
    in_memory = engine.fit(X, options)
    streamed = engine.fit(NpySource(saved(tmp_path, X)), options, labels=True)
    for name in ("history", "objective_history", "entropy", "labels"):
        np.testing.assert_array_equal(getattr(streamed, name), getattr(in_memory, name))
    for name, value in in_memory.params.arrays().items():
        np.testing.assert_array_equal(getattr(streamed.params, name), value)


def test_a_streamed_fit_leaves_labels_out_unless_asked(
    tmp_path: Path, mixture_rows: object
) -> None:
    X = mixture_rows("gaussian", 5000)
    options = fit_options("gaussian", "full")
    assert engine.fit(X, options).labels is not None
    streamed = engine.fit(NpySource(saved(tmp_path, X)), options)
    assert streamed.labels is None
    assert streamed.icl == engine.fit(X, options).icl  # the entropy is still there
    blocks = list(engine.predict_blocks(NpySource(saved(tmp_path, X)), streamed.params, options))
    _, log_resp = engine.predict_log_resp(X, streamed.params, options)
    assert [first for first, _ in blocks] == sorted(first for first, _ in blocks)
    np.testing.assert_array_equal(np.concatenate([r for _, r in blocks]), log_resp)


@pytest.mark.parametrize(
    "n", [START_SAMPLE_ROWS + 1, 150_000, 2_000_000, 4_999_999, 5_000_000, 6_000_000]
)
def test_the_lean_sample_draws_the_rows_numpy_draws(n: int) -> None:
    for seed in (0, 7):
        expected = np.random.default_rng(seed).choice(n, size=START_SAMPLE_ROWS, replace=False)
        rng = np.random.default_rng(seed)
        np.testing.assert_array_equal(
            choice_without_replacement(rng, n, START_SAMPLE_ROWS), expected
        )
        follows = np.random.default_rng(seed)
        follows.choice(n, size=START_SAMPLE_ROWS, replace=False)
        # The generator is left as NumPy leaves it.
        assert rng.integers(2**62) == follows.integers(2**62)


def test_starts_come_from_the_same_rows_in_memory_and_streamed(tmp_path: Path) -> None:
    X = np.arange(3 * 130_000, dtype=float).reshape(-1, 3)
    streamed = NpySource(saved(tmp_path, X))
    np.testing.assert_array_equal(start_sample(streamed, 9), start_sample(ArraySource(X), 9))


def _peak_of_streamed_fit(path: Path) -> int:
    options = engine.FitOptions(n_components=3, seed=1, max_iter=3, tol=0.0, n_threads=1)
    tracemalloc.start()
    try:
        result = engine.fit(NpySource(path), options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.labels is None and result.n_iter == 3
    return peak


def test_the_memory_of_a_streamed_fit_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    peaks = {}
    for n in (100_000, 2_000_000):
        path = tmp_path / f"{n}.npy"
        X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, 2))
        for start in range(0, n, 500_000):
            stop = min(n, start + 500_000)
            group = (np.arange(start, stop) % 3)[:, None]
            X[start:stop] = rng.normal(size=(stop - start, 2)) + 4.0 * group
        X.flush()
        del X
        peaks[n] = _peak_of_streamed_fit(path)
    small, large = peaks[100_000], peaks[2_000_000]
    # Two things differ, both bounded whatever the rows. At 1e5 rows the start's sample
    # is every row, a view of the mapped file; at 2e6 it is 1e5 rows copied out (1.6 MB)
    # with their sorted index (0.8 MB), held while the seeds are picked. And a pass
    # keeps a (start, stop) and four floats per chunk of 65536 rows (some hundred bytes
    # a chunk). The rows themselves (32 MB at 2e6) would break the bound many times
    # over, and so would an index of every row or their labels (16 MB each).
    sample = START_SAMPLE_ROWS * 2 * 8
    assert -256 * 1024 < large - small < 2 * sample, peaks
    assert large < 16 * 2**20, peaks


def test_a_file_that_changes_during_a_fit_stops_it(tmp_path: Path, mixture_rows: object) -> None:
    path = saved(tmp_path, mixture_rows("gaussian", 4000))
    steps = engine.iterate(NpySource(path), fit_options("gaussian", "full", max_iter=50))
    next(steps)
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    with pytest.raises(DataChanged, match=r"rows\.npy was modified while the fit was reading it"):
        for _ in steps:
            pass
