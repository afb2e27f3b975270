"""Where the next Run starts: a feature's parameters, the example's, the placed means or a method."""

from __future__ import annotations

from collections.abc import Sequence

import engine
from emgui.shell.document import Document
from emgui.shell.host import StartProvider
from emgui.views.engine_bridge import placed_start


class MissingStart(ValueError):
    """The settings ask for a start that is not there yet (the message says what to do)."""


def next_start(document: Document, providers: Sequence[StartProvider]) -> engine.FitOptions:
    """The options the next Run uses, with explicit starting parameters where there are some.

    The first of ``providers`` to give parameters wins; then the example's
    starting values or the means placed by clicking, when the settings choose
    them. Raises :class:`MissingStart` when means are still to be placed.
    """
    options = document.options
    for provide in providers:
        params = provide(options)
        if params is not None:
            return options.replace(init=params)
    mode, sample, table = document.init_mode, document.sample, document.table
    if mode == "sample" and sample is not None and sample.init is not None:
        return options.replace(init=sample.init_params())
    if mode == "click":
        missing = options.n_components - len(document.placed_means)
        if missing > 0:
            raise MissingStart(
                f"click {missing} more point(s) on the plot to place the starting means, "
                "or choose another start"
            )
        return options.replace(
            init=placed_start(table.data, document.placed_means, document.columns, options)
        )
    return options
