"""What a fitted estimator answers: labels, responsibilities, log-likelihoods, the
information criteria, and rows drawn from the mixture.

:class:`FittedMixin` gives :class:`em_studio._base.MixtureEstimator` these
methods, with scikit-learn's names and messages; they ask the engine
(:func:`engine.predict_log_resp`) under the fitted parameters.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import engine
from engine import criteria
from engine.data import DataSource
from engine.predict import score_blocks
from em_studio import _files as files
from em_studio import _validation as checks
from em_studio._compat import NotFittedError, check_random_state


class FittedMixin:
    """The methods that use a fit. The estimator supplies ``_fitted_params``,
    ``_fit_options``, ``_values``, ``_allows_nan``, ``_build_model`` and ``_draw``."""

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

    def _data(self, X: object) -> object:
        """``X`` itself, or for a path the file's rows: an array when read whole, a
        :class:`engine.DataSource` when streamed (see :mod:`em_studio._files`)."""
        self._check_fitted()
        if not files.is_path(X):
            return X
        return files.open_path(self, X, self._allows_nan()).values

    def _per_block(
        self, source: DataSource, reduce: Callable[[np.ndarray, np.ndarray], object]
    ) -> list[object]:
        """``reduce(log_norm, log_resp)`` of each chunk of a streamed file, in row order,
        computed where ``backend`` says."""
        if source.n_features != self.n_features_in_:
            raise ValueError(
                f"X has {source.n_features} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        params, options = self._fitted_params(), self._fit_options()
        with files.compute_backend(self) as backend:
            blocks = score_blocks(source, params, options, None, backend)
            return [reduce(*scores) for _, scores in blocks]

    def _log_resp(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return engine.predict_log_resp(rows, self._fitted_params(), self._fit_options())

    def predict(self, X: object) -> np.ndarray:
        """The most probable component of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (or folder of Parquet
            files), streamed chunk by chunk when large (see :meth:`fit`).

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Components numbered from 0.
        """
        data = self._data(X)
        if isinstance(data, DataSource):
            return np.concatenate(self._per_block(data, lambda _, resp: resp.argmax(axis=1)))
        rows, _ = self._rows(data)
        return self._log_resp(rows)[1].argmax(axis=1)

    def predict_proba(self, X: object) -> np.ndarray:
        """Each component's responsibility for each row (the posterior probabilities).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (or folder of Parquet
            files), streamed chunk by chunk when large (see :meth:`fit`).

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            Rows sum to one; in ``X``'s floating precision.
        """
        data = self._data(X)
        # Components far from a row underflow to zero responsibility, as they should.
        if isinstance(data, DataSource):
            with np.errstate(under="ignore"):
                return np.concatenate(self._per_block(data, lambda _, resp: np.exp(resp)))
        rows, dtype = self._rows(data)
        with np.errstate(under="ignore"):
            return np.exp(self._log_resp(rows)[1]).astype(dtype)

    def score_samples(self, X: object) -> np.ndarray:
        """Log-likelihood of each row under the fitted mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (or folder of Parquet
            files), streamed chunk by chunk when large (see :meth:`fit`).

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            In ``X``'s floating precision.
        """
        data = self._data(X)
        if isinstance(data, DataSource):
            return np.concatenate(self._per_block(data, lambda log_norm, _: log_norm))
        rows, dtype = self._rows(data)
        return self._log_resp(rows)[0].astype(dtype)

    def score(self, X: object, y: object = None) -> float:
        """Mean log-likelihood per row (what ``GridSearchCV`` maximises by default).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (or folder of Parquet
            files), streamed chunk by chunk when large (see :meth:`fit`).
        y : None
            Ignored.

        Returns
        -------
        float
        """
        data = self._data(X)
        if isinstance(data, DataSource):
            total, n_samples = self._log_likelihood(data)
            return total / n_samples
        return float(np.mean(self.score_samples(data)))

    def _log_likelihood(self, X: object) -> tuple[float, int]:
        """The log-likelihood of ``X``'s rows, a total, and their number (a streamed
        file's a chunk at a time)."""
        data = self._data(X)
        if isinstance(data, DataSource):
            totals = self._per_block(data, lambda log_norm, _: float(log_norm.sum()))
            return float(np.sum(totals)), data.n_samples
        log_prob = self.score_samples(data)
        return float(np.mean(log_prob)) * len(log_prob), len(log_prob)

    def _n_parameters(self) -> int:
        """Free parameters of the fitted mixture (held ones excluded); scikit-learn's name."""
        self._check_fitted()
        fixed = frozenset(self.fixed)
        return self._build_model().n_free_parameters(self.n_components, self.n_features_in_, fixed)

    def bic(self, X: object) -> float:
        """Bayesian information criterion on ``X``, ``-2 logL + p log n``: lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (or folder of Parquet
            files), streamed chunk by chunk when large (see :meth:`fit`).

        Returns
        -------
        float
        """
        total, n_samples = self._log_likelihood(X)
        return criteria.bic(total, self._n_parameters(), n_samples)

    def aic(self, X: object) -> float:
        """Akaike information criterion on ``X``, ``-2 logL + 2 p``: lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (or folder of Parquet
            files), streamed chunk by chunk when large (see :meth:`fit`).

        Returns
        -------
        float
        """
        return criteria.aic(self._log_likelihood(X)[0], self._n_parameters())

    def icl(self, X: object) -> float:
        """Integrated completed likelihood on ``X``: BIC plus twice the entropy of the
        responsibilities (EM Studio's third criterion); lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or path
            Rows, or a path to a ``.npy`` or Parquet file (or folder of Parquet
            files), streamed chunk by chunk when large (see :meth:`fit`).

        Returns
        -------
        float
        """
        data = self._data(X)
        if isinstance(data, DataSource):
            parts = self._per_block(data, lambda log_norm, log_resp: (
                float(log_norm.sum()), _entropy(log_resp)
            ))
            total, entropy = (float(np.sum(column)) for column in zip(*parts))
            n_samples = data.n_samples
        else:
            rows, _ = self._rows(data)
            log_norm, log_resp = self._log_resp(rows)
            total, entropy, n_samples = float(log_norm.sum()), _entropy(log_resp), rows.shape[0]
        return criteria.icl(total, self._n_parameters(), n_samples, entropy)

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


def _entropy(log_resp: np.ndarray) -> float:
    """The entropy of the responsibilities ``exp(log_resp)``, summed over rows."""
    with np.errstate(under="ignore"):
        resp = np.exp(log_resp)
    return float(-np.where(resp > 0, resp * log_resp, 0.0).sum())
