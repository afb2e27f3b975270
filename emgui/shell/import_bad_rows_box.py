"""The import preview's "Rows with missing or non-numeric values" box: how many the
chosen columns have, and what to do with them (keep them for EM to fill, stop and
tell, or drop them)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from emio.tables import TablePreview


class BadRowsBox(QGroupBox):
    """The count of rows with gaps or words in the chosen columns and the policy for them.

    ``keeps_gaps`` says whether the model chosen now fits rows with missing values:
    only then can they be kept, and keeping them is the default.
    """

    def __init__(self, keeps_gaps: bool, parent: QWidget | None = None) -> None:
        super().__init__("Rows with missing or non-numeric values", parent)
        self._keeps_gaps = keeps_gaps
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
            if keeps_gaps
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
        (self.keep_radio if keeps_gaps else self.stop_radio).setChecked(True)
        self.policy_group = QButtonGroup(self)
        self.policy_group.addButton(self.keep_radio)
        self.policy_group.addButton(self.stop_radio)
        self.policy_group.addButton(self.drop_radio)
        self.setToolTip(self.bad_rows_label.toolTip())
        bad_layout = QVBoxLayout(self)
        bad_layout.addWidget(self.bad_rows_label)
        radios = QHBoxLayout()
        radios.addWidget(self.keep_radio)
        radios.addWidget(self.stop_radio)
        radios.addWidget(self.drop_radio)
        radios.addStretch(1)
        bad_layout.addLayout(radios)

    def policy(self) -> str:
        """``"keep"`` (EM fills the gaps), ``"error"`` (stop and tell me) or ``"drop"``
        (drop those rows): the policies of :func:`emio.tables.read_table`."""
        if self.keep_radio.isChecked():
            return "keep"
        return "drop" if self.drop_radio.isChecked() else "error"

    def show_counts(self, preview: TablePreview | None, chosen: list[str]) -> None:
        """Say how many rows of ``preview`` have gaps or words in the ``chosen`` columns,
        offer the choices only when that may matter, and hide without a preview."""
        count = preview.bad_rows_in(chosen) if preview is not None else 0
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
        self.setVisible(preview is not None)
