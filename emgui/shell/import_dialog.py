"""The import preview: how a text file will be read, shown and adjustable before loading.

The dialog starts from what :func:`emio.tables.sniff_text` guessed, lets a
person override each guess, and previews the result at once: the first rows,
which columns hold numbers, and how many rows have gaps or words in them.
Nothing is dropped without the person choosing so. Rows with gaps are kept for
EM to fill by default when the model fits them (``keeps_gaps``); a word in a
column of numbers is never taken for a gap.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QProgressBar,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from emgui.runs.data_loader import DataLoader
from emgui.shell.import_preview import PreviewModel, describe_options
from emio.tables import (
    DataError,
    Table,
    TablePreview,
    TextOptions,
    preview_text,
    read_table,
    sniff_text,
)

DELIMITER_CHOICES = {",": "Comma  ( , )", ";": "Semicolon  ( ; )", "\t": "Tab", " ": "Spaces"}
DECIMAL_CHOICES = {".": "Point  ( 3.14 )", ",": "Comma  ( 3,14 )"}
COMMENT_CHOICES = {"": "None", "#": "#"}
PREVIEW_ROWS = 100

def _combo(choices: dict[str, str], tip: str) -> QComboBox:
    combo = QComboBox()
    for key, label in choices.items():
        combo.addItem(label, key)
    combo.setToolTip(tip)
    return combo


def _select(combo: QComboBox, key: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(key)))


class ImportDialog(QDialog):
    """Preview a text file and choose how to read it.

    Parameters
    ----------
    path : str or path-like
        The text file to import.
    parent : QWidget, optional

    Raises
    ------
    DataError
        If the file cannot be read as text at all (missing, a folder, empty,
        binary), so that there is nothing to preview.

    Notes
    -----
    Use as ``if dialog.exec(): table = dialog.load()``. OK reads the file
    at once; if that fails (a bad row under "Stop and tell me", say) the
    message shows in the dialog, which stays open, so after an accepted
    dialog :meth:`load` returns the table without reading the file again.
    """

    def __init__(
        self, path: str | PathLike[str], parent: QWidget | None = None, keeps_gaps: bool = True
    ) -> None:
        super().__init__(parent)
        self._path = Path(path)
        # Whether the model chosen now fits rows with missing values (EM fills the gaps).
        self._keeps_gaps = keeps_gaps
        self._detected = sniff_text(self._path)
        self._preview: TablePreview | None = None
        # The person's ticks, kept by column name across re-previews.
        self._ticked: dict[str, bool] = {}
        # The column kept as known labels, by name across re-previews; None for none.
        self._label_name: str | None = None
        # The table read when OK was pressed, so the file is not read twice.
        self._loaded: Table | None = None
        self.setWindowTitle(f"Import {self._path.name}")
        self._build()
        self._show_options(self._detected)
        self._connect()
        self._refresh_preview()
        self.resize(860, 640)

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.file_label = QLabel(f"<b>{self._path.name}</b>")
        self.file_label.setToolTip(f"The file being imported:\n{self._path}")
        self.detected_label = QLabel(f"Detected: {describe_options(self._detected)}.")
        self.detected_label.setWordWrap(True)
        self.detected_label.setToolTip(
            "What EM Studio guessed from the start of the file. If the preview below looks "
            "wrong, change the settings until each column shows one kind of value."
        )

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

        self.options_box = options_box = QGroupBox("How to read the file")
        options_box.setToolTip("Settings that decide how the text becomes a table of numbers.")
        grid = QGridLayout(options_box)
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

        self.model = PreviewModel(self)
        self.table_view = QTableView()
        self.table_view.setModel(self.model)
        self.table_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table_view.verticalHeader().setDefaultSectionSize(22)
        self.table_view.setToolTip(
            "The first rows as they will be read with the settings above. Numbers are shown "
            "as EM Studio understands them; red cells are gaps or words where a number "
            "should be; grey columns hold text and are left out."
        )
        self.raw_text = QPlainTextEdit(self._first_lines())
        self.raw_text.setReadOnly(True)
        self.raw_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.raw_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw_text.setToolTip(
            "The first lines of the file exactly as written, to check by eye which character "
            "separates the values and how decimals are written."
        )
        # The tab page draws the frame; a second one inside it looks cramped.
        self.table_view.setFrameShape(QFrame.Shape.NoFrame)
        self.raw_text.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table_view, "Table preview")
        self.tabs.addTab(self.raw_text, "File as text")
        self.tabs.setToolTip("Switch between the table as it will be read and the raw file.")
        self.rows_label = QLabel()
        self.rows_label.setToolTip("How many rows the preview shows, and how many the file holds.")

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
        columns_box = QGroupBox("Columns to use")
        columns_box.setToolTip(self.column_list.toolTip())
        column_layout = QVBoxLayout(columns_box)
        column_layout.addWidget(self.column_list, 1)
        column_layout.addWidget(self.skipped_label)
        column_layout.addWidget(label_caption)
        column_layout.addWidget(self.label_box)

        self.bad_rows_label = QLabel()
        self.bad_rows_label.setWordWrap(True)
        self.bad_rows_label.setToolTip(
            "A row with a gap in one of the chosen columns can be kept for EM to fill; a row "
            "with a word in a column of numbers cannot be used as it is. Choose what to do "
            "with such rows."
        )
        self.keep_radio = QRadioButton("Keep them: EM fills the gaps")
        self.keep_radio.setToolTip(
            "Fit every row: EM uses each row's observed values and, at every E-step, fills in "
            "its missing ones with their expected values under the current fit. A word in a "
            "column of numbers is not a gap: such a row stops the loading."
            if self._keeps_gaps
            else "The chosen model cannot fit rows with missing values; choose a Gaussian, "
            "Bernoulli, binomial or Poisson mixture to keep them."
        )
        self.stop_radio = QRadioButton("Stop and tell me")
        self.stop_radio.setToolTip(
            "Do not load the file; say which row and column hold the first problem, so you "
            "can fix the file."
        )
        self.drop_radio = QRadioButton("Drop those rows")
        self.drop_radio.setToolTip(
            "Leave those rows out and fit the rest. How many were dropped is reported after "
            "loading."
        )
        (self.keep_radio if self._keeps_gaps else self.stop_radio).setChecked(True)
        self.policy_group = QButtonGroup(self)
        self.policy_group.addButton(self.keep_radio)
        self.policy_group.addButton(self.stop_radio)
        self.policy_group.addButton(self.drop_radio)
        self.bad_box = bad_box = QGroupBox("Rows with missing or non-numeric values")
        bad_box.setToolTip(self.bad_rows_label.toolTip())
        bad_layout = QVBoxLayout(bad_box)
        bad_layout.addWidget(self.bad_rows_label)
        radios = QHBoxLayout()
        radios.addWidget(self.keep_radio)
        radios.addWidget(self.stop_radio)
        radios.addWidget(self.drop_radio)
        radios.addStretch(1)
        bad_layout.addLayout(radios)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setToolTip("Why the file cannot be read with these settings.")

        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Load")
        self.ok_button.setToolTip("Load the ticked columns with these settings.")
        self.button_box.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Close without loading anything."
        )

        preview_layout = QVBoxLayout()
        preview_layout.addWidget(self.tabs, 1)
        preview_layout.addWidget(self.rows_label)
        middle = QHBoxLayout()
        middle.addLayout(preview_layout, 3)
        middle.addWidget(columns_box, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addWidget(self.detected_label)
        layout.addWidget(options_box)
        # Right under the settings that caused it, above the empty preview.
        layout.addWidget(self.error_label)
        layout.addLayout(middle, 1)
        layout.addWidget(bad_box)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: pandas reports no progress
        self.progress.setFormat("Reading the file…")
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        layout.addWidget(self.button_box)
        #: Reads the file off the GUI thread when OK is pressed.
        self.loader = DataLoader(self)
        self.loader.loaded.connect(self._on_loader_loaded)
        self.loader.failed.connect(self._on_loader_failed)
        self.loader.busy_changed.connect(self._on_loader_busy_changed)

    def _first_lines(self, count: int = 40) -> str:
        try:
            with open(self._path, encoding=self._detected.encoding, errors="replace") as file:
                lines = [line.rstrip("\r\n") for _, line in zip(range(count), file)]
        except OSError as exc:
            return f"(cannot show the file: {exc.strerror})"
        return "\n".join(line.replace("\t", "\u2192\t") for line in lines)

    def _show_options(self, options: TextOptions) -> None:
        _select(self.delimiter_box, options.delimiter)
        _select(self.decimal_box, options.decimal)
        _select(self.comment_box, options.comment or "")
        self.header_check.setChecked(options.header)
        self.skip_spin.setValue(options.skip_rows)

    def _connect(self) -> None:
        self.delimiter_box.currentIndexChanged.connect(self._on_option_changed)
        self.decimal_box.currentIndexChanged.connect(self._on_option_changed)
        self.comment_box.currentIndexChanged.connect(self._on_option_changed)
        self.header_check.toggled.connect(self._on_option_changed)
        self.skip_spin.valueChanged.connect(self._on_option_changed)
        self.column_list.itemChanged.connect(self._on_column_list_item_changed)
        self.label_box.currentIndexChanged.connect(self._on_label_box_current_index_changed)
        self.policy_group.buttonToggled.connect(self._on_policy_group_button_toggled)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

    # --- public API --------------------------------------------------------------------

    def text_options(self) -> TextOptions:
        """The options as currently set; DataError if they contradict each other."""
        return TextOptions(
            delimiter=self.delimiter_box.currentData(),
            decimal=self.decimal_box.currentData(),
            header=self.header_check.isChecked(),
            comment=self.comment_box.currentData() or None,
            skip_rows=self.skip_spin.value(),
            encoding=self._detected.encoding,
        )

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

    def bad_rows_policy(self) -> str:
        """``"keep"`` (EM fills the gaps), ``"error"`` (stop and tell me) or ``"drop"``
        (drop those rows): the policies of :func:`emio.tables.read_table`."""
        if self.keep_radio.isChecked():
            return "keep"
        return "drop" if self.drop_radio.isChecked() else "error"

    def preview(self) -> TablePreview | None:
        """The current preview; None while the settings cannot read the file."""
        return self._preview

    def load(self) -> Table:
        """Read the file with the chosen options, columns and bad-row policy.

        After the dialog was accepted, this is the table read then.
        """
        if self._loaded is not None:
            return self._loaded
        return read_table(
            self._path, self.text_options(), self.chosen_columns(), self.bad_rows_policy(),
            labels=self.label_column(),
        )

    def accept(self) -> None:
        """Read the file off the GUI thread; on a problem (a bad row, say) say so here and stay open."""
        if self._loaded is not None:
            super().accept()
            return
        self._show_error("")
        self.loader.load(
            self._path, self.text_options(), self.chosen_columns(), self.bad_rows_policy(),
            labels=self.label_column(),
        )

    def reject(self) -> None:
        if self.loader.is_busy:
            self.loader.abandon()
        super().reject()

    def done(self, result: int) -> None:
        # A read still running when the dialog goes must finish before its thread is freed.
        self.loader.wait()
        super().done(result)

    def _on_loader_loaded(self, table: Table) -> None:
        self._loaded = table
        super().accept()

    def _on_loader_failed(self, message: str, details: str) -> None:
        self._show_error(message)

    def _on_loader_busy_changed(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.ok_button, self.options_box, self.column_list, self.label_box):
            widget.setEnabled(not busy)
        if not busy:
            self._update_ok()

    # --- reacting ------------------------------------------------------------------------

    def _on_option_changed(self) -> None:
        self._refresh_preview()

    def _on_policy_group_button_toggled(self) -> None:
        self._loaded = None
        self._show_error("")

    def _on_column_list_item_changed(self, item: QListWidgetItem) -> None:
        self._loaded = None
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self._ticked[item.text()] = item.checkState() == Qt.CheckState.Checked
        self._update_bad_rows()
        self._update_ok()

    def _on_label_box_current_index_changed(self) -> None:
        self._loaded = None
        self._label_name = self.label_column()
        self.model.set_label_column(self._label_name)
        self._fill_columns()
        self._update_bad_rows()
        self._update_ok()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message[:1].upper() + message[1:] + "." if message else "")
        self.error_label.setVisible(bool(message))

    def _refresh_preview(self) -> None:
        self._loaded = None
        try:
            self._preview = preview_text(self._path, self.text_options(), n_rows=PREVIEW_ROWS)
        except DataError as exc:
            self._preview = None
            self._show_error(str(exc))
        else:
            self._show_error("")
        self.model.set_preview(self._preview)
        self.table_view.resizeColumnsToContents()
        self._fill_columns()
        self.model.set_label_column(self._label_name)
        self._update_rows_label()
        self._update_bad_rows()
        self._update_ok()

    def _fill_columns(self) -> None:
        preview = self._preview
        self.column_list.blockSignals(True)
        self.column_list.clear()
        skipped = []
        names = preview.columns if preview is not None else []
        self._fill_label_box(names)
        for name in names:
            item = QListWidgetItem(name)
            if name == self._label_name:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setToolTip(f"Column '{name}' is kept as known labels, so it is not fitted.")
            elif preview.numeric[name]:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                ticked = self._ticked.get(name, True)
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
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
            hint = "" if self._label_name else (
                ". A column of groups can be kept below as known labels."
            )
            self.skipped_label.setText("Left out, not numbers: " + "; ".join(skipped) + hint)
        else:
            self.skipped_label.setText("")
        self.skipped_label.setVisible(bool(skipped))

    def _fill_label_box(self, names: list[str]) -> None:
        """Every column may be kept as labels; the choice stays while it exists."""
        if self._label_name not in names:
            self._label_name = None
        self.label_box.blockSignals(True)
        self.label_box.clear()
        self.label_box.addItem("None", "")
        for name in names:
            self.label_box.addItem(name, name)
        _select(self.label_box, self._label_name or "")
        self.label_box.blockSignals(False)

    def _update_rows_label(self) -> None:
        preview = self._preview
        if preview is None:
            self.rows_label.setText("")
            return
        shown, read = preview.frame.shape[0], preview.rows_read
        if not preview.whole_file:
            text = f"Showing the first {shown} of more than {read:,} rows."
        elif shown == read:
            text = f"Showing all {read:,} rows."
        else:
            text = f"Showing the first {shown} of {read:,} rows."
        self.rows_label.setText(text)

    def _update_bad_rows(self) -> None:
        preview = self._preview
        count = preview.bad_rows_in(self.chosen_columns()) if preview is not None else 0
        rows = "1 row has" if count == 1 else f"{count:,} rows have"
        if preview is None:
            text = ""
        elif preview.whole_file:
            text = f"{rows} missing or non-numeric values in the chosen columns."
            if count == 0:
                text = "No row has missing or non-numeric values in the chosen columns."
        else:
            text = (
                f"{rows} missing or non-numeric values in the chosen columns, in the first "
                f"{preview.rows_read:,} rows; the rest of the file is checked when it is loaded."
            )
        self.bad_rows_label.setText(text)
        may_matter = preview is not None and (count > 0 or not preview.whole_file)
        self.keep_radio.setEnabled(may_matter and self._keeps_gaps)
        self.stop_radio.setEnabled(may_matter)
        self.drop_radio.setEnabled(may_matter)
        self.bad_box.setVisible(preview is not None)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self._preview is not None and bool(self.chosen_columns()))
