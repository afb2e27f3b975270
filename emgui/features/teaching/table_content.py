"""What the responsibilities table of one half-step says, computed without Qt.

For each data row (a page at a time): its likelihood under each component, the
responsibilities, and what the M-step sums (the model's own expected counts:
expected successes and failures, or weighted sums); a totals line over every
row; and, under the table, the half-step worked out in words. The words come
from the model's declaration, so any model reads the same way: "component" for
a component and "row" for a row, everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import engine
from emgui.views import declared
from engine.halfsteps import HalfStep, expected_counts, outcome_log_prob
from engine.models import ParamSpec

PAGE_SIZE = 200
COMPONENT, SHORT, ROW = "component", "comp.", "row"
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
#: The words for an entry of the model's expected counts (others are shown as named).
_COUNT_WORDS = {"sums": "r·{name}"}


@dataclass(frozen=True)
class TableColumn:
    """One column of a page. ``kind`` is data, likelihood, resp or expected.

    ``guessed`` marks the rows (of the page) whose value rests on a missing value
    filled in by the E-step: the component's expectation of it given the row's
    observed values (EM's own treatment of gaps); ``guesses`` holds those
    expectations, NaN elsewhere.
    """

    header: str
    tooltip: str
    kind: str
    component: int | None
    values: np.ndarray
    total: float | None
    guessed: np.ndarray | None = None
    guesses: np.ndarray | None = None


@dataclass(frozen=True)
class TablePage:
    """The columns of rows ``first .. first + len(rows)``, the words under them, and a
    note on what the likelihood columns leave out (empty when nothing)."""

    columns: list[TableColumn]
    rows: np.ndarray
    n_rows: int
    footer: str
    note: str = ""


def _sub(k: int) -> str:
    return str(k + 1).translate(_SUBSCRIPTS)


def number_text(value: float) -> str:
    """A count or sum as the table prints it: two decimals, never -0.00."""
    text = f"{value:.2f}"
    # A tiny negative product (a responsibility near 0 times a negative x) is still 0.
    return "0.00" if text == "-0.00" else text


def is_round_off(gap: float, log_likelihood: float) -> bool:
    """Whether ``gap`` is no more than the round-off of a log-likelihood this large."""
    return abs(gap) <= 1e-9 * max(1.0, abs(log_likelihood))


def gap_text(gap: float, log_likelihood: float) -> str:
    """The gap, or 0 when it is below the round-off of the log-likelihood."""
    return "0" if is_round_off(gap, log_likelihood) else f"{gap:.3g}"


def _count_header(key: str, name: str, n_features: int) -> str:
    if key in _COUNT_WORDS:
        return _COUNT_WORDS[key].format(name=name)
    return key if n_features == 1 else f"{key}({name})"


def build_page(
    X: np.ndarray,
    feature_names: list[str],
    shown: HalfStep,
    m_step: HalfStep | None,
    options: engine.FitOptions,
    first: int,
    keys: tuple[str, str] = ("F7", "F8"),
) -> TablePage:
    """The table of ``shown`` (its likelihoods and responsibilities) for rows from ``first``.

    ``m_step`` is the M-step that used those responsibilities, if it has run;
    ``keys`` are the E-step's and M-step's shortcuts, for the words under the table.
    """
    n_rows, n_components = shown.component_log_prob.shape
    rows = np.arange(first, min(first + PAGE_SIZE, n_rows))
    page_X = X[rows]
    outcome = outcome_log_prob(page_X, shown.component_log_prob[rows], options)
    with np.errstate(under="ignore"):
        likelihood = np.exp(outcome)
    orders = bool(np.any(outcome != shown.component_log_prob[rows]))
    resp = shown.resp
    blank = np.full(len(rows), np.nan)
    columns = [
        TableColumn(name, f"The data: {name}", "data", None, page_X[:, d], None)
        for d, name in enumerate(feature_names)
    ]
    for k in range(n_components):
        columns.append(
            TableColumn(
                f"likelihood\n{SHORT} {k + 1}", _likelihood_tip(options, k, orders),
                "likelihood", k, likelihood[:, k], None,
            )
        )
    for k in range(n_components):
        columns.append(
            TableColumn(
                f"responsibility\n{SHORT} {k + 1}",
                f"The share of each {ROW} given to {COMPONENT} {k + 1}: its weight times its "
                f"likelihood, divided by the sum of these over all {COMPONENT}s. The total is "
                f"the expected number of {ROW}s from {COMPONENT} {k + 1}.",
                "resp", k, blank if resp is None else resp[rows, k],
                None if resp is None else float(resp[:, k].sum()),
            )
        )
    # Without responsibilities yet, the columns are named all the same (and left blank).
    held = resp[rows] if resp is not None else np.zeros((len(rows), n_components))
    # A row with gaps gives each component what it expects of the missing values, given
    # the row's observed ones, under the parameters that made these responsibilities.
    filled = _filled(X, shown.params, options) if resp is not None else None
    page_filled = None if filled is None else filled[rows]
    counts = _expected(page_X, page_filled, held, options)
    totals = (
        {name: value.sum(axis=0) for name, value in _expected(X, filled, resp, options).items()}
        if resp is not None
        else None
    )
    page_missing = np.isnan(page_X)
    for k in range(n_components):
        for key in counts:
            for d, name in enumerate(feature_names):
                header = _count_header(key, name, len(feature_names))
                guessed = page_missing[:, d] if page_filled is not None else None
                columns.append(
                    TableColumn(
                        f"{header}\n{SHORT} {k + 1}",
                        f"What {COMPONENT} {k + 1} gets from each {ROW} for the M-step: its "
                        f"responsibility × the {ROW}'s {key} ({name}). The total is what the "
                        "M-step uses."
                        + (
                            f" Where {name} is missing (italics), the E-step's guess of it "
                            f"stands in: what {COMPONENT} {k + 1} expects {name} to be, given "
                            f"the {ROW}'s other values."
                            if guessed is not None and guessed.any() else ""
                        ),
                        "expected", k,
                        blank if resp is None else counts[key][:, k, d],
                        None if totals is None else float(totals[key][k, d]),
                        guessed=guessed if guessed is not None and guessed.any() else None,
                        guesses=None if page_filled is None
                        else np.where(page_missing[:, d], page_filled[:, k, d], np.nan),
                    )
                )
    footer = _footer(shown, m_step, options, totals, keys, likelihood, rows)
    note = ""
    if orders:
        all_orders = outcome_log_prob(X, shown.component_log_prob, options)
        total = float((shown.component_log_prob[:, 0] - all_orders[:, 0]).sum())
        note = (
            "The likelihoods here are for one particular order of each row's successes and "
            "failures (p^x (1 − p)^(n − x)): the number of orders, C(n, x), is the same for "
            "every component, so it cancels in the responsibilities. The log-likelihood in "
            f"the status bar and the bound plot counts it: Σ log C(n, x) = {total:.4g}."
        )
    return TablePage(columns, rows, n_rows, footer, note)


def _filled(X: np.ndarray, params: engine.Params, options: engine.FitOptions) -> np.ndarray | None:
    """Each row under each component with its missing values filled in by the
    component's expectation of them, shape (n_rows, n_components, n_features);
    ``None`` for rows without gaps."""
    if not np.isnan(X).any():
        return None
    return engine.impute(X, params, options, per_component=True).per_component


def _expected(
    X: np.ndarray, filled: np.ndarray | None, resp: np.ndarray, options: engine.FitOptions
) -> dict[str, np.ndarray]:
    """:func:`expected_counts` of ``X``; with ``filled``, each component's counts from
    the rows as that component fills them in."""
    if filled is None:
        return expected_counts(X, resp, options)
    per_component = [expected_counts(filled[:, k], resp, options) for k in range(resp.shape[1])]
    return {
        key: np.stack([counts[key][:, k] for k, counts in enumerate(per_component)], axis=1)
        for key in per_component[0]
    }


def _likelihood_tip(options: engine.FitOptions, k: int, orders: bool) -> str:
    if orders:
        return (
            f"How probable this {ROW}'s successes and failures are if {COMPONENT} {k + 1} was "
            "used: p^x (1 − p)^(n − x), for one particular order (the number of orders, "
            f"C(n, x), is the same for every {COMPONENT} and cancels)."
        )
    what = "density" if declared.data_kind(options.model) == "measurements" else "probability"
    return (
        f"The {what} of this {ROW} if it came from {COMPONENT} {k + 1} alone (its weight "
        "not included)."
    )


def _footer(
    shown: HalfStep,
    m_step: HalfStep | None,
    options: engine.FitOptions,
    totals: dict[str, np.ndarray] | None,
    keys: tuple[str, str],
    likelihood: np.ndarray,
    rows: np.ndarray,
) -> str:
    e_key, m_key = keys
    if shown.resp is None:
        start = "You moved a mean. " if shown.phase == "edit" else ""
        return (
            f"{start}The likelihoods say how well each {COMPONENT}'s current guess "
            f"explains each {ROW}. Press E-step ({e_key}) to turn them into "
            "responsibilities."
        )
    if m_step is None and options.e_step == "hard":
        return (
            f"Hard E-step: each {ROW} goes wholly to the {COMPONENT} with the largest weight × "
            f"likelihood. The last columns are what each {COMPONENT} gets from each {ROW}; "
            f"press M-step ({m_key}) to turn their totals into new estimates."
        )
    if m_step is None:
        example = _worked_responsibility(shown, likelihood, rows)
        return (
            f"E-step: responsibility = weight × likelihood / (sum over the {COMPONENT}s)."
            f"{example} The last columns are what each {COMPONENT} gets from each {ROW}; "
            f"press M-step ({m_key}) to turn their totals into new estimates."
        )
    parts = _estimates(m_step, options, totals, shown.resp)
    return (
        "M-step: " + " · ".join(parts)
        + f". Press E-step ({e_key}) to start the next iteration."
    )


def _worked_responsibility(shown: HalfStep, likelihood: np.ndarray, rows: np.ndarray) -> str:
    n_components = likelihood.shape[1]
    if not len(rows) or n_components > 3:
        return ""
    weights = shown.params.weights
    terms = [f"{weights[k]:.3g} × {likelihood[0, k]:.3g}" for k in range(n_components)]
    value = shown.resp[rows[0], 0]
    return (
        f" {ROW.capitalize()} {rows[0] + 1}, {COMPONENT} 1: {terms[0]} / "
        f"({' + '.join(terms)}) = {number_text(value)}."
    )


def _ratio(
    key: ParamSpec, k: int, values: np.ndarray, top: np.ndarray, bottom: np.ndarray,
    formula: str,
) -> str:
    """``new p₁ = Σ successes / (...) = 1.23 / 4.56 = 0.27`` for one or two columns."""
    top_text = ", ".join(number_text(v) for v in top)
    bottom_text = ", ".join(number_text(v) for v in np.broadcast_to(bottom, top.shape))
    new = ", ".join(f"{v:.4g}" for v in values)
    if len(values) > 1:
        top_text, bottom_text, new = f"({top_text})", f"({bottom_text})", f"({new})"
    return f"new {key.column}{_sub(k)} = {formula} = {top_text} / {bottom_text} = {new}"


def _estimates(
    m_step: HalfStep,
    options: engine.FitOptions,
    totals: dict[str, np.ndarray],
    resp: np.ndarray,
) -> list[str]:
    params = m_step.params
    nk = resp.sum(axis=0)
    n_components = params.n_components
    key = declared.key_spec(options)
    values = np.asarray(params[key.name])
    parts: list[str] = []
    if values.ndim != 2 or values.shape[1] > 2:
        parts.append(
            f"new {declared.plural(key)}: from each column's totals (see the Parameters table)"
        )
    elif "sums" in totals:
        for k in range(n_components):
            parts.append(_ratio(key, k, values[k], totals["sums"][k], nk[k], "Σ r·x / Σ r"))
    elif len(totals) == 2:
        first, second = totals
        for k in range(n_components):
            top = totals[first][k]
            parts.append(_ratio(key, k, values[k], top, top + totals[second][k],
                                f"Σ {first} / (Σ {first} + Σ {second})"))
    spread = declared.spread_spec(options)
    if spread is not None and spread.name not in options.fixed:
        parts.append(f"{declared.plural(spread)}: the responsibility-weighted squared deviations")
    weights_fixable = "weights" in {spec.name for spec in declared.fixable(options)}
    if "weights" in options.fixed or not weights_fixable:
        held = ", ".join(f"{w:.3g}" for w in params.weights)
        parts.append(f"weights held fixed at {held}")
    else:
        n_rows = resp.shape[0]
        parts.extend(
            f"new w{_sub(k)} = Σ r{_sub(k)} / N = {number_text(nk[k])} / {n_rows} = "
            f"{params.weights[k]:.4f}"
            for k in range(n_components)
        )
    return parts
