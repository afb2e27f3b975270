"""The catalogue of bundled sample data sets (``emio/resources/samples.json``).

Each entry names a file in ``emio/resources/samples/`` and the model a student
should fit to it first, with explicit starting parameters where a textbook
example needs them. ``emio/resources/make_samples.py`` makes the files.

The files are package data: they are found through :mod:`importlib.resources`,
so they are there in an installed wheel as in the source tree.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import engine
from engine.models import registry
from emio.tables import Table, gap_policy, read_table


def _resources_dir() -> Path:
    """The package's ``resources`` folder as a real directory.

    Sessions record a sample by its file path, so the samples must be files on
    disk; from a zipped install they are extracted once for the process.
    """
    traversable = importlib.resources.files("emio") / "resources"
    if isinstance(traversable, Path):
        return traversable
    stack = contextlib.ExitStack()
    atexit.register(stack.close)
    return stack.enter_context(importlib.resources.as_file(traversable))


RESOURCES_DIR = _resources_dir()
SAMPLES_DIR = RESOURCES_DIR / "samples"
CATALOGUE_PATH = RESOURCES_DIR / "samples.json"

_REQUIRED = ("id", "title", "file", "description", "model", "n_components")
_OPTIONAL = ("init", "fixed", "e_step")


def _option_keys() -> dict[str, str]:
    """The catalogue's keys for the models' options (their keys in files), to their names."""
    return {spec.file_key: spec.name for spec in registry.option_specs().values()}


class CatalogueError(ValueError):
    """The samples catalogue is malformed; the message names the entry and the fix."""


@dataclass(frozen=True, eq=False)
class Sample:
    """One bundled data set and the fit it is meant for.

    Attributes
    ----------
    id, title, description : str
        A stable key, a short name for menus, and a few sentences for a student.
    path : Path
        The data file.
    model : str
        A registered model (:func:`engine.model_names`).
    n_components : int
    model_options : mapping of str to object
        The model's options the entry gives, by option name (the catalogue
        holds them under their keys in files: ``covariance``, ``trials``).
        Each also reads as an attribute (``None`` when not given).
    init : mapping of str to list, or None
        Explicit starting parameters in the engine's terms
        (``weights``, ``means``, ``covariances``, ``probs``, ``rates``).
    fixed : tuple of str
        Parameters held at their starting values.
    e_step : str
        ``soft`` or ``hard``.
    """

    id: str
    title: str
    path: Path
    description: str
    model: str
    n_components: int
    model_options: Mapping[str, Any] = field(default_factory=dict)
    init: Mapping[str, Any] | None = None
    fixed: tuple[str, ...] = field(default=())
    e_step: str = "soft"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in registry.option_specs():
            raise AttributeError(f"a sample has no {name!r}")
        return self.model_options.get(name)

    def init_params(self) -> engine.Params | None:
        """The explicit starting parameters, if the entry gives them."""
        return None if self.init is None else engine.Params(**self.init)

    def fit_options(self, **changes: Any) -> engine.FitOptions:
        """Options for the fit this sample is meant for, with ``changes`` applied."""
        options: dict[str, Any] = {
            "model": self.model,
            "n_components": self.n_components,
            "fixed": frozenset(self.fixed),
            "e_step": self.e_step,
            **self.model_options,
        }
        params = self.init_params()
        if params is not None:
            options["init"] = params
        options.update(changes)
        return engine.FitOptions(**options)

    def read(self) -> Table:
        """The sample's data; a sample with gaps keeps them, for its model to fit."""
        return read_table(self.path, bad_rows=gap_policy(self.model))


def _sample(entry: object, number: int, samples_dir: Path) -> Sample:
    if not isinstance(entry, dict):
        raise CatalogueError(
            f"entry {number} of the samples catalogue is not an object; write it as {{...}}"
        )
    label = f"entry {number} ({entry.get('id', 'no id')!r})"
    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        raise CatalogueError(
            f"{label} of the samples catalogue lacks {', '.join(missing)}; add them"
        )
    option_keys = _option_keys()
    optional = (*option_keys, *_OPTIONAL)
    unknown = sorted(set(entry) - set(_REQUIRED) - set(optional))
    if unknown:
        raise CatalogueError(
            f"{label} of the samples catalogue has unknown keys {', '.join(unknown)}; the "
            f"optional keys are {', '.join(optional)}"
        )
    if entry["model"] not in engine.model_names():
        raise CatalogueError(
            f"{label} names the unknown model {entry['model']!r}; choose one of "
            f"{', '.join(engine.model_names())}"
        )
    return Sample(
        id=str(entry["id"]),
        title=str(entry["title"]),
        path=samples_dir / entry["file"],
        description=str(entry["description"]),
        model=entry["model"],
        n_components=int(entry["n_components"]),
        model_options={name: entry[key] for key, name in option_keys.items() if key in entry},
        init=entry.get("init"),
        fixed=tuple(entry.get("fixed", ())),
        e_step=entry.get("e_step", "soft"),
    )


def load_catalogue(path: Path = CATALOGUE_PATH) -> list[Sample]:
    """The samples listed in ``path``, in menu order; files resolve against ``samples/`` beside it.

    Raises
    ------
    CatalogueError
        If the catalogue is not a JSON list of well-formed entries.
    """
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"{path} is not valid JSON (line {exc.lineno}); fix it") from None
    if not isinstance(entries, list):
        raise CatalogueError(f"{path} must hold a list of samples, [{{...}}, ...]")
    samples_dir = path.parent / "samples"
    samples = [_sample(entry, number, samples_dir) for number, entry in enumerate(entries, 1)]
    ids = [sample.id for sample in samples]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise CatalogueError(f"sample ids must be unique, but {', '.join(repeated)} repeat")
    return samples
