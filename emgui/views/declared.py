"""What the models declare, read for the window: titles, options, held parameters, views.

Every model says what it is in its class (:class:`engine.models.MixtureModel`):
its title and summary, its options, its parameter arrays with their shapes and
roles, which of them may be held, its data kind, the views that suit it and the
E-step to start with. The settings panel, the parameters table, the views and
the dialogs ask this module instead of naming models, so a model added to the
engine appears in the window with no change here. (The numbers a model computes
are :mod:`emgui.views.engine_bridge`'s business.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import engine
from engine.models import (
    MixtureModel,
    OptionSpec,
    ParamSpec,
    build_model,
    model_class,
    model_names,
    registry,
)
from engine.selection import ModelSpec, mclust_meaning

#: mclust's order of its fourteen names: volume varies fastest, then shape, then orientation.
MCLUST_ORDER = ("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV",
                "VEV", "EVV", "VVV")

#: What mclust's three letters say, for tooltips and help.
MCLUST_LETTERS = (
    "mclust's names give the components' volume, shape and orientation, in that order: "
    "E equal for all components, V each component its own, I the identity (round shape; "
    "axes along the columns)."
)

#: The views the window has, and how many columns of data each needs at least.
VIEW_COLUMNS = {"scatter": 2, "histogram": 1, "discrete": 1}


def models() -> tuple[str, ...]:
    """Every registered model, in menu order."""
    return model_names()


def title(model: str) -> str:
    """What menus call ``model``."""
    return model_class(model).title


def summary(model: str) -> str:
    """What ``model`` assumes, for a tooltip."""
    return model_class(model).summary


def option_specs(model: str) -> tuple[OptionSpec, ...]:
    """The options ``model`` declares, beside the loop's own."""
    return model_class(model).option_specs


def every_option() -> dict[str, OptionSpec]:
    """Every option any model declares, by name, in menu order."""
    return registry.option_specs()


def default_e_step(model: str) -> str:
    """The E-step a person should start ``model`` with (k-means: hard)."""
    return model_class(model).default_e_step


def data_kind(model: str) -> str:
    """``measurements``, ``counts`` or ``binary``."""
    return model_class(model).data_kind


def missing_options(options: engine.FitOptions) -> list[OptionSpec]:
    """The options the model of ``options`` needs and that have no value yet."""
    values = options.model_options
    return [s for s in option_specs(options.model) if s.required and values.get(s.name) is None]


def instance(options: engine.FitOptions) -> MixtureModel:
    """The model ``options`` describe (its options as far as they are given)."""
    given = {name: value for name, value in options.model_options.items() if value is not None}
    return build_model(options.model, given)


def param_specs(options: engine.FitOptions) -> tuple[ParamSpec, ...]:
    """Every array of the model's parameters, the weights first."""
    return instance(options).array_specs


def key_spec(options: engine.FitOptions) -> ParamSpec:
    """The array that tells components apart (means, probabilities, rates)."""
    model = instance(options)
    return next(spec for spec in model.param_specs if spec.name == model.key_param)


def location_spec(options: engine.FitOptions) -> ParamSpec | None:
    """The array of component locations, a point per component in the data's space
    (shape K by D, role ``location``), or ``None`` for a model without one."""
    return next(
        (s for s in instance(options).param_specs if s.role == "location" and s.shape == ("K", "D")),
        None,
    )


def spread_spec(options: engine.FitOptions) -> ParamSpec | None:
    """The array of the components' spreads (covariances; role ``spread``), or ``None``."""
    return next((s for s in instance(options).param_specs if s.role == "spread"), None)


def is_round(options: engine.FitOptions) -> bool:
    """Whether every component's spread is one number, the same in every direction: its
    contours are circles, which only look round on axes of equal scale."""
    spread = spread_spec(options)
    return spread is not None and "D" not in spread.shape


