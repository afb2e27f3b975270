"""What the responsibilities table of one half-step says, computed without Qt.

For each data row (a page at a time): its likelihood under each component
("if it came from coin 1"), the responsibilities, and what the M-step sums
(expected heads and tails, or weighted sums); a totals line over every row;
and, under the table, the half-step worked out in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import engine
from engine.halfsteps import HalfStep, expected_counts, outcome_log_prob

PAGE_SIZE = 200
COIN_MODELS = ("binomial", "bernoulli")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Vocabulary:
    """The words of a table: coins and rounds for one column of counts, else components and rows."""

    component: str
    short: str
    row: str
    success: str = "successes"
    failure: str = "failures"

    @property
    def coins(self) -> bool:
        return self.component == "coin"


def vocabulary(options: engine.FitOptions, n_features: int) -> Vocabulary:
    if options.model in COIN_MODELS and n_features == 1:
        row = "toss" if options.model == "bernoulli" else "round"
        return Vocabulary("coin", "coin", row, "heads", "tails")
    return Vocabulary("component", "comp.", "row")


@dataclass(frozen=True)
class TableColumn:
    """One column of a page. ``kind`` is data, likelihood, resp or expected."""

    header: str
    tooltip: str
    kind: str
    component: int | None
    values: np.ndarray
    total: float | None


@dataclass(frozen=True)
class TablePage:
    """The columns of rows ``first .. first + len(rows)`` and the words under them."""

    columns: list[TableColumn]
    rows: np.ndarray
    n_rows: int
    footer: str


def _sub(k: int) -> str:
    return str(k + 1).translate(_SUBSCRIPTS)


def number_text(value: float) -> str:
    """A count or sum as the table prints it: two decimals, never -0.00."""
    text = f"{value:.2f}"
    # A tiny negative product (a responsibility near 0 times a negative x) is still 0.
    return "0.00" if text == "-0.00" else text


def gap_text(gap: float, log_likelihood: float) -> str:
    """The gap, or 0 when it is below the round-off of the log-likelihood."""
    return "0" if gap <= 1e-9 * max(1.0, abs(log_likelihood)) else f"{gap:.3g}"


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
    words = vocabulary(options, X.shape[1])
    n_rows, n_components = shown.component_log_prob.shape
    rows = np.arange(first, min(first + PAGE_SIZE, n_rows))
    page_X = X[rows]
    with np.errstate(under="ignore"):
        likelihood = np.exp(outcome_log_prob(page_X, shown.component_log_prob[rows], options))
    resp = shown.resp
    blank = np.full(len(rows), np.nan)
    columns = [
        TableColumn(name, f"The data: {name}", "data", None, page_X[:, d], None)
        for d, name in enumerate(feature_names)
    ]
    for k in range(n_components):
        columns.append(
            TableColumn(
                f"likelihood\n{words.short} {k + 1}", _likelihood_tip(options, words, k),
                "likelihood", k, likelihood[:, k], None,
            )
        )
    for k in range(n_components):
        columns.append(
            TableColumn(
                f"responsibility\n{words.short} {k + 1}",
                f"The share of each {words.row} given to {words.component} {k + 1}: its weight "
                f"times its likelihood, divided by the sum of these over all {words.component}s. "
                f"The total is the expected number of {words.row}s from {words.component} {k + 1}.",
                "resp", k, blank if resp is None else resp[rows, k],
                None if resp is None else float(resp[:, k].sum()),
            )
        )
    counts = expected_counts(page_X, resp[rows], options) if resp is not None else None
    totals = (
        {name: value.sum(axis=0) for name, value in expected_counts(X, resp, options).items()}
        if resp is not None
        else None
    )
    for k in range(n_components):
        for name, header, d, tip in _expected_columns(options, words, feature_names, k):
            columns.append(
                TableColumn(
                    f"{header}\n{words.short} {k + 1}", tip, "expected", k,
                    blank if counts is None else counts[name][:, k, d],
                    None if totals is None else float(totals[name][k, d]),
                )
            )
    footer = _footer(shown, m_step, options, words, totals, keys, likelihood, rows)
    return TablePage(columns, rows, n_rows, footer)


def _likelihood_tip(options: engine.FitOptions, words: Vocabulary, k: int) -> str:
    if options.model in COIN_MODELS:
        return (
            f"How probable this {words.row}'s {words.success} and {words.failure} are if "
            f"{words.component} {k + 1} was used: p^{words.success} (1 − p)^{words.failure}, "
            "for one particular order (the number of orders is the same for every "
            f"{words.component} and cancels)."
        )
    what = "density" if options.model in ("gaussian", "kmeans") else "probability"
    return (
        f"The {what} of this row if it came from component {k + 1} alone (its weight "
        "not included)."
    )


def _expected_columns(
    options: engine.FitOptions, words: Vocabulary, names: list[str], k: int
) -> list[tuple[str, str, int, str]]:
    """(key in expected_counts, header, feature, tooltip) of component ``k``'s columns."""
    who = f"{words.component} {k + 1}"
    if options.model in COIN_MODELS and words.coins:
        return [
            ("successes", words.success, 0,
             f"Expected {words.success} from {who}: responsibility × {words.success}."),
            ("failures", words.failure, 0,
             f"Expected {words.failure} from {who}: responsibility × {words.failure}."),
        ]
    return [
        ("successes" if options.model in COIN_MODELS else "sums", f"r·{name}", d,
         f"Responsibility of {who} × {name}: the weighted sum the M-step divides by the "
         f"total responsibility of {who}.")
        for d, name in enumerate(names)
    ]


