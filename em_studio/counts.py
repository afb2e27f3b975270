"""Mixtures of counts: ``BernoulliMixture``, ``BinomialMixture`` and ``PoissonMixture``.

Within a component every column is independent: 0/1 with its own probability
(Bernoulli), successes out of known trials with its own probability
(binomial), or a count with its own rate (Poisson). scikit-learn has no such
estimators; these follow its conventions as ``GaussianMixture`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

import engine
from em_studio import _validation as checks
from em_studio._base import MixtureEstimator
from em_studio._docs import fill_doc


class CountMixture(MixtureEstimator):
    """What the mixtures of counts share: rows of non-negative whole numbers."""

    def _values(self, X: np.ndarray) -> np.ndarray:
        if np.any(X < 0):
            raise ValueError(
                f"Negative values in data passed to {type(self).__name__}: the {self._model} "
                "model needs counts, non-negative whole numbers"
            )
        return X

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        # The tag under which scikit-learn's checks give an estimator non-negative
        # whole numbers (as its CategoricalNB takes): counts.
        tags.input_tags.categorical = True
        return tags

    def _component_array(self) -> np.ndarray:
        name = self._init_arrays[1]
        return np.asarray(getattr(self, f"{name}_"), dtype=np.float64)


@fill_doc
class BernoulliMixture(CountMixture):
    """Mixture of independent Bernoulli columns (0/1 data), fitted by EM.

    Parameters
    ----------
    n_components : int, default=1
        Number of components.
    binarize : float or None, default=None
        Threshold: values above it count as 1, the others as 0 (as
        ``sklearn.naive_bayes.BernoulliNB``'s ``binarize``). None: ``X`` must
        hold only 0 and 1.
    $loop_parameters
    $init_params
    weights_init : array-like of shape (n_components,), default=None
        Starting weights.
    probs_init : array-like of shape (n_components, n_features), default=None
        Starting probabilities of a 1 in each column.
    $run_parameters

    Attributes
    ----------
    $attributes
    probs_ : ndarray of shape (n_components, n_features)
        Each component's probability of a 1 in each column.
    """

    _model = "bernoulli"
    _init_arrays = ("weights", "probs")

    def __init__(
        self,
        n_components: int = 1,
        *,
        binarize: float | None = None,
        tol: float = 1e-3,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: object = None,
        probs_init: object = None,
        random_state: object = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        e_step: str = "soft",
        fixed: tuple[str, ...] = (),
        callback: Callable[[engine.Snapshot], object] | None = None,
        engine_options: Mapping[str, object] | None = None,
        backend: str = "local",
        scheduler: str | None = None,
    ) -> None:
        self._store(locals())

    def _arguments(self) -> dict[str, tuple]:
        number = checks.Satisfies(checks.is_real_number, "None or a number")
        return {**super()._arguments(), "binarize": (checks.ABSENT, number)}

    def _check_streamable(self) -> None:
        if self.binarize is not None:
            raise ValueError(
                f"{type(self).__name__}: binarize applies to rows in memory, and this file "
                "is streamed; save the file's rows as 0 and 1 first, or fit rows in memory"
            )

    def _values(self, X: np.ndarray) -> np.ndarray:
        if self.binarize is None:
            return super()._values(X)
        return (X > self.binarize).astype(X.dtype)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = self.binarize is None
        return tags

    def _draw(self, rng: np.random.RandomState, component: int, n_samples: int) -> np.ndarray:
        probs = self._component_array()[component]
        return rng.binomial(1, probs, size=(n_samples, probs.shape[0])).astype(np.float64)


@fill_doc
class BinomialMixture(CountMixture):
    """Mixture of independent binomial columns (successes out of known trials), fitted by EM.

    Parameters
    ----------
    n_components : int, default=1
        Number of components.
    trials : int or sequence of int
        How many tries each count is out of: one number for every column, or
        one per column. Required.
    $loop_parameters
    $init_params
    weights_init : array-like of shape (n_components,), default=None
        Starting weights.
    probs_init : array-like of shape (n_components, n_features), default=None
        Starting probabilities of success in each column.
    $run_parameters

    Attributes
    ----------
    $attributes
    probs_ : ndarray of shape (n_components, n_features)
        Each component's probability of success in each column.
    """

    _model = "binomial"
    _init_arrays = ("weights", "probs")

    def __init__(
        self,
        n_components: int = 1,
        *,
        trials: int | Sequence[int] | None = None,
        tol: float = 1e-3,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: object = None,
        probs_init: object = None,
        random_state: object = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        e_step: str = "soft",
        fixed: tuple[str, ...] = (),
        callback: Callable[[engine.Snapshot], object] | None = None,
        engine_options: Mapping[str, object] | None = None,
        backend: str = "local",
        scheduler: str | None = None,
    ) -> None:
        self._store(locals())

    def _arguments(self) -> dict[str, tuple]:
        given = checks.Satisfies(
            lambda value: value is not None,
            "the number of trials each count is out of (one number, or one per column)",
        )
        return {**super()._arguments(), "trials": (given,)}

    def _model_options(self) -> dict[str, object]:
        trials = self.trials
        return {"trials": tuple(trials) if isinstance(trials, (list, np.ndarray)) else trials}

    def _draw(self, rng: np.random.RandomState, component: int, n_samples: int) -> np.ndarray:
        probs = self._component_array()[component]
        trials = np.broadcast_to(np.asarray(self.trials), probs.shape)
        return rng.binomial(trials, probs, size=(n_samples, probs.shape[0])).astype(np.float64)


@fill_doc
class PoissonMixture(CountMixture):
    """Mixture of independent Poisson columns (counts), fitted by EM.

    Parameters
    ----------
    n_components : int, default=1
        Number of components.
    $loop_parameters
    $init_params
    weights_init : array-like of shape (n_components,), default=None
        Starting weights.
    rates_init : array-like of shape (n_components, n_features), default=None
        Starting rates.
    $run_parameters

    Attributes
    ----------
    $attributes
    rates_ : ndarray of shape (n_components, n_features)
        Each component's rate in each column.
    """

    _model = "poisson"
    _init_arrays = ("weights", "rates")

    def __init__(
        self,
        n_components: int = 1,
        *,
        tol: float = 1e-3,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: object = None,
        rates_init: object = None,
        random_state: object = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        e_step: str = "soft",
        fixed: tuple[str, ...] = (),
        callback: Callable[[engine.Snapshot], object] | None = None,
        engine_options: Mapping[str, object] | None = None,
        backend: str = "local",
        scheduler: str | None = None,
    ) -> None:
        self._store(locals())

    def _draw(self, rng: np.random.RandomState, component: int, n_samples: int) -> np.ndarray:
        rates = self._component_array()[component]
        return rng.poisson(rates, size=(n_samples, rates.shape[0])).astype(np.float64)
