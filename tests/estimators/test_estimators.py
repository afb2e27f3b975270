"""The estimators as a notebook or a pipeline uses them: watching a fit, the protocol,
EM Studio's own arguments, and the models beside the Gaussian."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import engine
from em_studio import BernoulliMixture, BinomialMixture, GaussianMixture, KMeans, PoissonMixture
from engine.backends.local import LocalBackend


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    X, _ = make_blobs(n_samples=300, centers=[[0, 0], [6, 1], [2, 7]], random_state=4)
    return X


@pytest.fixture(scope="module")
def counts() -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts from two components with known rates, and those rates."""
    rng = np.random.default_rng(11)
    rates = np.array([[2.0, 9.0, 1.0], [12.0, 3.0, 6.0]])
    labels = rng.integers(0, 2, size=600)
    return rng.poisson(rates[labels]).astype(float), rates


def every_estimator() -> list:
    return [
        GaussianMixture(3, random_state=0),
        KMeans(3, random_state=0),
        PoissonMixture(2, random_state=0),
        BinomialMixture(2, trials=30, random_state=0),
        BernoulliMixture(2, binarize=5.0, random_state=0),
    ]


# --- watching a fit ------------------------------------------------------------------


def test_iter_fit_yields_every_iteration_and_leaves_the_estimator_fitted(blobs) -> None:
    gm = GaussianMixture(3, random_state=0)
    snapshots = list(gm.iter_fit(blobs))

    assert [s.iteration for s in snapshots] == list(range(gm.n_iter_ + 1))
    # The log-likelihood of EM's parameters never falls (beyond round-off).
    assert np.all(np.diff([s.log_likelihood for s in snapshots]) > -1e-9)
    assert [s.converged for s in snapshots] == [False] * gm.n_iter_ + [True]
    np.testing.assert_array_equal(gm.means_, snapshots[-1].params.means)
    # lower_bound_ is the mean log-likelihood before the last M-step.
    assert gm.lower_bound_ == snapshots[-2].log_likelihood / blobs.shape[0]


def test_iter_fit_numbers_the_starts(blobs) -> None:
    snapshots = list(GaussianMixture(3, n_init=3, random_state=0).iter_fit(blobs))
    starts = [s.restart for s in snapshots if s.iteration == 0]
    assert starts == [0, 1, 2]


def test_iter_fit_left_before_its_end_leaves_the_estimator_unfitted(blobs) -> None:
    gm = GaussianMixture(3, random_state=0)
    steps = gm.iter_fit(blobs)
    next(steps)
    steps.close()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        gm.predict(blobs)


def test_callback_sees_the_snapshots_iter_fit_yields(blobs) -> None:
    seen = []
    gm = GaussianMixture(3, random_state=0, callback=seen.append).fit(blobs)
    yielded = list(GaussianMixture(3, random_state=0).iter_fit(blobs))
    assert [s.iteration for s in seen] == [s.iteration for s in yielded]
    assert [s.log_likelihood for s in seen] == [s.log_likelihood for s in yielded]
    assert len(seen) == gm.n_iter_ + 1


# --- the protocol --------------------------------------------------------------------


@pytest.mark.parametrize("estimator", every_estimator(), ids=lambda e: type(e).__name__)
def test_a_fitted_estimator_pickles_clones_and_predicts_the_same(estimator, blobs, counts) -> None:
    X = counts[0] if isinstance(estimator, (PoissonMixture, BinomialMixture, BernoulliMixture)) else blobs
    fitted = estimator.fit(X)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))
    np.testing.assert_array_equal(again.score_samples(X), fitted.score_samples(X))
    assert np.array_equal(fitted.labels_, fitted.predict(X)) and fitted.labels_.min() == 0
    twin = clone(fitted)
    assert twin.get_params() == estimator.get_params() and not hasattr(twin, "weights_")
    np.testing.assert_array_equal(twin.fit(X).labels_, fitted.labels_)
    np.testing.assert_allclose(fitted.predict_proba(X).sum(axis=1), 1.0)
    assert fitted.icl(X) >= fitted.bic(X)
    sample, components = fitted.sample(40)
    assert sample.shape == (40, X.shape[1]) and components.shape == (40,)


def test_in_a_pipeline_and_a_grid_search_bic_and_the_mean_log_likelihood_choose_k(blobs) -> None:
    pipeline = make_pipeline(StandardScaler(), GaussianMixture(random_state=0))
    search = GridSearchCV(pipeline, {"gaussianmixture__n_components": [1, 2, 3, 4]}, cv=3)
    search.fit(blobs)
    # The default score is the held-out mean log-likelihood.
    assert search.best_params_["gaussianmixture__n_components"] >= 3
    bics = {k: GaussianMixture(k, random_state=0).fit(blobs).bic(blobs) for k in range(1, 6)}
    assert min(bics, key=bics.get) == 3


