"""The fit options a person last ran with, kept between launches in the session file's format.

The options are stored as one JSON value, written by
:func:`emio.session.options_to_dict` (the names and encodings a saved
session uses), under :data:`KEY`. Only :data:`REMEMBERED` come back at the
next launch; the start, held parameters and trials follow the data opened.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

import engine
from emio import session as sessions

KEY = "options"
REMEMBERED = (
    "model", "n_components", "covariance_type", "e_step", "n_init", "max_iter", "tol",
    "reg_covar", "seed",
)


def save_options(settings: QSettings, options: engine.FitOptions) -> None:
    """Remember ``options`` for the next launch."""
    every = sessions.options_to_dict(options, [])
    settings.setValue(KEY, json.dumps({name: every[name] for name in REMEMBERED}))


def saved_options(settings: QSettings) -> engine.FitOptions | None:
    """The options remembered by :func:`save_options`, or ``None`` (none, or unreadable)."""
    text = settings.value(KEY, "", type=str)
    if not text:
        return None
    try:
        saved = json.loads(text)
        return engine.FitOptions(**{name: saved[name] for name in REMEMBERED if name in saved})
    except (ValueError, TypeError):
        return None
