"""Filling in missing values under fitted parameters: per component, and overall.

Under component k, a row's missing values are expected at their conditional
mean given the row's observed values (a Gaussian's regression of the missing
columns on the observed ones; for counts, whose columns are independent within
a component, the component's mean count). Under the mixture they are expected at
the responsibility-weighted mean of those, the responsibilities coming from the
observed values alone. Observed values are kept exactly; a row without any value
gets the mixture's mean. :func:`impute` does this once; an :class:`Imputer`
holds rows and evaluates many parameter sets on them (a window redrawing every
iteration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.data import as_source, summarise
from engine.estep import log_weights, normalise
from engine.models import registry
from engine.models.base import MixtureModel
from engine.options import FitOptions
from engine.params import Params

#: Rows filled in at a time when only the overall values are kept (bounds the
#: (rows, K, D) temporaries).
BLOCK_ROWS = 16384


@dataclass(frozen=True, eq=False)
class Imputation:
    """Rows with their missing values filled in.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_features)
        Observed values as they are; each missing one replaced by its expectation
        under the mixture (the responsibility-weighted conditional means).
    per_component : ndarray of shape (n_samples, n_components, n_features) or None
        Each missing value's expectation under each component (observed values
        as they are); ``None`` when not asked for.
    resp : ndarray of shape (n_samples, n_components)
        The responsibilities, from each row's observed values.
    missing : ndarray of shape (n_samples, n_features)
        Where the values were missing (bool).
    """

    values: np.ndarray
    per_component: np.ndarray | None
    resp: np.ndarray
    missing: np.ndarray

    @property
    def rows_with_gaps(self) -> np.ndarray:
        """Indices of the rows that had a missing value, shape (n_rows_with_gaps,)."""
        return np.flatnonzero(self.missing.any(axis=1))


def _fill(
    model: MixtureModel, X: np.ndarray, params: Params, per_component: bool
) -> Imputation:
    n_samples, n_features = X.shape
    n_components = params.n_components
    values = np.array(X, dtype=np.float64, copy=True)
    resp = np.empty((n_samples, n_components))
    components = np.empty((n_samples, n_components, n_features)) if per_component else None
    step = n_samples if per_component else BLOCK_ROWS
    for start in range(0, n_samples, step):
        block = X[start : start + step]
        _, log_resp = normalise(model.log_prob(block, params) + log_weights(params.weights))
        # Far components underflow to a responsibility of zero, as they should.
        with np.errstate(under="ignore"):
            block_resp = np.exp(log_resp)
        filled = model.impute_components(block, params)
        expected = np.einsum("nk,nkd->nd", block_resp, filled)
        gaps = np.isnan(block)
        values[start : start + step][gaps] = expected[gaps]
        resp[start : start + step] = block_resp
        if components is not None:
            components[start : start + step] = filled
    return Imputation(values, components, resp, np.isnan(X))


class Imputer:
    """Rows with gaps, filled in under any parameters of one model.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        NaN where a value is missing.
    options : FitOptions
        The model and its options (the parameters come with each call).
    feature_names : list of str, optional
        Column names, for error messages.

    Raises
    ------
    ValueError
        For data the model cannot take, or a model that does not fit rows with gaps.
    """

    def __init__(
        self, X: object, options: FitOptions, feature_names: Sequence[str] | None = None
    ) -> None:
        source = as_source(X, feature_names)
        model = registry.build_model(options.model, options.model_options)
        if not model.handles_missing:
            raise ValueError(
                f"the {model.title} model does not fit rows with missing values, so it "
                "cannot fill them in; choose a model that does"
            )
        summary = summarise(source, model.check_chunk, allow_missing=True)
        model.check_summary(summary, source.feature_names)
        self.X = source.read(0, source.n_samples)
        self.model = model.adapt(summary, options.reg_covar)
        self.n_features = source.n_features

    def __call__(self, params: Params, per_component: bool = True) -> Imputation:
        """The rows filled in under ``params``; with ``per_component``, also each
        component's filling, shape (n_samples, n_components, n_features)."""
        self.model.check_params(params, self.n_features)
        return _fill(self.model, self.X, self.model.prepare(params), per_component)


def impute(
    X: object,
    params: Params,
    options: FitOptions,
    feature_names: Sequence[str] | None = None,
    per_component: bool = True,
) -> Imputation:
    """``X`` with each missing value (NaN) replaced by its expectation under ``params``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or engine.data.DataSource
    params : Params
        Fitted (or any) parameters of the model ``options`` name.
    options : FitOptions
    feature_names : list of str, optional
    per_component : bool
        Also return each component's filling (n_samples x K x D values); without
        it the rows are filled a block at a time.

    Returns
    -------
    Imputation

    Raises
    ------
    ValueError
        For data or parameters the model cannot take.
    """
    return Imputer(X, options, feature_names)(params, per_component)
