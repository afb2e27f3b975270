"""Information criteria, with scikit-learn's sign: lower is better.

``n_parameters`` counts free parameters only; held-fixed ones do not count.
mclust reports BIC as ``2 logL - p log n``, the negative of :func:`bic`.
"""

from __future__ import annotations

import math


def bic(log_likelihood: float, n_parameters: int, n_samples: int) -> float:
    """Bayesian information criterion, ``-2 logL + p log n``."""
    return -2.0 * log_likelihood + n_parameters * math.log(n_samples)


def aic(log_likelihood: float, n_parameters: int) -> float:
    """Akaike information criterion, ``-2 logL + 2 p``."""
    return -2.0 * log_likelihood + 2.0 * n_parameters


def icl(log_likelihood: float, n_parameters: int, n_samples: int, entropy: float) -> float:
    """Integrated completed likelihood: BIC plus twice the entropy of the responsibilities.

    ``entropy`` is ``-sum(resp * log(resp))`` over all rows and components.
    """
    return bic(log_likelihood, n_parameters, n_samples) + 2.0 * entropy
