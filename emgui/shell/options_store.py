"""The fit options a person last ran with, kept between launches in the session file's format.

The options are stored as one JSON value, written by
:func:`emio.session.options_to_dict` (the names and encodings a saved
session uses), under :data:`KEY`. The model, K, how EM runs (:data:`REMEMBERED`)
and the model's own options come back at the next launch; the start and the
held parameters follow the data opened.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

import engine
from emgui.views import declared
from emio import session as sessions

KEY = "options"
REMEMBERED = (
    "model", "n_components", "e_step", "n_init", "max_iter", "tol", "reg_covar", "seed",
    "accelerate",
)


def _kept(model: str) -> tuple[str, ...]:
    return (*REMEMBERED, *(spec.name for spec in declared.option_specs(model)))


def save_options(settings: QSettings, options: engine.FitOptions) -> None:
    """Remember ``options`` for the next launch."""
    every = sessions.options_to_dict(options, [])
    settings.setValue(KEY, json.dumps({name: every[name] for name in _kept(options.model)
                                       if name in every}))


def saved_options(settings: QSettings) -> engine.FitOptions | None:
    """The options remembered by :func:`save_options`, or ``None`` (none, or unreadable)."""
    text = settings.value(KEY, "", type=str)
    if not text:
        return None
    try:
        saved = json.loads(text)
        model = saved.get("model", "")
        kept = _kept(model) if model in declared.models() else REMEMBERED
        return engine.FitOptions(**{name: saved[name] for name in kept if name in saved})
    except (ValueError, TypeError, AttributeError):
        return None
