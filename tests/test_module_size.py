"""No module of the project is longer than about 400 lines (issue 12): a module that
long usually holds two ideas, and each idea should have a file named after it.

A few files are over the limit while other branches split them; they are listed
below with the branch, and the list must shrink: a listed file that is no longer
over the limit fails the test until it is taken off the list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "emio", "emgui", "em_studio", "bench")
MAX_LINES = 400

#: Files over the limit today, each with why it is not split yet.
BEING_SPLIT = {
    "emgui/shell/fit_display.py": "not split yet (live frames, scrubbing and the status line)",
}


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


def test_no_module_is_over_the_limit_unless_being_split():
    too_long = {path: count for path, count in over_limit(modules()).items()
                if path not in BEING_SPLIT}
    assert too_long == {}, (
        f"split these by idea into modules of at most {MAX_LINES} lines: {too_long}"
    )


@pytest.mark.parametrize("path", sorted(BEING_SPLIT))
def test_a_file_being_split_is_still_over_the_limit(path: str):
    count = modules().get(path)
    assert count is not None, f"{path} is gone: take it off BEING_SPLIT"
    assert count > MAX_LINES, (
        f"{path} has {count} lines now: take it off BEING_SPLIT, so it stays short"
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
