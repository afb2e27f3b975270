"""What the Help pages say, made from the things they describe so they cannot drift apart.

The keyboard shortcuts are read from the window's actions, the models'
assumptions from their declarations (:mod:`engine.models`), the user guide from
the README (the checkout's, or the copy every install carries in its package
metadata), the versions from the modules loaded. Only the getting-started page
is written for the Help menu (``getting_started.md``, shipped in the package).
"""

from __future__ import annotations

import html
import importlib.metadata
import platform
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from emgui.views.declared import MCLUST_LETTERS, MCLUST_ORDER
from engine.models import registry

DISTRIBUTION = "em-studio"
GETTING_STARTED = Path(__file__).with_name("getting_started.md")
#: The README of a checkout, when EM Studio runs from one.
CHECKOUT_README = Path(__file__).resolve().parents[3] / "README.md"


def getting_started_text() -> str:
    """The getting-started page, as Markdown."""
    return GETTING_STARTED.read_text(encoding="utf-8")


# --- the keyboard shortcuts -----------------------------------------------------------------


@dataclass(frozen=True)
class Shortcut:
    """One action's keys, and where the action lives."""

    place: str
    action: str
    keys: str


def plain_text(text: str) -> str:
    """Menu text without its mnemonic and ellipsis: ``&Open…`` -> ``Open``."""
    return re.sub(r"&(?!&)", "", text).replace("&&", "&").rstrip("…").rstrip(".").strip()


def shortcuts(actions: Iterable[QAction], menu_order: Sequence[str] = ()) -> list[Shortcut]:
    """The keys of every action that has some, by the menu that holds it (menus named in
    ``menu_order`` first, in that order) and in the menu's order; an action in no menu is
    said to work in its panel, after the rest."""
    found = []
    for action in actions:
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if not keys:
            continue
        menus = [o for o in action.associatedObjects() if isinstance(o, QMenu)]
        place = plain_text(menus[0].title()) if menus else "in its panel"
        position = menus[0].actions().index(action) if menus else 0
        text = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        found.append((position, Shortcut(place, plain_text(action.text()), text)))
    ranks = {title: rank for rank, title in enumerate(menu_order)}
    found.sort(key=lambda item: (item[1].place == "in its panel",
                                 ranks.get(item[1].place, len(ranks)), item[1].place, item[0],
                                 item[1].action))
    unique: dict[tuple[str, str, str], Shortcut] = {}
    for _, shortcut in found:
        unique.setdefault((shortcut.place, shortcut.action, shortcut.keys), shortcut)
    return list(unique.values())


def shortcuts_html(rows: list[Shortcut]) -> str:
    """The shortcuts as an HTML table, grouped by menu."""
    if not rows:
        return "<p>No action has a keyboard shortcut.</p>"
    parts = ["<h2>Keyboard shortcuts</h2>",
             "<p>Read from the window's own actions, so this list is always current.</p>",
             "<table cellspacing='0' cellpadding='4'>"]
    place = None
    for row in rows:
        if row.place != place:
            place = row.place
            title = "Elsewhere (works in its panel)" if place == "in its panel" else f"{place} menu"
            parts.append(f"<tr><td colspan='2'><b>{html.escape(title)}</b></td></tr>")
        parts.append(f"<tr><td style='padding-right:24px'>{html.escape(row.action)}</td>"
                     f"<td><code>{html.escape(row.keys)}</code></td></tr>")
    parts.append("</table>")
    return "\n".join(parts)


# --- the models -------------------------------------------------------------------------------

_DATA_KINDS = {
    "measurements": "measurements (any real numbers)",
    "binary": "0/1 values",
    "counts": "whole-number counts",
}


def _mclust_rank(spec, choice: str) -> int:
    """Where mclust's table lists a choice (volume varies fastest, then shape, then
    orientation); choices without a mclust name keep their place after them."""
    written = str(spec.written(choice))
    return MCLUST_ORDER.index(written) if written in MCLUST_ORDER else len(MCLUST_ORDER)


