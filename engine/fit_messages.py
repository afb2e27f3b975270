"""What a fit tells a person in words: why a component collapsed and what to change,
a warning for components held up by the regularisation alone, a note for rows
left out for having no value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.data import DataSource
from engine.errors import CollapseError, SingularComponent
from engine.fit_setup import FitSetup
from engine.options import FitOptions


def collapse_error(
    exc: SingularComponent, iteration: int, setup: FitSetup, weight: float | None = None
) -> CollapseError:
    """The error a person sees for a component whose covariance became singular,
    naming the real cause where the model knows it."""
    distinct = distinct_rows(setup.source)
    k = setup.options.n_components
    cause = None
    # No more distinct rows than components explains a collapse before anything the
    # model could say of digits (whose advice then rose tenfold at every try): each
    # component can sit on rows of one value, and a fit that rests on that means nothing.
    if distinct is not None and distinct < k:
        cause = (
            f"the data hold only {distinct} distinct row{'s' if distinct > 1 else ''}, fewer "
            f"than the {k} components, so some component can only sit on copies of one row, "
            f"which have no spread. Lower K to at most {distinct}, or raise the regularisation "
            f"(reg_covar, now {setup.options.reg_covar:g})."
        )
    elif distinct is not None and distinct == k:
        cause = (
            f"the data hold {distinct} distinct rows, as many as the {k} components, so each "
            f"component can sit on copies of one row alone, which have no spread. Lower K to at "
            f"most {distinct - 1}, or raise the regularisation (reg_covar, now "
            f"{setup.options.reg_covar:g}) to the default {FitOptions().reg_covar:g} or more."
        )
    weight = exc.weight if weight is None else weight
    if cause is None:
        cause = setup.model.singular_cause(
            exc, setup.summary, setup.source.feature_names, setup.options.reg_covar, weight, k
        )
    return CollapseError(exc.component, iteration, weight, setup.options.reg_covar, cause)


#: Distinct rows are counted (to explain a collapse) only in data up to this size.
_DISTINCT_ROWS_LIMIT = 1_000_000


def distinct_rows(source: DataSource) -> int | None:
    """How many different rows the data hold, for data in memory of moderate size
    (``None`` otherwise): fewer than K makes a collapse certain."""
    if not source.in_memory or source.n_samples > _DISTINCT_ROWS_LIMIT:
        return None
    rows = source.read(0, source.n_samples)
    return int(np.unique(rows, axis=0).shape[0])


def collapse_warning(collapsed: Sequence[int], n_starts: int, settled: bool = False) -> str:
    """What to tell a person whose best fit has components on the regularisation alone.

    ``n_starts`` counts the starts the options asked for (``n_init``); ``settled``
    says that the settled ``hc`` start a VVE or EEV fit adds after them
    (:mod:`engine.settle`) ran too, and is named apart, so that the count is the
    person's own."""
    which = ", ".join(str(k + 1) for k in collapsed)
    several = "s" if len(collapsed) > 1 else ""
    starts = ""
    if n_starts > 1:
        also = ", and so did the settled hc start added after them" if settled else ""
        starts = f"every one of the {n_starts} starts ended so{also}; "
    elif settled:
        starts = "the start asked for and the settled hc start added after it both ended so; "
    return (
        f"component{several} {which} rest{'' if several else 's'} on the regularisation alone: "
        f"{'they sit' if several else 'it sits'} on rows with no spread in some direction "
        "(rows that share a value, lie on a line or a plane, or are fewer than the columns), "
        "a spurious optimum "
        f"whose likelihood means little; {starts}try more starts (n_init) or fewer components"
    )


def left_out_note(n_rows: int) -> str:
    """What to tell a person whose data have rows without any value."""
    one = n_rows == 1
    rows = "1 row has" if one else f"{n_rows} rows have"
    return (
        f"{rows} no value in any column and {'was' if one else 'were'} left out of the fit (and "
        f"of BIC's count of rows); {'it is' if one else 'each is'} labelled with the component "
        "of largest weight"
    )
