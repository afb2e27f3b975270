"""Errors a person can act on.

Every message says what went wrong and what to change. All are ``ValueError``
subclasses, so callers that validate input can catch one type.
"""

from __future__ import annotations


class FitError(ValueError):
    """A fit could not go on; the message says why and what to change."""


class CollapseError(FitError):
    """A component's covariance became singular (it collapsed onto too few points)."""

    def __init__(
        self,
        component: int,
        iteration: int,
        weight: float | None,
        reg_covar: float,
        cause: str | None = None,
    ) -> None:
        self.component = component
        self.iteration = iteration
        held = "" if weight is None else f" (it holds the weight of {weight:.3g} data rows)"
        cause = cause or (
            f"its covariance became singular{held}. Raise the regularisation (reg_covar, now "
            f"{reg_covar:g}), lower K, choose a simpler covariance (VVI, VII or EEE, "
            "that is diag, spherical or tied), "
            "or standardise the columns."
        )
        super().__init__(f"component {component + 1} collapsed at iteration {iteration}: {cause}")


class SingularComponent(Exception):
    """Raised inside a model when component ``component`` has a singular covariance.

    The EM loop turns it into a :class:`CollapseError` that names the iteration.
    """

    def __init__(
        self, component: int, weight: float | None = None, column: int | None = None
    ) -> None:
        super().__init__(component)
        self.component = component
        #: The responsibility mass the component held, when the raiser knows it.
        self.weight = weight
        #: When the covariance is finer than the data's digits can resolve, the column
        #: that limits it (:func:`engine.models.gaussian_resolution.unresolved_component`).
        self.column = column
