"""The models the engine knows, collected from their declarations.

A model file decorates its class with :func:`register`; importing
:mod:`engine.models` imports every module of the package, so dropping a file
into ``engine/models/`` is all it takes to add a model. Everything that lists
models — the command line, the file formats, the window's menus, the
model-selection sweep — asks this registry at the time it needs the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.models.base import MixtureModel, OptionSpec

_MODELS: dict[str, type[MixtureModel]] = {}


def register(cls: type[MixtureModel]) -> type[MixtureModel]:
    """Add the model ``cls`` (a class decorator); its ``name`` must be new."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name to register under")
    if cls.name in _MODELS and _MODELS[cls.name] is not cls:
        raise ValueError(f"a model called {cls.name!r} is already registered")
    _MODELS[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Forget a model (for tests that register one of their own)."""
    _MODELS.pop(name, None)


def model_names() -> tuple[str, ...]:
    """Every model's name, in menu order."""
    return tuple(sorted(_MODELS, key=lambda n: (_MODELS[n].menu_order, n)))


def model_class(name: str) -> type[MixtureModel]:
    """The class of the model called ``name``; ``ValueError`` names the choices."""
    if name not in _MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(model_names())}")
    return _MODELS[name]


def option_names() -> frozenset[str]:
    """Every option any model declares."""
    return frozenset(spec.name for cls in _MODELS.values() for spec in cls.option_specs)


def option_specs() -> dict[str, OptionSpec]:
    """Every option any model declares, by name, in menu order; an option that several
    models declare is described by the first."""
    specs: dict[str, OptionSpec] = {}
    for name in model_names():
        for spec in _MODELS[name].option_specs:
            specs.setdefault(spec.name, spec)
    return specs


def option_spec(model: str, option: str) -> OptionSpec | None:
    """The declaration of ``option`` for ``model``, or ``None`` when it has no such option."""
    return next((s for s in model_class(model).option_specs if s.name == option), None)


def normalise_options(
    model: str, given: Mapping[str, object], require: bool = True
) -> dict[str, object]:
    """``given`` reduced to the options ``model`` declares, each normalised (choices
    checked, aliases resolved); declared options missing from ``given`` take their
    defaults. Raises ``ValueError`` when a value is bad or (with ``require``) a
    required one is missing; without ``require`` a missing one is left out, so the
    model's own default (which does not change its shapes or counts) serves."""
    values: dict[str, object] = {}
    for spec in model_class(model).option_specs:
        value = given.get(spec.name)
        if value is None:
            if spec.required and require:
                raise ValueError(f"the {model} model needs {spec.missing}")
            value = spec.default
        if value is not None:
            values[spec.name] = spec.normalise(value)
    return values


def build_model(model: str, options: Mapping[str, object] | None = None) -> MixtureModel:
    """The model called ``model`` with ``options`` (only its own are used; see
    :func:`normalise_options`, without ``require``)."""
    return model_class(model)(**normalise_options(model, options or {}, require=False))


def variant_models() -> list[tuple[str, str | None, MixtureModel]]:
    """Every model as it can be built, in menu order: ``(name, variant, model)`` for each
    value of a model's variant option (a Gaussian's covariance types), ``(name, None,
    model)`` for a model without one. What files may hold is what these declare."""
    built = []
    for name in model_names():
        option = _MODELS[name].variant_option
        if option is None:
            built.append((name, None, build_model(name)))
        else:
            built += [(name, v, build_model(name, {option: v})) for v in _MODELS[name].variants()]
    return built
