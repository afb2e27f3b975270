"""EM with missing values: the engine against a plain row-by-row reference, and with
everything else (starts, restarts, held parameters, hard E-step, half-steps, chunks,
threads, streamed sources, model selection, prediction).

The reference below is written from the papers, not from the engine: Ghahramani
and Jordan's EM for Gaussian mixtures with values missing at random, one row and
one component at a time with ``np.linalg`` on each row's observed block; and for
the Bernoulli and Poisson mixtures, missing entries left out of the likelihood
and of the sums. No test here measures a time.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.special import gammaln, logsumexp

import engine
from engine.data import ArraySource, NpySource, summarise
from engine.predict import predict_blocks
from engine.halfsteps import half_steps
from engine.models import covariance, gaussian_gaps, gaussian_pass, registry
from engine.models.base import MixtureModel
from engine.models.gaussian import GaussianModel
from engine.models.poisson import PoissonModel
from engine.selection import ModelSpec, sweep

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
LOG_2PI = np.log(2 * np.pi)


# --- data ----------------------------------------------------------------------------------


def with_gaps(X: np.ndarray, fraction: float, seed: int, empty_rows: int = 0) -> np.ndarray:
    """``X`` with ``fraction`` of its values removed completely at random, and the first
    ``empty_rows`` rows removed whole."""
    rng = np.random.default_rng(seed)
    out = np.array(X, dtype=np.float64)
    out[rng.uniform(size=X.shape) < fraction] = np.nan
    out[:empty_rows] = np.nan
    return out


def gaussian_data(n_samples: int = 160, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two correlated Gaussian clusters in 3 columns, far from the origin; and the truth."""
    rng = np.random.default_rng(seed)
    means = np.array([[10.0, 20.0, 5.0], [13.0, 18.0, 8.0]])
    covariances = np.array(
        [
            [[1.0, 0.6, 0.2], [0.6, 1.5, -0.4], [0.2, -0.4, 0.8]],
            [[0.7, -0.3, 0.1], [-0.3, 1.0, 0.5], [0.1, 0.5, 1.2]],
        ]
    )
    labels = rng.integers(2, size=n_samples)
    X = np.stack([rng.multivariate_normal(means[k], covariances[k]) for k in labels])
    return X, means, covariances


def gaussian_start(covariance_type: str) -> engine.Params:
    """Explicit starting parameters for :func:`gaussian_data`, of the type's shapes."""
    means = np.array([[9.0, 19.0, 6.0], [14.0, 18.5, 7.0]])
    full = np.array([np.eye(3) * 2.0, np.eye(3) + 0.3])
    shapes = {
        "full": full,
        "tied": full.mean(axis=0),
        "diag": np.array([np.diag(c) for c in full]),
        "spherical": np.array([np.diag(c).mean() for c in full]),
    }
    return engine.Params(weights=[0.4, 0.6], means=means, covariances=shapes[covariance_type])


def expand(covariances: np.ndarray, covariance_type: str, k: int, d: int) -> np.ndarray:
    if covariance_type == "full":
        return np.array(covariances, dtype=np.float64)
    if covariance_type == "tied":
        return np.array([covariances] * k, dtype=np.float64)
    if covariance_type == "diag":
        return np.array([np.diag(c) for c in covariances])
    return np.array([c * np.eye(d) for c in covariances])


# --- the reference -------------------------------------------------------------------------


