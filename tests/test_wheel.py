"""The wheel a user installs carries everything: built, installed into a fresh
virtual environment outside the source tree, and run as a user would run it.

The editable install that the rest of the suite uses finds modules in the
checkout, so it cannot see a package or a data file missing from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".venv", "*.png"
)

pytestmark = pytest.mark.slow


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
    )
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A wheel built from a copy of the sources, installed into a new venv; its paths."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=IGNORED)
    dist = root / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, source],
         cwd=root)
    (wheel,) = dist.glob("em_studio-*.whl")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    _run([bin_dir / "python", "-m", "pip", "install", "--quiet", wheel], cwd=root)
    work = root / "work"
    work.mkdir()
    return {"bin": bin_dir, "work": work, "wheel": wheel}


def _user_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(work / "config")  # the window's settings stay in the test
    env["HOME"] = str(work)
    return env


def _probe(installed: dict[str, Path], code: str) -> dict:
    """What ``code``, run by the installed Python outside the checkout, prints as JSON."""
    work = installed["work"]
    return json.loads(_run([installed["bin"] / "python", "-c", code], cwd=work,
                           env=_user_env(work)).stdout)


def test_the_wheel_installs_packages_and_samples_but_no_top_level_main(installed) -> None:
    found = _probe(installed, (
        "import json, sysconfig, importlib.util as u, emgui.views, emgui.features.teaching, "
        "emio.samples as s; from emgui.features.help import pages as h;"
        "print(json.dumps({'site': sysconfig.get_paths()['purelib'],"
        " 'samples': str(s.SAMPLES_DIR), 'ids': [x.id for x in s.load_catalogue()],"
        " 'main': u.find_spec('main') is not None, 'help': h.getting_started_text(),"
        " 'guide': [x.title for x in h.readme_sections(h.readme_text())]}))"
    ))
    # The Help menu's pages: its own text in the package, the README from the metadata.
    assert "Getting started" in found["help"]
    assert "The window" in found["guide"]
    assert Path(found["samples"]).is_relative_to(found["site"])
    assert not Path(found["samples"]).is_relative_to(REPO)
    assert "blobs" in found["ids"] and "two_coins" in found["ids"]
    assert not found["main"]


def test_the_estimators_import_and_fit_in_a_core_install_without_scikit_learn(installed) -> None:
    _run([installed["bin"] / "python", "-c", "from em_studio import GaussianMixture"],
         cwd=installed["work"], env=_user_env(installed["work"]))
    found = _probe(installed, (
        "import json, sysconfig, importlib.util as u, numpy as np, em_studio;"
        "X = np.random.RandomState(0).normal(size=(60, 2)) + np.repeat([[0, 0], [8, 0]], 30, 0);"
        "gm = em_studio.GaussianMixture(2, random_state=0).fit(X);"
        "print(json.dumps({'site': sysconfig.get_paths()['purelib'], 'module': em_studio.__file__,"
        " 'sklearn': u.find_spec('sklearn') is not None, 'converged': bool(gm.converged_)}))"
    ))
    assert not found["sklearn"], "the core install should not bring scikit-learn"
    assert Path(found["module"]).is_relative_to(found["site"])
    assert found["converged"]


def test_em_studio_cli_fits_a_bundled_sample(installed) -> None:
    work = installed["work"]
    env = _user_env(work)
    sample = _run([installed["bin"] / "python", "-c",
                   "from emio.samples import SAMPLES_DIR; print(SAMPLES_DIR / 'blobs_2d.csv')"],
                  cwd=work, env=env).stdout.strip()
    out = work / "blobs.json"
    _run([installed["bin"] / "em-studio-cli", "fit", sample, "--model", "gaussian", "--k", "3",
          "--seed", "1", "-o", out], cwd=work, env=env)
    document = json.loads(out.read_text())
    assert document["model"] == "gaussian" and document["n_components"] == 3
    assert len(document["weights"]) == 3 and document["converged"]
    assert document["feature_names"] == ["x", "y"]
    # ``python -m emio`` is the same command line.
    shown = _run([installed["bin"] / "python", "-m", "emio", "fit", "--help"], cwd=work, env=env)
    assert "--k" in shown.stdout


def test_em_studio_opens_a_sample_runs_and_saves_a_screenshot(installed) -> None:
    from PySide6.QtGui import QImage

    work = installed["work"]
    env = _user_env(work)
    for command in ([installed["bin"] / "em-studio"], [installed["bin"] / "python", "-m", "emgui"]):
        shot = work / f"shot-{len(command)}.png"
        _run([*command, "--sample", "blobs", "--run", "--screenshot", shot], cwd=work, env=env)
        image = QImage(str(shot))
        assert not image.isNull(), f"{shot} is not an image"
        assert image.width() >= 800 and image.height() >= 500
        # Not a blank window: a fitted scatter has many distinct colours.
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
                   for y in range(0, image.height(), 7)}
        assert len(colours) > 50
