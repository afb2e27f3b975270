"""The layers of the project, checked statically: engine < emio < emgui, the estimators
on the engine and emio (whose readers open a data file given as a path), and no import
circle inside the engine or emio.

(``tests/gui/test_layout.py`` checks emgui's own rooms: features never reach the
window, no circle among emgui's modules; ``docs/architecture.md`` draws the map.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "emio", "emgui", "em_studio")
#: What each package may import of the others (besides itself).
MAY_IMPORT = {
    "engine": set(),
    "emio": {"engine"},
    "emgui": {"engine", "emio"},
    "em_studio": {"engine", "emio"},
}
QT = {"PySide6", "pyqtgraph", "shiboken6"}


def modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code, as absolute names."""
    is_package = path.name == "__init__.py"
    package = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


ALL = {name: path for package in PACKAGES for name, path in modules(package).items()}


@pytest.mark.parametrize("package", PACKAGES)
def test_each_layer_imports_only_the_layers_below(package: str) -> None:
    assert modules(package), f"no modules found in {package}"
    wrong = {}
    for name, path in modules(package).items():
        tops = {imported.split(".")[0] for imported in imports(name, path)}
        others = (tops & set(PACKAGES)) - {package} - MAY_IMPORT[package]
        if package != "emgui":
            others |= tops & QT
        if others:
            wrong[name] = sorted(others)
    assert wrong == {}


def _graph(package: str) -> dict[str, set[str]]:
    names = modules(package)
    graph = {}
    for name, path in names.items():
        edges = set()
        for imported in imports(name, path):
            # 'from a.b import c' names a.b.c: the module c if there is one, else a.b.
            target = imported if imported in names else imported.rpartition(".")[0]
            if target in names and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


@pytest.mark.parametrize("package", ["engine", "emio", "em_studio"])
def test_no_import_circle(package: str) -> None:
    graph = _graph(package)
    if not graph:
        pytest.skip(f"{package} is not in this checkout")
    # A package's __init__ importing its own submodules is the usual re-export, not a
    # circle of ideas: only edges between sibling modules count.
    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen and not start.startswith(nxt + "."):
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    packages = {name for name, path in modules(package).items() if path.name == "__init__.py"}
    circles = sorted(name for name in graph if name not in packages and name in reachable(name))
    assert circles == []


def test_the_graph_is_seen() -> None:
    # The checks above would pass on an empty graph.
    assert "engine.loop" in _graph("engine")["engine.selection"]
    assert "emio.params_file" in _graph("emio")["emio.cli.fit"]
