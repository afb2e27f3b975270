"""The mixture models, one file each, collected by :mod:`engine.models.registry`.

Importing this package imports every module in it, so a model file dropped
here registers itself.
"""

from __future__ import annotations

import importlib
import pkgutil

from engine.models import registry
from engine.models.base import MixtureModel, OptionSpec, ParamSpec
from engine.models.covariance import names as covariance_types
from engine.models.registry import build_model, model_class, model_names

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

# The first engine's constants, kept while callers move to the registry's functions.
MODEL_NAMES = model_names()
COVARIANCE_TYPES = covariance_types()
FIXABLE_PARAMS = {name: build_model(name).fixable for name in MODEL_NAMES}

__all__ = [
    "MixtureModel",
    "OptionSpec",
    "ParamSpec",
    "build_model",
    "model_class",
    "model_names",
    "registry",
]