def _footer(
    shown: HalfStep,
    m_step: HalfStep | None,
    options: engine.FitOptions,
    words: Vocabulary,
    totals: dict[str, np.ndarray] | None,
    keys: tuple[str, str],
    likelihood: np.ndarray,
    rows: np.ndarray,
) -> str:
    e_key, m_key = keys
    if shown.resp is None:
        start = "You moved a mean. " if shown.phase == "edit" else ""
        return (
            f"{start}The likelihoods say how well each {words.component}'s current guess "
            f"explains each {words.row}. Press E-step ({e_key}) to turn them into "
            "responsibilities."
        )
    if m_step is None and options.e_step == "hard":
        return (
            f"Hard E-step: each {words.row} goes wholly to the {words.component} with the "
            f"largest weight × likelihood. The last columns are what each {words.component} "
            f"gets from each {words.row}; press M-step ({m_key}) to turn their totals into new "
            "estimates."
        )
    if m_step is None:
        example = _worked_responsibility(shown, words, likelihood, rows)
        return (
            f"E-step: responsibility = weight × likelihood / (sum over the {words.component}s)."
            f"{example} The last columns are what each {words.component} gets from each "
            f"{words.row}; press M-step ({m_key}) to turn their totals into new estimates."
        )
    parts = _estimates(m_step, options, words, totals, shown.resp)
    return (
        "M-step: " + " · ".join(parts)
        + f". Press E-step ({e_key}) to start the next iteration."
    )


def _worked_responsibility(
    shown: HalfStep, words: Vocabulary, likelihood: np.ndarray, rows: np.ndarray
) -> str:
    n_components = likelihood.shape[1]
    if not len(rows) or n_components > 3:
        return ""
    weights = shown.params.weights
    terms = [f"{weights[k]:.3g} × {likelihood[0, k]:.3g}" for k in range(n_components)]
    value = shown.resp[rows[0], 0]
    return (
        f" {words.row.capitalize()} {rows[0] + 1}, {words.component} 1: {terms[0]} / "
        f"({' + '.join(terms)}) = {number_text(value)}."
    )


def _estimates(
    m_step: HalfStep,
    options: engine.FitOptions,
    words: Vocabulary,
    totals: dict[str, np.ndarray],
    resp: np.ndarray,
) -> list[str]:
    params = m_step.params
    nk = resp.sum(axis=0)
    n_components = params.n_components
    parts: list[str] = []
    if options.model in COIN_MODELS and words.coins:
        for k in range(n_components):
            heads = totals["successes"][k, 0]
            tosses = heads + totals["failures"][k, 0]
            parts.append(
                f"new p{_sub(k)} = expected {words.success} / expected tosses = "
                f"{number_text(heads)} / {number_text(tosses)} = {params.probs[k, 0]:.4f}"
            )
    elif options.model in COIN_MODELS:
        parts.append(
            "new probabilities: each column's total r·x divided by the trials × total "
            "responsibility (see the Parameters table)"
        )
    else:
        symbol = "λ" if options.model == "poisson" else "μ"
        values = params.rates if options.model == "poisson" else params.means
        sums = totals["sums"]
        if values.shape[1] <= 2:
            for k in range(n_components):
                top = ", ".join(number_text(v) for v in sums[k])
                new = ", ".join(f"{v:.4g}" for v in values[k])
                if values.shape[1] > 1:
                    top, new = f"({top})", f"({new})"
                parts.append(
                    f"new {symbol}{_sub(k)} = Σ r·x / Σ r = {top} / {number_text(nk[k])} = {new}"
                )
        else:
            parts.append(f"new {symbol}: Σ r·x / Σ r per column (see the Parameters table)")
        if options.model == "gaussian" and "covariances" not in options.fixed:
            parts.append("covariances: the responsibility-weighted squared deviations")
    if "weights" in options.fixed or options.model == "kmeans":
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
