"""Fixtures of scikit-learn's test suite that the ported tests use.

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
