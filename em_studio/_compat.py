"""scikit-learn's estimator protocol: its own classes when it is installed, equivalents when not.

scikit-learn is optional (the ``test`` extra installs it). With it, the
estimators subclass its ``BaseEstimator`` and mixins, so ``clone``, pipelines,
grid searches and its HTML repr work, and they raise its ``NotFittedError``
and ``ConvergenceWarning``. Without it, the classes below give the same
protocol — ``get_params``/``set_params`` read from the constructor's signature,
a repr — and exceptions with the same bases, so code that catches
``ValueError`` or ``UserWarning`` works either way.
"""

from __future__ import annotations

import inspect
import numbers
from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClusterMixin, DensityMixin
    from sklearn.exceptions import ConvergenceWarning, NotFittedError
except ImportError:
    HAVE_SKLEARN = False

    class NotFittedError(ValueError, AttributeError):  # type: ignore[no-redef]
        """An estimator was used before ``fit`` (scikit-learn's bases)."""

    class ConvergenceWarning(UserWarning):  # type: ignore[no-redef]
        """EM stopped at ``max_iter`` before the tolerance was met."""

    class ClusterMixin:  # type: ignore[no-redef]
        """Marks a clusterer (scikit-learn's mixin adds its tags)."""

    class DensityMixin:  # type: ignore[no-redef]
        """Marks a density estimator (scikit-learn's mixin adds its tags)."""

    class BaseEstimator:  # type: ignore[no-redef]
        """Parameters read from the constructor's signature, as scikit-learn's base class."""

        @classmethod
        def _get_param_names(cls) -> list[str]:
            signature = inspect.signature(cls.__init__)
            return sorted(
                name
                for name, parameter in signature.parameters.items()
                if name != "self" and parameter.kind is not parameter.VAR_KEYWORD
            )

        def get_params(self, deep: bool = True) -> dict[str, Any]:
            """The constructor's arguments by name (``deep``: those of nested estimators too)."""
            params: dict[str, Any] = {}
            for name in self._get_param_names():
                value = getattr(self, name)
                if deep and hasattr(value, "get_params") and not isinstance(value, type):
                    params.update((f"{name}__{k}", v) for k, v in value.get_params().items())
                params[name] = value
            return params

        def set_params(self, **params: Any) -> BaseEstimator:
            """Set constructor arguments (``name__sub`` for a nested estimator's); returns self."""
            valid = self.get_params(deep=True)
            nested: dict[str, dict[str, Any]] = {}
            for key, value in params.items():
                name, nest, sub = key.partition("__")
                if name not in valid:
                    raise ValueError(
                        f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                        f"Valid parameters are: {sorted(self._get_param_names())!r}."
                    )
                if nest:
                    nested.setdefault(name, {})[sub] = value
                else:
                    setattr(self, name, value)
                    valid[name] = value
            for name, sub_params in nested.items():
                valid[name].set_params(**sub_params)
            return self

        def __repr__(self) -> str:
            defaults = {
                name: parameter.default
                for name, parameter in inspect.signature(type(self).__init__).parameters.items()
            }
            changed = [
                f"{name}={value!r}"
                for name, value in self.get_params(deep=False).items()
                if not _same(value, defaults.get(name, inspect.Parameter.empty))
            ]
            return f"{type(self).__name__}({', '.join(changed)})"

else:
    HAVE_SKLEARN = True


def _same(value: object, default: object) -> bool:
    if isinstance(value, np.ndarray) or isinstance(default, np.ndarray):
        return False
    return value is default or (type(value) is type(default) and value == default)


def check_random_state(seed: object) -> np.random.RandomState:
    """A ``RandomState`` from what scikit-learn's ``random_state`` accepts, and a
    ``numpy.random.Generator`` besides (which then seeds a new ``RandomState``, and so
    advances, as a shared ``RandomState`` does).

    Raises
    ------
    ValueError
        For anything else.
    """
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(seed)
    if isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.RandomState(seed.integers(2**32))
    raise ValueError(f"{seed!r} cannot be used to seed a numpy.random.RandomState instance")


__all__ = [
    "HAVE_SKLEARN",
    "BaseEstimator",
    "ClusterMixin",
    "ConvergenceWarning",
    "DensityMixin",
    "NotFittedError",
    "check_random_state",
]
