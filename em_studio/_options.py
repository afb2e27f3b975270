"""An estimator's arguments as the engine's options: the model it builds, the
:class:`engine.FitOptions` of its fit, and what ``engine_options`` adds."""

from __future__ import annotations

import engine
from engine.models import registry
from engine.models.base import MixtureModel

#: Options of :class:`engine.FitOptions` every estimator sets from its own arguments.
_LOOP_OPTIONS = frozenset(
    {"model", "n_components", "init", "fixed", "e_step", "max_iter", "tol", "n_init", "seed"}
)


class EngineOptionsMixin:
    """The engine's model and options from an estimator's arguments. The estimator
    names ``_model`` and has ``n_components``, ``fixed``, ``e_step``, ``max_iter`` and
    ``engine_options``."""

    def _model_options(self) -> dict[str, object]:
        """The model's options (:attr:`engine.models.base.MixtureModel.option_specs`)."""
        return {}

    def _loop_options(self) -> dict[str, object]:
        """Options of :class:`engine.FitOptions` beside the loop's own that this estimator sets."""
        return {}

    def _build_model(self) -> MixtureModel:
        return registry.build_model(self._model, self._model_options())

    def _column_names(self) -> list[str] | None:
        """The DataFrame's column names seen in ``fit`` (the engine's messages name them)."""
        return list(getattr(self, "feature_names_in_", [])) or None

    def _allows_nan(self) -> bool:
        return registry.model_class(self._model).handles_missing

    def _engine_options(self) -> tuple[dict[str, object], object]:
        """``engine_options`` without ``backend``, and the backend (or None)."""
        given = dict(self.engine_options or {})
        backend = given.pop("backend", None)
        own = _LOOP_OPTIONS | set(self._loop_options()) | set(self._model_options())
        taken = sorted(set(given) & own)
        if taken:
            raise ValueError(
                f"{type(self).__name__}: engine_options cannot set {', '.join(taken)}; it sets "
                "them from its own arguments"
            )
        return given, backend

    def _fit_options(self, init: object = "kmeans++", seed: int = 0) -> engine.FitOptions:
        extra, _ = self._engine_options()
        if isinstance(self.fixed, str):
            raise ValueError(
                f"{type(self).__name__}: fixed must be a tuple of parameter names, such as "
                f"({self.fixed!r},), not {self.fixed!r}"
            )
        try:
            return engine.FitOptions(
                self._model, self.n_components, init=init, fixed=tuple(self.fixed),
                e_step=self.e_step, max_iter=self.max_iter, tol=0.0, n_init=1, seed=seed,
                **self._loop_options(), **self._model_options(), **extra,
            )
        except TypeError as exc:
            raise ValueError(f"{type(self).__name__}: {exc} (in engine_options)") from None
