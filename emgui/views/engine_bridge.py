"""What emgui asks of the engine beyond fitting, in one place: labels of the displayed
rows by the fast pass, the largest responsibility per row, which models can fit the
data, the densities the views draw, the figure a trace shows, components reordered,
and starting parameters from means placed by clicking. Every answer comes from the
engine's public API and the models' declarations; no model is named here.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence

import numpy as np

import engine
from engine.models import build_model, model_class, model_names
from engine.params import Params

#: Data of up to this many values are checked against every model at once, in the GUI
#: thread (a few milliseconds); larger data in the background.
QUICK_CHECK_VALUES = 50_000


def fixable_params(model: str) -> frozenset[str]:
    """The parameters ``model`` can hold at their starting values."""
    return frozenset(build_model(model).fixable)


def data_problem(options: engine.FitOptions, X: np.ndarray, names: list[str]) -> str | None:
    """Why ``X`` cannot come from the model of ``options`` (``None`` when it can)."""
    try:
        engine.check_data(X, options, names)
    except ValueError as exc:
        return str(exc)
    return None


def model_problems(
    X: np.ndarray, names: Sequence[str], option_values: Mapping[str, object]
) -> Generator[tuple[str, str | None], None, None]:
    """For every model, in menu order: ``(model, why X cannot come from it)``, the reason
    ``None`` when it can, or when an option it needs has no value yet (then nobody can
    tell). ``option_values`` are the settings' values of every model's options."""
    for model in model_names():
        given = {
            spec.name: option_values.get(spec.name) for spec in model_class(model).option_specs
        }
        if any(spec.required and given[spec.name] is None
               for spec in model_class(model).option_specs):
            yield model, None
            continue
        try:
            options = engine.FitOptions(model=model, **given)
        except (TypeError, ValueError) as exc:
            yield model, str(exc)
            continue
        yield model, data_problem(options, X, list(names))


class RowLabeller:
    """The most probable component (and its responsibility) of some rows, fast: the
    rows are prepared once for the many redraws of a run."""

    def __init__(self, options: engine.FitOptions, X: np.ndarray) -> None:
        self._evaluator = engine.Evaluator(X, options)

    def labels(self, params: engine.Params) -> np.ndarray:
        """Each row's most probable component under ``params``, by the fast chunk pass."""
        return self._evaluator.labels(params)

    def confidence(self, params: engine.Params) -> np.ndarray:
        """Each row's largest responsibility under ``params``."""
        _, log_resp = self._evaluator.log_resp(params)
        return np.exp(log_resp.max(axis=1))

    def resp(self, params: engine.Params) -> np.ndarray:
        """Every row's responsibilities under ``params``, shape (n_rows, n_components)."""
        _, log_resp = self._evaluator.log_resp(params)
        with np.errstate(under="ignore"):  # a far component's share is zero
            return np.exp(log_resp)


class GapPlacer:
    """Where rows with missing values are expected under any parameters (the E-step's
    guess: each missing value's responsibility-weighted conditional mean), in the shown
    ``columns``; made once per data set and model for the many redraws of a run."""

    def __init__(self, options: engine.FitOptions, X: np.ndarray, columns: Sequence[int]) -> None:
        self._columns = list(columns)
        self._imputer: engine.Imputer | None = None
        if model_class(options.model).handles_missing and np.isnan(X).any():
            try:
                self._imputer = engine.Imputer(X, options)
            except ValueError:
                self._imputer = None  # data the model cannot take: nothing is placed

    def positions(self, params: engine.Params) -> np.ndarray | None:
        """Every row with its gaps filled in under ``params``, in the shown columns,
        shape (n_rows, len(columns)); ``None`` when the rows cannot be filled in."""
        if self._imputer is None:
            return None
        try:
            filled = self._imputer(params, per_component=False)
        except (ValueError, engine.SingularComponent, np.linalg.LinAlgError):
            return None
        return filled.values[:, self._columns]


