"""The question Open Session asks when the session's data file changed or is missing.

A module-level function (:func:`ask_data_action`), so tests can answer it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

#: Answers of :func:`ask_data_action`.
DATA_USE, DATA_LOCATE, DATA_CANCEL = "use", "locate", "cancel"


def ask_data_action(parent: QWidget | None, message: str, can_use: bool) -> str:
    """Ask what to do about a session's data file that changed or is missing.

    Returns :data:`DATA_USE` (only when ``can_use``), :data:`DATA_LOCATE` or
    :data:`DATA_CANCEL`.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("EM Studio")
    box.setText(message)
    use = box.addButton("Use It As It Is", QMessageBox.ButtonRole.AcceptRole) if can_use else None
    locate = box.addButton("Locate the File…", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    if use is not None and clicked is use:
        return DATA_USE
    return DATA_LOCATE if clicked is locate else DATA_CANCEL
