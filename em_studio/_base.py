"""What every estimator shares: a model of :mod:`engine.models` with scikit-learn's
conventions, its arguments turned into the engine's options, and ``fit``.

A fit runs each start through the engine under scikit-learn's stopping rule
(:mod:`em_studio._stopping`); the arguments become the engine's options in
:mod:`em_studio._options`; the methods that use a fit are in
:mod:`em_studio._fitted`, the checks of rows and arguments in
:mod:`em_studio._validation`.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Generator, Mapping
from typing import Any, ClassVar

import numpy as np

import engine
from engine.data import DataSource
from engine.errors import FitError
from engine.fit_setup import check_data, model_for
from engine.loop import drain
from engine.models.base import MixtureModel
from engine.options import MAX_COMPONENTS, MAX_ITER, MAX_N_INIT, validate
from engine.starts import nearest_seed
from em_studio import _files as files
from em_studio import _validation as checks
from em_studio._compat import (
    BaseEstimator,
    ClusterMixin,
    ConvergenceWarning,
    DensityMixin,
    check_random_state,
)
from em_studio._fitted import FittedMixin
from em_studio._options import EngineOptionsMixin
from em_studio._starts import INIT_PARAMS, draw_seed, engine_start, initial_resp, params_from_resp
from em_studio._stopping import NOT_CONVERGED, Progress, Start, run_start

class MixtureEstimator(
    EngineOptionsMixin, FittedMixin, ClusterMixin, DensityMixin, BaseEstimator
):
    """Base of the estimators: a model of :mod:`engine.models` fitted with scikit-learn's
    conventions. Subclasses name the model and list their own arguments."""

    #: The engine's name of the model.
    _model: ClassVar[str] = ""
    #: Arrays a ``<name>_init`` argument may give, ``weights`` first when it may.
    _init_arrays: ClassVar[tuple[str, ...]] = ("weights",)

    def _store(self, arguments: Mapping[str, object]) -> None:
        """Keep each constructor argument as given (``locals()`` of a subclass's
        ``__init__``): scikit-learn's rule, arguments are checked in ``fit``."""
        for name, value in arguments.items():
            if name != "self":
                setattr(self, name, value)

    # --- what subclasses say ------------------------------------------------------------

    def _arguments(self) -> dict[str, tuple]:
        """Each argument's constraints (see :mod:`em_studio._validation`)."""
        return {
            "n_components": checks.whole(1, MAX_COMPONENTS),
            "tol": checks.real(0.0),
            "max_iter": checks.whole(0, MAX_ITER),
            "n_init": checks.whole(1, MAX_N_INIT),
            "init_params": checks.one_of(*INIT_PARAMS),
            "random_state": checks.RANDOM_STATE,
            "warm_start": (checks.BOOLEAN,),
            "verbose": checks.VERBOSE,
            "verbose_interval": checks.VERBOSE_INTERVAL,
            "e_step": checks.one_of("soft", "hard"),
            "callback": checks.OPTIONAL_CALLABLE,
            "engine_options": checks.OPTIONAL_MAPPING,
            "backend": checks.one_of(*files.BACKENDS),
            "scheduler": checks.OPTIONAL_ADDRESS,
        }

    def _values(self, X: np.ndarray) -> np.ndarray:
        """The rows as the model reads them (checked rows, float32 or float64)."""
        return X

    def _explicit_arrays(self, n_features: int) -> dict[str, np.ndarray]:
        """The ``<name>_init`` arguments given, checked, as the engine's arrays by name
        (an argument that is not one of the model's arrays is its subclass's to convert)."""
        given = {}
        specs = {spec.name: spec for spec in self._build_model().param_specs}
        for name in self._init_arrays:
            value = getattr(self, f"{name}_init")
            if value is None:
                continue
            if name == "weights":
                given[name] = checks.check_weights(value, self.n_components)
            elif name in specs:
                array = np.asarray(value, dtype=np.float64)
                checks.check_shape(array, specs[name].shape_for(self.n_components, n_features), name)
                given[name] = array
        return given

    def _from_resp(
        self, model: MixtureModel, rows: np.ndarray, resp: np.ndarray
    ) -> engine.Params:
        """The first parameters from starting responsibilities ``resp`` of ``rows``."""
        return params_from_resp(model, rows, resp)

    def _fit_error(self, error: FitError) -> Exception:
        """The error a failed fit raises (the engine's, which says what to change)."""
        return error

    def _set_fitted(self, params: engine.Params, dtype: np.dtype) -> None:
        """Fitted attributes from ``params``: ``weights_`` and ``<array>_`` for each array."""
        self.weights_ = np.array(params.weights, dtype=dtype)
        for name in params.names:
            setattr(self, f"{name}_", np.array(params[name], dtype=dtype))

    def _fitted_params(self) -> engine.Params:
        """The fitted attributes as the engine's parameters (so attributes set by hand count)."""
        model = self._build_model()
        arrays = {
            spec.name: np.asarray(getattr(self, f"{spec.name}_"), dtype=np.float64)
            for spec in model.param_specs
        }
        weights = np.asarray(self.weights_, dtype=np.float64)
        return model.prepare(engine.Params(weights, derived=self._derived_arrays(), **arrays))

    def _derived_arrays(self) -> dict[str, np.ndarray]:
        """Arrays the engine derives from the parameters, as fitted attributes hold them."""
        return {}

    def _describe_fit(self, rows: np.ndarray) -> None:
        """Further fitted attributes that need the fitted rows (float64) and ``labels_``."""

    def _draw(self, rng: np.random.RandomState, component: int, n_samples: int) -> np.ndarray:
        """``n_samples`` rows from component ``component``, shape (n_samples, n_features)."""
        raise NotImplementedError

    # --- fitting ------------------------------------------------------------------------

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "weights_")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self._allows_nan()
        return tags

    def fit(self, X: object, y: object = None) -> MixtureEstimator:
        """Estimate the parameters with EM, from ``n_init`` starts; keep the best.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows to fit (an array, a list of rows or a DataFrame), or a path
            (``str`` or ``os.PathLike``) to a ``.npy`` file, a Parquet file or a
            folder of Parquet files, opened as ``em-studio-cli fit PATH`` opens
            it: a file of 2 million rows or 256 MB or more (every file, with
            ``backend='dask'``) is streamed chunk by chunk, never loaded whole;
            a smaller one is read whole and fitted as rows in memory. A streamed
            fit starts from the ``*_init`` arguments, else from the engine's own
            start (k-means++, ``random`` or ``hc``) on a random sample of the
            rows, seeded from ``random_state``; it keeps no ``labels_``.
        y : None
            Ignored; accepted for pipelines.

        Returns
        -------
        self
            The fitted estimator.

        Warns
        -----
        ConvergenceWarning
            When the best start did not meet ``tol`` in ``max_iter`` iterations
            (scikit-learn's warning, its class when it is installed).

        Raises
        ------
        ValueError
            For arguments or data that cannot be fitted (rows in memory with
            ``backend='dask'``, a file that cannot be read, a scheduler that does
            not answer), with a message that says what to change.
        """
        drain(self.iter_fit(X, y))
        return self

    def fit_predict(self, X: object, y: object = None) -> np.ndarray:
        """Fit, then the most probable component of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (see :meth:`fit`).
        y : None
            Ignored.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Components numbered from 0; the same as ``fit(X).predict(X)``.
        """
        labels = self.fit(X, y).labels_
        # A streamed file's labels are not kept by fit (they grow with the rows).
        return self.predict(X) if labels is None else labels

    def iter_fit(
        self, X: object, y: object = None
    ) -> Generator[engine.Snapshot, None, MixtureEstimator]:
        """Fit as :meth:`fit` does, yielding the engine's snapshot after every iteration.

        The estimator is fitted when the generator is exhausted (a ``for`` loop
        over it, or ``list(...)``); left before its end, it stays as it was.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (see :meth:`fit`).
        y : None
            Ignored.

        Yields
        ------
        engine.Snapshot
            For every start (``restart``, from 0) its starting parameters
            (``iteration`` 0) and the parameters after each M-step, with the
            log-likelihood of those parameters (``log_likelihood``, a total
            over rows) and what EM climbs (``objective``); ``converged`` is set
            on the last snapshot of a start that met ``tol``. Parameters are in
            the engine's shapes (:class:`engine.Params`).

        Returns
        -------
        self
            As the generator's return value.
        """
        try:
            return (yield from self._fit_steps(X))
        except FitError as error:
            raise self._fit_error(error) from None

    def _fit_steps(self, X: object) -> Generator[engine.Snapshot, None, MixtureEstimator]:
        for name, constraints in self._arguments().items():
            checks.check_argument(self, name, constraints)
        files.check_compute(self)
        options = self._fit_options()
        validate(options)
        if files.is_path(X):
            opened = files.open_path(self, X, self._allows_nan())
            if opened.streamed:
                with files.compute_backend(self) as backend:
                    return (yield from self._fit_source(opened.values, options, backend))
            X = opened.values  # a small file, read whole: rows in memory
        files.refuse_rows_on_cluster(self)
        _, backend = self._engine_options()
        given = self._values(
            checks.validate_rows(self, X, reset=True, min_samples=2, allow_nan=self._allows_nan())
        )
        rows = np.asarray(given, dtype=np.float64)
        n_samples, n_features = rows.shape
        self._check_n_samples(n_samples)
        names = self._column_names()
        check_data(rows, options, names)
        explicit = self._explicit_arrays(n_features)
        yield from self._run_starts(rows, given, explicit, options, names, backend, given.dtype)
        self.labels_ = self._log_resp(rows)[1].argmax(axis=1)
        self._describe_fit(rows)
        return self

    def _fit_source(
        self, source: DataSource, options: engine.FitOptions, backend: object
    ) -> Generator[engine.Snapshot, None, MixtureEstimator]:
        """Fit a streamed file: as rows in memory, but the engine reads the rows (on
        ``backend``), the starts not given are the engine's own, and ``labels_`` is None."""
        self._check_streamable()
        self._check_n_samples(source.n_samples)
        self.n_features_in_ = source.n_features
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        explicit = self._explicit_arrays(source.n_features)
        yield from self._run_starts(
            source, None, explicit, options, None, backend, np.dtype(np.float64)
        )
        self.labels_ = None
        self._describe_source(source, backend)
        return self

    def _check_n_samples(self, n_samples: int) -> None:
        if n_samples < self.n_components:
            raise ValueError(
                "Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {n_samples}"
            )

    def _check_streamable(self) -> None:
        """Raise ``ValueError`` for arguments that need the rows in memory."""

    def _describe_source(self, source: DataSource, backend: object) -> None:
        """Further fitted attributes of a fit of the streamed ``source``, computed on
        ``backend`` (no ``labels_``)."""

    def _run_starts(
        self,
        rows: np.ndarray | DataSource,
        given: np.ndarray | None,
        explicit: dict[str, np.ndarray],
        options: engine.FitOptions,
        names: list[str] | None,
        backend: object,
        dtype: np.dtype,
    ) -> Generator[engine.Snapshot, None, None]:
        """Every start under scikit-learn's stopping rule; the best one's attributes set."""
        n_samples = rows.n_samples if isinstance(rows, DataSource) else rows.shape[0]
        do_init = not (self.warm_start and self.__sklearn_is_fitted__())
        random_state = check_random_state(self.random_state)
        progress = Progress(int(self.verbose), self.verbose_interval)
        best: Start | None = None
        max_lower_bound = -np.inf
        for start in range(self.n_init if do_init else 1):
            progress.start_begins(start)
            if do_init:
                params = self._start(
                    start, given, rows, explicit, options, random_state, backend
                )
                lower_bound = -np.inf
            else:
                params, lower_bound = self._fitted_params(), self.lower_bound_
            snapshots = engine.iterate(rows, options.replace(init=params), names, backend)
            report = functools.partial(self._report, start)
            run = yield from run_start(
                snapshots, lower_bound, n_samples, self.max_iter, self.tol, progress, report
            )
            if self.max_iter == 0:
                # scikit-learn keeps the last start, unscored.
                best = dataclasses.replace(run, lower_bound=-np.inf, converged=False)
            elif run.lower_bound > max_lower_bound or max_lower_bound == -np.inf:
                max_lower_bound, best = run.lower_bound, run

        if not best.converged and self.max_iter > 0:
            warnings.warn(NOT_CONVERGED, ConvergenceWarning)
        self._set_fitted(best.params, dtype)
        self.n_iter_ = best.n_iter
        self.lower_bound_ = float(max_lower_bound)
        self.lower_bounds_ = best.lower_bounds
        self.converged_ = best.converged

    def _start(
        self,
        start: int,
        given: np.ndarray,
        rows: np.ndarray,
        explicit: dict[str, np.ndarray],
        options: engine.FitOptions,
        random_state: np.random.RandomState,
        backend: object = None,
    ) -> engine.Params:
        """The starting parameters of start ``start``: the ``*_init`` arguments where
        given, the rest from ``init_params`` (nothing drawn when every argument is given,
        as scikit-learn). ``rows`` is a streamed source (``given`` None) for a file."""
        every = {"weights", *(spec.name for spec in self._build_model().param_specs)}
        if every <= set(explicit):
            return engine.Params(**explicit)
        if isinstance(rows, DataSource):
            # The engine's own start on a sample of the file's rows, made on ``backend``.
            method = {"random": "random", "random_from_data": "random"}.get(
                self.init_params, "kmeans++"
            )
            if self.init_params == "hc":
                method = "hc" if start == 0 else "kmeans++"
            seed = 0 if method == "hc" else draw_seed(random_state)
            base = engine_start(rows, options.replace(init=method, seed=seed), None, backend)
        elif all(getattr(self, f"{name}_init") is not None for name in self._init_arrays):
            # Locations without spreads (k-means' means_init): the spread of the rows
            # nearest each location.
            resp = np.eye(self.n_components)[nearest_seed(rows, explicit["means"])]
            base = self._from_resp(model_for(options, rows), rows, resp)
        elif self.init_params == "hc":
            method = "hc" if start == 0 else "kmeans++"
            seed = 0 if start == 0 else draw_seed(random_state)
            base = engine_start(rows, options.replace(init=method, seed=seed), self._column_names())
        elif np.isnan(rows).any():
            # scikit-learn's starts cannot see past a gap: the engine's k-means++ can
            # (partial distances over the observed columns).
            seed = draw_seed(random_state)
            base = engine_start(
                rows, options.replace(init="kmeans++", seed=seed), self._column_names()
            )
        else:
            resp = initial_resp(self.init_params, given, self.n_components, random_state)
            base = self._from_resp(model_for(options, rows), rows, resp)
        return base.replace(**explicit) if explicit else base

    def _report(self, start: int, snapshot: engine.Snapshot, converged: bool) -> engine.Snapshot:
        snapshot = dataclasses.replace(snapshot, restart=start, converged=converged)
        if self.callback is not None:
            self.callback(snapshot)
        return snapshot
