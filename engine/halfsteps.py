"""EM one half at a time, with the lower bound that explains why it climbs.

For any responsibilities ``q`` (rows of probabilities over components) and
parameters ``theta``,

    log-likelihood(theta) = bound(q, theta) + KL(q || posterior(theta)) >= bound(q, theta)

where ``bound(q, theta) = sum_nk q_nk (log w_k + log p_k(x_n)) + H(q)`` is the
expected complete-data log-likelihood plus the entropy of ``q``. The E-step
sets ``q`` to the posterior, closing the gap (KL = 0); the M-step raises the
bound by choosing ``theta`` for that ``q``. So the log-likelihood cannot fall.

This path keeps responsibilities for every row and is meant for the small
data sets of a lesson; the fast loop is :func:`engine.loop.iterate`.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass

import numpy as np

from engine.backends.local import LocalBackend
from engine.errors import CollapseError, SingularComponent
from engine.estep import log_weights
from engine.loop import restart_seeds, setup_fit, start_params
from engine.models.base import MixtureModel
from engine.models import registry
from engine.options import FitOptions
from engine.params import Params

PHASES = ("start", "E", "M")


@dataclass(frozen=True, eq=False)
class HalfStep:
    """The state after one half of an iteration.

    Attributes
    ----------
    iteration : int
        The iteration this half belongs to (0 for the start).
    phase : {'start', 'E', 'M'}
    params : Params
        Parameters in force: after an E-step, still the old ones.
    component_log_prob : ndarray of shape (n_samples, n_components)
        ``log p_k(x_n)`` under ``params``, without the weights.
    resp : ndarray of shape (n_samples, n_components) or None
        Responsibilities in force (``None`` at the start): after an E-step the
        new ones, after an M-step the ones it used.
    log_likelihood : float
        Log-likelihood of ``params``.
    lower_bound : float or None
        ``bound(resp, params)``; equals ``log_likelihood`` after a soft E-step.
    """

    iteration: int
    phase: str
    params: Params
    component_log_prob: np.ndarray
    resp: np.ndarray | None
    log_likelihood: float
    lower_bound: float | None

    @property
    def gap(self) -> float | None:
        """``log_likelihood - lower_bound``: the KL divergence of resp from the posterior."""
        return None if self.lower_bound is None else self.log_likelihood - self.lower_bound


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.flags.writeable = False
    return array


def log_likelihood_terms(model: MixtureModel, X: np.ndarray, params: Params) -> np.ndarray:
    """``log w_k + log p_k(x_n)``, shape (n_samples, n_components)."""
    return model.log_prob(X, params) + log_weights(params.weights)


def lower_bound(weighted_log_prob: np.ndarray, resp: np.ndarray) -> float:
    """``sum q (log w + log p) + H(q)``, with ``0 log 0 = 0`` and ``0 * -inf = 0``."""
    held = resp > 0
    q = resp[held]
    return float((q * (weighted_log_prob[held] - np.log(q))).sum())


def posterior(weighted_log_prob: np.ndarray, hard: bool) -> np.ndarray:
    """Responsibilities from ``log w + log p``: the posterior, or its one-hot argmax."""
    if hard:
        resp = np.zeros_like(weighted_log_prob)
        resp[np.arange(len(resp)), np.argmax(weighted_log_prob, axis=1)] = 1.0
        return resp
    top = weighted_log_prob.max(axis=1, keepdims=True)
    # Components far from a row underflow to zero responsibility, as they should.
    with np.errstate(under="ignore"):
        scaled = np.exp(weighted_log_prob - top)
    return scaled / scaled.sum(axis=1, keepdims=True)


def _log_likelihood(weighted_log_prob: np.ndarray) -> float:
    top = weighted_log_prob.max(axis=1)
    with np.errstate(under="ignore"):
        return float((top + np.log(np.exp(weighted_log_prob - top[:, None]).sum(axis=1))).sum())


def half_steps(
    X: np.ndarray, options: FitOptions, feature_names: list[str] | None = None
) -> Generator[HalfStep, None, None]:
    """Yield the start, then alternately the E-step and the M-step of each iteration.

    Runs ``options.max_iter`` iterations (no convergence test: a lesson steps
    for as long as the student wants) from the start that ``options`` describe;
    with several starts (``n_init``), from the first, as :func:`engine.iterate`
    makes it.

    Raises
    ------
    ValueError
        For data or options that cannot be fitted, as :func:`engine.iterate` does.
    """
    setup = setup_fit(X, options, feature_names)
    model, options = setup.model, setup.options
    X = setup.source.read(0, setup.n_samples)
    backend = LocalBackend(1)
    with closing(backend.bind(setup.source, model, np.dtype(np.float64), setup.n_samples)) as passes:
        params = start_params(setup, passes, restart_seeds(options)[0])
    hard = options.e_step == "hard"

    def state(iteration: int, phase: str, resp: np.ndarray | None) -> HalfStep:
        log_prob = model.log_prob(X, params)
        weighted = log_prob + log_weights(params.weights)
        bound = None if resp is None else lower_bound(weighted, resp)
        return HalfStep(
            iteration, phase, params, _readonly(log_prob), resp, _log_likelihood(weighted), bound
        )

    yield state(0, "start", None)
    for iteration in range(1, options.max_iter + 1):
        # One read-only array, shared by the E-step and the M-step that uses it.
        resp = _readonly(posterior(log_likelihood_terms(model, X, params), hard))
        yield state(iteration, "E", resp)
        try:
            stats = model.suff_stats(X, resp, params)
            params = model.m_step(stats, params, options.fixed, setup.n_fitted)
        except SingularComponent as exc:
            weight = float(resp[:, exc.component].sum())
            raise CollapseError(exc.component, iteration, weight, options.reg_covar) from None
        yield state(iteration, "M", resp)


def outcome_log_prob(
    X: np.ndarray, component_log_prob: np.ndarray, options: FitOptions
) -> np.ndarray:
    """``log p(x_n | k)`` as a textbook's table prints it.

    For binomial and Bernoulli counts, the probability of the observed
    successes and failures in one particular order, ``p^x (1 - p)^(n - x)``
    per column: the number of orders, ``C(n, x)``, is the same under every
    component and cancels in the responsibilities. For other models,
    ``component_log_prob`` itself (:meth:`engine.models.base.MixtureModel.order_terms`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    component_log_prob : ndarray of shape (n_samples, n_components)
        ``HalfStep.component_log_prob`` of the same rows.
    options : FitOptions

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    model = registry.build_model(options.model, options.model_options)
    orders = model.order_terms(np.asarray(X, dtype=np.float64))
    return component_log_prob if orders is None else component_log_prob - orders[:, None]


def expected_counts(X: np.ndarray, resp: np.ndarray, options: FitOptions) -> dict[str, np.ndarray]:
    """What each row gives each component in the M-step.

    Binomial and Bernoulli: ``successes`` (``r x``) and ``failures``
    (``r (n - x)``), whose totals make the new probability
    ``successes / (successes + failures)``. Other models: ``sums`` (``r x``),
    whose totals divided by ``sum_n r`` make the new mean or rate
    (:meth:`engine.models.base.MixtureModel.expected_counts`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
    options : FitOptions

    Returns
    -------
    dict of str to ndarray of shape (n_samples, n_components, n_features)
    """
    model = registry.build_model(options.model, options.model_options)
    return model.expected_counts(np.asarray(X, dtype=np.float64), resp)