def test_a_dataframe_s_column_names_are_kept_and_checked(blobs) -> None:
    frame = pd.DataFrame(blobs, columns=["length", "width"])
    gm = GaussianMixture(3, random_state=0).fit(frame)
    assert list(gm.feature_names_in_) == ["length", "width"]
    np.testing.assert_array_equal(gm.predict(frame), gm.labels_)
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        gm.predict(frame[["width", "length"]])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        gm.predict(blobs)
    # The engine's messages name the columns.
    constant = frame.assign(width=1.0)
    with pytest.raises(ValueError, match="column 'width' has the same value in every row"):
        GaussianMixture(2).fit(constant)


def test_random_state_takes_an_int_a_random_state_or_a_generator(blobs) -> None:
    def means(random_state: object) -> np.ndarray:
        return GaussianMixture(3, init_params="random", random_state=random_state).fit(blobs).means_

    np.testing.assert_array_equal(means(5), means(5))
    shared = np.random.RandomState(5)
    np.testing.assert_array_equal(means(shared), means(np.random.RandomState(5)))
    generator = np.random.default_rng(5)
    first = GaussianMixture(3, init_params="random", max_iter=0, random_state=generator)
    assert not np.array_equal(first.fit(blobs).means_, first.fit(blobs).means_)
    with pytest.raises(ValueError, match="random_state"):
        GaussianMixture(3, random_state="five").fit(blobs)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_components": 0}, "n_components must be a whole number of at least 1"),
        ({"init_params": "kmeans++"}, "GaussianMixture: unknown init_params 'kmeans\\+\\+'"),
        ({"covariance_type": "round"}, "covariance_type must be one of full, tied"),
        ({"fixed": "weights"}, "fixed must be a tuple of parameter names"),
        ({"fixed": ("rates",)}, "cannot hold rates fixed; it can hold weights, means, covariances"),
        ({"engine_options": {"tol": 1.0}}, "engine_options cannot set tol"),
        ({"engine_options": {"velocity": 2}}, "FitOptions has no option velocity \\(in engine_options\\)"),
        ({"tol": -1.0}, "tol must not be negative"),
    ],
)
def test_arguments_are_checked_in_fit_with_a_message_that_names_them(
    blobs, arguments: dict, message: str
) -> None:
    gm = GaussianMixture(**arguments)  # stored as given
    with pytest.raises(ValueError, match=message):
        gm.fit(blobs)


def test_an_unknown_covariance_type_lists_each_accepted_word_once(blobs) -> None:
    # The engine's aliases map most of mclust's names to themselves: listed once each.
    with pytest.raises(ValueError) as caught:
        GaussianMixture(covariance_type="round").fit(blobs)
    words = str(caught.value).split("one of ")[1].split(", not ")[0].split(", ")
    assert len(words) == len(set(words)), words
    assert {"full", "tied", "diag", "spherical", "VVV", "EEE", "VVI", "VII", "EVE"} <= set(words)


# --- EM Studio's own arguments -------------------------------------------------------


def test_engine_options_reach_the_engine(blobs) -> None:
    class Counting(LocalBackend):
        binds = 0

        def bind(self, *args: object) -> object:
            Counting.binds += 1
            return super().bind(*args)

    reference = GaussianMixture(3, random_state=0).fit(blobs)
    single = GaussianMixture(
        3, random_state=0, engine_options={"dtype": "float32", "backend": Counting(1)}
    ).fit(blobs)
    assert Counting.binds == 1
    assert single.lower_bound_ == pytest.approx(reference.lower_bound_, rel=1e-6)
    assert single.lower_bound_ != reference.lower_bound_


def test_mclust_names_and_the_hc_start(blobs) -> None:
    full = GaussianMixture(3, covariance_type="full", init_params="hc").fit(blobs)
    vvv = GaussianMixture(3, covariance_type="VVV", init_params="hc", random_state=9).fit(blobs)
    # hc is deterministic: no random_state needed, and none changes it.
    np.testing.assert_array_equal(full.means_, vvv.means_)
    assert vvv.covariances_.shape == (3, 2, 2)


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random", "random_from_data", "hc"])
def test_every_start_serves_every_model(counts, init_params: str) -> None:
    X, _ = counts
    for estimator in every_estimator():
        estimator.set_params(n_components=2, init_params=init_params, n_init=2)
        assert estimator.fit(X).converged_, type(estimator).__name__
        if isinstance(estimator, KMeans):
            # k-means' weights stay equal whatever the start (the engine's hc
            # start gives them the clusters' sizes).
            np.testing.assert_array_equal(estimator.weights_, [0.5, 0.5])


