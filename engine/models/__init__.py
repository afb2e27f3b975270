"""The mixture models, by name."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.models.base import MixtureModel
from engine.models.discrete import BernoulliModel, BinomialModel, PoissonModel
from engine.models.gaussian import COVARIANCE_TYPES, GaussianModel
from engine.models.kmeans import KMeansModel

__all__ = ["COVARIANCE_TYPES", "FIXABLE_PARAMS", "MODEL_NAMES", "MixtureModel", "build_model"]


def _feature_scale(X: np.ndarray) -> np.ndarray:
    return X.var(axis=0)


_BUILDERS: dict[str, Callable[..., MixtureModel]] = {
    "gaussian": lambda X, covariance_type, trials, reg_covar: GaussianModel(
        covariance_type, reg_covar * _feature_scale(X)
    ),
    "kmeans": lambda X, covariance_type, trials, reg_covar: KMeansModel(
        reg_covar * _feature_scale(X)
    ),
    "bernoulli": lambda X, covariance_type, trials, reg_covar: BernoulliModel(),
    "binomial": lambda X, covariance_type, trials, reg_covar: BinomialModel(
        np.atleast_1d(1 if trials is None else trials)
    ),
    "poisson": lambda X, covariance_type, trials, reg_covar: PoissonModel(),
}

#: Every model name the engine knows, in the order menus list them.
MODEL_NAMES = tuple(_BUILDERS)

#: The parameters each model can hold fixed, by model name.
FIXABLE_PARAMS: dict[str, tuple[str, ...]] = {
    "gaussian": GaussianModel.fixable,
    "kmeans": KMeansModel.fixable,
    "bernoulli": ("weights", "probs"),
    "binomial": ("weights", "probs"),
    "poisson": ("weights", "rates"),
}


def build_model(
    name: str,
    X: np.ndarray,
    covariance_type: str = "full",
    trials: int | np.ndarray | None = None,
    reg_covar: float = 1e-6,
) -> MixtureModel:
    """The model called ``name``, set up for data ``X``.

    ``reg_covar`` is relative: each Gaussian column gets ``reg_covar`` times its
    variance added to the covariance diagonal, so a fit does not depend on units.
    """
    if name not in _BUILDERS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    if name == "binomial" and trials is None:
        raise ValueError("the binomial model needs the number of trials (for example --trials 5)")
    return _BUILDERS[name](X, covariance_type, trials, reg_covar)
