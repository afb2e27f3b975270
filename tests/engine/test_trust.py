"""Fits that must stay right at the edges: columns of wildly different magnitudes,
components on a handful of rows, values near the top of floating point."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import engine


def never_falls(history: tuple[float, ...], rel: float = 1e-9) -> bool:
    h = np.asarray(history)
    return bool(np.all(np.diff(h) >= -rel * np.maximum(1.0, np.abs(h[:-1]))))


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_a_code_column_of_1e8_does_not_swamp_the_other_columns(covariance_type: str) -> None:
    # Two groups told apart by a code column (1e8 or 2e8) and a measurement: each
    # group's variance of the measurement must be its own, not the code's rounding.
    rng = np.random.default_rng(0)
    codes = rng.choice([1e8, 2e8], 300)
    X = np.column_stack([codes, rng.normal(size=300) * np.where(codes > 1.5e8, 2.0, 1.0)])
    result = engine.fit(X, engine.FitOptions(n_components=2, covariance_type=covariance_type, seed=1))
    assert never_falls(result.history)
    if covariance_type in ("full", "diag"):
        for k in range(2):
            rows = X[np.isclose(X[:, 0], result.params.means[k, 0])]
            assert len(rows) > 100  # each component is one code group
            variance = result.params.covariances[k]
            variance = variance[1, 1] if covariance_type == "full" else variance[1]
            # The regularisation is a prior worth N / K rows of 1e-6 times the
            # column's variance, shared out over the component's own rows.
            regularisation = 1e-6 * X[:, 1].var() * (len(X) / 2) / len(rows)
            assert variance == pytest.approx(rows[:, 1].var() + regularisation, rel=1e-9)


@pytest.mark.parametrize("covariance_type", ["tied", "spherical"])
def test_one_component_per_row_without_regularisation_is_a_collapse_not_a_fall(
    covariance_type: str,
) -> None:
    # With K = N and no regularisation each component shrinks onto its row: the
    # likelihood is unbounded. That is said, instead of a history of rounding noise.
    X = np.random.default_rng(3).normal(size=(6, 2))
    options = engine.FitOptions(n_components=6, covariance_type=covariance_type, reg_covar=0.0, seed=1)
    with pytest.raises(engine.CollapseError, match="collapsed"):
        engine.fit(X, options)


def test_a_column_that_varies_only_in_its_last_digits_is_refused() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([5.88e8 + rng.normal(scale=2e-5, size=60), rng.normal(size=60)])
    with pytest.raises(ValueError, match=(
        r"column 'x1' varies by only 1.8e-05 on values near 5.88e\+08: its numbers differ "
        r"only in their last digits, too few to fit a spread to\. Remove that column, or "
        r"record it as a difference from a reference value"
    )):
        engine.fit(X, engine.FitOptions(n_components=2, seed=0))


def test_a_component_finer_than_the_digits_names_the_column_and_the_remedy() -> None:
    # The column as a whole keeps enough digits, but a component on three nearly equal
    # values would need a spread finer than they resolve.
    rng = np.random.default_rng(1)
    base = 1.4e7
    X = np.concatenate([base + rng.normal(scale=5e-4, size=(40, 1)), np.full((3, 1), base + 0.3)])
    with pytest.raises(engine.CollapseError) as caught:
        engine.fit(X, engine.FitOptions(n_components=2, covariance_type="diag", reg_covar=0.0, seed=0))
    message = str(caught.value)
    assert "fell below what that column's digits can resolve (values near 1.4e+07" in message
    assert "Raise the regularisation to reg_covar" in message


def test_the_history_shown_is_the_log_likelihood_plus_the_prior() -> None:
    # diag, K = 2: the prior is -(c/2) sum_k sum_d reg_d / var_kd with c = N / K.
    rng = np.random.default_rng(2)
    X = np.concatenate([rng.normal(size=(70, 2)), rng.normal(3.0, 0.5, size=(30, 2))])
    options = engine.FitOptions(n_components=2, covariance_type="diag", reg_covar=0.05, seed=4)
    result = engine.fit(X, options)
    reg = 0.05 * X.var(axis=0)
    prior = -0.5 * (len(X) / 2) * np.sum(reg / result.params.covariances)
    assert result.objective_history[-1] == pytest.approx(result.log_likelihood + prior, rel=1e-12)
    assert never_falls(result.objective_history)


def _round_off(X: np.ndarray, result: engine.FitResult) -> float:
    """Independently of the engine: how much the objective can move because every
    parameter is itself rounded (a mean known to eps |m| costs each row up to the
    square of that in the component's smallest standard deviation)."""
    covariances = np.asarray(result.params.covariances)
    if covariances.ndim == 3:
        smallest = np.linalg.eigvalsh(covariances)[:, 0]
    elif covariances.ndim == 2 and covariances.shape[0] == covariances.shape[1] == X.shape[1] and \
            result.options.covariance_type == "tied":
        smallest = np.linalg.eigvalsh(covariances)[:1]
    elif covariances.ndim == 2:
        smallest = covariances.min(axis=1)
    else:
        smallest = covariances
    smallest = max(float(np.min(smallest)), np.finfo(float).tiny)  # eigvalsh may round below 0
    worst = np.finfo(float).eps * np.abs(X).max() * X.shape[1] / np.sqrt(smallest)
    return 4.0 * X.size * worst**2


def _problem(seed: int) -> tuple[np.ndarray, engine.FitOptions]:
    rng = np.random.default_rng(seed)
    model = str(rng.choice(["gaussian"] * 4 + ["kmeans", "bernoulli", "binomial", "poisson"]))
    n = int(rng.choice([2, 3, 5, 8, 20, 60, 200]))
    d = int(rng.integers(1, 5))
    if model in ("gaussian", "kmeans"):
        scale = 10.0 ** rng.uniform(-6, 9, size=d)
        X = rng.normal(size=(n, d)) * scale + 10.0 ** rng.uniform(-3, 9, size=d) * rng.choice([0, 1])
        if rng.uniform() < 0.3:
            X = np.round(X / scale) * scale  # ties
        if rng.uniform() < 0.2:
            X[: n // 2] = X[0]  # repeated rows
    elif model == "bernoulli":
        X = (rng.uniform(size=(n, d)) < rng.uniform(size=d)).astype(float)
    elif model == "binomial":
        X = rng.binomial(5, rng.uniform(size=d), size=(n, d)).astype(float)
    else:
        X = rng.poisson(10.0 ** rng.uniform(-1, 3, size=d), size=(n, d)).astype(float)
    options = engine.FitOptions(
        model=model,
        n_components=int(rng.integers(1, min(n, 6) + 1)),
        covariance_type=str(rng.choice(["full", "tied", "diag", "spherical"])),
        trials=5,
        reg_covar=float(rng.choice([0.0, 1e-6, 1e-3, 0.1])),
        e_step="hard" if rng.uniform() < 0.2 else "soft",
        max_iter=200,
        tol=1e-10,
        seed=seed,
    )
    return X, options


def test_fuzz_no_undocumented_error_finite_parameters_and_no_fall() -> None:
    # Random shapes, scales from 1e-6 to 1e9, offsets, ties, repeated rows, every model
    # and covariance, both E-steps, regularisation from 0 to 0.1.
    fitted = refused = 0
    for seed in range(300):
        X, options = _problem(seed)
        try:
            result = engine.fit(X, options)
        except ValueError as exc:  # every documented error is a ValueError with a message
            assert str(exc), seed
            refused += 1
            continue
        fitted += 1
        for name, array in result.params.arrays().items():
            assert np.all(np.isfinite(array)), (seed, name)
        h = np.asarray(result.objective_history)
        allowed = 1e-9 * np.maximum(1.0, np.abs(h[:-1]))
        if options.model == "gaussian" or options.model == "kmeans":
            allowed = np.maximum(allowed, _round_off(X, result))
        assert np.all(np.diff(h) >= -allowed), (seed, np.diff(h).min())
    assert fitted > 200 and refused > 10


def test_a_tied_fit_on_the_regularisation_alone_is_marked() -> None:
    # The two-coin counts as measurements: three tied components on three values.
    X = np.array([[3.0], [2.0], [1.0], [3.0], [2.0]])
    result = engine.fit(X, engine.FitOptions(n_components=3, covariance_type="tied", n_init=3, seed=0))
    assert result.collapsed == (0, 1, 2)
    assert result.messages[-2:] == (
        "components 1, 2, 3 rest on the regularisation alone: they sit on rows with no spread "
        "in some direction (rows that share a value, lie on a line or a plane, or are fewer than the columns), a spurious optimum whose likelihood means little; every one of the 3 starts "
        "ended so; try more starts (n_init) or fewer components",
        "the data hold 3 distinct rows, as many as K = 3, so each component can sit on copies "
        "of one row alone; choose K of at most 2",
    )


@pytest.mark.parametrize(("value", "shown"), [(1e308, "1e+308"), (-3e200, "-3e+200")])
def test_values_too_large_to_square_are_refused_naming_the_column(value: float, shown: str) -> None:
    X = np.random.default_rng(0).normal(size=(20, 2))
    X[4, 1] = value
    for model in ("gaussian", "kmeans"):
        with pytest.raises(ValueError, match=re.escape(
            f"column 'b' has {shown} in row 5, too large to compute with (its square "
            "overflows); divide the column by a power of ten so that its values stay below 1e+150"
        )):
            engine.fit(X, engine.FitOptions(model=model, n_components=2), feature_names=["a", "b"])


def _tiny_message(column: str, spread: str, near: str, power: int) -> str:
    return re.escape(
        f"column {column!r} varies by only {spread} (values near {near}), too little to "
        "compute with (its square, the variance, nears the smallest floats); multiply the "
        f"column by 1e{power}, or another power of ten that makes it vary by more than 1e-100"
    )


@pytest.mark.parametrize(("unit", "spread", "near", "power"), [
    (1e-308, "1.8e-307", "1.9e-307", 300),
    (5e-324, "8.89e-323", "9.39e-323", 300),  # subnormal: their variance is 0
    (1e-160, "1.8e-159", "1.9e-159", 159),
])
@pytest.mark.parametrize("options", [
    {}, {"model": "kmeans"}, {"regularisation": "sklearn", "reg_covar": 1.0},
    {"covariance_type": "spherical", "reg_covar": 0.1},
])
def test_values_too_narrow_to_square_are_refused_naming_the_column_and_the_power_of_ten(
    unit: float, spread: str, near: str, power: int, options: dict
) -> None:
    # Whole numbers 1..19 times a tiny unit: no regularisation or structure helps
    # (the variance itself underflows), multiplying by the power of ten named does.
    whole = np.random.default_rng(0).integers(1, 20, size=(60, 2)).astype(float)
    tiny = whole * unit
    fit_options = engine.FitOptions(n_components=2, seed=0, **options)
    with pytest.raises(ValueError, match=_tiny_message("a", spread, near, power)):
        engine.fit(tiny, fit_options, feature_names=["a", "b"])
    tiny[:, 0] = whole[:, 0]  # the first column is fine: the second is named
    with pytest.raises(ValueError, match=_tiny_message("b", spread, near, power)):
        engine.fit(tiny, fit_options, feature_names=["a", "b"])
    # The advice followed (warnings are errors here): a fit with finite parameters.
    result = engine.fit(tiny * [1.0, 10.0**power], fit_options)
    assert np.isfinite(result.log_likelihood)
    assert all(np.all(np.isfinite(a)) for a in (result.params.means, result.params.covariances))


def test_values_too_narrow_are_refused_in_standard_units_too() -> None:
    from engine.standardize import fit_standardized

    tiny = np.random.default_rng(0).integers(1, 20, size=(60, 2)) * 1e-160
    with pytest.raises(ValueError, match=_tiny_message("a", "1.8e-159", "1.9e-159", 159)):
        fit_standardized(tiny, engine.FitOptions(n_components=2, seed=0), ["a", "b"])
    result = fit_standardized(tiny * 1e159, engine.FitOptions(n_components=2, seed=0), ["a", "b"])
    assert np.all(np.isfinite(result.params.covariances))


def test_values_too_large_are_refused_in_standard_units_without_a_warning() -> None:
    from engine.standardize import fit_standardized, scales_differ

    huge = np.random.default_rng(0).normal(size=(60, 2)) * [1e307, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as info:
            fit_standardized(huge, engine.FitOptions(n_components=2, seed=0), ["a", "b"])
        assert not scales_differ(huge)  # the window's hint to standardise stays quiet
    assert str(info.value) == (
        f"column 'a' has {huge[0, 0]:.3g} in row 1, too large to compute with (its square "
        "overflows); divide the column by a power of ten so that its values stay below 1e+150"
    )


def test_a_spread_of_1e_minus_100_is_fitted_with_any_regularisation() -> None:
    # Just above the limit the fit runs without an overflow, whatever the regularisation.
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(0, 1, (30, 2)), rng.normal(5, 1, (30, 2))])
    X *= 1.01e-100 / np.ptp(X, axis=0)
    for options in ({}, {"reg_covar": 0.0}, {"regularisation": "sklearn", "reg_covar": 0.0},
                    {"model": "kmeans"}, {"covariance_type": "spherical", "reg_covar": 0.0}):
        result = engine.fit(X, engine.FitOptions(n_components=2, seed=0, **options))
        assert np.all(np.isfinite(result.params.covariances)) and np.all(result.params.covariances)


def test_collapse_messages_name_the_real_cause() -> None:
    with pytest.raises(ValueError, match=re.escape(
        "the data have only one row, and a Gaussian needs at least two to measure a spread; "
        "add rows"
    )):
        engine.fit(np.array([[1.0, 2.0]]), engine.FitOptions(n_components=1))
    two_points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(engine.CollapseError, match=re.escape(
        "the data hold only 2 distinct rows, fewer than the 3 components, so some component can "
        "only sit on copies of one row, which have no spread. Lower K to at most 2, or raise "
        "the regularisation (reg_covar, now 0)."
    )):
        engine.fit(two_points, engine.FitOptions(n_components=3, reg_covar=0.0, seed=0))
    held_up = engine.fit(two_points, engine.FitOptions(n_components=3, seed=0))
    assert held_up.collapsed and held_up.messages[-1] == (
        "the data hold only 2 distinct rows, fewer than K = 3; choose K of at most 2"
    )


def test_predict_takes_a_constant_column_that_fitting_refuses() -> None:
    rng = np.random.default_rng(1)
    params = engine.fit(rng.normal(size=(50, 2)), engine.FitOptions(n_components=2, seed=0)).params
    new = np.column_stack([np.ones(5), np.arange(5.0)])
    log_norm, log_resp = engine.predict_log_resp(new, params, engine.FitOptions(n_components=2))
    assert np.all(np.isfinite(log_norm)) and np.allclose(np.exp(log_resp).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="column 'x1' has the same value in every row"):
        engine.fit(new, engine.FitOptions(n_components=2))


def _with_variance(params: engine.Params, storage_shape: tuple[int, ...], v: float) -> engine.Params:
    if len(storage_shape) == 3:
        covariances = np.broadcast_to(np.eye(storage_shape[-1]) * v, storage_shape).copy()
    elif len(storage_shape) == 2 and storage_shape[0] == storage_shape[1] != 2:
        covariances = np.eye(storage_shape[0]) * v
    else:
        covariances = np.full(storage_shape, v)
    return engine.Params(params.weights, means=params.means, covariances=covariances)


@pytest.mark.parametrize("options", [
    {"covariance_type": name} for name in ("full", "tied", "diag", "spherical", "EEV", "VEV")
] + [{"model": "kmeans"}])
def test_given_variances_near_the_ends_of_floating_point_are_refused_or_fitted(
    options: dict,
) -> None:
    # Warnings are errors here: no overflow may leak, and no fit may end non-finite.
    rng = np.random.default_rng(0)
    data = {"plain": rng.normal(size=(80, 3)) + [0.0, 0.0, 50.0],
            "small": rng.normal(size=(80, 3)) * 1e-90}
    for X in data.values():
        base = engine.FitOptions(n_components=2, seed=0, **options)
        good = engine.fit(X, base).params
        shape = np.shape(good.covariances)
        if options.get("covariance_type") == "tied":
            shape = (3, 3)
        for v in (5e-324, 1e-308, 1e-250, 1e300, 1e308):
            given = _with_variance(good, shape, v)
            for extra in ({}, {"max_iter": 0}, {"fixed": ("covariances",)}):
                try:
                    result = engine.fit(X, base.replace(init=given, **extra))
                except ValueError as exc:
                    assert v > 1 or "is too narrow" in str(exc)
                    continue
                assert np.isfinite(result.log_likelihood)
                assert all(np.all(np.isfinite(a)) for a in (
                    result.params.weights, result.params.means, result.params.covariances))
            try:
                log_norm, _ = engine.predict_log_resp(X, given, base)
            except ValueError as exc:
                assert v < 1 and "is too narrow" in str(exc)
            else:
                assert np.all(np.isfinite(log_norm))


def test_a_too_narrow_covariance_is_refused_before_a_fit_with_the_variance_that_works() -> None:
    X = np.random.default_rng(1).normal(size=(50, 2)) * [1.0, 1e4]
    options = engine.FitOptions(n_components=2, covariance_type="diag", seed=0)
    good = engine.fit(X, options).params
    narrow = engine.Params(good.weights, means=good.means, covariances=[[1.0, 1.0], [1.0, 1e-300]])
    with pytest.raises(ValueError, match=re.escape(
        "the covariance of component 2 is too narrow: values as large as 2.25e+04 in column 2 "
        "(of the data or the means) would lie more than 1e+100 of its standard deviations "
        "away, and their squares overflow; give it variances of at least 5e-190"
    )):
        engine.fit(X, options.replace(init=narrow))
    advised = engine.Params(good.weights, means=good.means, covariances=[[1.0, 1.0], [1.0, 5e-190]])
    assert np.isfinite(engine.fit(X, options.replace(init=advised, max_iter=0)).log_likelihood)


# The first six rows of Old Faithful: six distinct rows.
FAITHFUL_6 = np.array([
    [3.6, 79.0], [1.8, 54.0], [3.333, 74.0], [2.283, 62.0], [4.533, 85.0], [2.883, 55.0],
])


@pytest.mark.parametrize(("covariance_type", "reg_covar"), [
    ("spherical", 0.0), ("spherical", 4e-25), ("spherical", 4e-24), ("full", 0.0), ("full", 4e-25),
])
def test_as_many_components_as_rows_is_named_as_the_cause(covariance_type, reg_covar) -> None:
    # The advice was reg_covar tenfold the last one (4e-25, 4e-24, ...) and blamed the
    # digits of a column ("vary by only 11.9"): each component sits on a row alone.
    options = engine.FitOptions(
        n_components=6, covariance_type=covariance_type, reg_covar=reg_covar, seed=0
    )
    with pytest.raises(engine.CollapseError, match=re.escape(
        "component 1 collapsed at iteration 0: the data hold 6 distinct rows, as many as the "
        "6 components, so each component can sit on copies of one row alone, which have no "
        f"spread. Lower K to at most 5, or raise the regularisation (reg_covar, now {reg_covar:g}) "
        "to the default 1e-06 or more."
    )):
        engine.fit(FAITHFUL_6, options, feature_names=["eruptions", "waiting"])
    held_up = engine.fit(FAITHFUL_6, options.replace(reg_covar=1e-6))
    assert held_up.messages[-1] == (
        "the data hold 6 distinct rows, as many as K = 6, so each component can sit on copies "
        "of one row alone; choose K of at most 5"
    )


@pytest.mark.parametrize(("covariance_type", "column", "near", "needed"), [
    ("spherical", "waiting", "85", 2e-23), ("diag", "eruptions", "4.53", 8e-24),
])
@pytest.mark.parametrize("reg_covar", [0.0, 4e-24])
def test_a_component_on_a_single_row_gets_a_regularisation_that_works(
    covariance_type, column, near, needed, reg_covar
) -> None:
    options = engine.FitOptions(
        n_components=5, covariance_type=covariance_type, reg_covar=reg_covar, seed=0
    )
    if reg_covar < needed / 2:
        with pytest.raises(engine.CollapseError, match=re.escape(
            "component 1 collapsed at iteration 0: it sits on a single row (weight 1), which "
            "has no spread; only the regularisation keeps it above what the digits of column "
            f"{column!r} can resolve (values near {near}). Lower K, or raise the "
            f"regularisation to reg_covar {needed:.0e} or more (now {reg_covar:g})."
        )):
            engine.fit(FAITHFUL_6, options, feature_names=["eruptions", "waiting"])
    # The value named works (the last advice asked for ten times the value tried).
    result = engine.fit(FAITHFUL_6, options.replace(reg_covar=needed))
    assert np.all(np.isfinite(result.params.covariances))


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("accelerate", ["squarem", "none"])
def test_the_rounding_of_a_component_on_one_row_is_not_called_a_fall(
    covariance_type: str, accelerate: str
) -> None:
    # reg_covar 1e-12 and K = rows: each component sits on its row with a variance of
    # 1e-12 of the column's. The exact objective (in long double) stays where it is
    # from the first iteration, but the features pass evaluates it only to about
    # N eps s**2 (s = 1e6 standard deviations across the data): "the objective fell by
    # 0.000732 at iteration 2, more than round-off" was that rounding.
    result = engine.fit(FAITHFUL_6, engine.FitOptions(
        n_components=6, covariance_type=covariance_type, reg_covar=1e-12, seed=0,
        accelerate=accelerate,
    ))
    assert not [message for message in result.messages if "fell by" in message]


def test_a_fall_beyond_round_off_is_still_noted(faithful_csv) -> None:
    # scikit-learn's regularisation, added after the M-step, does lower the objective.
    X = np.loadtxt(faithful_csv, delimiter=",", skiprows=1)
    result = engine.fit(X, engine.FitOptions(
        n_components=2, regularisation="sklearn", reg_covar=1.0, seed=0, accelerate="squarem"
    ))
    assert result.messages[0] == (
        "the objective fell by 2.83 at iteration 1, more than round-off; the regularisation "
        "or held parameters may be the cause"
    )


@pytest.mark.parametrize(("rows", "n_components", "reg_covar", "seed"), [
    (30, 15, 0.0, 1), (30, 15, 0.0, 2),
])
def test_a_vev_m_step_on_too_few_rows_is_a_collapse_not_an_overflow(
    faithful_csv, rows, n_components, reg_covar, seed
) -> None:
    # The volumes and the shape alternate towards 0 and their inverses overflowed
    # (RuntimeWarnings from covariance/eigen.py and vev.py) before the collapse.
    X = np.loadtxt(faithful_csv, delimiter=",", skiprows=1)[:rows]
    options = engine.FitOptions(
        n_components=n_components, covariance_type="VEV", reg_covar=reg_covar, seed=seed
    )
    try:
        result = engine.fit(X, options)
    except engine.CollapseError as exc:
        assert "collapsed" in str(exc)
    else:
        assert np.all(np.isfinite(result.params.covariances))