def test_held_weights_stay_and_do_not_count(blobs, free_parameters) -> None:
    weights = np.array([0.5, 0.25, 0.25])
    gm = GaussianMixture(3, weights_init=weights, fixed=("weights",), random_state=0).fit(blobs)
    np.testing.assert_array_equal(gm.weights_, weights)
    free = GaussianMixture(3, random_state=0).fit(blobs)
    assert free_parameters(gm, blobs) == free_parameters(free, blobs) - 2


def test_the_hard_e_step_is_classification_em(blobs) -> None:
    gm = GaussianMixture(3, e_step="hard", random_state=0).fit(blobs)
    resp = np.eye(3)[gm.labels_]
    np.testing.assert_allclose(gm.weights_, resp.mean(axis=0))
    np.testing.assert_allclose(gm.means_, (resp.T @ blobs) / resp.sum(axis=0)[:, None])


def test_the_prior_regularisation_does_not_depend_on_units(blobs) -> None:
    scaled = blobs * np.array([1000.0, 0.01])
    arguments = dict(n_components=3, init_params="hc", regularisation="prior", reg_covar=1e-3)
    plain = GaussianMixture(**arguments).fit(blobs)
    other = GaussianMixture(**arguments).fit(scaled)
    np.testing.assert_array_equal(other.labels_, plain.labels_)
    # Only the density's units change: log(1000 * 0.01) a row.
    assert other.score(scaled) == pytest.approx(plain.score(blobs) - np.log(10.0), rel=1e-8)


def test_float32_rows_give_float32_attributes_and_outputs(blobs) -> None:
    gm = GaussianMixture(3, random_state=0).fit(blobs.astype(np.float32))
    assert gm.means_.dtype == gm.precisions_cholesky_.dtype == np.float32
    assert gm.score_samples(blobs.astype(np.float32)).dtype == np.float32
    assert gm.score_samples(blobs).dtype == np.float64


# --- the other models ----------------------------------------------------------------


def test_kmeans_is_lloyds_algorithm(blobs) -> None:
    centres = blobs[[0, 100, 200]]
    # Once the assignments repeat, the objective repeats exactly.
    ours = KMeans(3, means_init=centres, tol=1e-12).fit(blobs)
    theirs = SklearnKMeans(3, init=centres, n_init=1, algorithm="lloyd", tol=0.0).fit(blobs)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    np.testing.assert_array_equal(ours.weights_, np.full(3, 1 / 3))


def test_kmeans_that_stops_at_max_iter_warns(blobs) -> None:
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        KMeans(3, max_iter=1, random_state=0).fit(blobs)


def test_a_poisson_mixture_recovers_its_rates(counts) -> None:
    X, rates = counts
    pm = PoissonMixture(2, n_init=3, random_state=0).fit(X)
    order = np.argsort(pm.rates_[:, 0])
    np.testing.assert_allclose(pm.rates_[order], rates, rtol=0.15)
    drawn, _ = pm.sample(100)
    assert np.all(drawn == np.round(drawn)) and np.all(drawn >= 0)


def test_counts_models_refuse_what_is_not_counts(counts) -> None:
    X, _ = counts
    with pytest.raises(ValueError, match="Negative values in data passed to PoissonMixture"):
        PoissonMixture(2).fit(X - 1)
    with pytest.raises(ValueError, match="non-negative whole-number counts"):
        PoissonMixture(2).fit(X + 0.5)
    with pytest.raises(ValueError, match="BinomialMixture: trials must be the number of trials"):
        BinomialMixture(2).fit(X)
    with pytest.raises(ValueError, match="more than the 5 trials"):
        BinomialMixture(2, trials=5).fit(X)
    with pytest.raises(ValueError, match="0/1 columns"):
        BernoulliMixture(2).fit(X)


def test_binomial_and_bernoulli_mixtures_fit_their_data(counts) -> None:
    X, rates = counts
    binomial = BinomialMixture(2, trials=[30, 30, 30], random_state=0).fit(X)
    order = np.argsort(binomial.probs_[:, 0])
    np.testing.assert_allclose(binomial.probs_[order] * 30, rates, rtol=0.2)
    bernoulli = BernoulliMixture(2, binarize=5.0, random_state=0).fit(X)
    np.testing.assert_array_equal(bernoulli.labels_, bernoulli.predict(X))
    assert re.fullmatch(r"[01]+", "".join(map(str, bernoulli.sample(20)[0].astype(int).ravel())))


def test_importing_the_engine_loads_neither_em_studio_nor_scikit_learn() -> None:
    import subprocess
    import sys

    code = "import engine, sys; print(sorted(m for m in sys.modules if m.split('.')[0] in ('em_studio', 'sklearn')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert engine.fit is not None
