"""A half-step session: the states a student has stepped through, kept for scrubbing back.

The session runs :func:`engine.halfsteps.half_steps` synchronously, one half
at a time, in whatever thread owns it (the GUI thread): teaching data are
small. It refuses to go on when a half-step gets too slow to run without
freezing a window, or when the states it keeps would use too much memory,
and says why in :attr:`HalfStepSession.blocked`.

Besides the engine's ``start``, ``E`` and ``M`` states, a session holds
``edit`` states: parameters the student changed by hand (a dragged mean).
An edit takes the next iteration number, so the log-likelihood trace has one
value per iteration number: the start, every M-step and every edit.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence

import numpy as np

import engine
from engine.halfsteps import HalfStep, half_steps

EDIT = "edit"
#: A half-step slower than this is too slow to run in the GUI thread.
MAX_HALF_STEP_SECONDS = 0.05
#: The arrays kept for scrubbing back may use this much memory.
MAX_STATE_BYTES = 256 * 2**20
#: More rows than this count as large for a lesson (the table is paged anyway).
LARGE_ROWS = 20_000


class HalfStepSession:
    """Steps EM by halves from ``options`` and remembers every state.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    options : FitOptions
        The fit; ``max_iter`` bounds the iterations of each stretch between edits.
    feature_names : list of str
    first_iteration : int
        The iteration number of the start (when a paused run becomes a session).
    prior_trace : sequence of float
        Log-likelihoods of the iterations before ``first_iteration``.

    Raises
    ------
    ValueError
        When the data and options cannot be fitted (the engine's message).
    """

    def __init__(
        self,
        X: np.ndarray,
        options: engine.FitOptions,
        feature_names: list[str],
        first_iteration: int = 0,
        prior_trace: Sequence[float] = (),
    ) -> None:
        self.X = X
        self.options = options
        self.feature_names = feature_names
        self.prior_trace = [float(v) for v in prior_trace]
        self.states: list[HalfStep] = []
        self.last_seconds = 0.0
        self.blocked: str | None = None
        self._bytes = 0
        self._stretch = self._numbered(options, first_iteration)
        self._take()

    # --- stepping -----------------------------------------------------------------------

    @property
    def newest(self) -> HalfStep:
        return self.states[-1]

    @property
    def next_phase(self) -> str | None:
        """``'E'`` or ``'M'``: what the next half-step does (``None`` when blocked)."""
        if self.blocked is not None:
            return None
        return "M" if self.newest.phase == "E" else "E"

    def advance(self) -> HalfStep | None:
        """Take the next half-step; ``None`` (and :attr:`blocked` says why) when it cannot."""
        if self.blocked is not None:
            return None
        return self._take()

    def edit(self, index: int, params: engine.Params) -> HalfStep:
        """Continue from state ``index`` with ``params`` changed by hand.

        States after ``index`` are dropped; the edit becomes the newest state
        and the next half-step is an E-step under ``params``.
        """
        del self.states[index + 1 :]
        self._bytes = sum(_state_bytes(s) for s in self.states)
        slot = self.trace_slot(index) + 1
        self.blocked = None
        self._stretch = self._numbered(self.options.replace(init=params), slot)
        state = self._take()
        if state is None:
            raise ValueError(self.blocked or "could not start from the edited parameters")
        self.states[-1] = dataclasses.replace(state, phase=EDIT)
        return self.states[-1]

    def _numbered(self, options: engine.FitOptions, offset: int) -> Iterator[HalfStep]:
        for state in half_steps(self.X, options, self.feature_names):
            yield dataclasses.replace(state, iteration=state.iteration + offset)

    def _take(self) -> HalfStep | None:
        # At most a log-density and a responsibility per row and component.
        next_bytes = 2 * self.X.shape[0] * self.options.n_components * 8
        if self.states and self._bytes + next_bytes > MAX_STATE_BYTES:
            self.blocked = (
                f"the {len(self.states)} half-steps kept for scrubbing back fill the memory "
                "set aside for them; press Run (F5) to go on at full speed"
            )
            return None
        began = time.perf_counter()
        try:
            state = next(self._stretch)
        except StopIteration:
            self.blocked = (
                f"reached the limit of {self.options.max_iter} iterations (Max iterations in "
                "the settings)"
            )
            return None
        self.last_seconds = time.perf_counter() - began
        if self.states and self.last_seconds > MAX_HALF_STEP_SECONDS:
            self.blocked = (
                f"one half-step took {1000 * self.last_seconds:.0f} ms on "
                f"{self.X.shape[0]:,} rows, too long to step by hand without freezing the "
                "window; press Run (F5), which fits in the background"
            )
        self.states.append(state)
        self._bytes += _state_bytes(state)
        return state

    # --- reading ------------------------------------------------------------------------

    def label(self, index: int) -> str:
        """``start``, ``E3``, ``M3`` or ``edit``."""
        state = self.states[index]
        if state.phase in ("E", "M"):
            return f"{state.phase}{state.iteration}"
        return state.phase

    def trace_slot(self, index: int) -> int:
        """The iteration whose parameters state ``index`` shows (an E-step keeps the last)."""
        state = self.states[index]
        return state.iteration - 1 if state.phase == "E" else state.iteration

    def trace(self) -> list[float]:
        """Log-likelihood per iteration number: earlier iterations, start, M-steps and edits."""
        own = [s.log_likelihood for s in self.states if s.phase != "E"]
        return self.prior_trace + own

    def edit_slots(self) -> list[int]:
        """Iteration numbers at which the student changed the parameters by hand."""
        return [s.iteration for s in self.states if s.phase == EDIT]

    def edit_indices(self) -> list[int]:
        return [i for i, s in enumerate(self.states) if s.phase == EDIT]

    def table_states(self, index: int) -> tuple[HalfStep, HalfStep | None]:
        """The state whose likelihoods and responsibilities a table shows, and the M-step
        that used them (``None`` unless state ``index`` is an M-step)."""
        state = self.states[index]
        if state.phase == "M" and index > 0 and self.states[index - 1].phase == "E":
            return self.states[index - 1], state
        return state, None

    def latest_edit(self) -> engine.Params | None:
        """The parameters of the last edit, if the student made one."""
        edits = self.edit_indices()
        return self.states[edits[-1]].params if edits else None

    def same_fit(self, options: engine.FitOptions) -> bool:
        """Whether ``options`` describe this session's fit (explicit starting values aside)."""
        # Stepping by halves is always plain EM, whatever the settings' acceleration.
        aside = {"init": "kmeans++", "seed": 0, "n_init": 1, "accelerate": "none"}
        if self.options.replace(**aside) != options.replace(**aside):
            return False
        if self.options.explicit_init:
            return True
        return (self.options.init, self.options.seed) == (options.init, options.seed)


def _state_bytes(state: HalfStep) -> int:
    # E and M states share their responsibilities; count them once, with the E-step.
    resp = state.resp.nbytes if state.resp is not None and state.phase == "E" else 0
    return state.component_log_prob.nbytes + resp
