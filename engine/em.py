"""The first engine's module of the loop, kept while the window and the file formats
move to the modules it was split into (:mod:`engine.loop`, :mod:`engine.options`,
:mod:`engine.results`, :mod:`engine.predict`). Import from those."""

from engine.loop import auto_chunk_size, fit, iterate, model_for
from engine.options import FitOptions
from engine.predict import e_step, predict_log_resp
from engine.results import FitResult, Snapshot

__all__ = [
    "FitOptions", "FitResult", "Snapshot", "auto_chunk_size", "e_step", "fit", "iterate",
    "model_for", "predict_log_resp",
]
