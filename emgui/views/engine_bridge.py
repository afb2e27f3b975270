"""Every place emgui reaches past the engine's public API, gathered to be switched in one go.

emgui otherwise uses the engine through its public names (``engine.iterate``,
``FitOptions``, ``Params``, ``engine.selection``, ``engine.halfsteps``). The
window needs a few things the engine does not offer publicly yet: labels of
the displayed rows by the engine's fast chunk pass, the largest
responsibility per row, a model's data check, which parameters a model can
hold fixed, the figure a model's trace shows, and starting parameters from
means placed by clicking. Each is one function here; when the engine's new
API offers them, only this module changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import engine
from engine.em import auto_chunk_size, e_step, model_for, run_pass
from engine.models import FIXABLE_PARAMS
from engine.models.base import MixtureModel, WorkingData


def fixable_params(model: str) -> frozenset[str]:
    """The parameters ``model`` can hold at their starting values."""
    return frozenset(FIXABLE_PARAMS[model])


def data_problem(options: engine.FitOptions, X: np.ndarray, names: list[str]) -> str | None:
    """Why ``X`` cannot come from the model of ``options`` (``None`` when it can)."""
    try:
        model_for(options, X).check_data(X, names)
    except ValueError as exc:
        return str(exc)
    return None


class RowLabeller:
    """The most probable component (and its responsibility) of some rows, fast.

    Built from those rows alone: a model keeps the data's scale only for the
    M-step's regularisation, which labelling never uses, and the column
    variances of a million rows would cost tens of ms.
    """

    def __init__(self, options: engine.FitOptions, X: np.ndarray) -> None:
        self._X = X
        self._model: MixtureModel = model_for(options, X)
        self._data: WorkingData = self._model.working_data(X, np.dtype(np.float64))

    def labels(self, params: engine.Params) -> np.ndarray:
        """Each row's most probable component under ``params``, by the fast chunk pass."""
        model, data = self._model, self._data
        chunk_size = auto_chunk_size(
            data.n_samples, model.chunk_rows(params.n_components, self._X.shape[1])
        )
        return run_pass(model, data, model.prepare(params), False, chunk_size).labels

    def confidence(self, params: engine.Params) -> np.ndarray:
        """Each row's largest responsibility under ``params``."""
        _, log_resp = e_step(self._model, self._X, self._model.prepare(params))
        return np.exp(log_resp.max(axis=1))


def traced_objective(run: Sequence[engine.Snapshot]) -> tuple[list[float], str]:
    """The figure the likelihood plot shows for one start's snapshots, and its name.

    The k-means trace is its inertia; every other model's, its log-likelihood.
    To be replaced by the model naming the figure its trace shows.
    """
    if run and "inertia" in run[-1].metrics:
        return [s.metrics["inertia"] for s in run], "inertia"
    return [s.log_likelihood for s in run], "log-likelihood"


def placed_start(
    X: np.ndarray,
    placed: Sequence[tuple[float, float]],
    columns: tuple[int, int],
    options: engine.FitOptions,
) -> engine.Params:
    """Starting parameters at the means placed by clicking, each with the data's own spread.

    The means take the placed ``(x, y)`` in the shown ``columns`` and the
    data's mean elsewhere; every component starts with the data's covariance,
    in the shape ``options`` asks for. To be replaced by a helper the model
    declares (it knows its own parameters; k-means and Gaussians differ only
    in the covariance shape here).
    """
    k = options.n_components
    means = np.tile(X.mean(axis=0), (k, 1))
    means[:, list(columns)] = np.array(placed[:k])
    cov = np.atleast_2d(np.cov(X, rowvar=False))
    shapes = {
        "full": lambda: np.tile(cov, (k, 1, 1)),
        "tied": lambda: cov,
        "diag": lambda: np.tile(np.diag(cov), (k, 1)),
        "spherical": lambda: np.full(k, np.diag(cov).mean()),
    }
    covariance = options.gaussian_covariance or "spherical"
    return engine.Params(
        weights=np.full(k, 1.0 / k), means=means, covariances=shapes[covariance]()
    )
