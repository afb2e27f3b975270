"""Start > "click on the plot": the starting means a person places on the scatter."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from emgui.shell.document import Document
from emgui.views.fit_views import FitViews


class MeanPlacing(QObject):
    """Takes clicks on the scatter as starting means, K at most, into the document."""

    status = Signal(str)
    """How many means are still to place, for the status bar."""

    def __init__(self, document: Document, views: FitViews, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._views = views
        views.point_placed.connect(self._on_views_point_placed)
        document.placed_changed.connect(self._on_document_placed_changed)
        document.init_mode_changed.connect(self._on_document_init_mode_changed)

    def show(self) -> None:
        """Draw the placed means and ask for the rest (after the data were drawn afresh)."""
        self._views.set_placed(np.array(self._document.placed_means, dtype=float).reshape(-1, 2))
        self.update()

    def update(self) -> None:
        """Let the scatter take clicks while means are to be placed, and say how many."""
        document = self._document
        placing = document.init_mode == "click" and self._views.kind == "scatter"
        remaining = max(document.options.n_components - len(document.placed_means), 0)
        self._views.set_placing(remaining if placing else None)
        if placing:
            self.status.emit(
                f"Click {remaining} more point(s) on the plot to place the starting means."
                if remaining > 0
                else "Starting means placed: press Run."
            )

    def _on_views_point_placed(self, x: float, y: float) -> None:
        placed = list(self._document.placed_means)
        if len(placed) >= self._document.options.n_components:
            placed = []
        self._document.set_placed([*placed, (x, y)])

    def _on_document_placed_changed(self, points: object) -> None:
        self.show()

    def _on_document_init_mode_changed(self, mode: str) -> None:
        self._document.set_placed(())
        self.show()
