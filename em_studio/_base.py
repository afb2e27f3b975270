"""What every estimator shares: EM under scikit-learn's stopping rule, driven from the
engine's snapshots, and the methods that use a fit.

The engine iterates (:func:`engine.iterate`); this module decides when to stop
exactly as scikit-learn's ``BaseMixture.fit_predict`` does. At its iteration
``n`` scikit-learn takes the E-step of the current parameters, whose mean
log-likelihood is its "lower bound", then the M-step, then compares the lower
bound with the previous one. So it stops one M-step after the parameters
whose change met ``tol``; ``lower_bound_`` belongs to the parameters before
the last M-step and ``n_iter_`` counts M-steps. Each start is run by the
engine from explicit starting parameters with its own tolerance off, and
closed where scikit-learn would stop.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Generator, Mapping
from contextlib import closing
from dataclasses import dataclass
from time import time
from typing import Any, ClassVar

import numpy as np

import engine
from engine import criteria
from engine.errors import FitError
from engine.fit_setup import check_data, model_for
from engine.loop import drain
from engine.models import registry
from engine.models.base import MixtureModel
from engine.options import MAX_COMPONENTS, MAX_ITER, MAX_N_INIT, validate
from engine.starts import nearest_seed
from em_studio import _validation as checks
from em_studio._compat import (
    BaseEstimator,
    ClusterMixin,
    ConvergenceWarning,
    DensityMixin,
    NotFittedError,
    check_random_state,
)
from em_studio._starts import INIT_PARAMS, draw_seed, engine_start, initial_resp, params_from_resp

#: scikit-learn's words when the best start did not converge.
NOT_CONVERGED = (
    "Best performing initialization did not converge. Try different init parameters, or "
    "increase max_iter, tol, or check for degenerate data."
)

#: Options of :class:`engine.FitOptions` every estimator sets from its own arguments.
_LOOP_OPTIONS = frozenset(
    {"model", "n_components", "init", "fixed", "e_step", "max_iter", "tol", "n_init", "seed"}
)


@dataclass
class _Start:
    """How one start ended."""

    params: engine.Params
    lower_bound: float
    lower_bounds: list[float]
    converged: bool
    n_iter: int


class _Progress:
    """scikit-learn's verbose lines (``verbose`` 1 or 2, every ``interval`` iterations)."""

    def __init__(self, verbose: int, interval: int) -> None:
        self.verbose = verbose
        self.interval = interval
        self._start_time = self._iteration_time = time()

    def start_begins(self, start: int) -> None:
        if self.verbose >= 1:
            print(f"Initialization {start}")
            self._start_time = self._iteration_time = time()

    def iteration_ends(self, n_iter: int, change: float) -> None:
        if self.verbose < 1 or n_iter % self.interval:
            return
        if self.verbose == 1:
            print(f"  Iteration {n_iter}")
            return
        now = time()
        print(
            f"  Iteration {n_iter}\t time lapse {now - self._iteration_time:.5f}s\t "
            f"ll change {change:.5f}"
        )
        self._iteration_time = now

    def start_ends(self, lower_bound: float, converged: bool) -> None:
        words = "converged" if converged else "did not converge"
        if self.verbose == 1:
            print(f"Initialization {words}.")
        elif self.verbose >= 2:
            print(
                f"Initialization {words}. time lapse {time() - self._start_time:.5f}s\t "
                f"lower bound {lower_bound:.5f}."
            )


def check_weights(weights: object, n_components: int) -> np.ndarray:
    """Starting weights checked as scikit-learn checks them, with its messages (their sum
    within 1e-8 of one, 1e-6 for float32 weights)."""
    atol = 1e-6 if np.asarray(weights).dtype == np.float32 else 1e-8
    weights = np.asarray(weights, dtype=np.float64)
    check_shape(weights, (n_components,), "weights")
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got max value "
            f"{np.max(weights):.5f}, min value {np.min(weights):.5f}"
        )
    if not np.allclose(abs(1.0 - np.sum(weights)), 0.0, atol=atol):
        raise ValueError(
            "The parameter 'weights' should be normalized, but got sum(weights) = "
            f"{np.sum(weights):.5f}"
        )
    return weights


def check_shape(array: np.ndarray, shape: tuple[int, ...], name: str) -> None:
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got {array.shape}"
        )


