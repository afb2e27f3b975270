"""Run and Cancel buttons with a progress bar and an estimate of the time left."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


def time_left_text(seconds: float | None) -> str:
    """``"about 12 s left"``, ``"about 3 min left"``; ``"estimating time left"`` before any data."""
    if seconds is None or not math.isfinite(seconds):
        return "estimating time left…"
    if seconds < 1.0:
        return "less than a second left"
    if seconds < 90.0:
        return f"about {seconds:.0f} s left"
    if seconds < 90 * 60.0:
        return f"about {seconds / 60.0:.0f} min left"
    return f"about {seconds / 3600.0:.1f} h left"


class RunBar(QWidget):
    """Run, Cancel, a progress bar and a line saying how far along and how long to go."""

    run_requested = Signal()
    """The user pressed Run."""
    cancel_requested = Signal()
    """The user pressed Cancel."""

    def __init__(self, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._unit = unit
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(160)
        self.status_label = QLabel("")
        self.status_label.setMinimumWidth(260)
        #: What the runs work on when it is not every row (a large file's sample).
        self.scope_label = QLabel("")
        self.scope_label.setVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.scope_label)
        self.run_button.clicked.connect(self._on_run_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.set_idle("")

    def _on_run_button_clicked(self) -> None:
        self.run_requested.emit()

    def _on_cancel_button_clicked(self) -> None:
        self.cancel_requested.emit()

    def set_running(self, total: int) -> None:
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setFormat(f"%v of %m {self._unit}")
        self.status_label.setText(time_left_text(None))

    def set_progress(self, done: int, seconds_left: float | None) -> None:
        self.progress.setValue(done)
        self.status_label.setText(time_left_text(seconds_left))

    def set_idle(self, message: str) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status_label.setText(message)

    def set_scope(self, note: str) -> None:
        """Say ``note`` ("on a 200,000-row sample of ...") beside the bar; "" says nothing."""
        self.scope_label.setText(f"Runs {note}" if note else "")
        self.scope_label.setToolTip(
            "The file is too large to hold: these fits use the sample of rows the window "
            "shows; Run in the main window fits every row" if note else "")
        self.scope_label.setVisible(bool(note))

    def set_busy_text(self, message: str) -> None:
        """A note while something short (opening a fit) runs; Run stays usable."""
        self.status_label.setText(message)
