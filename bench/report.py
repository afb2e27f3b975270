"""The Markdown table of a run and the check of the targets it was run for."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.cells import Outcome
from bench.measure import DGEMM_SIZE

#: Largest ratio of our time to the reference's, for Gaussian cells with N >= 1e5.
RATIO_TARGETS = {2: 0.25, 10: 0.25, 50: 0.6}
#: Largest ratio of our k-means time to scikit-learn's KMeans (Lloyd), cells with N >= 1e5.
KMEANS_RATIO = 1.0
#: float32 must be this much faster than float64 (Gaussian cells with N >= 1e5) ...
FLOAT32_SPEEDUP = 1.5
#: ... and reach the same log-likelihood to this relative difference.
FLOAT32_GAP = 1e-5
#: Both implementations reach the same log-likelihood (or inertia) to this.
VALUE_GAP = 1e-6
#: Full covariance at N = 1e6, D = 50, K = 10 takes at most this many times the
#: flop floor: 4 N K D^2 flops (the whitened residuals and their moments, two
#: products of 2 N K D^2 each) at the machine's measured DGEMM rate.
FLOOR_CELL = ("gaussian", "full", 1_000_000, 50, 10)
FLOOR_RATIO = 1.5
#: Peak extra memory of the engine on 1e6 x 2, K = 5: this many times the data, plus 64 MB.
MEMORY_DATA_FACTOR = 3.0
MEMORY_EXTRA_MB = 64.0


def _ms(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return "-"
    return f"{seconds * 1e3:.3g}" if seconds < 0.1 else f"{seconds * 1e3:.0f}"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _gap(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1e}"


HEADER = (
    "| model | cov | N | D | K | ours ms/iter | ref ms/iter | ratio | ours f32 ms/iter "
    "| f32 speed-up | ours peak MB | ref peak MB | rel. dlogL | f32 rel. dlogL |"
)


def row(outcome: Outcome) -> str:
    cell = outcome.cell
    reference = _ms(outcome.reference) + (" (est.)" if outcome.reference_estimated else "")
    speedup = (
        f"{outcome.ours / outcome.ours_float32:.2f}x" if outcome.ours_float32 else "-"
    )
    return (
        f"| {cell.model} | {cell.covariance} | {cell.n_samples:.0e} | {cell.n_features} "
        f"| {cell.n_components} | {_ms(outcome.ours)} | {reference} | {outcome.ratio:.3f} "
        f"| {_ms(outcome.ours_float32)} | {speedup} | {_mb(outcome.ours_peak)} "
        f"| {_mb(outcome.reference_peak)} | {_gap(outcome.value_gap)} "
        f"| {_gap(outcome.float32_gap)} |"
    )


def markdown_table(header: str, rows: list[str]) -> str:
    """A Markdown table: ``header`` (``| a | b |``), its separator line, then ``rows``."""
    separator = "|" + "---|" * (header.count("|") - 1)
    return "\n".join([header, separator, *rows])


def table(outcomes: list[Outcome]) -> str:
    return markdown_table(HEADER, [row(outcome) for outcome in outcomes])


@dataclass
class Check:
    name: str
    holds: bool
    detail: str


def checks(outcomes: list[Outcome]) -> list[Check]:
    """Every target that the cells of this run can speak to."""
    found: list[Check] = []
    for outcome in outcomes:
        cell = outcome.cell
        if cell.model == "gaussian" and cell.n_samples >= 100_000:
            limit = RATIO_TARGETS.get(cell.n_features, 0.6 if cell.n_features > 10 else 0.25)
            found.append(
                Check(f"{cell.label}: ratio <= {limit}", outcome.ratio <= limit,
                      f"{outcome.ratio:.3f}")
            )
        if cell.model == "kmeans" and cell.n_samples >= 100_000:
            found.append(
                Check(f"{cell.label}: ratio <= {KMEANS_RATIO}", outcome.ratio <= KMEANS_RATIO,
                      f"{outcome.ratio:.3f}")
            )
        if not math.isnan(outcome.value_gap):
            found.append(
                Check(f"{cell.label}: same log-likelihood as the reference",
                      outcome.value_gap <= VALUE_GAP, f"{outcome.value_gap:.1e}")
            )
        if outcome.ours_float32 is not None and outcome.float32_gap is not None:
            found.append(
                Check(f"{cell.label}: float32 log-likelihood within {FLOAT32_GAP:g}",
                      outcome.float32_gap <= FLOAT32_GAP, f"{outcome.float32_gap:.1e}")
            )
            if cell.n_samples >= 100_000 and cell.model == "gaussian":
                speedup = outcome.ours / outcome.ours_float32
                found.append(
                    Check(f"{cell.label}: float32 >= {FLOAT32_SPEEDUP}x faster",
                          speedup >= FLOAT32_SPEEDUP, f"{speedup:.2f}x")
                )
    return found


def flop_floor(outcome: Outcome, rate: float) -> float:
    """Seconds per iteration of a full-covariance cell at ``rate`` flop/s."""
    cell = outcome.cell
    return 4.0 * cell.n_samples * cell.n_components * cell.n_features**2 / rate


def floor_lines(outcomes: list[Outcome]) -> tuple[list[str], list[Check]]:
    """The flop floor and our ratio to it for every cell that measured the DGEMM rate
    (full covariance, D >= 10), and the check of :data:`FLOOR_CELL`."""
    lines, found = [], []
    for outcome in outcomes:
        cell, rate = outcome.cell, outcome.dgemm_rate
        if rate is None:
            continue
        floor = flop_floor(outcome, rate)
        ratio = outcome.ours / floor
        lines.append(
            f"{cell.label}: flop floor {floor * 1e3:.0f} ms (4 N K D^2 at {rate / 1e9:.0f} "
            f"GFLOP/s, DGEMM {DGEMM_SIZE}-square measured between the engine's runs), ours "
            f"{outcome.ours * 1e3:.0f} ms, {ratio:.2f}x the floor"
        )
        key = (cell.model, cell.covariance, cell.n_samples, cell.n_features, cell.n_components)
        if key == FLOOR_CELL:
            found.append(Check(f"{cell.label}: within {FLOOR_RATIO}x the flop floor",
                               ratio <= FLOOR_RATIO, f"{ratio:.2f}x"))
    return lines, found


def memory_check(ours_mb: float, data_mb: float) -> Check:
    limit = MEMORY_DATA_FACTOR * data_mb + MEMORY_EXTRA_MB
    return Check(
        f"peak extra memory on 1e6 x 2, K=5 <= {MEMORY_DATA_FACTOR:g} x data + "
        f"{MEMORY_EXTRA_MB:g} MB = {limit:.0f} MB",
        ours_mb <= limit,
        f"{ours_mb:.1f} MB",
    )