def traced_objective(
    run: Sequence[engine.Snapshot], options: engine.FitOptions
) -> tuple[list[float], str]:
    """The figure the likelihood plot shows for one start's snapshots, and its name:
    the per-pass figure the model declares for its trace (k-means: the inertia), else
    what EM climbs (:func:`engine.objective_name`), which never falls."""
    metric = model_class(options.model).trace_metric
    if metric is not None and run and metric in run[-1].metrics:
        return [s.metrics[metric] for s in run], metric
    return [s.objective for s in run], engine.objective_name(options)


def permuted(params: Params, options: engine.FitOptions, order: np.ndarray) -> Params:
    """``params`` with components listed in ``order``; arrays the model declares shared
    by every component (a tied covariance) stay as they are."""
    model = build_model(options.model, _given(options))
    shared = {spec.name for spec in model.param_specs if not spec.per_component}
    return params.with_shared(shared | set(params.shared)).permuted(order)


def _given(options: engine.FitOptions) -> dict[str, object]:
    return {name: value for name, value in options.model_options.items() if value is not None}


def marginal_log_prob(
    params: Params, options: engine.FitOptions, columns: Sequence[int], points: np.ndarray
) -> np.ndarray:
    """``log p_k(x)`` of each component's marginal on ``columns`` at ``points``.

    The marginal takes the parameters' values for those columns only: every axis a
    model declares with the symbol ``D`` is cut to ``columns``, and so are options given
    per column. That is the marginal of a Gaussian (the sub-block of its covariance)
    and of any model whose columns are independent given the component. A component
    whose parameters have no density (a collapsed covariance) gives ``-inf``.

    Parameters
    ----------
    points : ndarray of shape (n_points, len(columns))

    Returns
    -------
    ndarray of shape (n_points, n_components)
    """
    index = list(columns)
    model = build_model(options.model, _given(options))
    arrays = {}
    for spec in model.param_specs:
        value = np.asarray(params[spec.name])
        for axis, symbol in enumerate(spec.shape):
            if symbol == "D":
                value = np.take(value, index, axis=axis)
        arrays[spec.name] = value
    values = {}
    for spec in model.option_specs:
        value = options.model_options.get(spec.name)
        if spec.per_column and value is not None and np.ndim(value) > 0:
            value = tuple(int(v) for v in np.asarray(value)[index])
            value = value[0] if len(value) == 1 else value
        if value is not None:
            values[spec.name] = value
    marginal = build_model(options.model, values)
    shared = {spec.name for spec in marginal.param_specs if not spec.per_component}
    points = np.asarray(points, dtype=np.float64).reshape(-1, len(index))
    k = params.n_components
    out = np.full((points.shape[0], k), -np.inf)
    for component in range(k):
        # One at a time: a component that collapsed must not hide the others.
        one = {
            name: value if name in shared else value[component : component + 1]
            for name, value in arrays.items()
        }
        try:
            prepared = marginal.prepare(Params(np.ones(1), shared=shared, **one))
            with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
                out[:, component] = marginal.log_prob(points, prepared)[:, 0]
        except (engine.SingularComponent, ValueError, np.linalg.LinAlgError):
            continue
    out[~np.isfinite(out) & ~np.isneginf(out)] = -np.inf
    return out


def placed_start(
    X: np.ndarray,
    placed: Sequence[tuple[float, float]],
    columns: tuple[int, int],
    options: engine.FitOptions,
) -> engine.Params:
    """Starting parameters at the means placed by clicking, each with the data's own
    spread (:meth:`engine.models.base.MixtureModel.start_from_locations`): the means
    take the placed ``(x, y)`` in the shown ``columns`` and the data's mean elsewhere."""
    k = options.n_components
    locations = np.tile(X.mean(axis=0), (k, 1))
    locations[:, list(columns)] = np.array(placed[:k])
    return build_model(options.model, _given(options)).start_from_locations(locations, X)
