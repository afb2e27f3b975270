"""The one place where messages reach the user (tests patch these functions)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget | None, message: str, details: str = "") -> None:
    """An error that says what to do, with technical details under 'Show Details...'."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("EM Studio")
    text = message[:1].upper() + message[1:]
    box.setText(text if text.endswith((".", "!", "?")) else text + ".")
    if details:
        box.setDetailedText(details)
    box.exec()


def ask_yes_no(parent: QWidget | None, question: str) -> bool:
    answer = QMessageBox.question(parent, "EM Studio", question)
    return answer == QMessageBox.StandardButton.Yes