def fixable(options: engine.FitOptions) -> tuple[ParamSpec, ...]:
    """The arrays a fit of ``options`` may hold at their starting values, in file order."""
    model = instance(options)
    held = set(model.fixable)
    return tuple(spec for spec in model.array_specs if spec.name in held)


def plural(spec: ParamSpec) -> str:
    """The words for the values of ``spec``: ``weights``, ``means``, ``probabilities``."""
    word = spec.title
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy", "uy")):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es"
    return word + "s"


def places_starts(model: str) -> bool:
    """Whether ``model`` can start from points placed by hand (it has locations)."""
    cls = model_class(model)
    return cls.start_from_locations is not MixtureModel.start_from_locations


def views(model: str) -> tuple[str, ...]:
    """The views that can draw ``model``, best first."""
    return model_class(model).views


def view_for(model: str | None, n_features: int) -> str:
    """The view to show data of ``n_features`` columns in, for ``model``: the first view it
    declares that the columns suit; a neutral view (points or a histogram) when none does,
    or when no model applies (``None``: data the model cannot fit)."""
    declared = views(model) if model is not None else ()
    for view in declared:
        if n_features >= VIEW_COLUMNS.get(view, 1) and not (view == "histogram" and n_features > 1):
            return view
    return "scatter" if n_features >= 2 else "histogram"


def describe_option(spec: OptionSpec, value: object) -> str:
    """Words for an option's value: its declared description, else ``title value``."""
    if value is None:
        return ""
    if spec.describe is not None:
        return spec.describe(value)
    return f"{spec.title.lower()} {value}"


def choice_text(spec: OptionSpec, value: object) -> str:
    """What menus call a choice of ``spec``: the name documents hold, with the familiar
    word where that is another (mclust's ``VVV (full)``; ``EEV``; ``prior``)."""
    shown = spec.written(value)
    return str(value) if shown == value else f"{shown} ({value})"


def choice_tip(spec: OptionSpec, value: object) -> str:
    """A choice's tooltip: what it means, and for mclust's names what each letter says."""
    words = describe_option(spec, value)
    if words == f"{spec.title.lower()} {value}":
        words = ""
    shown = str(spec.written(value))
    if spec.shown is not None and re.fullmatch(r"[EVI]{3}", shown):
        words = "\n".join(w for w in (words, f"{shown}: {mclust_meaning(shown)}.") if w)
    return words


def describe_model(options: engine.FitOptions) -> str:
    """``Gaussian, VVV covariance (full: ellipsoidal, each its own)``: the model and its
    options."""
    values = options.model_options
    words = [describe_option(spec, values.get(spec.name)) for spec in option_specs(options.model)]
    return ", ".join([title(options.model), *(w for w in words if w)])


# --- lines of a model-selection sweep ---------------------------------------------------------


def spec_title(spec: ModelSpec) -> str:
    """What a sweep's line is called: the variant by mclust's name with the familiar word
    (``VVV (full)``), else the model's title."""
    if spec.variant is None:
        return title(spec.model)
    option = model_class(spec.model).variant_option
    declared = {s.name: s for s in option_specs(spec.model)}[option]
    return choice_text(declared, spec.variant)


def spec_tip(spec: ModelSpec) -> str:
    """A tooltip for a sweep's line: its variant's description, else the model's summary."""
    if spec.variant is None:
        return summary(spec.model)
    option = model_class(spec.model).variant_option
    declared = {s.name: s for s in option_specs(spec.model)}[option]
    return f"{title(spec.model)}: {describe_option(declared, spec.variant)}"


def in_default_sweep(model: str) -> bool:
    """Whether a model-selection sweep includes ``model`` unless told otherwise."""
    return model_class(model).in_default_sweep


def has_variants(model: str) -> bool:
    """Whether ``model`` has variants, each a line of a sweep (a Gaussian's covariance types)."""
    return model_class(model).variant_option is not None


def option_values_for(model: str, values: Mapping[str, object]) -> dict[str, object]:
    """The values among ``values`` that ``model`` declares options for."""
    return {s.name: values.get(s.name) for s in option_specs(model)}