def models_html() -> str:
    """Every registered model: what it assumes, the data it takes, its options; the Gaussian's
    covariance structures with the words its declaration gives each."""
    parts = ["<h2>Models and what they assume</h2>",
             "<p>Each model's own declaration, as the engine registers it.</p>"]
    for name in registry.model_names():
        cls = registry.model_class(name)
        parts.append(f"<h3>{html.escape(cls.title)} <small>(<code>{name}</code>)</small></h3>")
        parts.append(f"<p>{html.escape(cls.summary)}</p>")
        facts = [
            f"Data: {html.escape(_DATA_KINDS.get(cls.data_kind, cls.data_kind))}.",
            f"Default E-step: {'soft (responsibilities)' if cls.default_e_step == 'soft' else 'hard (each row to one component)'}.",
            "Rows with missing values: fitted as they are, EM fills the gaps."
            if cls.handles_missing else "Rows with missing values: must be dropped first.",
        ]
        parts.append("<ul>" + "".join(f"<li>{fact}</li>" for fact in facts) + "</ul>")
        for spec in cls.option_specs:
            parts.append(f"<p><b>{html.escape(spec.title)}</b>: {html.escape(spec.help)}</p>")
            choices = spec.current_choices()
            if choices and spec.describe is not None:
                # Each description starts with the name (``EII covariance (round, ...)``).
                items = "".join(
                    f"<li>{html.escape(spec.describe(choice))}</li>"
                    for choice in sorted(choices, key=lambda c: _mclust_rank(spec, c))
                )
                parts.append(f"<ul>{items}</ul>")
                if any(str(spec.written(c)) in MCLUST_ORDER for c in choices):
                    parts.append(f"<p>{html.escape(MCLUST_LETTERS)}</p>")
    return "\n".join(parts)


# --- the user guide (the README) ------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A ``##`` section of the README."""

    title: str
    text: str

    @property
    def anchor(self) -> str:
        """The section's link name as GitHub makes it: ``Set up and run`` -> ``set-up-and-run``."""
        slug = re.sub(r"[^\w\- ]", "", self.title.lower())
        return slug.replace(" ", "-")


def readme_text() -> str:
    """The README: the checkout's when running from one, else the copy in the installed
    package's metadata; empty when neither is found."""
    if CHECKOUT_README.is_file():
        return CHECKOUT_README.read_text(encoding="utf-8")
    try:
        metadata = importlib.metadata.metadata(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return ""
    return metadata.get_payload() or metadata.get("Description", "") or ""


def readme_sections(text: str) -> list[Section]:
    """The README cut at its ``##`` headings; the text before the first is the
    introduction. Pictures are left out (their files are not installed)."""
    text = re.sub(r"^!\[[^\]]*\]\([^)]*\)\s*$", "", text, flags=re.MULTILINE)
    sections = []
    title, lines = "Introduction", []
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("## "):
            sections.append(Section(title, "\n".join(lines).strip()))
            title, lines = line[3:].strip(), []
            continue
        if not in_code and line.startswith("# ") and not sections and not lines:
            continue  # the document's title
        lines.append(line)
    sections.append(Section(title, "\n".join(lines).strip()))
    return [s for s in sections if s.text]


# --- about ----------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    """The versions of EM Studio and of what it runs on."""
    try:
        studio = importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        studio = "not installed (running from the source tree)"
    return {
        "EM Studio": studio,
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "NumPy": np.__version__,
        "pyqtgraph": pyqtgraph.__version__,
    }


def about_html(found: dict[str, str]) -> str:
    rows = "".join(
        f"<tr><td style='padding-right:16px'>{html.escape(name)}</td>"
        f"<td><b>{html.escape(version)}</b></td></tr>"
        for name, version in found.items()
    )
    return (
        "<h2>EM Studio</h2>"
        "<p>Fits mixture models with the EM algorithm and shows every iteration.</p>"
        f"<table>{rows}</table>"
        "<p>BSD-3-Clause licence.</p>"
    )
