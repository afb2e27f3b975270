"""emio stands on the engine's public names and never on Qt.

The engine is rewritten behind its public names (``engine.FitOptions``,
``engine.fit``, ``engine.selection``, ...); emio reaching into its modules
would break with it. Qt stays out so the command line runs without a display.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

EMIO = Path(__file__).resolve().parents[2] / "emio"
# engine.models is the models' declarations and their registry, which the file
# formats read instead of naming models.
PUBLIC_ENGINE = {"engine", "engine.selection", "engine.models", "engine.data", "engine.standardize"}
# Reaches into the engine's modules that emio still makes, each for a fact
# the engine does not export yet; a new one needs a reason as good.
KNOWN_REACHES: dict[str, set[str]] = {}
GUI_MODULES = {"PySide6", "PySide2", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6", "qtpy", "emgui"}


def emio_sources() -> list[Path]:
    return sorted(EMIO.rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", emio_sources(), ids=lambda p: str(p.relative_to(EMIO)))
def test_emio_uses_the_engine_by_its_public_names(path: Path) -> None:
    engine_modules = {name for name in imported(path) if name.split(".")[0] == "engine"}
    allowed = PUBLIC_ENGINE | KNOWN_REACHES.get(str(path.relative_to(EMIO)), set())
    assert engine_modules <= allowed, f"emio/{path.relative_to(EMIO)} imports {engine_modules}"


@pytest.mark.parametrize("path", emio_sources(), ids=lambda p: str(p.relative_to(EMIO)))
def test_emio_never_imports_qt(path: Path) -> None:
    assert not {name.split(".")[0] for name in imported(path)} & GUI_MODULES


def test_the_known_reaches_are_still_made() -> None:
    # A reach that is gone should leave the list too.
    for name, modules in KNOWN_REACHES.items():
        assert modules <= imported(EMIO / name), name
