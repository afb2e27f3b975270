"""What emgui asks of the engine beyond fitting, in one place: labels of the displayed
rows by the fast pass, the largest responsibility per row, a model's data check,
which parameters a model can hold fixed, the figure a trace shows, and starting
parameters from means placed by clicking. Every answer comes from the engine's
public API and the models' declarations; no model is named here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import engine
from engine.models import build_model, model_class


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
    means = np.tile(X.mean(axis=0), (k, 1))
    means[:, list(columns)] = np.array(placed[:k])
    return build_model(options.model, options.model_options).start_from_locations(means, X)
