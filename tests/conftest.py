"""Test configuration shared by every test: Qt renders offscreen, never to a display;
and a model written before missing values, for the tests of how they are refused."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The folder of shared data sets (faithful.csv, ...), beside the repository."""
    return ROOT.parent / "shared" / "datasets"

@pytest.fixture
def no_gaps_model() -> Iterator[str]:
    """The name of a registered Poisson model that does not fit rows with gaps (as a model
    written before them); unregistered afterwards."""
    from engine.models import registry
    from engine.models.poisson import PoissonModel

    class NoGapsPoisson(PoissonModel):
        name = "nogaps"
        title = "No-gaps Poisson"
        handles_missing = False

    registry.register(NoGapsPoisson)
    yield NoGapsPoisson.name
    registry.unregister(NoGapsPoisson.name)
