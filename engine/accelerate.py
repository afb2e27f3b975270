"""Steps of EM: plain, or accelerated by squared extrapolation (SQUAREM).

EM converges linearly, slowly where components overlap. SQUAREM (Varadhan and
Roland 2008, scheme SqS3) takes two EM steps from ``t0``, ``t1 = F(t0)`` and
``t2 = F(t1)``, and extrapolates along them:

    r = t1 - t0,  v = t2 - 2 t1 + t0,  a = -|r| / |v|,  t' = t0 - 2 a r + a^2 v

then takes one EM step from there, ``t'' = F(t')``, which puts the
parameters back into the model's family. The extrapolation runs in
coordinates where any value is a valid mixture (log-weights, Cholesky
factors with log-diagonals, logits of probabilities, logs of rates), so
``t'`` can always be evaluated. The safeguard: ``t''`` is kept only if its
objective is at least ``t1``'s; otherwise the plain step ``t2`` is taken.
Either way every state the loop records is reached by EM steps from a state
of no lower objective, so the recorded objective never falls.

Both steppers yield :class:`Step` objects, one per recorded state, and count
the passes over the data they cost. Each step also says from which objective
convergence is judged: a plain step from the state before it; a SQUAREM
cycle as a whole, from the state it began at, and not at all at its middle
state ``t1``. One EM step changes the objective least where EM crawls, and an
extrapolation can land where a single step gains little while the optimum is
still far (along a ridge of the likelihood, in overlapping mixtures): judged
step by step, accelerated fits stopped below plain EM's optimum; judged over
whole cycles they stop at or above it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.backends import Passes, PassResult
from engine.errors import SingularComponent
from engine.models.base import MixtureModel, ParamSpec
from engine.params import Params

ACCELERATIONS = ("none", "squarem")
#: Largest extrapolation step to begin with, and the most it may grow to.
FIRST_STEP_MAX = 1.0
LARGEST_STEP_MAX = 1e6
#: Plain EM steps come first, until one changes the objective by less than this per row:
#: an extrapolation from a start far from any optimum can leap into another optimum's
#: basin, and from the same start SQUAREM then ends elsewhere than EM. Measured on
#: ``select``'s sweeps of mclust's six reference sets, K = 1..9 (504 cells; see
#: tests/engine/test_select_vs_mclust.py): plain EM ends more than 0.01 below mclust's
#: BIC in 9 cells; SQUAREM with no settling in 20, by up to 25 BIC units; settling to
#: 1e-3 per row, in plain EM's 9 and one more (thyroid VEV,4: 25.6 units); to 1e-2, in
#: four more at least; to 3e-4, in plain EM's 9 alone, and the sweep of Old Faithful
#: still takes half plain EM's time. Early steps gain much each, so acceleration loses
#: little by waiting.
SETTLE_PER_ROW = 3e-4
#: Probabilities are kept this far from 0 and 1, weights and rates above this,
#: when they are mapped to unconstrained coordinates.
_TINY = 1e-300
_EDGE = 1e-15


@dataclass
class Step:
    """One recorded state: its parameters, the pass at them, its objective, whether it
    came from an extrapolation, how many passes over the data it cost, and the
    objective its change is judged from for convergence (``None``: not judged)."""

    params: Params
    result: PassResult
    objective: float
    accelerated: bool
    passes: int
    baseline: float | None


# --- coordinates in which every value is a valid mixture ------------------------------------


@lru_cache(maxsize=64)
def _strict_upper(n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(n_features, 1)``, computed once per width."""
    rows, cols = np.triu_indices(n_features, 1)
    rows.setflags(write=False)
    cols.setflags(write=False)
    return rows, cols


def _cholesky_free(covariances: np.ndarray) -> np.ndarray:
    # NumPy's factor is lower-triangular with zeros above the diagonal, a new array
    # of our own: its diagonal is replaced by its logs in place (SQUAREM maps three
    # states each cycle, where np.tril and copies cost more than the factor).
    free = np.linalg.cholesky(covariances)
    index = np.arange(free.shape[-1])
    free[..., index, index] = np.log(free[..., index, index])
    return free


def _cholesky_bound(free: np.ndarray) -> np.ndarray:
    # What np.tril keeps (at a fraction of its cost on small matrices).
    n_features = free.shape[-1]
    rows, cols = _strict_upper(n_features)
    factor = free.copy()
    factor[..., rows, cols] = 0.0
    index = np.arange(n_features)
    factor[..., index, index] = np.exp(free[..., index, index])
    return factor @ np.swapaxes(factor, -1, -2)


def to_free(spec: ParamSpec, value: np.ndarray) -> np.ndarray:
    """``value`` in unconstrained coordinates, by the array's role and shape."""
    if spec.role == "weight":
        return np.log(np.maximum(value, _TINY))
    if spec.role == "spread":
        if len(spec.shape) >= 2 and spec.shape[-1] == spec.shape[-2] == "D":
            return _cholesky_free(value)
        return np.log(np.maximum(value, _TINY))
    if spec.role == "probability":
        clipped = np.clip(value, _EDGE, 1.0 - _EDGE)
        return np.log(clipped) - np.log1p(-clipped)
    if spec.role == "rate":
        return np.log(np.maximum(value, _TINY))
    return np.asarray(value, dtype=np.float64)


