"""What a fitted estimator answers: labels, responsibilities, log-likelihoods, the
information criteria, and rows drawn from the mixture.

:class:`FittedMixin` gives :class:`em_studio._base.MixtureEstimator` these
methods, with scikit-learn's names and messages; they ask the engine
(:func:`engine.predict_log_resp`) under the fitted parameters.
"""

from __future__ import annotations

import numpy as np

import engine
from engine import criteria
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
