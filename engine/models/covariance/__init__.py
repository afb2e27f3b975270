"""Covariance structures of the Gaussian mixture, one file each.

A structure says how each component's covariance is constrained (mclust's
volume, shape and orientation: equal or varying across components), how many
free values that leaves, and how the M-step estimates it from the scatter of
each component's rows about its new mean. How a covariance is *stored* — one
of four layouts, as in scikit-learn's ``GaussianMixture`` — decides the
shapes, the precision factors and the fused pass; several structures may share
a layout (mclust's EEI and VVI both store a diagonal per component).

A module in this package that defines a :class:`CovarianceStructure` subclass
decorated with :func:`register` adds a structure; nothing else needs to change.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

#: The layouts, with the shape each stores for K components on D columns.
STORAGE_SHAPES: dict[str, tuple[str, ...]] = {
    "full": ("K", "D", "D"),
    "tied": ("D", "D"),
    "diag": ("K", "D"),
    "spherical": ("K",),
}


class CovarianceStructure(ABC):
    """How the covariances of a Gaussian mixture are constrained and estimated."""

    #: The option's value (``full``); mclust's three letters (``VVV``) and any
    #: other word that means the same are in :attr:`aliases`.
    name: ClassVar[str] = ""
    mclust: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    #: A short description for menus and tooltips.
    title: ClassVar[str] = ""
    #: What a fit's summary says of it (``full covariance (ellipsoidal, each its own)``);
    #: "<name> covariance" when empty.
    report_words: ClassVar[str] = ""
    #: One of :data:`STORAGE_SHAPES`.
    storage: ClassVar[str] = "full"
    #: Where menus list it.
    menu_order: ClassVar[int] = 100
    #: Whether a model-selection sweep tries it unless told otherwise.
    in_default_sweep: ClassVar[bool] = False
    #: Whether a change of one column's units maps every covariance of the
    #: structure to another of it (a diagonal scaling keeps it in the family),
    #: so fits do not depend on the columns' units.
    unit_free: ClassVar[bool] = False

    @property
    def full_moments(self) -> bool:
        """Whether the M-step needs whole scatter matrices, not only their diagonals."""
        return self.storage in ("full", "tied")

    @abstractmethod
    def n_parameters(self, n_components: int, n_features: int) -> int:
        """Free values of the covariances of K components on D columns."""

    @abstractmethod
    def estimate(self, scatter: np.ndarray, nk: np.ndarray, previous: np.ndarray) -> np.ndarray:
        """The M-step's covariances, in this structure's storage: the ones that
        maximise ``sum_k -(nk/2) log|S_k| - tr(S_k^-1 scatter_k) / 2`` under the
        structure's constraint.

        The regularisation reaches a structure as part of ``scatter`` (a prior's
        pseudo-scatter added to every component's; see
        :meth:`engine.models.gaussian.GaussianModel.m_step`), so the same rule
        gives the maximum of the penalised objective.

        Parameters
        ----------
        scatter : ndarray of shape (K, D, D), or (K, D) when not :attr:`full_moments`
            Sum of ``r (x - mean)(x - mean)^T`` (or its diagonal) per component,
            about the new means, plus the prior's pseudo-scatter.
        nk : ndarray of shape (K,)
            Responsibility mass of each component (never zero).
        previous : ndarray or None
            The covariances the E-step used, where structures estimated iteratively
            start (in the storage's shape; ``None`` when there are none, as for the
            first M-step of a start from a partition of the rows).
        """


_STRUCTURES: dict[str, CovarianceStructure] = {}
_ALIASES: dict[str, str] = {}


def register(cls: type[CovarianceStructure]) -> type[CovarianceStructure]:
    """Add ``cls`` to the structures a Gaussian mixture can take (a class decorator)."""
    if cls.storage not in STORAGE_SHAPES:
        raise ValueError(f"unknown storage {cls.storage!r} of covariance structure {cls.name!r}")
    _STRUCTURES[cls.name] = cls()
    for alias in (cls.mclust, *cls.aliases):
        if alias:
            _ALIASES[alias] = cls.name
    return cls


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def names() -> tuple[str, ...]:
    """Every structure's name, in menu order."""
    return tuple(sorted(_STRUCTURES, key=lambda n: (_STRUCTURES[n].menu_order, n)))


def aliases() -> dict[str, str]:
    """Other words accepted for a structure, mapped to its name."""
    return dict(_ALIASES)


def report_words(name: str) -> str:
    """What a fit's summary says of the structure called ``name`` (or one of its aliases)."""
    structure = get(name)
    return structure.report_words or f"{structure.name} covariance"


def shown_name(name: str) -> str:
    """The name users see for the structure called ``name`` (or one of its aliases):
    mclust's three letters (``VVV`` for ``full``)."""
    structure = get(name)
    return structure.mclust or structure.name


def get(name: str) -> CovarianceStructure:
    """The structure called ``name`` (or one of its aliases)."""
    key = _ALIASES.get(name, name)
    if key not in _STRUCTURES:
        shown = ", ".join(shown_name(n) for n in names())
        raise ValueError(
            f"unknown covariance type {name!r}; choose one of {shown} (or full, tied, diag, "
            "spherical: the old names of VVV, EEE, VVI, VII)"
        )
    return _STRUCTURES[key]


def storage_shape(storage: str, n_components: int, n_features: int) -> tuple[int, ...]:
    sizes = {"K": n_components, "D": n_features}
    return tuple(sizes[s] for s in STORAGE_SHAPES[storage])


_discover()
