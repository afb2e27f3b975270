"""What the import preview shows of a text file: its first rows as a table, its options in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from emio.tables import DELIMITERS, TablePreview, TextOptions

_BAD_CELL = QColor(255, 214, 214)
_TEXT_COLUMN = QColor(128, 128, 128)
_LABEL_COLUMN = QColor(0, 90, 160)

_Index = QModelIndex | QPersistentModelIndex


def describe_options(options: TextOptions) -> str:
    """The options in words: ``values separated by semicolons, decimal comma, ...``."""
    parts = [
        f"values separated by {DELIMITERS[options.delimiter]}",
        "decimal comma" if options.decimal == "," else "decimal point",
        "first row holds column names" if options.header else "no row of column names",
    ]
    if options.comment:
        parts.append(f"lines starting with {options.comment} are comments")
    if options.skip_rows:
        lines = "line" if options.skip_rows == 1 else "lines"
        parts.append(f"{options.skip_rows} {lines} skipped at the top")
    if options.encoding not in ("utf-8", "utf-8-sig"):
        parts.append(f"text encoded as {options.encoding}")
    return ", ".join(parts)


def _format_cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return format(float(value), ".10g")
    return str(value)


class PreviewModel(QAbstractTableModel):
    """The first rows of a :class:`TablePreview`, for a :class:`QTableView`.

    Cell texts are formatted once per preview, so scrolling costs nothing.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._preview: TablePreview | None = None
        self._cells: list[list[str]] = []
        self._label: str | None = None

    def set_label_column(self, name: str | None) -> None:
        """Show column ``name`` as the one kept as known labels (None: none)."""
        if name != self._label:
            self._label = name
            if self.columnCount():
                self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
                )

    def set_preview(self, preview: TablePreview | None) -> None:
        self.beginResetModel()
        self._preview = preview
        self._cells = []
        if preview is not None:
            columns = [preview.frame.iloc[:, j].tolist() for j in range(preview.frame.shape[1])]
            self._cells = [[_format_cell(value) for value in column] for column in columns]
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if parent.isValid() or self._preview is None:
            return 0
        return int(self._preview.frame.shape[0])

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        if parent.isValid() or self._preview is None:
            return 0
        return len(self._preview.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        preview = self._preview
        if preview is None or not index.isValid():
            return None
        row, column = index.row(), index.column()
        name = preview.columns[column]
        bad = bool(preview.bad_cells[row, column])
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[column][row]
        if role == Qt.ItemDataRole.TextAlignmentRole and preview.numeric[name]:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and bad:
            return QBrush(_BAD_CELL)
        if name == self._label and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(_LABEL_COLUMN)
        if name == self._label and role == Qt.ItemDataRole.ToolTipRole:
            return f"Column '{name}' is kept as known labels, not fitted."
        if role == Qt.ItemDataRole.ForegroundRole and not preview.numeric[name]:
            return QBrush(_TEXT_COLUMN)
        if role == Qt.ItemDataRole.ToolTipRole:
            if bad:
                what = "a gap (missing value)" if not self._cells[column][row] else "not a number"
                return f"This cell is {what}, so EM cannot use this row as it is."
            if not preview.numeric[name]:
                return f"Column '{name}' is left out: it holds {preview.reasons[name]}."
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        preview = self._preview
        if preview is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        name = preview.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if name == self._label and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(_LABEL_COLUMN)
        if name == self._label and role == Qt.ItemDataRole.ToolTipRole:
            return f"Column '{name}' is kept as known labels, not fitted."
        if role == Qt.ItemDataRole.ToolTipRole:
            if preview.numeric[name]:
                return f"Column '{name}' holds numbers."
            return f"Column '{name}' is left out: it holds {preview.reasons[name]}."
        if role == Qt.ItemDataRole.ForegroundRole and not preview.numeric[name]:
            return QBrush(_TEXT_COLUMN)
        return None
