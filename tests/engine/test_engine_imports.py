"""The engine depends on the standard library and NumPy only: never Qt, plotting or pandas."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"
ALLOWED_THIRD_PARTY = {"numpy", "engine"}
GUI_MODULES = ("PySide6", "PySide2", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6", "qtpy", "pandas")
#: The Dask backend's modules may import distributed, and only inside the functions
#: that need it (a test below checks that importing them loads no Dask).
OPTIONAL_THIRD_PARTY = {
    ENGINE / "backends" / "dask.py": {"distributed"},
    ENGINE / "backends" / "dask_tasks.py": {"distributed"},
}


def engine_modules() -> list[Path]:
    """Every module of the engine."""
    return engine_sources()


def engine_sources() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def imported_top_levels(path: Path) -> set[str]:
    """Top-level names of every absolute import in ``path``, wherever it appears."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(
            node.func, "attr", getattr(node.func, "id", "")
        ) in (
            "import_module",
            "__import__",
        ):
            # importlib.import_module("PySide6") would dodge the checks above.
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.add(arg.value.split(".")[0])
    return names


def test_engine_has_modules_to_scan() -> None:
    names = {path.name for path in engine_sources()}
    assert {"__init__.py", "loop.py", "gaussian.py", "counts.py", "full.py"} <= names


@pytest.mark.parametrize("path", engine_modules(), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_module_imports_only_stdlib_and_numpy(path: Path) -> None:
    outside = {
        name
        for name in imported_top_levels(path)
        if name not in sys.stdlib_module_names
        and name not in ALLOWED_THIRD_PARTY | OPTIONAL_THIRD_PARTY.get(path, set())
    }
    assert not outside, f"{path.relative_to(ENGINE.parent)} imports {sorted(outside)}"


def test_scanner_catches_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nimport numpy as np\nfrom PySide6.QtCore import QObject\n"
        "def f():\n    import pandas\n    return importlib.import_module('pyqtgraph')\n"
    )
    assert imported_top_levels(sample) == {"os", "numpy", "PySide6", "pandas", "pyqtgraph"}


def imported_modules(path: Path, root: Path = ENGINE.parent) -> set[str]:
    """Full names of the modules ``path`` (below ``root``) imports, and of the names it
    imports from them, relative imports resolved."""
    # engine/em.py and engine/__init__.py both sit in the package engine.
    package = list(path.relative_to(root).with_suffix("").parts)[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_importing_engine_loads_no_other_part_of_the_project() -> None:
    loaded = "sorted(m for m in sys.modules if m.startswith(('emio', 'emgui', 'em_studio')))"
    code = f"import json, sys, engine\nprint(json.dumps({loaded}))"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ENGINE.parent, capture_output=True, text=True,
        check=True, timeout=60,
    )
    assert json.loads(completed.stdout) == []


def loaded_by_every_engine_module(top_levels: tuple[str, ...]) -> list[str]:
    """Modules under ``top_levels`` loaded once every engine module is imported, in a
    fresh interpreter."""
    modules = [
        ".".join(path.relative_to(ENGINE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in engine_sources()
    ]
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {top_levels!r})))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ENGINE.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(completed.stdout)


def test_importing_engine_loads_no_gui_module() -> None:
    assert loaded_by_every_engine_module(GUI_MODULES) == []


def test_importing_every_engine_module_loads_no_dask() -> None:
    assert loaded_by_every_engine_module(("dask", "distributed", "pyarrow", "fsspec")) == []


def test_shim_scanner_sees_every_way_of_importing_it(tmp_path: Path) -> None:
    sample = tmp_path / "engine" / "models" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("import engine.schema\nfrom ..schema import dumps\n")
    assert {"engine.schema", "engine.schema.dumps"} <= imported_modules(sample, tmp_path)
    sample.write_text("from .. import schema\n")
    assert "engine.schema" in imported_modules(sample, tmp_path)
