"""The shape of emgui, checked statically: features never reach the window, no import circles,
and the engine's internals are reached from one module only."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

EMGUI = Path(__file__).resolve().parents[2] / "emgui"
WINDOW_MODULE = "emgui.shell.main_window"
#: The one module allowed past the engine's public API (see its docstring).
ENGINE_BRIDGE = "emgui.views.engine_bridge"
#: The engine's public modules; anything else of it is its own business.
ENGINE_PUBLIC = ("engine", "engine.selection", "engine.restarts", "engine.halfsteps",
                 "engine.params", "engine.models", "engine.data", "engine.agreement",
                 "engine.projection", "engine.standardize")


def module_name(path: Path) -> str:
    parts = path.relative_to(EMGUI.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(EMGUI.rglob("*.py"))}
FEATURES = sorted(name for name in MODULES if name.startswith("emgui.features."))


def imported(name: str) -> set[str]:
    """Every module ``name`` imports, at any depth of its code (``TYPE_CHECKING`` included)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return found


def emgui_imports(name: str) -> set[str]:
    return {other for other in imported(name) if other in MODULES and other != name}


def reachable(name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        for other in emgui_imports(todo.pop()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def test_the_tree_is_read():
    assert WINDOW_MODULE in MODULES and ENGINE_BRIDGE in MODULES
    assert len(FEATURES) > 10
    # The checks below would pass on an empty graph: make sure imports are seen.
    assert "emgui.shell.host" in emgui_imports("emgui.features.export.actions")
    assert WINDOW_MODULE in reachable("emgui.app")


@pytest.mark.parametrize("name", FEATURES)
def test_a_feature_module_imports_and_never_reaches_the_window(name):
    importlib.import_module(name)
    assert WINDOW_MODULE not in imported(name), f"{name} imports the window module"
    assert WINDOW_MODULE not in reachable(name), f"{name} reaches the window module"


def test_no_module_of_emgui_imports_itself_in_a_circle():
    circles = sorted(name for name in MODULES if name in reachable(name))
    assert circles == []


def test_the_window_uses_only_the_engines_public_modules():
    engine_imports = {
        (name, other) for name in MODULES for other in imported(name)
        if other == "engine" or other.startswith("engine.")
    }
    assert engine_imports, "engine imports must be seen"
    import engine

    # 'from engine import X' appears as engine.X: a name the package itself exports.
    exported = {f"engine.{name}" for name in engine.__all__}
    outside = sorted(
        (name, other) for name, other in engine_imports
        if other not in exported
        and not any(other == public or other.startswith(public + ".") for public in ENGINE_PUBLIC
                    if public != "engine")
        and other != "engine"
    )
    assert outside == []
