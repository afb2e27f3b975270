"""The lines of a model-selection sweep: which models (and which covariance
structure of the Gaussian) it fits, the presets that name several at once, the
range of K, and how many free parameters each cell has.

:mod:`engine.selection` fits the cells; this module only names and counts them.

Free parameters
---------------
``p`` counts free parameters only, for K components on D columns. A parameter
held fixed (``FitOptions.fixed``) is not estimated, so it does not count.

==========================  =========  =========  =================  ===================
model                       weights    means      covariances        per-column values
==========================  =========  =========  =================  ===================
gaussian, ``full``          K - 1      K D        K D (D + 1) / 2
gaussian, ``tied``          K - 1      K D        D (D + 1) / 2
gaussian, ``diag``          K - 1      K D        K D
gaussian, ``spherical``     K - 1      K D        K
gaussian, mclust's others   K - 1      K D        as mclust counts
kmeans                      0 (equal)  K D        1 (one variance)
bernoulli, binomial         K - 1                                    K D probabilities
poisson                     K - 1                                    K D rates
==========================  =========  =========  =================  ===================

For example the full Gaussian on Old Faithful (D = 2) with K = 3 has
2 + 6 + 9 = 17 parameters, and on iris (D = 4) 2 + 12 + 30 = 44. mclust's
VVV, EEE, VVI and VII are our full, tied, diag and spherical, with the same
counts; its ten other structures carry its names (EII, ..., EVV) and counts
(each structure's file in :mod:`engine.models.covariance`). The binomial's
numbers of trials are given, not estimated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.data import as_source, summarise
from engine.models import covariance, registry
from engine.options import MAX_COMPONENTS


@dataclass(frozen=True)
class ModelSpec:
    """A model, and the value of its variant option if it has one (a Gaussian's
    covariance type): one line of a sweep. Its label is what tables show."""

    model: str
    variant: str | None = None

    def __post_init__(self) -> None:
        option = registry.model_class(self.model).variant_option
        if option is not None:
            value = self.variant if self.variant is not None else registry.option_spec(
                self.model, option
            ).default
            object.__setattr__(self, "variant", registry.option_spec(self.model, option).normalise(value))
        else:
            # The first engine gave every spec a covariance type; a model without variants ignores it.
            object.__setattr__(self, "variant", None)

    @property
    def label(self) -> str:
        return self.variant if self.variant is not None else self.model

    @property
    def mclust(self) -> str | None:
        """mclust's three letters for a Gaussian covariance structure (``VVV`` for
        ``full``), else ``None``."""
        if self.model != "gaussian" or self.variant is None:
            return None
        return covariance.get(self.variant).mclust or None

    @property
    def title(self) -> str:
        """What a chart's legend and a table call the line: mclust's name where it has
        one (``VVV``, of which ``full`` is an alias), else its label."""
        return self.mclust or self.label

    @property
    def covariance_type(self) -> str | None:
        """The variant when it is a covariance type (for callers of the first engine)."""
        return self.model_options().get("covariance_type")

    def model_options(self) -> dict[str, object]:
        """The model option this spec sets."""
        option = registry.model_class(self.model).variant_option
        return {} if option is None else {option: self.variant}

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """A variant's name (``full``, ``diag``, or an alias) or the name of a model
        without variants."""
        text = text.strip()
        for spec in all_specs():
            if text == spec.label:
                return spec
        for model in registry.model_names():
            option = registry.model_class(model).variant_option
            if option is not None:
                try:
                    return cls(model, registry.option_spec(model, option).normalise(text))
                except ValueError:
                    continue
        choices = ", ".join(spec.title for spec in all_specs())
        raise ValueError(f"unknown model {text!r} in the sweep; choose from {choices}")


def all_specs() -> tuple[ModelSpec, ...]:
    """Every line a sweep can have: each variant of a model with variants, each other model."""
    specs: list[ModelSpec] = []
    for model in registry.model_names():
        cls = registry.model_class(model)
        option = cls.variant_option
        if option is None:
            specs.append(ModelSpec(model))
        else:
            specs.extend(ModelSpec(model, value) for value in cls.variants())
    return tuple(specs)


def spec_names() -> tuple[str, ...]:
    """Every name :meth:`ModelSpec.parse` lists, in the order menus list them."""
    return tuple(spec.label for spec in all_specs())


def default_specs() -> tuple[ModelSpec, ...]:
    """The lines a sweep has unless told otherwise: the default variants of the models
    in the default sweep (the Gaussian's full, tied, diag and spherical covariances)."""
    specs = []
    for spec in all_specs():
        cls = registry.model_class(spec.model)
        if cls.in_default_sweep and (spec.variant is None or spec.variant in cls.default_variants()):
            specs.append(spec)
    return tuple(specs)


def mclust_specs() -> tuple[ModelSpec, ...]:
    """The Gaussian's fourteen covariance structures, mclust's models, in menu order."""
    cls = registry.model_class("gaussian")
    return tuple(ModelSpec("gaussian", value) for value in cls.variants())


#: What each letter of mclust's names says: the volume, shape and orientation of the
#: components' ellipsoids, each Equal across components, Variable (each its own) or,
#: for shape and orientation, the Identity (round; along the columns' axes).
MCLUST_LETTERS: tuple[tuple[str, dict[str, str]], ...] = (
    ("volume", {"E": "equal for all components", "V": "each component its own"}),
    ("shape", {"I": "round (identity)", "E": "equal for all components",
               "V": "each component its own"}),
    ("orientation", {"I": "along the columns' axes (identity)",
                     "E": "equal for all components", "V": "each component its own"}),
)


def mclust_meaning(name: str) -> str:
    """What mclust's three letters say, one letter at a time: ``VEI`` is "volume V: each
    component its own; shape E: equal for all components; orientation I: along the
    columns' axes (identity)". A round shape has no orientation to speak of."""
    parts = []
    for (part, meanings), letter in zip(MCLUST_LETTERS, name, strict=True):
        if part == "orientation" and name[1] == "I":
            meanings = {"I": "none (a round shape has none)"}
        parts.append(f"{part} {letter}: {meanings[letter]}")
    return "; ".join(parts)


#: Names that stand for several lines of a sweep at once: what each says, and its lines.
PRESETS = {
    "all": ("mclust's fourteen covariance structures", mclust_specs),
    "mclust": ("the same fourteen", mclust_specs),
    "default": ("the default sweep's lines", default_specs),
}


def parse_specs(names: Iterable[str]) -> list[ModelSpec]:
    """Sweep lines from names: a preset of :data:`PRESETS` (``all``, ``mclust``,
    ``default``), a covariance structure by its name or mclust's (``full``, ``VVV``,
    ``EVE``) or a model without variants (``kmeans``); each line once, in the order
    first named. ``ValueError`` names an unknown one and what is accepted."""
    specs: list[ModelSpec] = []
    for name in names:
        preset = PRESETS.get(name.strip().lower())
        try:
            found = list(preset[1]()) if preset else [ModelSpec.parse(name)]
        except ValueError as exc:
            raise ValueError(f"{exc}, or a preset: {', '.join(PRESETS)}") from None
        specs.extend(spec for spec in found if spec not in specs)
    return specs


#: The first engine's constants (the registry decides at the time of asking).
SPEC_NAMES = spec_names()
DEFAULT_SPECS = default_specs()
ALL_SPECS = all_specs()


#: Most values of K one sweep takes.
MAX_SWEEP_KS = 100


def parse_k_range(text: str) -> list[int]:
    """``"1-9"``, ``"2,4,6"`` or ``"3"`` as a sorted list of K: whole numbers from 1 to
    :data:`engine.options.MAX_COMPONENTS`, at most :data:`MAX_SWEEP_KS` of them."""
    bounds: list[tuple[int, int]] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                low, high = (int(v) for v in part.split("-", 1))
                bounds.append((low, high))
            elif part:
                bounds.append((int(part), int(part)))
    except ValueError:
        raise ValueError(f"K range {text!r} must look like 1-9 or 2,3,5") from None
    if not bounds or min(low for low, _ in bounds) < 1:
        raise ValueError(f"K range {text!r} must contain whole numbers of at least 1")
    largest = max(high for _, high in bounds)
    if largest > MAX_COMPONENTS:
        raise ValueError(
            f"K range {text!r} goes up to K = {largest:,}; K can be at most {MAX_COMPONENTS:,}"
        )
    ks = sorted({k for low, high in bounds for k in range(low, high + 1)})
    if not ks:
        raise ValueError(f"K range {text!r} is empty; write the smaller K first, as in 1-9")
    if len(ks) > MAX_SWEEP_KS:
        raise ValueError(
            f"K range {text!r} holds {len(ks):,} values of K; a sweep takes at most "
            f"{MAX_SWEEP_KS}, so choose a narrower range or a list such as 2,4,8,16"
        )
    return ks


def free_parameters(
    spec: ModelSpec,
    n_components: int,
    n_features: int,
    fixed: Iterable[str] = (),
) -> int:
    """The number of free parameters of ``spec`` with K components on D columns.

    The same count a fit reports as ``FitResult.n_parameters``; see the table
    in this module's docstring. Names in ``fixed`` are held, so not counted.
    """
    # The data only scales the regularisation, which does not change the count.
    model = registry.build_model(spec.model, spec.model_options())
    return model.n_free_parameters(n_components, n_features, frozenset(fixed))


def compatible_specs(
    X: object,
    specs: Sequence[ModelSpec] | None = None,
    trials: object = None,
    feature_names: Sequence[str] | None = None,
    **model_options: object,
) -> dict[ModelSpec, str | None]:
    """For each spec, ``None`` when it can be fitted to ``X``, else the reason it cannot.

    ``model_options`` are options the specs do not set themselves, such as the
    binomial's ``trials`` (without them the binomial is not offered; ``trials``
    keeps its place among the arguments for callers of the first engine).
    """
    if trials is not None:
        model_options["trials"] = trials
    source = as_source(X, feature_names)
    reasons: dict[ModelSpec, str | None] = {}
    for spec in all_specs() if specs is None else specs:
        try:
            options = {**model_options, **spec.model_options()}
            registry.normalise_options(spec.model, options)
            model = registry.build_model(spec.model, options)
            summary = summarise(source, model.check_chunk, model.handles_missing)
            model.check_summary(summary, source.feature_names)
        except ValueError as exc:
            reasons[spec] = str(exc)
        else:
            reasons[spec] = None
    return reasons