class MixtureEstimator(ClusterMixin, DensityMixin, BaseEstimator):
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

    def _model_options(self) -> dict[str, object]:
        """The model's options (:attr:`engine.models.base.MixtureModel.option_specs`)."""
        return {}

    def _loop_options(self) -> dict[str, object]:
        """Options of :class:`engine.FitOptions` beside the loop's own that this estimator sets."""
        return {}

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
                given[name] = check_weights(value, self.n_components)
            elif name in specs:
                array = np.asarray(value, dtype=np.float64)
                check_shape(array, specs[name].shape_for(self.n_components, n_features), name)
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

    # --- the engine's options -----------------------------------------------------------

    def _build_model(self) -> MixtureModel:
        return registry.build_model(self._model, self._model_options())

    def _column_names(self) -> list[str] | None:
        """The DataFrame's column names seen in ``fit`` (the engine's messages name them)."""
        return list(getattr(self, "feature_names_in_", [])) or None

    def _allows_nan(self) -> bool:
        return registry.model_class(self._model).handles_missing

    def _engine_options(self) -> tuple[dict[str, object], object]:
        """``engine_options`` without ``backend``, and the backend (or None)."""
        given = dict(self.engine_options or {})
        backend = given.pop("backend", None)
        own = _LOOP_OPTIONS | set(self._loop_options()) | set(self._model_options())
        taken = sorted(set(given) & own)
        if taken:
            raise ValueError(
                f"{type(self).__name__}: engine_options cannot set {', '.join(taken)}; it sets "
                "them from its own arguments"
            )
        return given, backend

    def _fit_options(self, init: object = "kmeans++", seed: int = 0) -> engine.FitOptions:
        extra, _ = self._engine_options()
        if isinstance(self.fixed, str):
            raise ValueError(
                f"{type(self).__name__}: fixed must be a tuple of parameter names, such as "
                f"({self.fixed!r},), not {self.fixed!r}"
            )
        try:
            return engine.FitOptions(
                self._model, self.n_components, init=init, fixed=tuple(self.fixed),
                e_step=self.e_step, max_iter=self.max_iter, tol=0.0, n_init=1, seed=seed,
                **self._loop_options(), **self._model_options(), **extra,
            )
        except TypeError as exc:
            raise ValueError(f"{type(self).__name__}: {exc} (in engine_options)") from None

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
        X : array-like of shape (n_samples, n_features)
            Rows to fit (an array, a list of rows or a DataFrame).
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
            For arguments or data that cannot be fitted, with a message that says
            what to change.
        """
        drain(self.iter_fit(X, y))
        return self

    def fit_predict(self, X: object, y: object = None) -> np.ndarray:
        """Fit, then the most probable component of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Components numbered from 0; the same as ``fit(X).predict(X)``.
        """
        return self.fit(X, y).labels_

    def iter_fit(
        self, X: object, y: object = None
    ) -> Generator[engine.Snapshot, None, MixtureEstimator]:
        """Fit as :meth:`fit` does, yielding the engine's snapshot after every iteration.

        The estimator is fitted when the generator is exhausted (a ``for`` loop
        over it, or ``list(...)``); left before its end, it stays as it was.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
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
        options = self._fit_options()
        validate(options)
        _, backend = self._engine_options()
        given = self._values(
            checks.validate_rows(self, X, reset=True, min_samples=2, allow_nan=self._allows_nan())
        )
        rows = np.asarray(given, dtype=np.float64)
        n_samples, n_features = rows.shape
        if n_samples < self.n_components:
            raise ValueError(
                "Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {n_samples}"
            )
        names = self._column_names()
        check_data(rows, options, names)
        explicit = self._explicit_arrays(n_features)

        do_init = not (self.warm_start and self.__sklearn_is_fitted__())
        random_state = check_random_state(self.random_state)
        progress = _Progress(int(self.verbose), self.verbose_interval)
        best: _Start | None = None
        max_lower_bound = -np.inf
        for start in range(self.n_init if do_init else 1):
            progress.start_begins(start)
            if do_init:
                params = self._start(start, given, rows, explicit, options, random_state)
                lower_bound = -np.inf
            else:
                params, lower_bound = self._fitted_params(), self.lower_bound_
            snapshots = engine.iterate(rows, options.replace(init=params), names, backend)
            run = yield from self._run_start(snapshots, start, lower_bound, n_samples, progress)
            if self.max_iter == 0:
                # scikit-learn keeps the last start, unscored.
                best = dataclasses.replace(run, lower_bound=-np.inf, converged=False)
            elif run.lower_bound > max_lower_bound or max_lower_bound == -np.inf:
                max_lower_bound, best = run.lower_bound, run

        if not best.converged and self.max_iter > 0:
            warnings.warn(NOT_CONVERGED, ConvergenceWarning)
        self._set_fitted(best.params, given.dtype)
        self.n_iter_ = best.n_iter
        self.lower_bound_ = float(max_lower_bound)
        self.lower_bounds_ = best.lower_bounds
        self.converged_ = best.converged
        self.labels_ = self._log_resp(rows)[1].argmax(axis=1)
        self._describe_fit(rows)
        return self

    def _start(
        self,
        start: int,
        given: np.ndarray,
        rows: np.ndarray,
        explicit: dict[str, np.ndarray],
        options: engine.FitOptions,
        random_state: np.random.RandomState,
    ) -> engine.Params:
        """The starting parameters of start ``start``: the ``*_init`` arguments where
        given, the rest from ``init_params`` (nothing drawn when every argument is given,
        as scikit-learn)."""
        if all(getattr(self, f"{name}_init") is not None for name in self._init_arrays):
            every = {"weights", *(spec.name for spec in self._build_model().param_specs)}
            if every <= set(explicit):
                return engine.Params(**explicit)
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

    def _run_start(
        self,
        snapshots: Generator[engine.Snapshot, None, object],
        start: int,
        lower_bound: float,
        n_samples: int,
        progress: _Progress,
    ) -> Generator[engine.Snapshot, None, _Start]:
        """One start under scikit-learn's stopping rule (see the module's docstring)."""
        lower_bounds: list[float] = []
        converged = False
        n_iter = 0
        with closing(snapshots):
            snapshot = next(snapshots)
            yield self._report(snapshot, start, False)
            for n_iter in range(1, self.max_iter + 1):
                previous, lower_bound = lower_bound, snapshot.objective / n_samples
                lower_bounds.append(lower_bound)
                snapshot = next(snapshots)
                change = lower_bound - previous
                converged = abs(change) < self.tol
                progress.iteration_ends(n_iter, change)
                yield self._report(snapshot, start, converged)
                if converged:
                    break
        if self.max_iter > 0:
            progress.start_ends(lower_bound, converged)
        return _Start(snapshot.params, lower_bound, lower_bounds, converged, n_iter)

    def _report(self, snapshot: engine.Snapshot, start: int, converged: bool) -> engine.Snapshot:
        snapshot = dataclasses.replace(snapshot, restart=start, converged=converged)
        if self.callback is not None:
            self.callback(snapshot)
        return snapshot

    # --- using a fit --------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def _rows(self, X: object) -> tuple[np.ndarray, np.dtype]:
        """``X`` checked against the fit, as float64 rows, and its own floating dtype."""
        self._check_fitted()
        given = self._values(
            checks.validate_rows(self, X, reset=False, allow_nan=self._allows_nan())
        )
        return np.asarray(given, dtype=np.float64), given.dtype

    def _log_resp(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return engine.predict_log_resp(rows, self._fitted_params(), self._fit_options())

    def predict(self, X: object) -> np.ndarray:
        """The most probable component of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Components numbered from 0.
        """
        rows, _ = self._rows(X)
        return self._log_resp(rows)[1].argmax(axis=1)

    def predict_proba(self, X: object) -> np.ndarray:
        """Each component's responsibility for each row (the posterior probabilities).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            Rows sum to one; in ``X``'s floating precision.
        """
        rows, dtype = self._rows(X)
        # Components far from a row underflow to zero responsibility, as they should.
        with np.errstate(under="ignore"):
            return np.exp(self._log_resp(rows)[1]).astype(dtype)

    def score_samples(self, X: object) -> np.ndarray:
        """Log-likelihood of each row under the fitted mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            In ``X``'s floating precision.
        """
        rows, dtype = self._rows(X)
        return self._log_resp(rows)[0].astype(dtype)

    def score(self, X: object, y: object = None) -> float:
        """Mean log-likelihood per row (what ``GridSearchCV`` maximises by default).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X)))

    def _n_parameters(self) -> int:
        """Free parameters of the fitted mixture (held ones excluded); scikit-learn's name."""
        self._check_fitted()
        fixed = frozenset(self.fixed)
        return self._build_model().n_free_parameters(self.n_components, self.n_features_in_, fixed)

    def bic(self, X: object) -> float:
        """Bayesian information criterion on ``X``, ``-2 logL + p log n``: lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        n_samples = len(X)
        return criteria.bic(self.score(X) * n_samples, self._n_parameters(), n_samples)

    def aic(self, X: object) -> float:
        """Akaike information criterion on ``X``, ``-2 logL + 2 p``: lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        return criteria.aic(self.score(X) * len(X), self._n_parameters())

    def icl(self, X: object) -> float:
        """Integrated completed likelihood on ``X``: BIC plus twice the entropy of the
        responsibilities (EM Studio's third criterion); lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        rows, _ = self._rows(X)
        log_norm, log_resp = self._log_resp(rows)
        with np.errstate(under="ignore"):
            resp = np.exp(log_resp)
        entropy = float(-np.where(resp > 0, resp * log_resp, 0.0).sum())
        n_samples = rows.shape[0]
        return criteria.icl(float(log_norm.sum()), self._n_parameters(), n_samples, entropy)

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw rows from the fitted mixture, as scikit-learn's ``sample``.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Rows, grouped by component.
        y : ndarray of shape (n_samples,)
            The component each row came from.
        """
        self._check_fitted()
        if n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples} . The sampling requires at least "
                "one sample."
            )
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        X = np.vstack([self._draw(rng, k, int(count)) for k, count in enumerate(counts)])
        y = np.concatenate([np.full(int(count), k, dtype=np.int64) for k, count in enumerate(counts)])
        return X, y

