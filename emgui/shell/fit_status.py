"""The status line of a snapshot drawn: its own figures, and the fit's verdict at its end."""

from __future__ import annotations

from collections.abc import Sequence

import engine
from emgui.shell.document import Document, RunState


def status_line(
    document: Document,
    snapshot: engine.Snapshot,
    label: str,
    values: Sequence[float],
    position: int,
    last: engine.Snapshot,
    elapsed: float,
    thinned_to: int | None = None,
) -> tuple[str, str]:
    """The status line of ``snapshot`` (at ``position`` in its start's ``values``, named
    ``label``; ``last`` is the start's newest snapshot) and its warnings, one paragraph
    each (empty: none). The fit's verdict and warnings show only at its last iteration;
    ``thinned_to`` is the number of points drawn when the display is thinned."""
    value = values[position]
    parts = [f"iteration {snapshot.iteration}", f"{label} {value:.6g}"]
    if position > 0:
        parts.append(f"change {value - values[position - 1]:+.3g}")
    result = document.result
    at_end = snapshot is last
    if document.run_state is RunState.FINISHED and result is not None and at_end:
        parts.append("converged" if result.converged else "not converged")
        parts.append(f"BIC {result.bic:.6g}")
        if result.messages:
            plural = "s" if len(result.messages) > 1 else ""
            parts.append(f"⚠ {len(result.messages)} warning{plural} (hover here)")
    elif not document.is_running and not at_end:
        parts.append(f"looking back: the fit went on to iteration {last.iteration}")
    else:
        parts.append(document.run_state.value)
    if at_end or document.is_running:
        parts.append(f"{elapsed:.2f} s")
    if thinned_to is not None:
        parts.append(f"display thinned to {thinned_to:,} of {document.table.data.shape[0]:,} points")
    warnings = result.messages if result is not None and at_end and not document.is_running else ()
    return " · ".join(parts), "\n\n".join(warnings)
