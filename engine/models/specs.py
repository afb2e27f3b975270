"""What a model declares about itself beyond its class attributes: its parameter
arrays (:class:`ParamSpec`), its options (:class:`OptionSpec`) and its part of the
NumPy-only script (:class:`ScriptCode`).

:class:`engine.models.base.MixtureModel` holds these; the file formats, the
command line, the window's forms and tables and the model-selection sweep read
them instead of naming models. All are importable from :mod:`engine.models.base`
too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    """One parameter array of a model.

    Attributes
    ----------
    name : str
        The key in :class:`engine.Params` and in files (``means``, ``rates``).
    title : str
        What a table's column says for one value (``mean``, ``rate``).
    shape : tuple of str
        The array's shape in symbols: ``"K"`` components, ``"D"`` columns,
        for example ``("K", "D", "D")``.
    role : str
        What the values are, for views and tables: ``location`` (a point in
        the data's space), ``spread`` (covariances), ``probability`` or ``rate``.
    per_component : bool
        Whether the first axis is the component (False for a tied covariance,
        shared by all components).
    fixable : bool
        Whether a fit may hold it at its starting value.
    column : str
        The word a table's headers give its values (``mean`` of ``mean(x)``,
        ``p``, ``var``); the title when not given.
    off_diagonal : str
        For a square array (``("K", "D", "D")`` or ``("D", "D")``), the word
        for the values off the diagonal (``cov``: ``cov(x,y)``); the column
        word when not given.
    same_for_all : bool
        Whether every component holds the same value though the array keeps
        one per component (k-means' one variance): tables mark it shared.
    """

    name: str
    title: str
    shape: tuple[str, ...]
    role: str
    per_component: bool = True
    fixable: bool = True
    column: str = ""
    off_diagonal: str = ""
    same_for_all: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "column", self.column or self.title)
        object.__setattr__(self, "off_diagonal", self.off_diagonal or self.column)

    @property
    def shared(self) -> bool:
        """Whether one value (or matrix) belongs to every component: tables say ``(shared)``."""
        return not self.per_component or self.same_for_all

    def shape_for(self, n_components: int, n_features: int) -> tuple[int, ...]:
        sizes = {"K": n_components, "D": n_features}
        return tuple(sizes[symbol] for symbol in self.shape)

    def size(self, n_components: int, n_features: int) -> int:
        return math.prod(self.shape_for(n_components, n_features))


#: The mixing weights, which every model has.
WEIGHTS = ParamSpec("weights", "weight", ("K",), "weight")


@dataclass(frozen=True)
class OptionSpec:
    """An option of a model (beside the loop's own options in :class:`engine.FitOptions`).

    Attributes
    ----------
    name : str
        The keyword in :class:`engine.FitOptions` (``covariance_type``, ``trials``).
    title : str
        A label for a settings form.
    default : object
        The value when none is given; ``None`` with ``required`` means the
        user must give one.
    help : str
        One or two sentences for a tooltip or ``--help``.
    choices : tuple of str
        For options that take one of some words; empty otherwise.
    aliases : mapping of str to str
        Other accepted words for a choice.
    parse : callable, optional
        Turns a given value into the stored one, raising ``ValueError`` with
        a message that says what to give instead.
    required : bool
    missing : str
        For a required option, what the model needs, as a phrase that ends
        "the ... model needs ___" (``the number of trials (for example --trials 5)``).
    cli_flag : str
        The command line's flag.
    cli_help : str
        The flag's line in ``--help``; :attr:`help` when not given.
    from_text : callable, optional
        Turns the text of a flag or a form field into a value, raising
        ``ValueError`` that says what to type; without it, text is the value.
    choices_from : callable, optional
        For an option whose words plug-ins add (the Gaussian's covariance
        structures), the words at the time of asking; see :meth:`current_choices`.
    file_key : str
        The key of the value in documents (PARAMS.json, a trace, the samples
        catalogue): ``covariance``; the name when not given.
    per_column : bool
        Whether the value is one number per data column (the binomial's trials):
        documents hold the list of all D, after the parameter arrays.
    accepts : str
        What a good value is, for a message about a file that holds a bad one
        (completes "... must be ___": ``whole numbers of at least 1``).
    describe : callable, optional
        The words a fit's summary adds after the model's title for a value
        (``5 trials``); nothing when not given.
    shown : callable, optional
        For a choice, the word ``--help`` shows for it when that is another
        accepted word (mclust's ``VVV`` for the Gaussian's ``full``).
    """

    name: str
    title: str
    default: object
    help: str
    choices: tuple[str, ...] = ()
    aliases: Mapping[str, str] | None = None
    parse: Callable[[object], object] | None = None
    required: bool = False
    missing: str = ""
    cli_flag: str = ""
    cli_help: str = ""
    from_text: Callable[[str], object] | None = None
    choices_from: Callable[[], tuple[str, ...]] | None = None
    file_key: str = ""
    per_column: bool = False
    accepts: str = ""
    describe: Callable[[object], str] | None = None
    shown: Callable[[object], str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "file_key", self.file_key or self.name)
        object.__setattr__(self, "cli_help", self.cli_help or self.help)

    def current_choices(self) -> tuple[str, ...]:
        """The words the option takes now (empty for an option that takes values)."""
        return self.choices_from() if self.choices_from is not None else self.choices

    def written(self, value: object) -> object:
        """The word documents hold for ``value``: the shown one where the option has one
        (mclust's ``VVV`` for the Gaussian's ``full``), else ``value`` itself."""
        if self.shown is None or value is None:
            return value
        return self.shown(value)

    def choice_of(self, word: object) -> object | None:
        """The choice a document's ``word`` stands for: one of :meth:`current_choices`,
        reached from the choice itself or any word the option accepts for it (``VVV``
        or ``full``); ``None`` for anything else, including what is not text."""
        if not isinstance(word, str):
            return None
        try:
            chosen = self.normalise(word)
        except ValueError:
            return None
        return chosen if chosen in self.current_choices() else None

    def normalise(self, value: object) -> object:
        """The stored form of ``value``; raises ``ValueError`` naming the choices."""
        if self.choices:
            text = str(value)
            text = (self.aliases or {}).get(text, text)
            if text not in self.choices:
                raise ValueError(
                    f"unknown {self.title.lower()} {value!r}; choose one of {', '.join(self.choices)}"
                )
            return text
        return value if self.parse is None else self.parse(value)


@dataclass(frozen=True)
class ScriptCode:
    """What a model gives the script that applies its parameters to new rows with
    NumPy alone (:mod:`emio.snippet`): source text, which the engine never runs.

    Attributes
    ----------
    source : str
        Python source defining ``log_prob(X, doc, p)``: the log-density of each
        row under each component, shape (n_samples, n_components), from the
        PARAMS.json document ``doc`` and its arrays ``p`` (float64, by their
        names in the file); with any helper it needs. ``np`` and ``sys`` are
        imported; a row the model cannot take ends the script with
        ``sys.exit("error: ...")``.
    imports : tuple of str
        Other standard-library modules the source uses (``math``).
    title : str
        What the script's docstring calls the model; the model's
        :attr:`~engine.models.base.MixtureModel.report_title` when not given.
    sklearn : str
        Source defining ``to_sklearn(doc, p)``, an equivalent fitted
        scikit-learn estimator built from the document (no pickle), when
        scikit-learn has one; the script then offers ``--sklearn``.
    sklearn_estimator : str
        That estimator's class name, for the script's help.
    """

    source: str
    imports: tuple[str, ...] = ()
    title: str = ""
    sklearn: str = ""
    sklearn_estimator: str = ""
