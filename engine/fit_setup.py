"""A fit set up: its options validated, its data checked and summarised once, and
its model adapted to the data; and the rows per chunk of its passes.

:func:`setup_fit` is where every fit begins (:func:`engine.loop.iterate`, the
half-steps of :mod:`engine.halfsteps`); :func:`check_data` and :func:`model_for`
ask the same of data without fitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.data import ColumnSummary, DataSource, as_source, summarise
from engine.models import registry
from engine.models.base import MixtureModel
from engine.options import FitOptions, check_components, new_seed, validate

#: Fewest and most rows per chunk, whatever the model prefers.
MIN_CHUNK_ROWS = 1024
MAX_CHUNK_ROWS = 65536

#: A pass of several chunks has a multiple of this many, of equal size.
CHUNK_GROUP = 4


def auto_chunk_size(n_samples: int, preferred_rows: int) -> int:
    """Rows per chunk: the model's preference within [:data:`MIN_CHUNK_ROWS`,
    :data:`MAX_CHUNK_ROWS`], at most the data, then evened out so that a pass of
    several chunks has a multiple of :data:`CHUNK_GROUP` of them, of one size (the
    last one excepted; unless that would leave fewer than :data:`MIN_CHUNK_ROWS` rows
    in each).

    The worker threads share the chunks out: 1e5 rows in chunks of 32768 were
    three full chunks and a sliver, so one of two threads did two thirds of the
    pass (float32, 1e5 x 2, K = 3); four chunks of 25000 are halved exactly by
    two threads and quartered by four. Depends on the data's shape, the model and
    the precision, never on the threads.
    """
    rows = int(min(n_samples, MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, preferred_rows)))
    if rows >= n_samples:
        return rows
    n_chunks = -(-n_samples // rows)
    grouped = -(-n_chunks // CHUNK_GROUP) * CHUNK_GROUP
    even = -(-n_samples // grouped)
    return int(even) if even >= MIN_CHUNK_ROWS else rows


def chunk_size_for(
    model: MixtureModel, options: FitOptions, n_samples: int, n_features: int, dtype: str
) -> int:
    """Rows per chunk of a fit's passes in ``dtype``: ``options.chunk_size`` or the model's choice."""
    if options.chunk_size is not None:
        return options.chunk_size
    itemsize = np.dtype(dtype).itemsize
    return auto_chunk_size(n_samples, model.chunk_rows(options.n_components, n_features, itemsize))


@dataclass(frozen=True)
class FitSetup:
    """A fit's data, checked and summarised, and its model set up for them."""

    source: DataSource
    summary: ColumnSummary
    model: MixtureModel
    options: FitOptions

    @property
    def n_samples(self) -> int:
        return self.source.n_samples

    @property
    def n_features(self) -> int:
        return self.source.n_features

    @property
    def n_fitted(self) -> int:
        """Rows with at least one value: a row without any is left out of the fit."""
        return self.summary.n_fitted


def setup_fit(
    X: object, options: FitOptions, feature_names: Sequence[str] | None = None
) -> FitSetup:
    """Check the options and the data once, and set the model up for the data.

    ``X`` is an array of shape (n_samples, n_features) or an
    :class:`engine.data.DataSource`. A seed is drawn when ``options`` have none.

    Raises
    ------
    ValueError
        For data or options that cannot be fitted, with a message that says what to do.
    """
    validate(options)
    source = as_source(X, feature_names)
    model = registry.build_model(options.model, options.model_options)
    summary = summarise(source, model.check_chunk, model.handles_missing)
    check_components(options, summary.n_fitted)
    model.check_summary(summary, source.feature_names)
    if options.seed is None:
        options = options.replace(seed=new_seed())
    return FitSetup(source, summary, model.adapt(summary, options.reg_covar), options)


def check_data(
    X: object, options: FitOptions, feature_names: Sequence[str] | None = None
) -> None:
    """Raise ``ValueError`` saying why ``X`` cannot come from the model ``options``
    name (whatever K and the other options)."""
    source = as_source(X, feature_names)
    model = registry.build_model(options.model, options.model_options)
    summary = summarise(source, model.check_chunk, model.handles_missing)
    model.check_summary(summary, source.feature_names)


def objective_name(options: FitOptions) -> str:
    """What a fit's ``objective`` is, in words for a trace's axis: the (classification)
    log-likelihood, plus the log prior when the regularisation is one."""
    model = registry.build_model(options.model, options.model_options)
    name = "classification log-likelihood" if options.e_step == "hard" else "log-likelihood"
    if model.penalised(options.reg_covar):
        name += " + log prior"
    return name


def model_for(options: FitOptions, X: np.ndarray) -> MixtureModel:
    """The model ``options`` describe, set up for data ``X`` (no checks of the data)."""
    model = registry.build_model(options.model, options.model_options)
    summary = summarise(as_source(X), allow_missing=model.handles_missing)
    return model.adapt(summary, options.reg_covar)
