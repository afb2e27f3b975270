"""Evaluating parameters on rows without fitting: log-densities, responsibilities, labels."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import closing

import numpy as np

from engine.backends import Backend
from engine.backends.local import LocalBackend, LocalPasses
from engine.data import ArraySource, DataSource, as_source, summarise
from engine.estep import log_weights, normalise
from engine.fit_setup import auto_chunk_size, model_for
from engine.models import registry
from engine.models.base import MixtureModel
from engine.options import FitOptions
from engine.parallel import ChunkRunner
from engine.params import Params
from engine.starts import checked_params


def e_step(
    model: MixtureModel, X: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """Stable log-normaliser and log-responsibilities of rows ``X``.

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
        Log-density of each row under the mixture.
    log_resp : ndarray of shape (n_samples, n_components)
    """
    return normalise(model.log_prob(X, params) + log_weights(params.weights))


def predict_log_resp(
    X: object,
    params: Params,
    options: FitOptions,
    feature_names: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Log-density per row and log-responsibilities of ``X`` under ``params``.

    A row with missing values (NaN) is judged on its observed values, for a
    model that fits rows with gaps; a row without any value gets the weights as
    its responsibilities (and a log-density of 0).

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
    log_resp : ndarray of shape (n_samples, n_components)
    """
    source, model, params = _checked(X, params, options, feature_names)
    return e_step(model, source.read(0, source.n_samples), params)


def _checked(
    X: object, params: Params, options: FitOptions, feature_names: Sequence[str] | None
) -> tuple[DataSource, MixtureModel, Params]:
    """``X`` as a source, checked chunk by chunk; the model set up for it; ``params``
    checked against both."""
    source = as_source(X, feature_names)
    model = registry.build_model(options.model, options.model_options)
    summary = summarise(source, model.check_chunk, model.handles_missing)
    model = model.adapt(summary, options.reg_covar)
    return source, model, checked_params(model, params, source.n_features)


def chunk_log_resp(rows: np.ndarray, model: MixtureModel, params: Params) -> np.ndarray:
    """Log-responsibilities of ``rows`` under prepared ``params``, shape (n_rows, n_components)."""
    return e_step(model, rows, params)[1]


def chunk_scores(
    rows: np.ndarray, model: MixtureModel, params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """Log-density per row and log-responsibilities of ``rows`` under prepared ``params``."""
    return e_step(model, rows, params)


def predict_blocks(
    X: object,
    params: Params,
    options: FitOptions,
    feature_names: Sequence[str] | None = None,
    backend: Backend | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Log-responsibilities of ``X`` under ``params`` a chunk at a time, in row order:
    ``(first row, log_resp of shape (n_rows, n_components))``. Memory does not grow
    with the rows, and the chunks are computed where ``backend`` computes (by default
    this machine's threads).

    The data are checked before the first chunk is yielded, as
    :func:`predict_log_resp` checks them.
    """
    return map_blocks(chunk_log_resp, X, params, options, feature_names, backend)


def score_blocks(
    X: object,
    params: Params,
    options: FitOptions,
    feature_names: Sequence[str] | None = None,
    backend: Backend | None = None,
) -> Iterator[tuple[int, tuple[np.ndarray, np.ndarray]]]:
    """:func:`predict_blocks` with each row's log-density too: ``(first row, (log_norm,
    log_resp))``, ``log_norm`` of shape (n_rows,)."""
    return map_blocks(chunk_scores, X, params, options, feature_names, backend)


def map_blocks(
    function: Callable[[np.ndarray, MixtureModel, Params], object],
    X: object,
    params: Params,
    options: FitOptions,
    feature_names: Sequence[str] | None = None,
    backend: Backend | None = None,
) -> Iterator[tuple[int, object]]:
    """``(first row, function(rows, model, prepared params))`` of each chunk of ``X``'s
    raw rows, in row order, computed where ``backend`` computes (on a Dask cluster
    ``function`` must be a module-level function, which the workers import); the data
    are checked first, as :func:`predict_log_resp` checks them."""
    source, model, params = _checked(X, params, options, feature_names)
    prepared = model.prepare(params)
    chunk = auto_chunk_size(
        source.n_samples, model.chunk_rows(params.n_components, source.n_features)
    )
    backend = backend or LocalBackend(options.n_threads)
    passes = backend.bind(source, model, np.dtype(np.float64), chunk, labels=False)

    def blocks() -> Iterator[tuple[int, object]]:
        with closing(passes):
            yield from passes.imap_rows(function, (model, prepared), chunk)

    return blocks()


class Evaluator:
    """Many parameter sets of one model evaluated on the same rows in memory (the
    window's views, redrawn at every iteration): the rows are prepared once."""

    def __init__(self, X: np.ndarray, options: FitOptions) -> None:
        self.X = X
        self.model = model_for(options, X)
        self._source = ArraySource(X)
        self._passes: dict[int, LocalPasses] = {}

    def labels(self, params: Params) -> np.ndarray:
        """Most probable component of each row under ``params``, by the fast pass."""
        model = self.model
        chunk = auto_chunk_size(
            self._source.n_samples, model.chunk_rows(params.n_components, self.X.shape[1])
        )
        if chunk not in self._passes:
            self._passes[chunk] = LocalPasses(
                self._source, model, np.dtype(np.float64), chunk, ChunkRunner(1)
            )
        return self._passes[chunk].run(model.prepare(params), hard=False, details=True).labels

    def log_resp(self, params: Params) -> tuple[np.ndarray, np.ndarray]:
        """:func:`e_step` of the rows under ``params``."""
        return e_step(self.model, self.X, self.model.prepare(params))
