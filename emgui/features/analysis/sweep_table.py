"""The sweep's cells as a table model: one row per (model, K), sortable by any figure."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from emgui.features.analysis.rows_model import RowsModel, bold
from engine.selection import Cell

_Index = QModelIndex | QPersistentModelIndex
_NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: The role the sort proxy sorts by: raw numbers, so 10 follows 9.
SORT_ROLE = Qt.ItemDataRole.UserRole
BEST_BACKGROUND = QColor("#FFF1C2")
BEST_INK = QColor("#202020")


@dataclass(frozen=True)
class _Column:
    header: str
    tooltip: str
    value: Callable[[Cell], object]
    text: Callable[[object], str]


def _fixed(digits: int) -> Callable[[object], str]:
    return lambda value: "" if value is None else f"{value:.{digits}f}"


def _result(attribute: str) -> Callable[[Cell], object]:
    return lambda cell: None if cell.result is None else getattr(cell.result, attribute)


COLUMNS = (
    _Column("Model", "The mixture model, or its covariance structure by mclust's name "
            "(volume, shape, orientation: E equal, V each its own, I identity)",
            lambda cell: cell.spec.title, str),
    _Column("K", "Number of components", lambda cell: cell.n_components, str),
    _Column("log-likelihood", "Log-likelihood of the best start (higher is better)",
            _result("log_likelihood"), _fixed(3)),
    _Column("p", "Free parameters (see the table in engine/sweep_lines.py)",
            _result("n_parameters"), lambda v: "" if v is None else str(v)),
    _Column("BIC", "-2 logL + p log n (lower is better)", _result("bic"), _fixed(2)),
    _Column("AIC", "-2 logL + 2 p (lower is better)", _result("aic"), _fixed(2)),
    _Column("ICL", "BIC + 2 × entropy of the responsibilities (lower is better)",
            _result("icl"), _fixed(2)),
    _Column("converged", "Whether the best start met the tolerance within max_iter",
            _result("converged"), lambda v: "" if v is None else ("yes" if v else "no")),
    _Column("iterations", "Iterations of the best start", _result("n_iter"),
            lambda v: "" if v is None else str(v)),
    _Column("seconds", "Time to fit the cell, all starts", lambda cell: cell.seconds, _fixed(2)),
    _Column("note", "Why a cell needs care (hover over it for more)",
            lambda cell: cell_note(cell), str),
)
COLLAPSED_TIP = (
    "A component sits on rows with no spread in some direction (rows that share a value, "
    "lie on a line or a plane, or are fewer than the columns), held up only by the regularisation: a "
    "spurious optimum whose likelihood says nothing about real clusters. Such cells are not "
    "chosen as best. Raising the regularisation, or fewer components, avoids them.")


def cell_note(cell: Cell) -> str:
    if cell.result is None:
        return "could not be fitted"
    if cell.collapsed:
        names = ", ".join(str(k + 1) for k in cell.collapsed)
        return f"component {names} collapsed"
    if not cell.result.converged:
        return "did not converge"
    return ""
CRITERION_COLUMN = {"bic": 4, "aic": 5, "icl": 6}


class SweepTableModel(RowsModel):
    """Cells in the order they finished; the best by the chosen criterion is highlighted."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([(column.header, column.tooltip) for column in COLUMNS], parent)
        self._best: Cell | None = None

    # --- changing -----------------------------------------------------------------------

    def clear(self) -> None:
        self._best = None
        self._replace([])

    def add_cell(self, cell: Cell) -> None:
        self._append(cell)

    def set_best(self, cell: Cell | None) -> None:
        """Highlight ``cell`` (the best by the chosen criterion)."""
        if cell is not self._best:
            self._best = cell
            self._restyle()

    # --- reading ------------------------------------------------------------------------

    @property
    def cells(self) -> list[Cell]:
        return list(self._rows)

    def cell_at(self, row: int) -> Cell:
        return self._rows[row]

    def row_of(self, cell: Cell) -> int:
        return self._rows.index(cell)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        cell = self._rows[index.row()]
        column = COLUMNS[index.column()]
        value = column.value(cell)
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None and index.column() == 2:
                return "failed"
            return column.text(value)
        if role == SORT_ROLE:
            if value is None or isinstance(value, str):
                return math.inf if value is None else value
            return float(value)
        if role == Qt.ItemDataRole.ToolTipRole and cell.error:
            return cell.error
        if role == Qt.ItemDataRole.ToolTipRole and cell.collapsed:
            return COLLAPSED_TIP
        if role == Qt.ItemDataRole.TextAlignmentRole and 0 < index.column() < len(COLUMNS) - 1:
            return _NUMBER_ALIGNMENT
        if role == Qt.ItemDataRole.FontRole and cell is self._best:
            return bold()
        if role == Qt.ItemDataRole.BackgroundRole and cell is self._best:
            return BEST_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole and cell is self._best:
            return BEST_INK  # a dark theme's light text is unreadable on the light mark
        if role == Qt.ItemDataRole.ForegroundRole and (cell.result is None or cell.collapsed):
            return QColor("#A03030")
        return None
