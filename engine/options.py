"""What decides a fit, and its validation, declared once.

:class:`FitOptions` holds the loop's own options and the model's options
(which the model declares, :attr:`engine.models.base.MixtureModel.option_specs`):
``FitOptions(model="binomial", n_components=2, trials=5)``. The loop's
options are checked against :data:`CONSTRAINTS`, in the manner of
scikit-learn's ``_parameter_constraints``: each entry names what it accepts,
and a bad value gets one message that names the limit.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.accelerate import ACCELERATIONS
from engine.models import registry
from engine.params import Params

E_STEPS = ("soft", "hard")
DTYPES = ("float64", "float32")
INIT_METHODS = ("kmeans++", "random", "hc")

#: Limits that keep a mistyped option from asking for a day's work or all memory.
MAX_COMPONENTS = 1000
MAX_ITER = 1_000_000
MAX_N_INIT = 10_000
MAX_SEED = 2**32 - 1
MAX_THREADS = 256
MAX_CHUNK_ROWS = 2**24


@dataclass(frozen=True)
class Whole:
    """A whole number from ``low`` to ``high`` (``None``: no upper limit); ``unit``
    names what it counts in messages (``" of rows"``)."""

    low: int
    high: int | None = None
    unit: str = ""

    def accepts(self, value: object) -> bool:
        return (
            isinstance(value, numbers.Integral)
            and not isinstance(value, bool)
            and self.low <= value
            and (self.high is None or value <= self.high)
        )

    def problem(self, label: str, value: object) -> str:
        whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if whole and self.high is not None and value > self.high:
            return f"{label} must be at most {self.high:,}, not {value:,}"
        if whole and self.low == 0:
            return f"{label} must not be negative, not {value}"
        return f"{label} must be a whole number{self.unit} of at least {self.low}, not {value!r}"


@dataclass(frozen=True)
class Real:
    """A finite number of at least ``low``, at most ``high`` when given."""

    low: float
    high: float | None = None

    def accepts(self, value: object) -> bool:
        return (
            isinstance(value, numbers.Real)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value >= self.low
            and (self.high is None or value <= self.high)
        )

    def problem(self, label: str, value: object) -> str:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            return f"{label} must be a number, not {value!r}"
        if not math.isfinite(value):
            return f"{label} must be a finite number, not {value!r}"
        if value < self.low:
            return f"{label} must not be negative, not {value!r}" if self.low == 0 else (
                f"{label} must be at least {self.low:g}, not {value!r}"
            )
        return f"{label} must be at most {self.high:g}, not {value!r}"


@dataclass(frozen=True)
class OneOf:
    """One of some words; ``more`` describes any other kind of value also accepted."""

    choices: tuple[str, ...]
    more: str = ""

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and value in self.choices

    def problem(self, label: str, value: object) -> str:
        words = [*self.choices, *([self.more] if self.more else [])]
        listed = ", ".join(words[:-1]) + " or " + words[-1]
        return f"unknown {label} {value!r}; choose {listed}"


@dataclass(frozen=True)
class Absent:
    """``None`` (the engine then chooses)."""

    def accepts(self, value: object) -> bool:
        return value is None


@dataclass(frozen=True)
class Instance:
    kind: type

    def accepts(self, value: object) -> bool:
        return isinstance(value, self.kind)


#: What each of the loop's options accepts; a value must satisfy one entry, and
#: the last entry says what is wrong with one that satisfies none.
CONSTRAINTS: dict[str, tuple[Any, ...]] = {
    "n_components": (Whole(1, MAX_COMPONENTS),),
    "init": (Instance(Params), OneOf(INIT_METHODS, more="starting parameters")),
    "e_step": (OneOf(E_STEPS),),
    "max_iter": (Whole(0, MAX_ITER),),
    "tol": (Real(0.0),),
    "reg_covar": (Real(0.0, 1e6),),
    "n_init": (Whole(1, MAX_N_INIT),),
    "seed": (Absent(), Whole(0, MAX_SEED)),
    "chunk_size": (Absent(), Whole(1, MAX_CHUNK_ROWS, unit=" of rows")),
    "dtype": (OneOf(DTYPES),),
    "n_threads": (Absent(), Whole(1, MAX_THREADS)),
    "accelerate": (OneOf(ACCELERATIONS),),
}

#: What the options are called in messages (a person knows K, not n_components).
_LABELS = {"n_components": "K", "init": "initialisation", "e_step": "E-step"}


def check_option(name: str, value: object) -> None:
    """Raise ``ValueError`` unless ``value`` satisfies :data:`CONSTRAINTS` ``[name]``."""
    constraints = CONSTRAINTS[name]
    if not any(c.accepts(value) for c in constraints):
        raise ValueError(constraints[-1].problem(_LABELS.get(name, name), value))


_FIELDS = (
    "model", "n_components", "init", "fixed", "e_step", "max_iter", "tol", "reg_covar",
    "n_init", "seed", "chunk_size", "dtype", "n_threads", "accelerate",
)


class FitOptions:
    """Everything that decides a fit; with a seed, the same options give the same fit.

    Parameters
    ----------
    model : str
        A registered model (:func:`engine.models.model_names`).
    n_components : int
        K, the number of components.
    init : str or Params
        ``kmeans++``, ``random`` (seeds drawn from the rows), ``hc`` (the first
        start from a deterministic hierarchical agglomeration, as mclust's, any
        further ones from k-means++), or explicit starting parameters, whose
        component order is then kept.
    fixed : iterable of str
        Parameter names held at their initial values.
    e_step : str
        ``soft`` (standard EM) or ``hard`` (classification EM).
    max_iter : int
        Most iterations per start; 0 evaluates the initial parameters.
    tol : float
        Stop when the mean log-likelihood per row changes by less than this.
    reg_covar : float
        Added to covariance diagonals, as a fraction of each column's variance.
    n_init : int
        Number of starts; the one with the highest objective is kept.
    seed : int or None
        Seed of all random choices; ``None`` draws one, which the result records.
    chunk_size : int or None
        Rows per chunk of a pass; ``None`` chooses from K and D.
    dtype : str
        ``float64``, or ``float32`` for large data: the rows and the per-row
        temporaries are held in single precision (twice as fast, half the
        memory) while sums, statistics and parameters stay in double; the
        log-likelihood then agrees with float64 to about 1e-6 relative.
    n_threads : int or None
        Worker threads for the chunks of a pass. ``None`` lets the engine
        choose: one per core when an application has registered a BLAS limiter
        (:func:`engine.parallel.set_blas_limiter`), kept only where it makes
        passes faster; one otherwise. Never changes the result.
    accelerate : str
        ``none`` (plain EM, one pass per iteration) or ``squarem``: EM steps
        extrapolated by SQUAREM (:mod:`engine.accelerate`), with a safeguard so
        the objective recorded never falls; fewer passes to the same optimum
        on slow problems. The soft E-step only (the hard one is never
        accelerated).
    **model_options
        The model's own options by name (``covariance_type`` for a Gaussian,
        ``trials`` for a binomial). An option that another model declares
        but this one does not is ignored, so a form can pass every value it
        holds; a name no model declares is an error.
    """

    __slots__ = (*_FIELDS, "_model_options")

    def __init__(
        self,
        model: str = "gaussian",
        n_components: int = 2,
        *,
        init: str | Params = "kmeans++",
        fixed: Iterable[str] = frozenset(),
        e_step: str = "soft",
        max_iter: int = 500,
        tol: float = 1e-6,
        reg_covar: float = 1e-6,
        n_init: int = 1,
        seed: int | None = None,
        chunk_size: int | None = None,
        dtype: str = "float64",
        n_threads: int | None = None,
        accelerate: str = "none",
        **model_options: object,
    ) -> None:
        unknown = set(model_options) - registry.option_names()
        if unknown:
            raise TypeError(f"FitOptions has no option {', '.join(sorted(unknown))}")
        values = dict(
            model=model, n_components=n_components, init=init, fixed=frozenset(fixed),
            e_step=e_step, max_iter=max_iter, tol=tol, reg_covar=reg_covar, n_init=n_init,
            seed=seed, chunk_size=chunk_size, dtype=dtype, n_threads=n_threads,
            accelerate=accelerate,
        )
        for name, value in values.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_model_options", _model_options(model, model_options))

    def __setattr__(self, name: str, value: object) -> None:
        raise dataclasses.FrozenInstanceError(f"FitOptions are immutable; use replace() to change {name}")

    def __getattr__(self, name: str) -> object:
        # A model's option reads like a field: options.covariance_type. Another
        # model's option reads as its default, so a form can ask whatever the model.
        if name.startswith("_"):
            raise AttributeError(name)
        model_options = object.__getattribute__(self, "_model_options")
        if name in model_options:
            return model_options[name]
        default = _option_defaults().get(name, _MISSING)
        if default is not _MISSING:
            return default
        raise AttributeError(f"FitOptions has no {name!r}")

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in _FIELDS)
        extra = "".join(f", {n}={v!r}" for n, v in self._model_options.items())
        return f"FitOptions({fields}{extra})"

    def _key(self) -> tuple:
        init = self.init if isinstance(self.init, str) else id(self.init)
        return (
            *(getattr(self, n) for n in _FIELDS if n != "init"), init,
            tuple(sorted(self._model_options.items(), key=lambda item: item[0])),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FitOptions):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple:
        return (_rebuild, ({n: getattr(self, n) for n in _FIELDS}, dict(self._model_options)))

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Every option a FitOptions can carry: the loop's, then every model's."""
        return (*_FIELDS, *sorted(registry.option_names()))

    @property
    def model_options(self) -> dict[str, object]:
        """The model's own options by name, each with its value or its default."""
        return dict(self._model_options)

    def replace(self, **changes: object) -> FitOptions:
        """A copy with ``changes`` (loop or model options). Changing the model keeps the
        model options the new model also declares."""
        fields = {n: getattr(self, n) for n in _FIELDS}
        model_changes = {n: changes.pop(n) for n in list(changes) if n not in _FIELDS}
        fields.update(changes)
        return FitOptions(**fields, **{**self._model_options, **model_changes})

    @property
    def explicit_init(self) -> bool:
        return isinstance(self.init, Params)

    @property
    def gaussian_covariance(self) -> str | None:
        """The covariance type when the model has one, else ``None``."""
        return self._model_options.get("covariance_type")


