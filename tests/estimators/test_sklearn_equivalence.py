"""The drop-in promise: ``em_studio.GaussianMixture`` with scikit-learn's arguments fits as
``sklearn.mixture.GaussianMixture`` does.

Both get the same arguments. From the same starting parameters (given
explicitly, or made from the same ``random_state`` by any of scikit-learn's
four ``init_params``, k-means included: scikit-learn's own KMeans makes the
labels) they stop after the same number of iterations with the same
log-likelihood to 1e-9 relative and the same parameters to 1e-8, at
scikit-learn's default ``reg_covar`` and at 1e-2, for all four covariance
types. Worst seen when written: from explicit starts, 1.1e-13 relative in the
log-likelihood and 9.8e-12 in the parameters; from the same ``random_state``,
5.5e-11 and 1.2e-11. Starts of one row per component (``k-means++``,
``random_from_data``) differ in their first lower bound only, for reasons of
scikit-learn's making (:func:`one_row_start`).
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import warnings

import numpy as np
import pytest
import sklearn.mixture
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning

import em_studio

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")

LOG_LIK_RTOL = 1e-9
PARAM_RTOL = 1e-8
FITTED = ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_")


@pytest.fixture(scope="module", params=["faithful", "blobs"])
def data(request: pytest.FixtureRequest, faithful: np.ndarray) -> tuple[np.ndarray, int]:
    """Rows and a K: Old Faithful with 2, or three 3-D blobs far from the origin with 3."""
    if request.param == "faithful":
        return faithful, 2
    X, _ = make_blobs(n_samples=400, n_features=3, centers=3, cluster_std=1.5, random_state=7)
    return X + 100.0, 3


def relative_deviation(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest elementwise difference, relative to the array's largest magnitude."""
    return float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))


def fit_both(X: np.ndarray, **arguments: object) -> tuple[object, object]:
    """scikit-learn's and our estimator fitted with the same arguments (each its own copy
    of a ``RandomState``); a ``ConvergenceWarning`` is demanded of both or of neither."""
    fitted = []
    for cls in (sklearn.mixture.GaussianMixture, em_studio.GaussianMixture):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            fitted.append(cls(**copy.deepcopy(arguments)).fit(X))
        fitted.append(any(issubclass(w.category, ConvergenceWarning) for w in caught))
    theirs, theirs_warned, ours, ours_warned = fitted
    assert ours_warned == theirs_warned
    return theirs, ours


def assert_same_fit(
    theirs: object, ours: object, X: np.ndarray, first: tuple[float, float] = (0.0, LOG_LIK_RTOL)
) -> None:
    """The same fit; ``first`` is what scikit-learn's first lower bound has more than
    ours, and to what relative tolerance (see :func:`one_row_start`)."""
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.converged_ == theirs.converged_
    offset, rtol = first
    np.testing.assert_allclose(ours.lower_bounds_[0] + offset, theirs.lower_bounds_[0], rtol=rtol)
    np.testing.assert_allclose(ours.lower_bounds_[1:], theirs.lower_bounds_[1:], rtol=LOG_LIK_RTOL)
    np.testing.assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=LOG_LIK_RTOL)
    np.testing.assert_allclose(ours.score(X), theirs.score(X), rtol=LOG_LIK_RTOL)
    for name in FITTED:
        mine, reference = getattr(ours, name), getattr(theirs, name)
        assert mine.shape == reference.shape, name
        assert relative_deviation(mine, reference) < PARAM_RTOL, name
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(ours.bic(X), theirs.bic(X), rtol=LOG_LIK_RTOL)
    np.testing.assert_allclose(ours.aic(X), theirs.aic(X), rtol=LOG_LIK_RTOL)


def one_row_start(
    init_params: str, X: np.ndarray, n_components: int, reg_covar: float
) -> tuple[float, float]:
    """How scikit-learn's first lower bound differs from ours for a start of one row per
    component (``k-means++``, ``random_from_data``), and to what relative tolerance.

    Its starting weights are 1/n_samples each and do not sum to one, which lowers
    its first bound by log(n_samples / n_components) a row (ours sum to one; the
    engine takes no others). Its diagonal and spherical starting variances, which
    are ``reg_covar`` alone, come out as a difference of squares of the data, with
    a rounding error of a few eps * max(x**2) that the first bound, dominated by
    squared distances over ``reg_covar``, shows in proportion. The responsibilities
    of the first E-step, and so every later bound and the fit, are the same.
    """
    if init_params not in ("k-means++", "random_from_data"):
        return 0.0, LOG_LIK_RTOL
    rounding = 100 * np.finfo(np.float64).eps * float(np.max(X**2)) / reg_covar
    return math.log(n_components / X.shape[0]), max(LOG_LIK_RTOL, rounding)


