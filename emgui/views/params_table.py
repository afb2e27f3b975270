"""The parameters of every component as a table: one row per component.

Row ``k`` is component ``k + 1``, with the palette colour ``k`` that every view
gives it; its columns are the model's declared arrays, laid out as exports lay
them out (:mod:`emio.param_layout`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from emgui.views import declared
from emgui.views.colors import component_color
from emio.param_layout import spec_columns
from engine import FitOptions
from engine.models import ParamSpec
from engine.params import Params

#: Columns are widened to fit their numbers at most this often (seconds).
GROW_INTERVAL_S = 0.25

_Index = QModelIndex | QPersistentModelIndex
_NUMBER_ALIGNMENT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# Qt asks ``data`` for seven roles of every cell at every paint, as plain ints;
# comparing with ints is several times faster than with the enum members.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)

@dataclass(frozen=True)
class _Column:
    """One column after the component column: its header, tooltip and values per component."""

    header: str
    tooltip: str
    values: np.ndarray
    correlations: np.ndarray | None = None


def _tooltip(spec: ParamSpec, index: tuple[int, ...], names: list[str]) -> str:
    words = spec.title[:1].upper() + spec.title[1:]
    about = [names[i] for i in index]
    if len(about) == 2 and about[0] != about[1]:
        text = f"{words}: {spec.off_diagonal} of {about[0]} and {about[1]}"
    elif about:
        text = f"{words} of {about[0]}"
    else:
        text = words
    if spec.shared:
        text += "; one value shared by every component"
    return text


def param_columns(
    params: Params, options: FitOptions, feature_names: list[str]
) -> list[_Column]:
    """Every column after the component column, in display order: the model's declared
    arrays laid out by :func:`emio.param_layout.spec_columns`."""
    names = list(feature_names)
    model = declared.instance(options)
    model.check_params(params, len(names))
    k = params.n_components
    columns = []
    for spec, header, values, index in spec_columns(model, params, names):
        correlations = None
        if len(index) == 2 and index[0] != index[1] and spec.shape[-2:] == ("D", "D"):
            full = np.broadcast_to(np.asarray(params[spec.name]), (k, len(names), len(names)))
            i, j = index
            with np.errstate(divide="ignore", invalid="ignore"):
                correlations = full[:, i, j] / np.sqrt(
                    np.clip(full[:, i, i], 0.0, None) * np.clip(full[:, j, j], 0.0, None)
                )
        columns.append(_Column(header, _tooltip(spec, index, names), np.asarray(values),
                               correlations))
    return columns


class ParamsModel(QAbstractTableModel):
    """Table model of one set of mixture parameters; column 0 names the component."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[_Column] = []
        self._n_components = 0
        #: The text of every cell, row by row, made when first asked for.
        self._texts: list[list[str]] | None = None

    # Qt overrides keep Qt's names.
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._n_components

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or not self._n_components else len(self._columns) + 1

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "component" if section == 0 else self._columns[section - 1].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Component number" if section == 0 else self._columns[section - 1].tooltip
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        role = int(role)
        if role == _DISPLAY:
            return self._cell_texts()[index.row()][index.column()]
        row, col = index.row(), index.column()
        if col == 0:
            if role == _EDIT:
                return row + 1
            if role == _DECORATION:
                return component_color(row)
            if role == _TOOLTIP:
                return f"Component {row + 1}"
            return None
        if role == _ALIGNMENT:
            return _NUMBER_ALIGNMENT
        column = self._columns[col - 1]
        value = float(column.values[row])
        if role == _EDIT:
            return value
        if role == _TOOLTIP:
            text = repr(value)
            if column.correlations is not None:
                text += f"\ncorrelation {float(column.correlations[row]):.4f}"
            return text
        return None

    def _cell_texts(self) -> list[list[str]]:
        if self._texts is None:
            values = [column.values.tolist() for column in self._columns]
            self._texts = [
                [str(row + 1)] + [f"{column[row]:.4g}" for column in values]
                for row in range(self._n_components)
            ]
        return self._texts

    def set_columns(self, n_components: int, columns: list[_Column]) -> None:
        """Show new values; resets the model only when the table's shape or headers change."""
        same_shape = n_components == self._n_components and [c.header for c in columns] == [
            c.header for c in self._columns
        ]
        if same_shape:
            self._columns = columns
            self._texts = None
            if n_components:
                self.dataChanged.emit(
                    self.index(0, 1), self.index(n_components - 1, len(columns)),
                    [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                     Qt.ItemDataRole.ToolTipRole],
                )
            return
        self.beginResetModel()
        self._n_components = n_components
        self._columns = columns
        self._texts = None
        self.endResetModel()

    def headers(self) -> list[str]:
        return ["component"] + [column.header for column in self._columns]

    def as_text(self) -> str:
        """Header and one line per component, tab-separated, numbers at full precision."""
        lines = ["\t".join(self.headers())]
        for row in range(self._n_components):
            cells = [str(row + 1)] + [repr(float(c.values[row])) for c in self._columns]
            lines.append("\t".join(cells))
        return "\n".join(lines)


