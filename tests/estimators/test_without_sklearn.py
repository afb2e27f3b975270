"""``em_studio`` without scikit-learn (a core install): the same protocol on its own.

A child process hides scikit-learn (``sys.modules['sklearn'] = None`` makes every
import of it fail) and uses the estimators as a notebook would; it reports
what it saw as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, pickle, sys, warnings
sys.modules["sklearn"] = None
import numpy as np
import em_studio
from em_studio import GaussianMixture, KMeans, PoissonMixture, ConvergenceWarning, NotFittedError

rng = np.random.RandomState(0)
X = np.concatenate([rng.normal(0, 1, (150, 2)), rng.normal(6, 1, (150, 2))])
report = {"bases": sorted({c.__module__.split(".")[0] for c in GaussianMixture.__mro__})}

gm = GaussianMixture(2, random_state=0)
try:
    gm.predict(X)
except NotFittedError as error:
    report["unfitted"] = [isinstance(error, ValueError), isinstance(error, AttributeError)]
gm.fit(X)
report["means"] = sorted(gm.means_[:, 0].round(1).tolist())
report["same_again"] = bool(np.array_equal(GaussianMixture(2, random_state=0).fit(X).means_, gm.means_))
report["repr"] = repr(GaussianMixture(3, covariance_type="diag"))
params = gm.get_params()
twin = type(gm)(**params).set_params(n_components=3)
report["params"] = [params["n_components"], twin.n_components, sorted(params) == sorted(twin.get_params())]
try:
    twin.set_params(colour="red")
except ValueError as error:
    report["bad_param"] = str(error)
report["pickled"] = bool(np.array_equal(pickle.loads(pickle.dumps(gm)).predict(X), gm.labels_))
for init in ("kmeans", "k-means++", "random", "random_from_data", "hc"):
    report[init] = GaussianMixture(2, init_params=init, random_state=1).fit(X).converged_
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    GaussianMixture(2, max_iter=1, random_state=0).fit(X)
report["warned"] = [issubclass(w.category, ConvergenceWarning) for w in caught]
report["kmeans"] = sorted(np.bincount(KMeans(2, random_state=0).fit(X).labels_).tolist())
counts = rng.poisson([[3.0, 8.0]], size=(200, 2)).astype(float)
report["poisson"] = PoissonMixture(1).fit(counts).rates_.round(0).tolist()
report["sklearn_loaded"] = sorted(m for m in sys.modules if m.startswith("sklearn") and sys.modules[m] is not None)
print(json.dumps(report))
"""


def test_the_estimators_work_without_scikit_learn() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["bases"] == ["builtins", "em_studio"] and report["sklearn_loaded"] == []
    assert report["unfitted"] == [True, True]
    assert np.allclose(report["means"], [0.0, 6.0], atol=0.3)
    assert report["same_again"] and report["pickled"]
    # Changed arguments by name, as scikit-learn's repr lists them.
    assert report["repr"] == "GaussianMixture(covariance_type='diag', n_components=3)"
    assert report["params"] == [2, 3, True]
    assert "Invalid parameter 'colour'" in report["bad_param"]
    assert all(report[init] for init in ("kmeans", "k-means++", "random", "random_from_data", "hc"))
    assert report["warned"] == [True]
    assert report["kmeans"] == [150, 150]
    assert report["poisson"] == [[3.0, 8.0]]
