"""Mixture parameters: one immutable container shared by every model."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

#: Names of the parameter arrays, in the order they appear in files and tables.
PARAM_FIELDS = ("weights", "means", "covariances", "probs", "rates")


def _frozen(array: np.ndarray | None) -> np.ndarray | None:
    if array is None:
        return None
    array = np.array(array, dtype=np.float64, copy=True)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Params:
    """Parameters of a fitted or initial mixture, with read-only arrays.

    Only the fields a model uses are set; the others stay ``None``.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
        Mixing proportions, summing to one.
    means : ndarray of shape (n_components, n_features) or None
        Component means (``gaussian``, ``kmeans``).
    covariances : ndarray or None
        Shapes as in scikit-learn's ``GaussianMixture``: ``full`` (K, D, D),
        ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,). ``kmeans`` uses
        the spherical shape with one shared value.
    probs : ndarray of shape (n_components, n_features) or None
        Success probabilities (``bernoulli``, ``binomial``).
    rates : ndarray of shape (n_components, n_features) or None
        Poisson rates (``poisson``).
    precisions_chol : ndarray or None
        Cholesky factor of each precision matrix, derived from
        ``covariances`` by the Gaussian models; never stored in files.
    """

    weights: np.ndarray
    means: np.ndarray | None = None
    covariances: np.ndarray | None = None
    probs: np.ndarray | None = None
    rates: np.ndarray | None = None
    precisions_chol: np.ndarray | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            object.__setattr__(self, field.name, _frozen(getattr(self, field.name)))

    @property
    def n_components(self) -> int:
        return int(self.weights.shape[0])

    def arrays(self) -> dict[str, np.ndarray]:
        """The set parameter arrays by name, without derived ones."""
        return {
            name: getattr(self, name)
            for name in PARAM_FIELDS
            if getattr(self, name) is not None
        }

    def replace(self, **changes: np.ndarray | None) -> Params:
        """A copy with ``changes``; new covariances drop the precision factors derived from
        the old ones, so they are derived afresh."""
        if "covariances" in changes and "precisions_chol" not in changes:
            changes["precisions_chol"] = None
        return dataclasses.replace(self, **changes)

    def permuted(self, order: np.ndarray, covariance_type: str | None = None) -> Params:
        """The same mixture with its components listed in ``order``."""
        order = np.asarray(order)
        changes: dict[str, np.ndarray | None] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            per_component = not (
                field.name in ("covariances", "precisions_chol") and covariance_type == "tied"
            )
            changes[field.name] = value[order] if per_component else value
        return dataclasses.replace(self, **changes)

    def allclose(self, other: Params, rtol: float = 1e-12, atol: float = 0.0) -> bool:
        mine, theirs = self.arrays(), other.arrays()
        return mine.keys() == theirs.keys() and all(
            mine[name].shape == theirs[name].shape
            and np.allclose(mine[name], theirs[name], rtol=rtol, atol=atol)
            for name in mine
        )
