"""Test configuration shared by every test: Qt renders offscreen, never to a display."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The folder of shared data sets (faithful.csv, ...), beside the repository."""
    return ROOT.parent / "shared" / "datasets"