_MISSING = object()


def _option_defaults() -> dict[str, object]:
    """Each model option's default (the first model to declare it decides)."""
    defaults: dict[str, object] = {}
    for model in reversed(registry.model_names()):
        for spec in registry.model_class(model).option_specs:
            defaults[spec.name] = spec.default
    return defaults


def _model_options(model: str, given: Mapping[str, object]) -> dict[str, object]:
    """The options of ``model`` from ``given``: its declared ones, normalised where
    possible. An unknown model keeps nothing; a bad value is kept as given, for
    :func:`validate` to report."""
    try:
        cls = registry.model_class(model)
    except ValueError:
        return {}
    values: dict[str, object] = {}
    for spec in cls.option_specs:
        value = given.get(spec.name, spec.default)
        try:
            value = None if value is None else spec.normalise(value)
        except ValueError:
            pass
        values[spec.name] = value
    return values


def _rebuild(fields: dict, model_options: dict) -> FitOptions:
    return FitOptions(**fields, **model_options)


def validate(options: FitOptions) -> None:
    """Check every option once, before any work: the loop's against
    :data:`CONSTRAINTS` and the model's against its declaration.

    Raises
    ------
    ValueError
        Naming the option, what it accepts and, for limits, the limit.
    """
    model = registry.model_class(options.model)
    registry.normalise_options(options.model, options.model_options)
    for name in CONSTRAINTS:
        check_option(name, getattr(options, name))
    instance = registry.build_model(options.model, options.model_options)
    unknown = options.fixed - set(instance.fixable)
    if unknown:
        raise ValueError(
            f"the {model.name} model cannot hold {', '.join(sorted(unknown))} fixed; it can "
            f"hold {', '.join(instance.fixable)}"
        )


def check_components(options: FitOptions, n_samples: int) -> None:
    """Refuse more components than rows."""
    if options.n_components > n_samples:
        raise ValueError(
            f"K is {options.n_components} but the data has only {n_samples} rows; "
            f"choose K of at most {n_samples}"
        )


def new_seed() -> int:
    """A fresh seed, recorded so the fit can be repeated."""
    return int(np.random.SeedSequence().entropy % 2**31)
