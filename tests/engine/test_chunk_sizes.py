"""Rows per chunk: the model's preference, evened out so that threads share a pass fairly."""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine
from engine.fit_setup import (
    CHUNK_GROUP,
    MAX_CHUNK_ROWS,
    MIN_CHUNK_ROWS,
    auto_chunk_size,
)


@pytest.mark.parametrize(
    ("n_samples", "preferred"),
    [(100_000, 32_768), (100_000, 16_384), (1_000_000, 16_384), (100_000, 8_004), (70_000, 65_536)],
)
def test_a_pass_of_several_chunks_has_a_multiple_of_the_group_of_equal_ones(
    n_samples: int, preferred: int
) -> None:
    rows = auto_chunk_size(n_samples, preferred)
    n_chunks = math.ceil(n_samples / rows)
    assert n_chunks % CHUNK_GROUP == 0
    assert MIN_CHUNK_ROWS <= rows <= min(preferred, MAX_CHUNK_ROWS)
    # Every chunk but the last is full, and the last lacks fewer rows than there are chunks.
    assert n_chunks * rows - n_samples < n_chunks


def test_data_of_one_chunk_and_small_chunks_keep_the_preference() -> None:
    assert auto_chunk_size(3_000, 16_384) == 3_000
    assert auto_chunk_size(600, 100) == 600
    assert auto_chunk_size(3_000, 100) == MIN_CHUNK_ROWS
    # Four equal chunks would be smaller than the least a chunk may hold.
    assert auto_chunk_size(5_000, 1_024) == 1_024
    assert auto_chunk_size(1_000_000, 1_024) == 1_024


def test_evened_chunks_give_the_fit_of_the_preferred_ones() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(5_000, 3)) + 4.0 * rng.integers(0, 3, size=(5_000, 1))
    options = engine.FitOptions(n_components=3, covariance_type="full", max_iter=5, tol=0.0, seed=1)
    evened = engine.fit(X, options.replace(chunk_size=1_250))
    uneven = engine.fit(X, options.replace(chunk_size=1_600))
    np.testing.assert_allclose(evened.history, uneven.history, rtol=1e-12)
    np.testing.assert_allclose(evened.params.covariances, uneven.params.covariances, rtol=1e-10)
