"""The import preview's "Columns to use" box: which columns to fit, which one to keep
as known labels, and why columns of text are left out."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emio.tables import TablePreview


class ColumnsBox(QGroupBox):
    """A ticked list of the preview's columns and a choice of the labels column; the
    dialog keeps the person's choices across re-previews and listens to the list's
    and the choice's own signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Columns to use", parent)
        self.column_list = QListWidget()
        self.column_list.setToolTip(
            "Tick the columns to fit the model to. Columns of text (labels such as a species "
            "name) cannot be used and are greyed out; hover over one to see why."
        )
        self.skipped_label = QLabel()
        self.skipped_label.setWordWrap(True)
        self.skipped_label.setToolTip("Columns that hold text rather than numbers are left out.")
        self.label_box = QComboBox()
        self.label_box.setToolTip(
            "A column of known groups (a species, a diagnosis) to keep beside the data, never "
            "fitted: the scatter can colour points by it, and the Label Comparison panel "
            "sets the clusters against it. Text or whole numbers."
        )
        label_caption = QLabel("Known labels:")
        label_caption.setBuddy(self.label_box)
        label_caption.setToolTip(self.label_box.toolTip())
        self.setToolTip(self.column_list.toolTip())
        column_layout = QVBoxLayout(self)
        column_layout.addWidget(self.column_list, 1)
        column_layout.addWidget(self.skipped_label)
        column_layout.addWidget(label_caption)
        column_layout.addWidget(self.label_box)

    def chosen_columns(self) -> list[str]:
        """The ticked columns, in file order."""
        items = (self.column_list.item(i) for i in range(self.column_list.count()))
        return [
            item.text()
            for item in items
            if item.checkState() == Qt.CheckState.Checked
            and item.flags() & Qt.ItemFlag.ItemIsEnabled
        ]

    def label_column(self) -> str | None:
        """The column kept as known labels, or None."""
        return self.label_box.currentData() or None

    def fill(
        self, preview: TablePreview | None, label_name: str | None, ticked: Mapping[str, bool]
    ) -> str | None:
        """Show the columns of ``preview`` (none without one), ticked as ``ticked`` says
        (a column of numbers not in it is ticked), ``label_name`` kept as labels while
        it exists; returns the labels column kept, or None. Emits no signal."""
        self.column_list.blockSignals(True)
        self.column_list.clear()
        skipped = []
        names = preview.columns if preview is not None else []
        label_name = self._fill_label_box(names, label_name)
        for name in names:
            item = QListWidgetItem(name)
            if name == label_name:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setToolTip(f"Column '{name}' is kept as known labels, so it is not fitted.")
            elif preview.numeric[name]:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                checked = ticked.get(name, True)
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                item.setToolTip(
                    f"Column '{name}' holds numbers. Untick it to leave it out of the fit."
                )
            else:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setToolTip(f"Cannot be used: it holds {preview.reasons[name]}.")
                skipped.append(f"{name} ({preview.reasons[name]})")
            self.column_list.addItem(item)
        self.column_list.blockSignals(False)
        if skipped:
            hint = "" if label_name else (
                ". A column of groups can be kept below as known labels."
            )
            self.skipped_label.setText("Left out, not numbers: " + "; ".join(skipped) + hint)
        else:
            self.skipped_label.setText("")
        self.skipped_label.setVisible(bool(skipped))
        return label_name

    def _fill_label_box(self, names: list[str], label_name: str | None) -> str | None:
        """Every column may be kept as labels; the choice stays while it exists."""
        if label_name not in names:
            label_name = None
        self.label_box.blockSignals(True)
        self.label_box.clear()
        self.label_box.addItem("None", "")
        for name in names:
            self.label_box.addItem(name, name)
        self.label_box.setCurrentIndex(max(0, self.label_box.findData(label_name or "")))
        self.label_box.blockSignals(False)
        return label_name
