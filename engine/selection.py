"""Choosing K and the model: a sweep of fits scored by BIC, AIC or ICL.

:func:`sweep` is a generator, like :func:`engine.em.iterate`: it yields each
finished cell so a window can show cells as they come and stop between them.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.em import FitOptions, FitResult, fit
from engine.models import COVARIANCE_TYPES, MODEL_NAMES

CRITERIA = ("bic", "aic", "icl")


@dataclass(frozen=True)
class ModelSpec:
    """A model and, for Gaussians, its covariance type; its label is what tables show."""

    model: str
    covariance_type: str = "full"

    @property
    def label(self) -> str:
        return self.covariance_type if self.model == "gaussian" else self.model

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """``full``/``tied``/``diag``/``spherical`` mean Gaussians; other model names as is."""
        text = text.strip()
        if text in COVARIANCE_TYPES:
            return cls("gaussian", text)
        if text in MODEL_NAMES and text != "gaussian":
            return cls(text)
        choices = ", ".join(COVARIANCE_TYPES + tuple(m for m in MODEL_NAMES if m != "gaussian"))
        raise ValueError(f"unknown model {text!r} in the sweep; choose from {choices}")


DEFAULT_SPECS = tuple(ModelSpec("gaussian", c) for c in COVARIANCE_TYPES)


@dataclass(frozen=True, eq=False)
class Cell:
    """One fitted (model, K) cell of a sweep, or the reason it could not be fitted."""

    spec: ModelSpec
    n_components: int
    result: FitResult | None
    error: str | None
    seconds: float

    def score(self, criterion: str) -> float:
        """The criterion's value (lower is better); +inf for a cell that failed."""
        if self.result is None:
            return float("inf")
        return float(getattr(self.result, criterion))


def parse_k_range(text: str) -> list[int]:
    """``"1-9"``, ``"2,4,6"`` or ``"3"`` as a sorted list of K."""
    ks: set[int] = set()
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                low, high = (int(v) for v in part.split("-", 1))
                ks.update(range(low, high + 1))
            elif part:
                ks.add(int(part))
    except ValueError:
        raise ValueError(f"K range {text!r} must look like 1-9 or 2,3,5") from None
    if not ks or min(ks) < 1:
        raise ValueError(f"K range {text!r} must contain whole numbers of at least 1")
    return sorted(ks)


def sweep(
    X: np.ndarray,
    specs: Sequence[ModelSpec] = DEFAULT_SPECS,
    ks: Iterable[int] = range(1, 10),
    base: FitOptions | None = None,
    feature_names: list[str] | None = None,
) -> Generator[Cell, None, list[Cell]]:
    """Fit every (spec, K) cell with ``base``'s other options; yield each as it finishes.

    A cell that cannot be fitted (K above the number of rows, a collapsing
    component) is yielded with its error instead of stopping the sweep.
    """
    base = base or FitOptions()
    if base.seed is None:
        base = base.replace(seed=int(np.random.SeedSequence().entropy % 2**31))
    cells: list[Cell] = []
    for spec in specs:
        for k in ks:
            options = base.replace(model=spec.model, covariance_type=spec.covariance_type,
                                   n_components=k)
            started = time.perf_counter()
            try:
                result, error = fit(X, options, feature_names), None
            except ValueError as exc:
                result, error = None, str(exc)
            cell = Cell(spec, k, result, error, time.perf_counter() - started)
            cells.append(cell)
            yield cell
    return cells


def best_cell(cells: Sequence[Cell], criterion: str = "bic") -> Cell | None:
    """The cell with the lowest criterion, or ``None`` when every cell failed."""
    if criterion not in CRITERIA:
        raise ValueError(f"unknown criterion {criterion!r}; choose bic, aic or icl")
    fitted = [c for c in cells if c.result is not None]
    return min(fitted, key=lambda c: c.score(criterion)) if fitted else None


def match_components(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The order of ``other``'s rows that best matches ``reference``'s rows.

    Minimises the total squared distance between matched rows (means, say)
    with the Hungarian algorithm, so restarts' colours mean the same component.

    Parameters
    ----------
    reference, other : ndarray of shape (n_components, n_features)

    Returns
    -------
    ndarray of shape (n_components,)
        ``other[order]`` lines up with ``reference``.
    """
    diff = reference[:, None, :] - other[None, :, :]
    return _hungarian(np.einsum("ijk,ijk->ij", diff, diff))


def _hungarian(cost: np.ndarray) -> np.ndarray:
    """Column assigned to each row of a square cost matrix, minimising the total."""
    n = cost.shape[0]
    # Shortest augmenting paths with potentials (Jonker-Volgenant style), 1-based.
    u = np.zeros(n + 1)
    v = np.zeros(n + 1)
    owner = np.zeros(n + 1, dtype=int)  # owner[j]: row assigned to column j
    way = np.zeros(n + 1, dtype=int)
    for row in range(1, n + 1):
        owner[0] = row
        col0 = 0
        minv = np.full(n + 1, np.inf)
        used = np.zeros(n + 1, dtype=bool)
        while True:
            used[col0] = True
            i0 = owner[col0]
            free = ~used[1:]
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            cols = np.flatnonzero(free) + 1
            better = reduced[cols - 1] < minv[cols]
            minv[cols[better]] = reduced[cols - 1][better]
            way[cols[better]] = col0
            col1 = cols[np.argmin(minv[cols])]
            delta = minv[col1]
            u[owner[used]] += delta
            v[used] -= delta
            minv[~used] -= delta
            col0 = col1
            if owner[col0] == 0:
                break
        while col0:
            col1 = way[col0]
            owner[col0] = owner[col1]
            col0 = col1
    assignment = np.empty(n, dtype=int)
    assignment[owner[1:] - 1] = np.arange(n)
    return assignment
