"""The scatter's x and y columns, chosen above the scatter itself."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget


class ColumnPicker(QWidget):
    """Two column choosers; shown only for data of more than two columns."""

    columns_requested = Signal(int, int)
    """The x and y columns chosen (indices into the data's columns)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.x_combo = QComboBox()
        self.y_combo = QComboBox()
        self.x_combo.setToolTip("The column on the scatter's horizontal axis")
        self.y_combo.setToolTip("The column on the scatter's vertical axis")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 0)
        layout.addWidget(QLabel("x:"))
        layout.addWidget(self.x_combo)
        layout.addSpacing(12)
        layout.addWidget(QLabel("y:"))
        layout.addWidget(self.y_combo)
        layout.addStretch(1)
        self.x_combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        self.y_combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        self.setVisible(False)

    @property
    def columns(self) -> tuple[int, int]:
        return max(self.x_combo.currentIndex(), 0), max(self.y_combo.currentIndex(), 0)

    def set_columns(self, names: list[str], x: int, y: int) -> None:
        """Offer ``names`` with ``x`` and ``y`` chosen, without asking for them."""
        for combo, index in ((self.x_combo, x), (self.y_combo, y)):
            combo.blockSignals(True)
            if [combo.itemText(i) for i in range(combo.count())] != names:
                combo.clear()
                combo.addItems(names)
            combo.setCurrentIndex(min(index, len(names) - 1))
            combo.blockSignals(False)
        self.setVisible(len(names) > 2)

    def _on_combo_current_index_changed(self, index: int) -> None:
        if index >= 0:
            self.columns_requested.emit(*self.columns)
