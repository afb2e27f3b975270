"""scikit-learn's own estimator checks (``parametrize_with_checks``) on every estimator.

Each estimator is checked with three components, as the checks' blobs have
three centres (``check_clustering`` wants them found). Checks that cannot
apply are listed in :data:`EXPECTED_FAILURES` with the reason, as
scikit-learn lists its own (``expected_failed_checks``), and run in strict
mode: a listed check that passes fails the test. ``check_array_api_input``
skips itself unless ``SCIPY_ARRAY_API`` is set, for scikit-learn's own
``GaussianMixture`` too.
"""

from __future__ import annotations

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

from em_studio import BernoulliMixture, BinomialMixture, GaussianMixture, KMeans, PoissonMixture

COUNTS_REFUSE_BLOBS = (
    "check_clustering fits standardised blobs (negative reals) without the estimator's "
    "input tags, which give counts models non-negative whole numbers in every other check"
)

ESTIMATORS = [
    GaussianMixture(n_components=3),
    GaussianMixture(n_components=3, covariance_type="VII", regularisation="prior"),
    KMeans(n_components=3),
    KMeans(n_components=3, e_step="soft"),
    # Binarised, the checks' blobs keep at most four distinct rows in two columns:
    # too few for three components that each keep a row.
    BernoulliMixture(n_components=2, binarize=0.0),
    BinomialMixture(n_components=3, trials=100),
    PoissonMixture(n_components=3),
]

EXPECTED_FAILURES = {
    "BinomialMixture": {"check_clustering": COUNTS_REFUSE_BLOBS},
    "PoissonMixture": {"check_clustering": COUNTS_REFUSE_BLOBS},
}


def expected_failures(estimator: BaseEstimator) -> dict[str, str]:
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures, xfail_strict=True)
def test_scikit_learn_estimator_checks(estimator: BaseEstimator, check) -> None:
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_every_estimator_is_checked_as_a_clusterer_and_a_density(estimator: BaseEstimator) -> None:
    from sklearn.base import is_clusterer

    assert is_clusterer(estimator)
    assert hasattr(estimator, "score_samples") and hasattr(estimator, "sample")
