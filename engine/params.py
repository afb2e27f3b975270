"""Mixture parameters: the weights and a model's named arrays, read-only.

Which arrays a mixture has is the model's to declare
(:attr:`engine.models.base.MixtureModel.param_specs`); a :class:`Params`
only stores them by name, remembers which are shared by every component
(a tied covariance, say) rather than held one per component, and caches
arrays derived from them (precision factors) that are never written to files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import numpy as np

#: Parameter names callers of the first engine read as attributes, absent or not.
#: An absent one reads as ``None`` (new code uses :meth:`Params.get`).
_LEGACY_NAMES = frozenset({"means", "covariances", "probs", "rates", "precisions_chol"})


def _legacy_attribute(name: str) -> property:
    """``params.<name>``: the array, stored or derived, or ``None``. A property, because
    the passes read means and precision factors thousands of times a fit, and a lookup
    that falls through to ``__getattr__`` costs several times as much."""

    def read(self: Params) -> np.ndarray | None:
        array = self._arrays.get(name)
        return self._derived.get(name) if array is None else array

    return property(read, doc=f"The ``{name}`` array, or ``None`` when there is none.")


def _frozen(array: object) -> np.ndarray:
    array = np.array(array, dtype=np.float64, copy=True)
    array.flags.writeable = False
    return array


class Params:
    """Parameters of a fitted or initial mixture.

    Parameters
    ----------
    weights : array-like of shape (n_components,)
        Mixing proportions, summing to one.
    shared : iterable of str
        Names of arrays that belong to every component at once (not indexed by
        component first), such as a tied covariance; they stay as they are
        when components are reordered.
    derived : mapping of str to array-like, optional
        Arrays computed from the others (for example ``precisions_chol``);
        dropped whenever an array they come from is replaced.
    **arrays : array-like
        The model's own arrays by name (``means``, ``covariances``, ``probs``,
        ``rates``, ...), in the shapes its declaration gives.
    """

    __slots__ = ("weights", "_arrays", "_derived", "shared")

    def __init__(
        self,
        weights: object,
        *,
        shared: Iterable[str] = (),
        derived: Mapping[str, object] | None = None,
        **arrays: object,
    ) -> None:
        object.__setattr__(self, "weights", _frozen(weights))
        stored = {name: _frozen(value) for name, value in arrays.items() if value is not None}
        # The first engine passed derived arrays as keywords too.
        derived = dict(derived or {})
        if "precisions_chol" in stored:
            derived["precisions_chol"] = stored.pop("precisions_chol")
        object.__setattr__(self, "_arrays", stored)
        object.__setattr__(
            self, "_derived", {n: _frozen(v) for n, v in derived.items() if v is not None}
        )
        object.__setattr__(self, "shared", frozenset(shared) & set(stored))

    @classmethod
    def _held(
        cls,
        weights: np.ndarray,
        arrays: dict[str, np.ndarray],
        derived: dict[str, np.ndarray],
        shared: frozenset[str],
    ) -> Params:
        """Parameters from arrays another :class:`Params` already holds (frozen copies of
        their own), without copying them again: the EM loop derives new parameters
        from old ones thousands of times a sweep, where the copies cost more than
        the arithmetic. ``arrays`` and ``derived`` are taken as they are."""
        params = object.__new__(cls)
        object.__setattr__(params, "weights", weights)
        object.__setattr__(params, "_arrays", arrays)
        object.__setattr__(params, "_derived", derived)
        object.__setattr__(params, "shared", shared.intersection(arrays))
        return params

    def __setattr__(self, name: str, value: object) -> None:
        raise dataclasses.FrozenInstanceError(f"Params are immutable; use replace() to change {name}")

    means = _legacy_attribute("means")
    covariances = _legacy_attribute("covariances")
    probs = _legacy_attribute("probs")
    rates = _legacy_attribute("rates")
    precisions_chol = _legacy_attribute("precisions_chol")

    def __getattr__(self, name: str) -> np.ndarray | None:
        if name.startswith("_"):
            raise AttributeError(name)
        arrays = object.__getattribute__(self, "_arrays")
        if name in arrays:
            return arrays[name]
        derived = object.__getattribute__(self, "_derived")
        if name in derived:
            return derived[name]
        if name in _LEGACY_NAMES:
            return None
        raise AttributeError(f"these parameters have no {name!r}; they have {', '.join(arrays)}")

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "weights":
            return self.weights
        return self._arrays[name]

    def __contains__(self, name: object) -> bool:
        return name == "weights" or name in self._arrays

    def __repr__(self) -> str:
        shapes = ", ".join(f"{n}{list(a.shape)}" for n, a in self.arrays().items())
        return f"Params({shapes})"

    def __reduce__(self) -> tuple:
        return (_rebuild, (self.weights, self._arrays, self._derived, tuple(self.shared)))

    def get(self, name: str) -> np.ndarray | None:
        """The array called ``name`` (stored or derived), or ``None``."""
        if name == "weights":
            return self.weights
        return self._arrays.get(name, self._derived.get(name))

    @property
    def n_components(self) -> int:
        return int(self.weights.shape[0])

    @property
    def names(self) -> tuple[str, ...]:
        """The model's own array names (without weights and derived arrays)."""
        return tuple(self._arrays)

    def arrays(self) -> dict[str, np.ndarray]:
        """Weights and the model's arrays by name, without derived ones."""
        return {"weights": self.weights, **self._arrays}

    def derived(self, name: str) -> np.ndarray | None:
        return self._derived.get(name)

    def replace(self, **changes: object) -> Params:
        """A copy with ``changes`` (``None`` removes an array). Derived arrays are
        dropped when a model array changes, unless given again (``precisions_chol=...``)."""
        weights = changes.pop("weights", self.weights)
        given = {name: changes.pop(name) for name in ("precisions_chol",) if name in changes}
        derived = given if changes else {**self._derived, **given}
        return Params(weights, shared=self.shared, derived=derived, **{**self._arrays, **changes})

    def with_derived(self, **derived: np.ndarray) -> Params:
        """The same parameters with derived arrays added."""
        added = {name: _frozen(value) for name, value in derived.items() if value is not None}
        return Params._held(
            self.weights, self._arrays, {**self._derived, **added}, self.shared
        )

    def with_shared(self, shared: Iterable[str]) -> Params:
        """The same parameters, with ``shared`` naming the arrays common to every component."""
        shared = frozenset(shared)
        if shared == self.shared:
            return self
        return Params._held(self.weights, self._arrays, self._derived, shared)

    def permuted(self, order: np.ndarray, covariance_type: str | None = None) -> Params:
        """The same mixture with its components listed in ``order``.

        Shared arrays stay as they are. (``covariance_type`` is accepted for
        callers of the first engine: ``"tied"`` marks the covariances shared.)
        """
        order = np.asarray(order)
        shared = set(self.shared)
        if covariance_type == "tied" and "covariances" in self._arrays:
            shared.add("covariances")

        def reorder(name: str, value: np.ndarray) -> np.ndarray:
            if name in shared or (name == "precisions_chol" and "covariances" in shared):
                return value
            return value[order]

        return Params(
            self.weights[order],
            shared=shared,
            derived={n: reorder(n, v) for n, v in self._derived.items()},
            **{n: reorder(n, v) for n, v in self._arrays.items()},
        )

    def allclose(self, other: Params, rtol: float = 1e-12, atol: float = 0.0) -> bool:
        mine, theirs = self.arrays(), other.arrays()
        return mine.keys() == theirs.keys() and all(
            mine[name].shape == theirs[name].shape
            and np.allclose(mine[name], theirs[name], rtol=rtol, atol=atol)
            for name in mine
        )


def _rebuild(
    weights: np.ndarray, arrays: dict, derived: dict, shared: tuple[str, ...]
) -> Params:
    return Params(weights, shared=shared, derived=derived, **arrays)