class ParamsTable(QTableView):
    """Read-only table of the current parameters, one row per component.

    Ctrl+C (or the context menu) copies the whole table as tab-separated text.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = ParamsModel(self)
        self.setModel(self._model)
        self.verticalHeader().setVisible(False)
        # Rows of one line each: a fixed height spares measuring every cell on every update.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(False)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self._last_grown = 0.0
        self._params: Params | None = None
        self._grow_timer = QTimer(self)
        self._grow_timer.setSingleShot(True)
        self._grow_timer.setInterval(int(GROW_INTERVAL_S * 1000))
        self._grow_timer.timeout.connect(self._on_grow_timer_timeout)
        self._copy_action = QAction("Copy table", self)
        self._copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self._copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._copy_action.triggered.connect(self._on_copy_action_triggered)
        self.addAction(self._copy_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._model.modelReset.connect(self._on_model_model_reset)

    @property
    def params_model(self) -> ParamsModel:
        return self._model

    def show_params(self, params: Params, options: FitOptions, feature_names: list[str]) -> None:
        """Show ``params`` of the model of ``options`` on columns ``feature_names``: one
        column per value of each array the model declares (:mod:`emio.param_layout`)."""
        columns = param_columns(params, options, list(feature_names))
        self._params = params
        self._model.set_columns(params.n_components, columns)
        self._grow_columns()

    @property
    def shown_params(self) -> Params | None:
        """The parameters the table lists, the very object given to :meth:`show_params`."""
        return self._params

    def clear(self) -> None:
        self._params = None
        self._model.set_columns(0, [])

    def as_text(self) -> str:
        """The table as tab-separated text, header first, for the clipboard."""
        return self._model.as_text()

    def _on_copy_action_triggered(self) -> None:
        QGuiApplication.clipboard().setText(self.as_text())

    def _on_model_model_reset(self) -> None:
        self.resizeColumnsToContents()
        self._last_grown = time.monotonic()

    def _on_grow_timer_timeout(self) -> None:
        self._grow_columns()

    def _grow_columns(self) -> None:
        # Widen a column when its numbers need it but never shrink it during a run,
        # so the table does not jitter as digits change. Measuring asks the model
        # for every cell; during a fast run that is done a few times a second only.
        if time.monotonic() - self._last_grown < GROW_INTERVAL_S:
            if not self._grow_timer.isActive():
                self._grow_timer.start()
            return
        self._last_grown = time.monotonic()
        header = self.horizontalHeader()
        for col in range(self._model.columnCount()):
            needed = max(self.sizeHintForColumn(col), header.sectionSizeHint(col))
            if needed > self.columnWidth(col):
                self.setColumnWidth(col, needed)
