"""The import preview's "How to read the file" box: delimiter, decimal separator,
comment character, header row and lines to skip, each with what it means."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from emgui.shell.option_field import make_combo
from emio.tables import TextOptions

DELIMITER_CHOICES = {",": "Comma  ( , )", ";": "Semicolon  ( ; )", "\t": "Tab", " ": "Spaces"}
DECIMAL_CHOICES = {".": "Point  ( 3.14 )", ",": "Comma  ( 3,14 )"}
COMMENT_CHOICES = {"": "None", "#": "#"}


def _combo(choices: dict[str, str], tip: str) -> QComboBox:
    combo = make_combo(choices)
    combo.setToolTip(tip)
    return combo


def _select(combo: QComboBox, key: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(key)))


class ReadingOptionsBox(QGroupBox):
    """The settings that decide how the text becomes a table of numbers; the dialog
    listens to each control's own signal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("How to read the file", parent)
        self.delimiter_box = _combo(
            DELIMITER_CHOICES,
            "The character between the values on each line. Choose the one that makes the "
            "preview show one value per cell. Spreadsheets set to German, French and many "
            "other languages save with semicolons.",
        )
        self.decimal_box = _combo(
            DECIMAL_CHOICES,
            "How the file writes the fractional part of a number: 3.14 (point) or 3,14 "
            "(comma). If the numbers turn up as red text in the preview, try the other one.",
        )
        self.comment_box = _combo(
            COMMENT_CHOICES,
            "Lines starting with this character are notes for people, not data, and are "
            "ignored; so is the rest of a line after it.",
        )
        self.header_check = QCheckBox("First row holds column names")
        self.header_check.setToolTip(
            "Tick if the first line holds names such as 'height' rather than numbers. "
            "Without names the columns are called x1, x2, ..."
        )
        self.skip_spin = QSpinBox()
        self.skip_spin.setRange(0, 10_000)
        self.skip_spin.setToolTip(
            "Lines at the very top to ignore, such as a title above the table. Comment "
            "lines among them count too."
        )

        self.setToolTip("Settings that decide how the text becomes a table of numbers.")
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(12)
        labels = (
            ("Values separated by:", self.delimiter_box, 0, 0),
            ("Decimal separator:", self.decimal_box, 0, 2),
            ("Comment lines start with:", self.comment_box, 1, 0),
            ("Lines to skip at the top:", self.skip_spin, 1, 2),
        )
        for text, widget, row, column in labels:
            label = QLabel(text)
            label.setBuddy(widget)
            label.setToolTip(widget.toolTip())
            grid.addWidget(label, row, column)
            grid.addWidget(widget, row, column + 1)
        grid.addWidget(self.header_check, 2, 0, 1, 4)
        # Controls keep their natural width; the spare room goes to the right.
        grid.setColumnStretch(4, 1)
        grid.setColumnMinimumWidth(2, 150)
        self.skip_spin.setMinimumWidth(self.delimiter_box.sizeHint().width())

    def show_options(self, options: TextOptions) -> None:
        """Set every control to ``options``."""
        _select(self.delimiter_box, options.delimiter)
        _select(self.decimal_box, options.decimal)
        _select(self.comment_box, options.comment or "")
        self.header_check.setChecked(options.header)
        self.skip_spin.setValue(options.skip_rows)

    def text_options(self, encoding: str) -> TextOptions:
        """The options as currently set, for a file in ``encoding``; DataError if they
        contradict each other."""
        return TextOptions(
            delimiter=self.delimiter_box.currentData(),
            decimal=self.decimal_box.currentData(),
            header=self.header_check.isChecked(),
            comment=self.comment_box.currentData() or None,
            skip_rows=self.skip_spin.value(),
            encoding=encoding,
        )
