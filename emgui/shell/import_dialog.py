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
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from emgui.runs.data_loader import DataLoader
from emgui.shell.import_bad_rows_box import BadRowsBox
from emgui.shell.import_columns_box import ColumnsBox
from emgui.shell.import_options_box import ReadingOptionsBox
from emgui.shell.import_preview import PreviewModel, describe_options
from emgui.views.plot_style import show_as_warning
from emio.tables import (
    DataError,
    Table,
    TablePreview,
    TextOptions,
    preview_text,
    read_table,
    sniff_text,
)

PREVIEW_ROWS = 100


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

        self.options_box = ReadingOptionsBox()
        # The dialog's controls, by the names its callers and tests know them.
        self.delimiter_box = self.options_box.delimiter_box
        self.decimal_box = self.options_box.decimal_box
        self.comment_box = self.options_box.comment_box
        self.header_check = self.options_box.header_check
        self.skip_spin = self.options_box.skip_spin

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

        self.columns_box = columns_box = ColumnsBox()
        self.column_list = columns_box.column_list
        self.skipped_label = columns_box.skipped_label
        self.label_box = columns_box.label_box

        self.bad_box = bad_box = BadRowsBox(self._keeps_gaps)
        self.bad_rows_label = bad_box.bad_rows_label
        self.keep_radio = bad_box.keep_radio
        self.stop_radio = bad_box.stop_radio
        self.drop_radio = bad_box.drop_radio
        self.policy_group = bad_box.policy_group

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        show_as_warning(self.error_label)
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
        layout.addWidget(self.options_box)
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
        self.options_box.show_options(options)

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
        return self.options_box.text_options(self._detected.encoding)

    def chosen_columns(self) -> list[str]:
        """The ticked columns, in file order."""
        return self.columns_box.chosen_columns()

    def label_column(self) -> str | None:
        """The column kept as known labels, or None."""
        return self.columns_box.label_column()

    def bad_rows_policy(self) -> str:
        """``"keep"`` (EM fills the gaps), ``"error"`` (stop and tell me) or ``"drop"``
        (drop those rows): the policies of :func:`emio.tables.read_table`."""
        return self.bad_box.policy()

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
        self._label_name = self.columns_box.fill(self._preview, self._label_name, self._ticked)

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
        self.bad_box.show_counts(self._preview, self.chosen_columns())

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self._preview is not None and bool(self.chosen_columns()))
