"""No module of the project is longer than about 400 lines (issue 12): a module that
long usually holds two ideas, and each idea should have a file named after it.

Every file the redesign found over the limit has been split; none may grow past it again.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "emio", "emgui", "em_studio", "bench")
MAX_LINES = 400



def modules(root: Path = ROOT) -> dict[str, int]:
    """Every non-test module of the packages under ``root``, and main.py, with its
    number of lines."""
    paths = [path for package in PACKAGES for path in sorted((root / package).rglob("*.py"))]
    paths.append(root / "main.py")
    return {
        path.relative_to(root).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in paths
        if "tests" not in path.relative_to(root).parts
    }


def over_limit(lines: dict[str, int]) -> dict[str, int]:
    return {path: count for path, count in lines.items() if count > MAX_LINES}


def test_the_modules_are_found():
    lines = modules()
    # The checks below would pass on an empty tree.
    assert {"engine/loop.py", "emio/cli/fit.py", "emgui/app.py", "main.py"} <= set(lines)
    assert len(lines) > 100 and all(count > 0 for count in lines.values())


def test_no_module_is_over_the_limit():
    too_long = over_limit(modules())
    assert too_long == {}, (
        f"split these by idea into modules of at most {MAX_LINES} lines: {too_long}"
    )


def test_the_limit_counts_lines_of_modules_and_leaves_tests_out(tmp_path: Path):
    for package in PACKAGES:
        (tmp_path / package / "tests").mkdir(parents=True)
    # 401 lines, the last without a newline, is over; 400 is not; tests do not count.
    (tmp_path / "engine" / "long.py").write_text("x = 1\n" * 400 + "y = 2", encoding="utf-8")
    (tmp_path / "emgui" / "short.py").write_text("x = 1\n" * 400, encoding="utf-8")
    (tmp_path / "bench" / "tests" / "test_long.py").write_text("x = 1\n" * 900, encoding="utf-8")
    (tmp_path / "main.py").write_text("x = 1\n" * 401, encoding="utf-8")
    assert over_limit(modules(tmp_path)) == {"engine/long.py": 401, "main.py": 401}
