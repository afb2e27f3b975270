"""Showing a fit the analysis dialogs made (a sweep cell, one start) in the main window."""

from __future__ import annotations

from collections.abc import Sequence

import engine
from emgui.shell.host import Host


def show_fit_in_window(
    host: Host,
    result: engine.FitResult,
    snapshots: Sequence[engine.Snapshot],
    options: engine.FitOptions | None = None,
    note: str = "",
) -> None:
    """Show ``result`` in the main window with its trace, as if it had just run there.

    Parameters
    ----------
    host : Host
        The window's host; the fit becomes its document's.
    result : FitResult
        The fit to show.
    snapshots : sequence of Snapshot
        Its start's snapshots, iteration 0 to the last, components in the
        result's order (the last one carries ``result.params``).
    options : FitOptions, optional
        What the settings should show (default ``result.options``).
    note : str
        Where the fit came from, for the status bar.
    """
    host.show_fit(result, snapshots, options=options or result.options)
    converged = "converged" if result.converged else "not converged"
    parts = [note] if note else []
    parts += [
        f"log-likelihood {result.log_likelihood:.6g}",
        f"BIC {result.bic:.6g}",
        f"{result.n_iter} iterations, {converged}",
    ]
    host.show_status(" · ".join(parts))
