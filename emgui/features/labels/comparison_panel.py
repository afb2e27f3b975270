"""The Label Comparison panel: clusters against the known classes, as a confusion table with
the matched pairs marked, and the adjusted Rand index."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QSizePolicy,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from engine.agreement import LabelComparison
from emgui.views.colors import component_color

_MATCHED = QColor(214, 234, 214)
_MATCHED_INK = QColor(32, 32, 32)
#: Width of the column beside the table (the summary, the notes, the colour switch).
SIDE_WIDTH = 300
ARI_TIP = (
    "Adjusted Rand index: how often two rows put together by the clusters are also together "
    "in the known classes, and apart when apart, corrected for chance. 1 means the clusters "
    "are the classes (whatever their numbers); about 0 means no better than chance."
)


def _swatch(palette_index: int) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(component_color(palette_index))
    return QIcon(pixmap)


class ComparisonPanel(QWidget):
    """A confusion table (one row per cluster, one column per class) with its summary."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setToolTip(ARI_TIP)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.setToolTip(
            "Rows of each cluster (down) by known class (across). Green cells pair each "
            "cluster with the class it is matched to (the Hungarian method: the pairing that "
            "puts the most rows on matched pairs)."
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # As tall as its rows: the dock then takes no more room from the plots than it needs.
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.copy_action = QAction("Copy comparison", self.table)
        # No Ctrl+C: the parameters table has it, and a key does one thing in the window.
        self.copy_action.setStatusTip("Copy the summary and the confusion table as text for a spreadsheet")
        self.copy_action.triggered.connect(self._on_copy_action_triggered)
        self.table.addAction(self.copy_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.note = QLabel()
        self.note.setWordWrap(True)
        #: Colours points by the known class or by cluster (the window's action).
        self.colour_button = QToolButton()
        self.colour_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # Side by side: a confusion table is wide and short, and so is the dock under the plots.
        side = QVBoxLayout()
        side.addWidget(self.summary)
        side.addWidget(self.note)
        side.addStretch(1)
        side.addWidget(self.colour_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._side = QWidget()
        self._side.setLayout(side)
        self._side.setFixedWidth(SIDE_WIDTH)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._side)
        layout.addWidget(self.table, 1)
        self.show_message("")

    def show_message(self, text: str) -> None:
        """No table: say ``text`` instead."""
        self.summary.setText(text)
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.table.setVisible(False)
        self.note.setText("")
        self._fit_side()

    def show_comparison(self, comparison: LabelComparison, label_name: str,
                        palette: Sequence[int]) -> None:
        """Fill the table; cluster ``k`` is drawn in palette colour ``palette[k]``."""
        counts, names, matching = comparison.counts, comparison.names, comparison.matching
        n_clusters, n_classes = counts.shape
        fraction = comparison.matched_fraction
        self.summary.setText(
            f"Clusters against <b>{label_name}</b>: adjusted Rand index "
            f"<b>{comparison.ari:.3f}</b>; {comparison.n_matched:,} of "
            f"{comparison.n_compared:,} rows ({fraction:.1%}) fall on matched pairs."
        )
        table = self.table
        table.clear()
        table.setVisible(True)
        table.setRowCount(n_clusters + 1)
        table.setColumnCount(n_classes + 1)
        table.setHorizontalHeaderLabels([str(n) for n in names] + ["Total"])
        bold = QFont(table.font())
        bold.setBold(True)
        for k in range(n_clusters):
            matched = comparison.class_of_cluster(k)
            header = QTableWidgetItem(f"{k + 1} → {matched}" if matched else f"{k + 1} (unmatched)")
            header.setIcon(_swatch(int(palette[k])))
            header.setToolTip(
                f"Cluster {k + 1} is matched to {matched}." if matched
                else f"Cluster {k + 1} is matched to no class (more clusters than classes)."
            )
            table.setVerticalHeaderItem(k, header)
            for j in range(n_classes):
                item = self._number(int(counts[k, j]))
                if matching[k] == j:
                    item.setBackground(QBrush(_MATCHED))
                    # Dark text on the light mark: a dark theme's light text vanished on it.
                    item.setForeground(QBrush(_MATCHED_INK))
                    item.setFont(bold)
                table.setItem(k, j, item)
            table.setItem(k, n_classes, self._number(int(counts[k].sum())))
        table.setVerticalHeaderItem(n_clusters, QTableWidgetItem("Total"))
        for j in range(n_classes):
            table.setItem(n_clusters, j, self._number(int(counts[:, j].sum())))
        table.setItem(n_clusters, n_classes, self._number(comparison.n_compared))
        unmatched = [str(names[j]) for j in range(n_classes) if j not in set(matching.tolist())]
        notes = []
        if comparison.n_unknown:
            rows = "row has" if comparison.n_unknown == 1 else "rows have"
            notes.append(f"{comparison.n_unknown:,} {rows} no label and are left out.")
        if unmatched:
            notes.append(f"No cluster is matched to {', '.join(unmatched)} (more classes than clusters).")
        self.note.setText(" ".join(notes))
        self._fit_side()

    def _fit_side(self) -> None:
        """Keep the dock tall enough for the wrapped words and the button under them: a
        layout of wrapped labels does not ask for that height itself, so a short window
        cut the button off."""
        side = self._side.layout()
        margins = side.contentsMargins()
        width = SIDE_WIDTH - margins.left() - margins.right()
        heights = [label.heightForWidth(width) if label.text() else 0
                   for label in (self.summary, self.note)]
        shown = [h for h in heights if h > 0] + [self.colour_button.sizeHint().height()]
        self._side.setMinimumHeight(sum(shown) + side.spacing() * (len(shown) - 1)
                                    + margins.top() + margins.bottom())

    def as_text(self) -> str:
        """The summary and the table, tab-separated (empty while no table is shown)."""
        table = self.table
        if table.rowCount() == 0:
            return ""
        header = [""] + [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())]
        lines = [self.summary.text().replace("<b>", "").replace("</b>", ""), "\t".join(header)]
        for k in range(table.rowCount()):
            cells = [table.verticalHeaderItem(k).text()]
            cells += [table.item(k, j).text().replace(",", "") for j in range(table.columnCount())]
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"

    def _on_copy_action_triggered(self) -> None:
        QGuiApplication.clipboard().setText(self.as_text())

    @staticmethod
    def _number(value: int) -> QTableWidgetItem:
        item = QTableWidgetItem(f"{value:,}")
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def cell_counts(self) -> np.ndarray:
        """The counts shown, clusters by classes, without the totals (for tests)."""
        rows, cols = self.table.rowCount() - 1, self.table.columnCount() - 1
        return np.array(
            [[int(self.table.item(k, j).text().replace(",", "")) for j in range(cols)]
             for k in range(rows)], dtype=np.int64,
        ).reshape(max(rows, 0), max(cols, 0))
