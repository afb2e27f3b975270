"""The status bar's corner for long tasks under way: what is being done, how far, and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from emgui.runs.generators import Progress
from emgui.runs.task import Task


class TaskBar(QWidget):
    """Shows the newest task under way (hidden when there is none); Cancel cancels it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(140)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this task; the window stays as it was before it")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        self._tasks: list[Task] = []
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.setVisible(False)

    @property
    def tasks(self) -> list[Task]:
        """The tasks under way, oldest first."""
        return list(self._tasks)

    def add(self, task: Task) -> None:
        self._tasks.append(task)
        task.progressed.connect(self._on_task_progressed)
        task.ended.connect(self._on_task_ended)
        self._show()

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _show(self) -> None:
        if not self._tasks:
            self.setVisible(False)
            return
        task = self._tasks[-1]
        progress: Progress = task.progress
        self.label.setText(progress.text or task.label)
        self.progress.setRange(0, max(progress.total, 0))
        self.progress.setValue(min(progress.done, progress.total) if progress.total else 0)
        self.setVisible(True)

    def _on_task_progressed(self, progress: object) -> None:
        if self._tasks and self.sender() is self._tasks[-1]:
            self._show()

    def _on_task_ended(self) -> None:
        self._tasks = [task for task in self._tasks if task.is_running]
        self._show()

    def _on_cancel_button_clicked(self) -> None:
        if self._tasks:
            self._tasks[-1].cancel()
