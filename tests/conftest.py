"""Test configuration shared by every test: Qt renders offscreen, never to a display, and
no test may leave a worker thread of its own running. The shared data sets (one fixture,
``datasets``, and Old Faithful from it), rows of each model's kind, the command line run
in-process, and a model written before missing values (for the tests of how they are
refused), for tests anywhere."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


#: Prefix of the names of every Python thread the application and the engine start:
#: chunk runners' workers (``em-chunk``), a conversion's reader (``em-convert``), a
#: cluster fit's canceller (``em-cancel``). Qt's threads are checked by the GUI tests'
#: ``no_thread_left_running``.
WORKER_PREFIX = "em-"


def _workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(WORKER_PREFIX) and t.is_alive()}


@pytest.fixture(autouse=True)
def no_worker_thread_left_running() -> Iterator[None]:
    """Fail a test that leaves a worker thread of its own running (a chunk runner never
    closed, a conversion's reader or a cluster fit's canceller never ended), after giving
    each a few seconds to end."""
    before = _workers()
    yield
    left = _workers() - before
    for thread in left:
        thread.join(timeout=10.0)
    alive = sorted(t.name for t in left if t.is_alive())
    if alive:
        pytest.fail(f"worker thread(s) left running by this test: {', '.join(alive)}")


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The folder of shared data sets (faithful.csv, ...), beside the repository."""
    return ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def faithful_csv(datasets: Path) -> Path:
    """Old Faithful as CSV: a header, then 272 rows of (eruption minutes, waiting minutes)."""
    return datasets / "faithful.csv"


@pytest.fixture(scope="session")
def faithful_semicolon_csv(datasets: Path) -> Path:
    """Old Faithful with semicolons and decimal commas."""
    return datasets / "faithful_semicolon.csv"


@pytest.fixture(scope="session")
def faithful(faithful_csv: Path) -> np.ndarray:
    """Old Faithful's 272 rows of (eruption minutes, waiting minutes)."""
    return np.loadtxt(faithful_csv, delimiter=",", skiprows=1)


@pytest.fixture(scope="session")
def scales_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CSV of two seeded groups in columns whose scales differ a hundred thousand fold
    ("big" in thousands around 5000, "small" in hundredths), for standard units."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [4.0, 3.0]])
    z = centres[rng.integers(0, 2, 300)] + rng.normal(size=(300, 2))
    path = tmp_path_factory.mktemp("scales") / "scales.csv"
    columns = z * [1000, 0.01] + [5000, 0]
    np.savetxt(path, columns, delimiter=",", header="big,small", comments="")
    return path


@pytest.fixture(scope="session")
def cluster() -> Iterator[object]:
    """A real Dask cluster on loopback: a scheduler and two worker processes (each under
    its nanny, so a killed worker is a dead process that the nanny replaces), started
    once for the session (for the command line's tests and the window's) and stopped
    after it."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as local:
        yield local


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


#: Trials per count of the binomial rows :func:`mixture_rows` makes.
BINOMIAL_TRIALS = 4


def _mixture_rows(model: str, n_samples: int, seed: int = 0, n_groups: int = 3) -> np.ndarray:
    """``n_groups`` seeded groups of rows of the kind ``model`` takes, in 3 columns
    (binomial counts of :data:`BINOMIAL_TRIALS` trials)."""
    rng = np.random.default_rng([seed, len(model)])
    group = rng.integers(n_groups, size=n_samples)[:, None]
    high = 0.15 + 0.7 * group / max(n_groups - 1, 1)
    if model in ("gaussian", "kmeans"):
        return 5.0 + 2.5 * group + rng.normal(size=(n_samples, 3)) * [1.0, 1.5, 0.7]
    if model == "bernoulli":
        return (rng.uniform(size=(n_samples, 3)) < high).astype(float)
    if model == "binomial":
        return rng.binomial(BINOMIAL_TRIALS, high, size=(n_samples, 3)).astype(float)
    return rng.poisson(1.0 + 3.0 * group, size=(n_samples, 3)).astype(float)


@pytest.fixture(scope="session")
def mixture_rows():
    """:func:`_mixture_rows`, for tests (there is no package to import from)."""
    return _mixture_rows


@pytest.fixture
def run_cli(capsys):
    """``run_cli(*args)``: the command line run in this process, as
    (exit status, standard output, standard error)."""
    from emio.cli import main

    def run(*args: object) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