def from_free(spec: ParamSpec, free: np.ndarray) -> np.ndarray:
    """The inverse of :func:`to_free`."""
    if spec.role == "weight":
        shifted = np.exp(free - free.max())
        return shifted / shifted.sum()
    if spec.role == "spread":
        if len(spec.shape) >= 2 and spec.shape[-1] == spec.shape[-2] == "D":
            return _cholesky_bound(free)
        return np.exp(free)
    if spec.role == "probability":
        return 1.0 / (1.0 + np.exp(-free))
    if spec.role == "rate":
        return np.exp(free)
    return free


def can_accelerate(model: MixtureModel) -> bool:
    """Whether every array of the model has a role the coordinates know."""
    known = {"weight", "location", "spread", "probability", "rate"}
    return all(spec.role in known for spec in model.array_specs)


def extrapolate(
    model: MixtureModel,
    t0: Params,
    t1: Params,
    t2: Params,
    fixed: Collection[str],
    step_max: float,
) -> tuple[Params, float]:
    """SqS3's extrapolated parameters and the step length used (at most ``step_max``)."""
    specs = [spec for spec in model.array_specs if spec.name not in fixed]
    free0 = {s.name: to_free(s, t0[s.name]) for s in specs}
    free1 = {s.name: to_free(s, t1[s.name]) for s in specs}
    free2 = {s.name: to_free(s, t2[s.name]) for s in specs}
    r = {n: free1[n] - free0[n] for n in free0}
    v = {n: free2[n] - 2.0 * free1[n] + free0[n] for n in free0}
    r_norm = np.sqrt(sum(float(np.vdot(a, a)) for a in r.values()))
    v_norm = np.sqrt(sum(float(np.vdot(a, a)) for a in v.values()))
    if not (v_norm > 0 and np.isfinite(r_norm) and np.isfinite(v_norm)):
        return t2, 1.0
    step = min(max(r_norm / v_norm, 1.0), step_max)
    changes = {
        s.name: from_free(s, free0[s.name] + 2.0 * step * r[s.name] + step**2 * v[s.name])
        for s in specs
    }
    return t0.replace(**changes), step


# --- the steppers ----------------------------------------------------------------------------

Objective = Callable[[PassResult, Params], float]
MStep = Callable[[PassResult, Params], Params]


def plain_steps(
    start: Params, first: PassResult, passes: Passes, m_step: MStep, objective: Objective,
    hard: bool,
) -> Iterator[Step]:
    """EM: one M-step and one pass per recorded state."""
    params, current = start, first
    value = objective(first, start)
    while True:
        params = m_step(current, params)
        current = passes.run(params, hard, details=False)
        previous, value = value, objective(current, params)
        yield Step(params, current, value, False, 1, previous)


def squarem_steps(
    model: MixtureModel,
    start: Params,
    first: PassResult,
    passes: Passes,
    m_step: MStep,
    objective: Objective,
    fixed: Collection[str],
) -> Iterator[Step]:
    """Plain EM steps until the objective settles (:data:`SETTLE_PER_ROW`), then
    SQUAREM cycles (see the module's docstring): each records the plain step ``t1``
    and then the extrapolated state ``F(t')`` if it is no worse than ``t1``, else the
    plain ``t2``. The soft E-step only: the hard one's objective is piecewise
    constant, where extrapolation has nothing to follow."""
    t0, p0 = start, first
    o0 = objective(first, start)
    while True:  # settling: plain EM until it stops leaping (SETTLE_PER_ROW)
        t1 = m_step(p0, t0)
        p1 = passes.run(t1, False, details=False)
        o1 = objective(p1, t1)
        yield Step(t1, p1, o1, False, 1, o0)
        settled = abs(o1 - o0) < SETTLE_PER_ROW * passes.n_samples
        t0, p0, o0 = t1, p1, o1
        if settled:
            break
    step_max = FIRST_STEP_MAX
    while True:
        t1 = m_step(p0, t0)
        p1 = passes.run(t1, False, details=False)
        o1 = objective(p1, t1)
        yield Step(t1, p1, o1, False, 1, None)
        t2 = m_step(p1, t1)
        extrapolated, step = extrapolate(model, t0, t1, t2, fixed, step_max)
        cost = 0
        candidate = None
        if step >= 1.0:
            try:
                prepared = model.prepare(extrapolated)
                p_ext = passes.run(prepared, False, details=False)
                t_new = m_step(p_ext, prepared)
                p_new = passes.run(t_new, False, details=False)
                cost = 2
                o_new = objective(p_new, t_new)
                if o_new >= o1 and np.isfinite(o_new):
                    candidate = Step(t_new, p_new, o_new, True, cost, o0)
            except (ValueError, SingularComponent, np.linalg.LinAlgError, FloatingPointError):
                cost = max(cost, 1)  # an extrapolation outside what can be evaluated
        if candidate is None:
            p2 = passes.run(t2, False, details=False)
            candidate = Step(t2, p2, objective(p2, t2), False, cost + 1, o0)
            step_max = max(1.0, step_max / 4.0)
        elif step >= step_max:
            step_max = min(step_max * 4.0, LARGEST_STEP_MAX)
        yield candidate
        t0, p0, o0 = candidate.params, candidate.result, candidate.objective
