"""The question Export Parameters asks: which files to write beside PARAMS.json.

A module-level function (:func:`ask_params_extras`), so tests can answer it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

#: The extra files Export Parameters can write beside the JSON, with their labels.
PARAMS_EXTRAS = {
    "components": "components table for spreadsheets ({stem}_components.csv)",
    "npz": "NumPy arrays ({stem}.npz)",
    "script": "Python script that applies the parameters to new data ({stem}.py)",
}


class ParamsExtrasDialog(QDialog):
    """Which files to write beside PARAMS.json."""

    def __init__(self, parent: QWidget | None, stem: str, chosen: dict[str, bool]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Parameters")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Write {stem}.json, and also:"))
        self.boxes: dict[str, QCheckBox] = {}
        for key, label in PARAMS_EXTRAS.items():
            box = QCheckBox(label.format(stem=stem))
            box.setChecked(chosen.get(key, False))
            self.boxes[key] = box
            layout.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> dict[str, bool]:
        return {key: box.isChecked() for key, box in self.boxes.items()}


def ask_params_extras(
    parent: QWidget | None, stem: str, chosen: dict[str, bool]
) -> dict[str, bool] | None:
    """Ask which of :data:`PARAMS_EXTRAS` to write; ``None`` if the person cancels."""
    dialog = ParamsExtrasDialog(parent, stem, chosen)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()
