"""The responsibilities table of one half-step, as a textbook prints it, a page at a time.

The numbers and words come from :mod:`emgui.features.teaching.table_content`; this
module shows them: a table with a totals line, the words under it and buttons
for the next and previous rows.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

import engine
from engine.halfsteps import HalfStep
from emgui.features.teaching.table_content import PAGE_SIZE, TablePage, build_page, number_text
from emgui.views.colors import component_color
from emgui.views.plot_style import is_dark

_Index = QModelIndex | QPersistentModelIndex
#: Rows looked at when the columns are fitted to their contents.
RESIZE_PRECISION_ROWS = 30
_NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ResponsibilityModel(QAbstractTableModel):
    """A :class:`TablePage` as a table: its rows, then a totals row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._page: TablePage | None = None

    @property
    def page(self) -> TablePage | None:
        return self._page

    def set_page(self, page: TablePage | None) -> None:
        same = (
            page is not None
            and self._page is not None
            and len(page.rows) == len(self._page.rows)
            and [c.header for c in page.columns] == [c.header for c in self._page.columns]
        )
        if same:
            self._page = page
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, self.rowCount() - 1)
            return
        self.beginResetModel()
        self._page = page
        self.endResetModel()

    def header_texts(self) -> list[str]:
        return [] if self._page is None else [c.header for c in self._page.columns]

    # Qt overrides keep Qt's names.
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self._page is None else len(self._page.rows) + 1

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self._page is None else len(self._page.columns)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        page = self._page
        if page is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section <= len(page.rows):
                return "total" if section == len(page.rows) else str(page.rows[section] + 1)
            return None
        if not 0 <= section < len(page.columns):
            return None
        column = page.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip
        if role == Qt.ItemDataRole.ForegroundRole and column.component is not None:
            # The component's colour, deepened on a light header and lightened on a dark one.
            color = component_color(column.component)
            return color.lighter(150) if is_dark(QGuiApplication.palette()) else color.darker(140)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        page = self._page
        if page is None or not index.isValid():
            return None
        column = page.columns[index.column()]
        is_total = index.row() == len(page.rows)
        value = column.total if is_total else float(column.values[index.row()])
        guessed = (
            not is_total and column.guessed is not None and bool(column.guessed[index.row()])
        )
        if role == Qt.ItemDataRole.FontRole and (is_total or guessed):
            font = QFont()
            font.setBold(is_total)
            font.setItalic(guessed)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_NUMBER_ALIGNMENT)
        if value is None or not np.isfinite(value):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell_text(column.kind, value)
        if role in (Qt.ItemDataRole.EditRole, Qt.ItemDataRole.UserRole):
            return value
        if role == Qt.ItemDataRole.ToolTipRole and guessed:
            guess = float(column.guesses[index.row()])
            return (
                f"{value!r}: this row's value is missing; the E-step's guess of it under "
                f"component {column.component + 1} is {guess:.6g}, given the row's other "
                f"values.\n{column.tooltip}"
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{value!r}\n{column.tooltip}"
        if role == Qt.ItemDataRole.BackgroundRole and column.kind == "resp" and not is_total:
            # A tint that deepens with the responsibility, like the textbook's shaded coins.
            return component_color(column.component, int(20 + 110 * value))
        return None


def _cell_text(kind: str, value: float) -> str:
    if kind == "data":
        return f"{value:g}"
    if kind == "likelihood":
        return f"{value:.3g}"
    return number_text(value)


class ResponsibilityPanel(QWidget):
    """The table, a line saying which half-step it shows, the words under it and page buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-weight: bold; padding: 2px 4px;")
        self.title_label.setWordWrap(True)  # else its sentence sets the window's least width
        self.model = ResponsibilityModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        # One line per row, of one height: sizing rows to their contents asked every cell
        # of every row for its font and text at each layout (850 000 calls, 3.6 s in the
        # GUI thread, for the first E-step on 400 rows x 6 columns with K = 3).
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Column widths fit the headers and the first rows, not every row of the page.
        columns.setResizeContentsPrecision(RESIZE_PRECISION_ROWS)
        self.footer_label = QLabel()
        self.footer_label.setWordWrap(True)
        self.footer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.footer_label.setStyleSheet("padding: 2px 4px;")
        #: What the likelihood columns leave out, said on the table itself.
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("font-style: italic; padding: 0 4px 2px 4px;")
        self.note_label.setVisible(False)
        self.previous_button = QPushButton("◀ Previous rows")
        self.next_button = QPushButton("Next rows ▶")
        self.page_label = QLabel()
        paging = QHBoxLayout()
        paging.setContentsMargins(4, 0, 4, 0)
        paging.addWidget(self.title_label, stretch=1)
        paging.addWidget(self.page_label)
        paging.addWidget(self.previous_button)
        paging.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(paging)
        layout.addWidget(self.table, stretch=1)
        layout.addWidget(self.footer_label)
        layout.addWidget(self.note_label)
        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.first_row = 0
        self._source: tuple | None = None
        self.clear("Press E-step to fill this table one half-step at a time.")

    def show_state(
        self,
        X: np.ndarray,
        feature_names: list[str],
        shown: HalfStep,
        m_step: HalfStep | None,
        options: engine.FitOptions,
        title: str,
        keys: tuple[str, str],
    ) -> None:
        """Show the table of ``shown`` (and the estimates of ``m_step``), keeping the page."""
        if self._source is None or self._source[0] is not X:
            self.first_row = 0
        self._source = (X, feature_names, shown, m_step, options, keys)
        self.title_label.setText(title)
        self._refresh()

    def fit_columns(self) -> None:
        """Each column as wide as its header and its first :data:`RESIZE_PRECISION_ROWS`
        rows' text (and the total's, in bold) need.

        Measured from the page's own texts: Qt's ``resizeColumnsToContents`` asks the
        model for every role of every cell it measures (11 520 calls, 60 ms of the GUI
        thread, at the first E-step of the binary sample)."""
        page = self.model.page
        if page is None:
            return
        table = self.table
        metrics = table.fontMetrics()
        bold = QFont(table.font())
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        # A cell's padding as the item delegate has it, and the grid's line.
        margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin,
                                                None, table) + 1) + int(table.showGrid())
        header = table.horizontalHeader()
        for j, column in enumerate(page.columns):
            values = np.asarray(column.values[:RESIZE_PRECISION_ROWS], dtype=float)
            width = max((metrics.horizontalAdvance(_cell_text(column.kind, float(v)))
                         for v in values[np.isfinite(values)]), default=0)
            if column.total is not None and np.isfinite(column.total):
                width = max(width, bold_metrics.horizontalAdvance(
                    _cell_text(column.kind, float(column.total))))
            table.setColumnWidth(j, max(width + margin, header.sectionSizeHint(j)))

    def clear(self, message: str) -> None:
        self._source = None
        self.first_row = 0
        self.model.set_page(None)
        self.title_label.setText("")
        self.footer_label.setText(message)
        self.note_label.setText("")
        self.note_label.setVisible(False)
        self.page_label.setText("")
        for button in (self.previous_button, self.next_button):
            button.setVisible(False)

    def next_page(self) -> None:
        if self._source is not None and self.model.page is not None:
            if self.first_row + PAGE_SIZE < self.model.page.n_rows:
                self.first_row += PAGE_SIZE
                self._refresh()

    def previous_page(self) -> None:
        if self._source is not None and self.first_row > 0:
            self.first_row = max(0, self.first_row - PAGE_SIZE)
            self._refresh()

    def _refresh(self) -> None:
        X, names, shown, m_step, options, keys = self._source
        page = build_page(X, names, shown, m_step, options, self.first_row, keys)
        reset = self.model.page is None or self.model.header_texts() != [
            c.header for c in page.columns
        ]
        self.model.set_page(page)
        if reset:
            self.fit_columns()
        self.footer_label.setText(page.footer)
        self.note_label.setText(page.note)
        self.note_label.setVisible(bool(page.note))
        paged = page.n_rows > PAGE_SIZE
        for button in (self.previous_button, self.next_button):
            button.setVisible(paged)
        self.previous_button.setEnabled(self.first_row > 0)
        self.next_button.setEnabled(self.first_row + PAGE_SIZE < page.n_rows)
        last = self.first_row + len(page.rows)
        self.page_label.setText(
            f"rows {self.first_row + 1}–{last} of {page.n_rows:,}; totals cover every row"
            if paged
            else ""
        )

    def _on_previous_button_clicked(self) -> None:
        self.previous_page()

    def _on_next_button_clicked(self) -> None:
        self.next_page()