def reference_gaussian_e_step(
    X: np.ndarray, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Row by row: the observed-data log-likelihood, responsibilities, each row's values
    with its gaps filled by each component's conditional mean (n, K, D), and the
    conditional covariance of its missing values (n, K, D, D); rows without values
    get zero responsibilities."""
    n, d = X.shape
    k_count = len(weights)
    log_like = 0.0
    resp = np.zeros((n, k_count))
    filled = np.repeat(X[:, None, :], k_count, axis=1)
    conditional = np.zeros((n, k_count, d, d))
    for i in range(n):
        o = ~np.isnan(X[i])
        m = ~o
        if not o.any():
            filled[i] = means
            continue
        terms = np.empty(k_count)
        for k in range(k_count):
            s_oo = covariances[k][np.ix_(o, o)]
            diff = X[i, o] - means[k, o]
            _, log_det = np.linalg.slogdet(s_oo)
            maha = diff @ np.linalg.solve(s_oo, diff)
            terms[k] = np.log(weights[k]) - 0.5 * (o.sum() * LOG_2PI + log_det + maha)
            regression = covariances[k][np.ix_(m, o)] @ np.linalg.inv(s_oo)
            filled[i, k, m] = means[k, m] + regression @ diff
            conditional[i, k][np.ix_(m, m)] = (
                covariances[k][np.ix_(m, m)] - regression @ covariances[k][np.ix_(o, m)]
            )
        total = logsumexp(terms)
        log_like += total
        resp[i] = np.exp(terms - total)
    return log_like, resp, filled, conditional


def reference_gaussian_em(
    X: np.ndarray,
    start: engine.Params,
    covariance_type: str,
    n_iter: int,
    tie_variances: bool = False,
) -> tuple[list[float], engine.Params]:
    """Ghahramani and Jordan's EM without regularisation: the log-likelihood before each
    iteration and after the last, and the final parameters (with ``tie_variances``, one
    spherical variance shared by every component)."""
    n, d = X.shape
    k_count = start.n_components
    weights, means = start.weights.copy(), start.means.copy()
    covariances = expand(start.covariances, covariance_type, k_count, d)
    history = []
    for _ in range(n_iter + 1):
        log_like, resp, filled, conditional = reference_gaussian_e_step(
            X, weights, means, covariances
        )
        history.append(log_like)
        if len(history) == n_iter + 1:
            break
        nk = resp.sum(axis=0)
        weights = nk / nk.sum()
        means = np.einsum("nk,nkd->kd", resp, filled) / nk[:, None]
        scatter = np.zeros((k_count, d, d))
        for k in range(k_count):
            deviation = filled[:, k] - means[k]
            scatter[k] = (resp[:, k, None] * deviation).T @ deviation
            scatter[k] += np.einsum("n,nij->ij", resp[:, k], conditional[:, k])
        if covariance_type == "full":
            covariances = scatter / nk[:, None, None]
        elif covariance_type == "tied":
            covariances = np.array([scatter.sum(axis=0) / nk.sum()] * k_count)
        elif covariance_type == "diag":
            covariances = np.array([np.diag(np.diag(s) / w) for s, w in zip(scatter, nk)])
        elif tie_variances:
            variance = np.trace(scatter.sum(axis=0)) / (d * nk.sum())
            covariances = np.array([np.eye(d) * variance] * k_count)
        else:
            covariances = np.array(
                [np.eye(d) * np.trace(s) / (d * w) for s, w in zip(scatter, nk)]
            )
    shapes = {
        "full": covariances,
        "tied": covariances[0],
        "diag": np.array([np.diag(c) for c in covariances]),
        "spherical": np.array([c[0, 0] for c in covariances]),
    }
    params = engine.Params(weights=weights, means=means, covariances=shapes[covariance_type])
    return history, params


def reference_imputation(X: np.ndarray, params: engine.Params, covariance_type: str) -> np.ndarray:
    """Each gap replaced by the responsibility-weighted conditional means; a row without
    values gets the mixture's mean."""
    k_count, d = params.means.shape
    covariances = expand(params.covariances, covariance_type, k_count, d)
    _, resp, filled, _ = reference_gaussian_e_step(X, params.weights, params.means, covariances)
    empty = np.isnan(X).all(axis=1)
    resp[empty] = params.weights
    return np.einsum("nk,nkd->nd", resp, filled)


def reference_count_em(
    X: np.ndarray, start: engine.Params, model: str, n_iter: int
) -> tuple[list[float], np.ndarray, np.ndarray]:
    """Bernoulli or Poisson EM with each missing entry left out of the likelihood and
    of the sums, row by row; the log-likelihood history, the final parameter, and the
    responsibilities under it (zero for a row without values)."""
    name = "rates" if model == "poisson" else "probs"
    weights, value = start.weights.copy(), start[name].copy()
    n, d = X.shape
    history = []
    for _ in range(n_iter + 1):
        resp = np.zeros((n, len(weights)))
        log_like = 0.0
        for i in range(n):
            o = ~np.isnan(X[i])
            if not o.any():
                continue
            x = X[i, o]
            if model == "poisson":
                rates = value[:, o]
                per = x @ np.log(rates).T - rates.sum(axis=1) - gammaln(x + 1).sum()
            else:
                probs = value[:, o]
                per = x @ np.log(probs).T + (1 - x) @ np.log1p(-probs).T
            terms = np.log(weights) + per
            total = logsumexp(terms)
            log_like += total
            resp[i] = np.exp(terms - total)
        history.append(log_like)
        if len(history) == n_iter + 1:
            break
        observed = ~np.isnan(X)
        filled = np.where(observed, X, 0.0)
        weights = resp.sum(axis=0) / resp.sum()
        value = (resp.T @ filled) / (resp.T @ observed)
    return history, value, resp


# --- the engine against the reference ------------------------------------------------------


N_ITER = 12


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_em_with_gaps_follows_the_row_by_row_reference(covariance_type: str) -> None:
    X, _, _ = gaussian_data()
    X = with_gaps(X, 0.25, seed=1, empty_rows=2)
    start = gaussian_start(covariance_type)
    expected, params = reference_gaussian_em(X, start, covariance_type, N_ITER)
    options = engine.FitOptions(
        n_components=2, covariance_type=covariance_type, init=start, reg_covar=0.0, tol=0.0,
        max_iter=N_ITER,
    )
    result = engine.fit(X, options)
    np.testing.assert_allclose(result.history, expected, rtol=1e-10)
    for name, value in params.arrays().items():
        np.testing.assert_allclose(result.params[name], value, rtol=1e-8)
    imputed = engine.impute(X, result.params, result.options)
    np.testing.assert_allclose(
        imputed.values, reference_imputation(X, params, covariance_type), rtol=1e-8
    )


class EqualSpherical(covariance.CovarianceStructure):
    """A structure written after missing values: one round covariance shared by all
    components (mclust's EII), stored as the spherical one is."""

    name = "equal-spherical"
    storage = "spherical"

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return 1

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        return np.full(nk.shape, scatter.sum() / (nk.sum() * scatter.shape[1]))


def test_a_new_covariance_structure_fits_gaps_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(covariance._STRUCTURES, EqualSpherical.name, EqualSpherical())
    X, _, _ = gaussian_data()
    X = with_gaps(X, 0.25, seed=1, empty_rows=2)
    start = gaussian_start("spherical").replace(covariances=[1.5, 1.5])
    history, params = reference_gaussian_em(X, start, "spherical", N_ITER, tie_variances=True)
    options = engine.FitOptions(
        n_components=2, covariance_type=EqualSpherical.name, init=start, reg_covar=0.0, tol=0.0,
        max_iter=N_ITER,
    )
    result = engine.fit(X, options)
    np.testing.assert_allclose(result.history, history, rtol=1e-10)
    np.testing.assert_allclose(result.params.covariances, params.covariances, rtol=1e-8)


@pytest.mark.parametrize("model", ["bernoulli", "poisson"])
def test_count_em_with_gaps_follows_the_row_by_row_reference(model: str) -> None:
    rng = np.random.default_rng(4)
    labels = rng.integers(2, size=200)
    if model == "poisson":
        X = rng.poisson(np.array([[1.0, 5.0, 2.0, 8.0], [6.0, 1.5, 4.0, 0.5]])[labels])
        start = engine.Params(weights=[0.5, 0.5], rates=[[2.0, 3.0, 3.0, 4.0], [4.0, 2.0, 3.0, 2.0]])
    else:
        truth = np.array([[0.2, 0.8, 0.3, 0.6], [0.7, 0.1, 0.9, 0.4]])
        X = rng.uniform(size=(200, 4)) < truth[labels]
        start = engine.Params(weights=[0.3, 0.7], probs=[[0.3, 0.6, 0.4, 0.5], [0.6, 0.3, 0.7, 0.5]])
    X = with_gaps(X, 0.3, seed=5, empty_rows=3)
    expected, value, resp = reference_count_em(X, start, model, N_ITER)
    options = engine.FitOptions(model=model, n_components=2, init=start, tol=0.0, max_iter=N_ITER)
    result = engine.fit(X, options)
    np.testing.assert_allclose(result.history, expected, rtol=1e-10)
    name = "rates" if model == "poisson" else "probs"
    np.testing.assert_allclose(result.params[name], value, rtol=1e-9)
    # A count's gap under a component is that component's mean count in the column:
    # the reference's responsibilities times its parameter; a row without values
    # takes the weights.
    imputed = engine.impute(X, result.params, result.options)
    empty = np.isnan(X).all(axis=1)
    resp[empty] = result.params.weights
    gaps = np.isnan(X)
    np.testing.assert_allclose(imputed.values, np.where(gaps, resp @ value, X), rtol=1e-8)
    # And the engine's own responsibilities give the same values to round-off.
    np.testing.assert_allclose(
        imputed.values, np.where(gaps, imputed.resp @ result.params[name], X), rtol=1e-12
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_imputed_values_per_component_are_the_conditional_means(covariance_type: str) -> None:
    X, _, _ = gaussian_data(80)
    X = with_gaps(X, 0.3, seed=2, empty_rows=1)
    params = gaussian_start(covariance_type)
    options = engine.FitOptions(n_components=2, covariance_type=covariance_type)
    imputed = engine.impute(X, params, options)
    k_count, d = params.means.shape
    covariances = expand(params.covariances, covariance_type, k_count, d)
    _, resp, filled, _ = reference_gaussian_e_step(X, params.weights, params.means, covariances)
    assert imputed.per_component.shape == (80, 2, 3) and imputed.values.shape == (80, 3)
    np.testing.assert_allclose(imputed.per_component, filled, rtol=1e-10)
    kept = ~np.isnan(X).all(axis=1)
    np.testing.assert_allclose(imputed.resp[kept], resp[kept], rtol=1e-10, atol=1e-14)
    n_empty = np.count_nonzero(~kept)
    np.testing.assert_allclose(imputed.resp[~kept], np.broadcast_to(params.weights, (n_empty, 2)))
    observed = ~np.isnan(X)
    # Observed values are kept exactly, in both arrays.
    np.testing.assert_array_equal(imputed.values[observed], X[observed])
    for k in range(2):
        np.testing.assert_array_equal(imputed.per_component[:, k][observed], X[observed])
    np.testing.assert_array_equal(imputed.missing, ~observed)
    np.testing.assert_array_equal(imputed.rows_with_gaps, np.flatnonzero((~observed).any(axis=1)))
    # Without the per-component values, block by block: the same overall values.
    blocks = engine.impute(X, params, options, per_component=False)
    assert blocks.per_component is None
    np.testing.assert_array_equal(blocks.values, imputed.values)


def test_an_imputer_serves_many_parameter_sets_on_the_same_rows() -> None:
    X, _, _ = gaussian_data(60)
    X = with_gaps(X, 0.2, seed=3)
    options = engine.FitOptions(n_components=2)
    imputer = engine.Imputer(X, options)
    for covariance_scale in (1.0, 2.0):
        start = gaussian_start("full")
        params = start.replace(covariances=start.covariances * covariance_scale)
        np.testing.assert_array_equal(imputer(params).values, engine.impute(X, params, options).values)


# --- complete data take today's passes -------------------------------------------------------


def test_complete_data_are_summarised_and_fitted_as_before(tmp_path) -> None:
    X, _, _ = gaussian_data(300)
    np.save(tmp_path / "x.npy", X)
    for source in (ArraySource(X), NpySource(tmp_path / "x.npy")):
        before, after = summarise(source), summarise(source, allow_missing=True)
        for name in ("mean", "var", "min", "max"):
            np.testing.assert_array_equal(getattr(after, name), getattr(before, name))
        assert after.n_samples == before.n_samples and not after.has_gaps
    options = engine.FitOptions(n_components=2, seed=3)
    model = engine.loop.setup_fit(X, options).model
    assert not model.with_gaps
    # The fused plans of the complete pass, not the pass for gaps.
    params = engine.fit(X, options).params
    plan = model.pass_plan(params, model.data_plan(ArraySource(X)), np.dtype("float64"))
    assert isinstance(plan, (gaussian_pass.FeaturesPlan, gaussian_pass.WhitenedPlan))


# --- the scan --------------------------------------------------------------------------------


def test_the_scan_counts_missing_values_and_summarises_what_is_there() -> None:
    rng = np.random.default_rng(8)
    X = rng.normal(size=(500, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, -3.0]
    X = with_gaps(X, 0.2, seed=9, empty_rows=4)
    summary = summarise(ArraySource(X), allow_missing=True)
    np.testing.assert_array_equal(summary.n_missing, np.isnan(X).sum(axis=0))
    assert summary.n_rows_with_gaps == np.isnan(X).any(axis=1).sum()
    assert summary.n_empty_rows == np.isnan(X).all(axis=1).sum() >= 4
    assert summary.n_fitted == 500 - summary.n_empty_rows
    np.testing.assert_allclose(summary.mean, np.nanmean(X, axis=0), rtol=1e-13)
    np.testing.assert_allclose(summary.var, np.nanvar(X, axis=0), rtol=1e-12)
    np.testing.assert_array_equal(summary.min, np.nanmin(X, axis=0))
    np.testing.assert_array_equal(summary.max, np.nanmax(X, axis=0))


def test_a_streamed_scan_merges_blocks_with_gaps(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.data, "SCAN_ROWS", 64)
    X = with_gaps(np.random.default_rng(1).normal(size=(1000, 2)) + 7.0, 0.3, seed=2)
    X[:200, 1] = np.nan  # whole blocks without a value in one column
    np.save(tmp_path / "x.npy", X)
    summary = summarise(NpySource(tmp_path / "x.npy"), allow_missing=True)
    np.testing.assert_allclose(summary.mean, np.nanmean(X, axis=0), rtol=1e-13)
    np.testing.assert_allclose(summary.var, np.nanvar(X, axis=0), rtol=1e-12)
    np.testing.assert_array_equal(summary.min, np.nanmin(X, axis=0))


def test_a_model_without_gaps_refuses_them_naming_the_first(no_gaps_model: str) -> None:
    X = np.random.default_rng(0).poisson(3.0, size=(40, 2)).astype(float)
    X[6, 1] = X[9, 0] = np.nan
    with pytest.raises(ValueError, match=r"column 'b' has a missing \(NaN\) value in row 7 \(2 such"):
        engine.fit(X, engine.FitOptions(model=no_gaps_model), feature_names=["a", "b"])


@pytest.mark.parametrize("model", ["gaussian", "poisson"])
def test_bad_gaps_are_refused_with_a_clear_message(model: str) -> None:
    X = np.random.default_rng(0).poisson(3.0, size=(40, 3)).astype(float) + 1.0
    column = X.copy()
    column[:, 1] = np.nan
    with pytest.raises(ValueError, match="column 'x2' has no values at all"):
        engine.fit(column, engine.FitOptions(model=model))
    with pytest.raises(ValueError, match="every row is empty"):
        engine.fit(np.full((5, 2), np.nan), engine.FitOptions(model=model))
    infinite = with_gaps(X, 0.1, seed=1)
    infinite[3, 2] = np.inf
    with pytest.raises(ValueError, match="column 'x3' has an infinite value in row 4"):
        engine.fit(infinite, engine.FitOptions(model=model))


def test_counts_with_gaps_are_still_checked() -> None:
    X = with_gaps(np.random.default_rng(2).poisson(3.0, size=(30, 2)).astype(float), 0.2, seed=3)
    X[5, 0] = 1.5
    with pytest.raises(ValueError, match="whole-number counts, but column 'x1' has 1.5 in row 6"):
        engine.fit(X, engine.FitOptions(model="poisson"))
    binary = with_gaps((np.random.default_rng(2).uniform(size=(30, 2)) < 0.5).astype(float), 0.2, 3)
    binary[7, 1] = 2.0
    with pytest.raises(ValueError, match="0/1 columns, but column 'x2' has 2 in row 8"):
        engine.fit(binary, engine.FitOptions(model="bernoulli"))


# --- rows without values -----------------------------------------------------------------------


def test_rows_without_values_are_left_out_and_counted() -> None:
    X, _, _ = gaussian_data(200)
    X = with_gaps(X, 0.15, seed=4)
    X[[3, 50, 51]] = np.nan
    n_empty = int(np.isnan(X).all(axis=1).sum())
    options = engine.FitOptions(n_components=2, seed=1)
    result = engine.fit(X, options)
    fitted = engine.fit(X[~np.isnan(X).all(axis=1)], options.replace(init=result.params, max_iter=0))
    assert result.n_empty_rows == n_empty >= 3
    assert result.n_rows_with_gaps == np.isnan(X).any(axis=1).sum()
    assert result.n_missing_values == np.isnan(X).sum()
    assert result.n_fitted == 200 - n_empty and result.labels.shape == (200,)
    # Those rows add nothing: the same log-likelihood as the fit without them.
    assert result.log_likelihood == pytest.approx(fitted.log_likelihood, rel=1e-12)
    assert result.bic == pytest.approx(
        -2 * result.log_likelihood + result.n_parameters * np.log(200 - n_empty), rel=1e-12
    )
    assert result.entropy == pytest.approx(fitted.entropy, rel=1e-9)
    assert set(result.labels[[3, 50, 51]]) == {int(np.argmax(result.params.weights))}
    assert any("no value in any column" in message for message in result.messages)


# --- the fast pass, chunks, threads and streams --------------------------------------------


VARIANTS = [("gaussian", c) for c in COVARIANCE_TYPES] + [
    ("kmeans", "full"), ("bernoulli", "full"), ("binomial", "full"), ("poisson", "full")
]
FUSED_METHODS = ("data_plan", "prepare_chunk", "pass_plan", "chunk_pass", "pass_stats")


def problem(model: str, n_samples: int = 400, seed: int = 3) -> np.ndarray:
    """Three clusters of the model's kind of data in 4 columns, 20% of values missing."""
    rng = np.random.default_rng([seed, len(model)])
    labels = rng.integers(3, size=n_samples)
    if model in ("gaussian", "kmeans"):
        centres = rng.normal(scale=3.0, size=(3, 4)) + 30.0
        mixing = np.eye(4) + 0.3 * rng.normal(size=(3, 4, 4))
        X = centres[labels] + np.einsum("nd,nde->ne", rng.normal(size=(n_samples, 4)), mixing[labels])
    elif model == "poisson":
        X = rng.poisson(rng.uniform(0.5, 9.0, size=(3, 4))[labels]).astype(float)
    else:
        trials = 1 if model == "bernoulli" else 5
        X = rng.binomial(trials, rng.uniform(0.1, 0.9, size=(3, 4))[labels]).astype(float)
    return with_gaps(X, 0.2, seed=seed)


def options(model: str, covariance_type: str, **changes: object) -> engine.FitOptions:
    base = engine.FitOptions(
        model=model, covariance_type=covariance_type, n_components=3,
        trials=5 if model == "binomial" else None, max_iter=20, tol=0.0, seed=11,
    )
    return base.replace(**changes)


def assert_same_fit(a: engine.FitResult, b: engine.FitResult, rtol: float) -> None:
    np.testing.assert_allclose(a.history, b.history, rtol=rtol)
    np.testing.assert_allclose(a.objective_history, b.objective_history, rtol=rtol)
    for name, value in b.params.arrays().items():
        np.testing.assert_allclose(a.params[name], value, rtol=rtol, atol=rtol * np.abs(value).max())
    np.testing.assert_array_equal(a.labels, b.labels)


def assert_identical_fit(a: engine.FitResult, b: engine.FitResult) -> None:
    assert a.history == b.history and a.objective_history == b.objective_history
    for name, value in b.params.arrays().items():
        np.testing.assert_array_equal(a.params[name], value)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.entropy == b.entropy


@pytest.mark.parametrize("e_step", ["soft", "hard"])
@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_the_pass_for_gaps_gives_the_plain_fit(
    monkeypatch: pytest.MonkeyPatch, model: str, covariance_type: str, e_step: str
) -> None:
    X = problem(model)
    X = X[~np.isnan(X).all(axis=1)]  # the plain pass would count empty rows' weights
    fast = engine.fit(X, options(model, covariance_type, e_step=e_step))
    for cls in (GaussianModel, PoissonModel, registry.model_class("binomial")):
        for name in FUSED_METHODS:
            monkeypatch.setattr(cls, name, getattr(MixtureModel, name))
    plain = engine.fit(X, options(model, covariance_type, e_step=e_step))
    assert_same_fit(fast, plain, rtol=1e-10)
    assert fast.entropy == pytest.approx(plain.entropy, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_without_a_table_of_patterns_each_chunk_gives_the_same_fit(
    monkeypatch: pytest.MonkeyPatch, covariance_type: str
) -> None:
    X = problem("gaussian")
    table = engine.fit(X, options("gaussian", covariance_type, chunk_size=50))
    monkeypatch.setattr(gaussian_gaps, "TABLE_VALUES", 0)
    chunks = engine.fit(X, options("gaussian", covariance_type, chunk_size=50))
    assert_same_fit(table, chunks, rtol=1e-12)


@pytest.mark.parametrize(("model", "covariance_type"), VARIANTS)
def test_chunks_threads_and_streams_give_the_same_fit(
    tmp_path, model: str, covariance_type: str
) -> None:
    X = problem(model)
    whole = engine.fit(X, options(model, covariance_type))
    one = engine.fit(X, options(model, covariance_type, chunk_size=37, n_threads=1))
    three = engine.fit(X, options(model, covariance_type, chunk_size=37, n_threads=3))
    assert_identical_fit(one, three)
    assert_same_fit(one, whole, rtol=1e-10)
    np.save(tmp_path / "x.npy", X)
    source = NpySource(tmp_path / "x.npy")
    streamed = engine.fit(source, options(model, covariance_type, chunk_size=37))
    # A streamed fit keeps no n-row array: its labels come chunk by chunk.
    assert streamed.labels is None
    blocks = predict_blocks(source, streamed.params, streamed.options)
    labels = np.concatenate([log_resp.argmax(axis=1) for _, log_resp in blocks])
    assert_same_fit(replace(streamed, labels=labels), one, rtol=1e-10)


def test_float32_data_with_gaps_are_fitted_in_float64() -> None:
    X = problem("gaussian")
    assert_identical_fit(
        engine.fit(X, options("gaussian", "full", dtype="float32")),
        engine.fit(X, options("gaussian", "full")),
    )


# --- what EM gains over filling in first ---------------------------------------------------


def test_em_recovers_the_truth_better_than_mean_imputation() -> None:
    X, means, covariances = gaussian_data(2000, seed=21)
    gapped = with_gaps(X, 0.3, seed=22)
    options = engine.FitOptions(n_components=2, n_init=3, seed=5)
    em = engine.fit(gapped, options)
    column_means = np.nanmean(gapped, axis=0)
    filled = np.where(np.isnan(gapped), column_means, gapped)
    naive = engine.fit(filled, options)

    def errors(result: engine.FitResult) -> tuple[float, float]:
        order = np.argsort(result.params.means[:, 0])  # truth: component 0 on the left
        fitted_means = result.params.means[order]
        fitted_covariances = result.params.covariances[order]
        return (
            float(np.linalg.norm(fitted_means - means)),
            float(np.linalg.norm(fitted_covariances - covariances)),
        )

    em_means, em_covariances = errors(em)
    naive_means, naive_covariances = errors(naive)
    assert em_means < naive_means and em_covariances < naive_covariances
    # Filling in with the mean shrinks every spread; EM keeps them.
    assert em_covariances < 0.5 * naive_covariances


# --- EM never falls ----------------------------------------------------------------------------


N_PROBLEMS = 30
MONOTONE_VARIANTS = [("gaussian", c) for c in COVARIANCE_TYPES] + [
    ("kmeans", None), ("bernoulli", None), ("binomial", None), ("poisson", None)
]


def random_problem(model: str, seed: int) -> tuple[np.ndarray, int]:
    """Data from a random mixture of the model's kind, with a random share of gaps."""
    rng = np.random.default_rng([seed, len(model), 15])
    n_components = int(rng.integers(2, 4))
    n_features = int(rng.integers(2, 5))
    labels = rng.integers(n_components, size=90)
    if model in ("gaussian", "kmeans"):
        centres = rng.normal(scale=4.0, size=(n_components, n_features))
        mixing = np.eye(n_features) + 0.5 * rng.normal(size=(n_components, n_features, n_features))
        noise = rng.normal(size=(90, n_features))
        X = centres[labels] + np.einsum("nd,nde->ne", noise, mixing[labels])
    elif model == "poisson":
        X = rng.poisson(rng.uniform(0.5, 10.0, size=(n_components, n_features))[labels])
    else:
        trials = 1 if model == "bernoulli" else 6
        X = rng.binomial(trials, rng.uniform(size=(n_components, n_features))[labels])
    return with_gaps(X, rng.uniform(0.05, 0.4), seed=seed), n_components


@pytest.mark.parametrize("e_step", ["soft", "hard"])
@pytest.mark.parametrize(("model", "covariance_type"), MONOTONE_VARIANTS)
def test_em_with_gaps_never_lowers_what_it_climbs(
    model: str, covariance_type: str | None, e_step: str
) -> None:
    rises = collapses = 0
    for seed in range(N_PROBLEMS):
        X, n_components = random_problem(model, seed)
        fit_options = engine.FitOptions(
            model=model, n_components=n_components, covariance_type=covariance_type or "full",
            trials=6 if model == "binomial" else None, e_step=e_step,
            init="random" if seed % 2 else "kmeans++", reg_covar=0.0, tol=0.0, max_iter=40,
            seed=seed,
        )
        try:
            result = engine.fit(X, fit_options)
        except engine.CollapseError:
            # Without regularisation a component may shrink onto a few rows.
            collapses += 1
            continue
        values = np.asarray(result.objective_history)
        allowance = 1e-9 * np.abs(values[:-1]) + 1e-9
        assert np.all(values[:-1] - values[1:] <= allowance), f"seed {seed}: {values}"
        assert not any("fell" in message for message in result.messages)
        rises += values[-1] > values[0] + 1e-6
    assert rises >= N_PROBLEMS // 2 and collapses <= N_PROBLEMS // 10


# --- half-steps, held parameters, restarts, selection, starts, prediction ------------------


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_half_steps_with_gaps_close_the_gap_and_raise_the_bound(covariance_type: str) -> None:
    X, _, _ = gaussian_data(120)
    X = with_gaps(X, 0.25, seed=6, empty_rows=2)
    options = engine.FitOptions(n_components=2, covariance_type=covariance_type, seed=3, max_iter=6)
    steps = list(half_steps(X, options))
    for step in steps[1:]:
        assert step.lower_bound <= step.log_likelihood + 1e-10 * abs(step.log_likelihood)
        if step.phase == "E":
            assert step.lower_bound == pytest.approx(step.log_likelihood, rel=1e-12)
    for e, m in zip(steps[1::2], steps[2::2]):
        assert m.lower_bound >= e.lower_bound - 1e-10 * abs(e.lower_bound)
    full = engine.fit(X, options.replace(tol=0.0))
    after_m = [s.log_likelihood for s in steps if s.phase in ("start", "M")]
    np.testing.assert_allclose(after_m, full.history[: len(after_m)], rtol=1e-10)


def test_held_parameters_stay_put_with_gaps() -> None:
    X = problem("gaussian")
    start = engine.fit(X, options("gaussian", "full", max_iter=2)).params
    held = engine.fit(X, options("gaussian", "full", init=start, fixed={"means", "weights"}))
    np.testing.assert_array_equal(held.params.means, start.means)
    np.testing.assert_array_equal(held.params.weights, start.weights)
    assert not np.array_equal(held.params.covariances, start.covariances)
    assert held.n_parameters == 3 * 10
    values = np.asarray(held.objective_history)
    assert np.all(np.diff(values) >= -1e-9 * np.abs(values[:-1]))


@pytest.mark.parametrize("init", ["kmeans++", "random", "hc"])
def test_every_start_and_restarts_work_with_gaps(init: str) -> None:
    X = problem("gaussian")
    result = engine.fit(X, options("gaussian", "full", init=init, n_init=3, tol=1e-6))
    assert len(result.restart_objectives) == 3
    assert np.all(np.isfinite(result.restart_objectives))
    assert max(result.restart_objectives) == pytest.approx(result.objective_history[-1])
    assert np.all(np.isfinite(result.params.covariances))


def test_seeds_are_complete_rows_when_there_are_enough() -> None:
    X = problem("gaussian")
    first = engine.fit(X, options("gaussian", "full", max_iter=0, init="random"))
    complete = X[~np.isnan(X).any(axis=1)]
    # One partition step from complete seeds; the seeds' rows are among the complete ones.
    from engine.gaps import COMPLETE_ROWS_PER_SEED, seed_candidates

    assert len(complete) >= COMPLETE_ROWS_PER_SEED * 3
    np.testing.assert_array_equal(seed_candidates(X, 3), complete)
    few = with_gaps(X, 0.6, seed=1)
    candidates = seed_candidates(few, 3)
    assert not np.isnan(candidates).any() and len(candidates) == (~np.isnan(few).all(axis=1)).sum()
    assert np.isfinite(first.log_likelihood)


def test_hard_kmeans_with_gaps_uses_partial_distances() -> None:
    X = problem("kmeans")
    result = engine.fit(X, options("kmeans", "full", e_step="hard", max_iter=50, tol=1e-10))
    means = result.params.means
    diff = X[:, None, :] - means[None]
    partial = np.nansum(diff**2, axis=2)
    kept = ~np.isnan(X).all(axis=1)
    np.testing.assert_array_equal(result.labels[kept], np.argmin(partial[kept], axis=1))
    # At convergence each mean is the average of its rows' observed values.
    for k in range(3):
        rows = X[result.labels == k]
        np.testing.assert_allclose(means[k], np.nanmean(rows, axis=0), rtol=1e-6)


def test_model_selection_with_gaps_counts_rows_with_values() -> None:
    X = problem("gaussian", n_samples=300)
    X[:4] = np.nan
    base = engine.FitOptions(seed=2, n_init=1)
    specs = [ModelSpec("gaussian", "full"), ModelSpec("gaussian", "diag")]
    cells = list(sweep(X, specs, [1, 2, 3], base))
    assert all(cell.result is not None for cell in cells)
    n_fitted = int((~np.isnan(X).all(axis=1)).sum())
    for cell in cells:
        expected = -2 * cell.result.log_likelihood + cell.result.n_parameters * np.log(n_fitted)
        assert cell.result.bic == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_predict_with_gaps_uses_the_observed_columns(covariance_type: str) -> None:
    X, _, _ = gaussian_data(100)
    X = with_gaps(X, 0.3, seed=7, empty_rows=1)
    params = gaussian_start(covariance_type)
    log_norm, log_resp = engine.predict_log_resp(
        X, params, engine.FitOptions(n_components=2, covariance_type=covariance_type)
    )
    k_count, d = params.means.shape
    covariances = expand(params.covariances, covariance_type, k_count, d)
    _, resp, _, _ = reference_gaussian_e_step(X, params.weights, params.means, covariances)
    kept = ~np.isnan(X).all(axis=1)
    np.testing.assert_allclose(np.exp(log_resp[kept]), resp[kept], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(np.exp(log_resp[~kept]), np.tile(params.weights, ((~kept).sum(), 1)))
    np.testing.assert_allclose(log_norm[~kept], 0.0, atol=1e-15)