def sklearn_start(X: np.ndarray, n_components: int, covariance_type: str) -> dict[str, np.ndarray]:
    """Starting parameters, as scikit-learn's ``*_init`` arguments: the ones its
    k-means start makes with ``random_state=0`` (``max_iter=0`` keeps them)."""
    start = sklearn.mixture.GaussianMixture(
        n_components, covariance_type=covariance_type, max_iter=0, random_state=0
    ).fit(X)
    return {
        "weights_init": start.weights_,
        "means_init": start.means_,
        "precisions_init": start.precisions_,
    }


@pytest.mark.parametrize("reg_covar", [1e-6, 1e-2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_from_the_same_explicit_start_the_same_fit(
    data: tuple[np.ndarray, int], covariance_type: str, reg_covar: float
) -> None:
    X, n_components = data
    start = sklearn_start(X, n_components, covariance_type)

    theirs, ours = fit_both(
        X, n_components=n_components, covariance_type=covariance_type, reg_covar=reg_covar,
        **start,
    )

    assert_same_fit(theirs, ours, X)
    # The fit must really move, or the comparison would prove little.
    assert ours.n_iter_ >= 2


@pytest.mark.parametrize("init_params", INIT_PARAMS)
@pytest.mark.parametrize("reg_covar", [1e-6, 1e-2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_from_the_same_random_state_the_same_start_and_fit(
    data: tuple[np.ndarray, int], covariance_type: str, reg_covar: float, init_params: str
) -> None:
    X, n_components = data
    theirs, ours = fit_both(
        X, n_components=n_components, covariance_type=covariance_type, reg_covar=reg_covar,
        init_params=init_params, random_state=3, max_iter=300,
    )
    assert_same_fit(theirs, ours, X, one_row_start(init_params, X, n_components, reg_covar))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_several_starts_draw_alike_and_keep_the_same_best(
    data: tuple[np.ndarray, int], covariance_type: str
) -> None:
    X, n_components = data
    theirs, ours = fit_both(
        X, n_components=n_components, covariance_type=covariance_type, n_init=4,
        init_params="random", random_state=np.random.RandomState(5), max_iter=300,
    )
    # Starts that reach the same optimum differ by round-off, which may pick a
    # different one of them (its components in another order): compare what does
    # not depend on the order.
    np.testing.assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=LOG_LIK_RTOL)
    np.testing.assert_allclose(ours.score(X), theirs.score(X), rtol=LOG_LIK_RTOL)
    np.testing.assert_allclose(np.sort(ours.weights_), np.sort(theirs.weights_), rtol=PARAM_RTOL)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_warm_starts_continue_alike(
    data: tuple[np.ndarray, int], covariance_type: str
) -> None:
    X, n_components = data
    arguments = dict(
        n_components=n_components, covariance_type=covariance_type, warm_start=True,
        max_iter=1, random_state=0, tol=1e-4,
    )
    theirs = sklearn.mixture.GaussianMixture(**arguments)
    ours = em_studio.GaussianMixture(**arguments)
    for _ in range(50):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            theirs.fit(X)
            ours.fit(X)
        assert_same_fit(theirs, ours, X)
        if theirs.converged_:
            break
    assert ours.converged_


def test_a_fit_stopped_by_max_iter_warns_as_scikit_learn_does(data) -> None:
    X, n_components = data
    theirs, ours = fit_both(X, n_components=n_components, max_iter=1, random_state=0)
    assert not ours.converged_ and ours.n_iter_ == theirs.n_iter_ == 1
    np.testing.assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=LOG_LIK_RTOL)


def test_max_iter_zero_keeps_the_start_unscored(data) -> None:
    X, n_components = data
    theirs, ours = fit_both(X, n_components=n_components, max_iter=0, random_state=0, n_init=2)
    assert ours.lower_bound_ == theirs.lower_bound_ == -np.inf
    assert ours.n_iter_ == 0 and ours.lower_bounds_ == []
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=PARAM_RTOL)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_samples_are_scikit_learns_draws(data, covariance_type: str) -> None:
    X, n_components = data
    theirs, ours = fit_both(
        X, n_components=n_components, covariance_type=covariance_type, random_state=1
    )
    X_theirs, y_theirs = theirs.sample(50)
    X_ours, y_ours = ours.sample(50)
    np.testing.assert_array_equal(y_ours, y_theirs)
    np.testing.assert_allclose(X_ours, X_theirs, rtol=1e-7)


@pytest.mark.parametrize("verbose", [1, 2])
def test_verbose_prints_scikit_learns_lines(data, verbose: int) -> None:
    X, n_components = data
    printed = []
    for cls in (sklearn.mixture.GaussianMixture, em_studio.GaussianMixture):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            cls(n_components, n_init=2, random_state=0, verbose=verbose, verbose_interval=1).fit(X)
        # Times differ from run to run; the words and the changes of the bound do not.
        printed.append([line.split("time lapse")[0] for line in out.getvalue().splitlines()])
    assert printed[1] == printed[0]
    assert any("Iteration 2" in line for line in printed[1])
