"""Fixtures of scikit-learn's test suite that the ported tests use, and the number of free
parameters an estimator's criteria count.

scikit-learn's ``global_dtype`` is float64, and float32 too when its CI asks;
here both always. Its ``global_random_seed`` is 42 unless its CI asks for
others; here 0 and 42.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def global_dtype(request: pytest.FixtureRequest) -> type:
    return request.param


@pytest.fixture(params=[0, 42])
def global_random_seed(request: pytest.FixtureRequest) -> int:
    return request.param


def count_free_parameters(estimator: object, X: np.ndarray) -> int:
    """The free parameters ``estimator``'s BIC and AIC count on ``X``: they differ by
    ``p * (log n - 2)``."""
    n_samples = np.asarray(X).shape[0]
    return round((estimator.bic(X) - estimator.aic(X)) / (np.log(n_samples) - 2.0))


@pytest.fixture(scope="session")
def free_parameters():
    """:func:`count_free_parameters`, for tests (there is no package to import from)."""
    return count_free_parameters
