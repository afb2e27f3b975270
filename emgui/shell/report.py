"""The fit as a report in JASP's manner: titled tables (parameters, sizes, criteria,
convergence) of the iteration shown, written as plain text or HTML.

Tables are built as rows of strings first; :func:`as_text` aligns them in columns,
:func:`as_html` writes HTML tables whose cells wrap, so no column is ever cut off.
Parameters are listed one array value per row and one component per column: K
columns, however many values the model has.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

import engine
from emgui.views.colors import PALETTE
from emgui.views.params_table import param_columns
from emio.exports.summary import component_sizes, model_line


@dataclass(frozen=True)
class ReportTable:
    """A titled table: a header row, body rows (the first cell names the row) and notes."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    #: Palette index per header cell from the second on (component columns), or empty.
    colored: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class Report:
    heading: str
    tables: tuple[ReportTable, ...]


def _number(value: float) -> str:
    return f"{value:.4g}" if np.isfinite(value) else "–"


def _criterion(value: float) -> str:
    return f"{value:.2f}" if np.isfinite(value) else "not available"


def build_report(snapshots: Sequence[engine.Snapshot], index: int,
                 result: engine.FitResult | None, options: engine.FitOptions,
                 names: Sequence[str], n_rows: int) -> Report | None:
    """The report of snapshot ``index`` of ``snapshots`` (a fit of ``options`` on ``n_rows``
    rows of columns ``names``); ``result`` (the finished fit, or ``None``) adds sizes,
    criteria and the verdict when its last iteration is shown. ``None``: nothing to report."""
    if not 0 <= index < len(snapshots):
        return None
    snapshot = snapshots[index]
    run = [s for s in snapshots if s.restart == snapshot.restart]
    at_end = result is not None and snapshot is snapshots[-1]
    k = snapshot.params.n_components
    components = tuple(f"{j + 1}" for j in range(k))
    parameters = ReportTable(
        "Parameters", ("", *components),
        tuple((column.header, *(_number(v) for v in np.ravel(column.values)))
              for column in param_columns(snapshot.params, options, list(names))),
        colored=tuple(range(k)),
    )
    weights = np.asarray(snapshot.params.weights, dtype=float)
    size_rows = [("weight", *(f"{w:.4f}" for w in weights)),
                 ("expected rows", *(f"{w * n_rows:.1f}" for w in weights))]
    if at_end and result.labels is not None:
        size_rows.append(("rows assigned", *(str(int(n)) for n in component_sizes(result))))
    sizes = ReportTable(
        "Sizes", ("", *components), tuple(size_rows),
        ("expected rows: weight × rows; rows assigned: rows whose most probable component "
         "is each",) if at_end else ("expected rows: weight × rows",),
        colored=tuple(range(k)),
    )
    criteria_rows = [("log-likelihood", f"{snapshot.log_likelihood:.4f}")]
    if at_end:
        criteria_rows += [("free parameters", str(result.n_parameters)),
                          ("BIC", _criterion(result.bic)), ("AIC", _criterion(result.aic)),
                          ("ICL", _criterion(result.icl))]
        criteria_notes = ("BIC, AIC, ICL: lower is better (mclust prints −BIC)",)
    else:
        criteria_notes = ("BIC, AIC and ICL are given for a finished fit's last iteration",)
    criteria = ReportTable("Criteria", ("criterion", "value"), tuple(criteria_rows),
                           criteria_notes)
    position = next(i for i, s in enumerate(run) if s is snapshot)
    change = (f"{snapshot.objective - run[position - 1].objective:+.3g}" if position else "–")
    convergence_rows = [("iteration", str(snapshot.iteration)),
                        ("change from the iteration before", change),
                        ("tolerance", f"{options.tol:g}")]
    if options.n_init > 1:
        convergence_rows.append(("start", f"{snapshot.restart + 1} of {options.n_init}"))
    if at_end:
        convergence_rows.insert(0, ("converged", "yes" if result.converged else "no"))
        convergence_rows.append(("seed", str(result.seed)))
    notes = tuple(result.messages) if at_end else ()
    if result is not None and not at_end:
        notes = (f"looking back: the fit went on to iteration {snapshots[-1].iteration}",)
    convergence = ReportTable("Convergence", ("", ""), tuple(convergence_rows), notes)
    heading = f"{model_line(options)}, K = {k}"
    return Report(heading, (parameters, sizes, criteria, convergence))


def table_text(table: ReportTable) -> str:
    """``table`` as aligned plain text: its title underlined, then the columns."""
    lines = [table.title, "-" * len(table.title)]
    grid = [table.header, *table.rows] if any(table.header) else list(table.rows)
    widths = [max(len(row[c]) for row in grid) for c in range(len(grid[0]))]
    for row in grid:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    lines += table.notes
    return "\n".join(lines)


def as_text(report: Report) -> str:
    return "\n\n".join([report.heading, *(table_text(t) for t in report.tables)]) + "\n"


#: A place a row's name may break: before "(" and after ",", so that a narrow pane shows
#: ``cov`` / ``(eruptions,`` / ``waiting)``, never a lone ``mean(`` over the column's name.
_BREAK = "\u200b"


def _breakable(text: str) -> str:
    return html.escape(text).replace("(", _BREAK + "(").replace(",", "," + _BREAK)


def table_html(table: ReportTable, rule: str) -> str:
    """``table`` as an HTML table; ``rule`` is the colour of its lines (the palette's).
    Row names wrap at spaces, before "(" and after ","; numbers are never broken."""
    cell = f'style="border-bottom: 1px solid {rule}; padding: 2px 8px;"'
    number = f'style="border-bottom: 1px solid {rule}; padding: 2px 8px; white-space: nowrap;"'
    parts = [f"<h3>{html.escape(table.title)}</h3>",
             '<table cellspacing="0" cellpadding="2" style="border-collapse: collapse;">']
    if any(table.header):
        heads = [f"<th align=\"left\" {cell}>{html.escape(table.header[0])}</th>"]
        for c, text in enumerate(table.header[1:]):
            swatch = (f'<span style="color: {PALETTE[table.colored[c] % len(PALETTE)]};">■</span> '
                      if c < len(table.colored) else "")
            heads.append(f'<th align="right" {number}>{swatch}{html.escape(text)}</th>')
        parts.append("<tr>" + "".join(heads) + "</tr>")
    for row in table.rows:
        cells = [f'<td align="left" {cell}>{_breakable(row[0])}</td>']
        cells += [f'<td align="right" {number}>{html.escape(text)}</td>' for text in row[1:]]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    parts += [f"<p><i>{html.escape(note)}</i></p>" for note in table.notes]
    return "\n".join(parts)


def as_html(report: Report, rule: str = "#a0a0a0") -> str:
    body = "\n".join(table_html(t, rule) for t in report.tables)
    return (f"<html><head><meta charset=\"utf-8\"><title>{html.escape(report.heading)}</title>"
            f"</head><body><p><b>{html.escape(report.heading)}</b></p>\n{body}\n</body></html>\n")
