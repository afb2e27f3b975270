"""What Explore Restarts says in words: the setting its starts run, and how far apart
the starts ended."""

from __future__ import annotations

import math
from collections.abc import Sequence

import engine
from emgui.shell.option_labels import INIT_LABELS
from emgui.views import declared
from engine.selection import final_spread


def describe(options: engine.FitOptions) -> str:
    """``"Gaussian, VVV covariance (full: ellipsoidal, each its own), K = 3, seed 0"``."""
    parts = [declared.describe_model(options), f"K = {options.n_components}"]
    if options.e_step == "hard":
        parts.append("hard E-step")
    parts.append(f"starts from {INIT_LABELS.get(options.init, options.init)}")
    parts.append(f"seed {options.seed}")
    return ", ".join(parts)


def setting_text(
    planned_options: engine.FitOptions,
    shown_options: engine.FitOptions | None,
    running: bool,
    explicit_init: bool,
) -> str:
    """The dialog's heading (rich text): the setting of the starts shown, and the one a
    Run would use next when they differ. ``explicit_init`` says that the Settings panel
    starts from given values, which starts cannot vary."""
    planned = describe(planned_options)
    if explicit_init:
        planned += (" (the Settings panel starts from given values, which cannot vary "
                    "from start to start, so these starts use k-means++ seeds)")
    shown = describe(shown_options) if shown_options is not None else None
    if running or shown is None:
        text = f"<b>{shown if running else planned}</b>"
    elif shown == planned.split(" (")[0]:
        text = f"<b>{shown}</b>"
    else:
        text = f"Shown: <b>{shown}</b>. Run next: <b>{planned}</b>"
    return text + ". Change the setting in the Settings panel, then Run."


def summary_text(finals: Sequence[float], tolerance: float) -> str:
    """The line under the views (rich text): best, median and worst of the starts'
    ``finals`` (-inf for a failed start), and how many ended within ``tolerance`` of
    the best; what the dialog is for before any start has ended."""
    if not finals:
        return ("Each start begins from different random seeds and climbs to the nearest "
                "optimum; comparing where they end shows whether one run can be trusted.")
    spread = final_spread(list(finals), tolerance)
    failed = f" · {spread.n_failed} failed" if spread.n_failed else ""
    if math.isnan(spread.best):
        return f"Every start so far failed{failed}."
    return (
        f"best <b>{spread.best:.4f}</b> · median {spread.median:.4f} · worst "
        f"{spread.worst:.4f}{failed}<br><b>{spread.n_at_best} of {spread.n_starts}</b> "
        f"starts ended within {spread.tolerance:g} of the best.")
