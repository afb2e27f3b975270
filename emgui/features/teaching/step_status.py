"""The status line of a half-step: where the student is, what the bound says, what to press."""

from __future__ import annotations

from emgui.features.teaching.half_steps import LARGE_ROWS, HalfStepSession
from emgui.features.teaching.table_content import PAGE_SIZE, gap_text

E_KEY, M_KEY = "F7", "F8"


def step_status(session: HalfStepSession, index: int, note: str = "") -> str:
    """What the status bar says while state ``index`` of ``session`` is shown; ``note``
    says what part of the data the half-steps run on (a sample of a large file)."""
    state = session.states[index]
    n_rows = session.X.shape[0]
    parts = [session.label(index), f"log-likelihood {state.log_likelihood:.6g}"]
    if state.lower_bound is not None:
        gap = gap_text(state.gap, state.log_likelihood)
        parts.append(f"bound {state.lower_bound:.6g} (gap {gap})")
    if index < len(session.states) - 1:
        parts.append("looking back: E-step and M-step go on from the newest half-step")
    elif session.blocked is not None:
        parts.append(f"half-steps stopped: {session.blocked}")
    else:
        trace = session.trace()
        if state.phase == "M" and len(trace) > 1 and (
            abs(trace[-1] - trace[-2]) / n_rows < session.options.tol
        ):
            parts.append("the log-likelihood barely moved: a full run would stop here")
        key = E_KEY if session.next_phase == "E" else M_KEY
        parts.append(f"press {session.next_phase}-step ({key})")
    if n_rows > LARGE_ROWS:
        parts.append(f"large data: the table shows {PAGE_SIZE} rows a page")
    if note:
        parts.append(f"half-steps run {note}")
    if session.options.n_init > 1 and not session.options.explicit_init:
        parts.append("half-steps follow the first of the starts")
    return " · ".join(parts)
