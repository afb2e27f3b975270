"""Keeps the Settings panel and the document's settings in step, both ways.

The document owns the settings in force; the panel is where a person edits
them. An edit in the panel is written to the document; settings written to
the document by someone else (a sample, a session, a fit shown, new data) are
shown in the panel, and the document then takes what the panel can show (K
within the rows, a start the model allows, held parameters the model has), so
the two never disagree. A change never comes back to where it started: text a
person is typing is never rewritten under the cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject

from emgui.shell.document import Document
from emgui.shell.settings_panel import SettingsPanel


class SettingsBinding(QObject):
    """Binds ``panel`` to ``document`` (the document starts with the panel's settings)."""

    def __init__(self, panel: SettingsPanel, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._panel = panel
        self._document = document
        self._syncing = False
        panel.options_changed.connect(self._on_panel_options_changed)
        panel.init_mode_changed.connect(self._on_panel_init_mode_changed)
        document.options_changed.connect(self._on_document_options_changed)
        document.init_mode_changed.connect(self._on_document_init_mode_changed)
        document.data_changed.connect(self._on_document_data_changed)
        document.model_problems_changed.connect(self._on_document_model_problems_changed)
        with self._in_step():
            self._take_panel()

    @contextmanager
    def _in_step(self) -> Iterator[None]:
        """While one side follows the other, the other side's echoes are not sent back."""
        syncing, self._syncing = self._syncing, True
        try:
            yield
        finally:
            self._syncing = syncing

    def _take_panel(self) -> None:
        panel = self._panel
        self._document.set_options(
            panel.options(), init_mode=panel.init_mode, option_values=panel.option_values()
        )

    def _show_document(self) -> None:
        """Show the document's settings in the panel, then take what the panel could show."""
        if self._syncing:
            return
        document = self._document
        with self._in_step():
            self._panel.set_options(
                document.options, init_mode=document.init_mode,
                option_values=document.option_values,
            )
            self._take_panel()

    # --- the panel ----------------------------------------------------------------------

    def _on_panel_options_changed(self) -> None:
        if not self._syncing:
            with self._in_step():
                self._take_panel()

    def _on_panel_init_mode_changed(self, mode: str) -> None:
        self._on_panel_options_changed()

    # --- the document -------------------------------------------------------------------

    def _on_document_options_changed(self, options: object) -> None:
        self._show_document()

    def _on_document_init_mode_changed(self, mode: str) -> None:
        self._show_document()

    def _on_document_model_problems_changed(self, problems: dict) -> None:
        self._panel.set_model_problems(problems)

    def _on_document_data_changed(self, name: str) -> None:
        document = self._document
        table, sample = document.table, document.sample
        with self._in_step():
            # The panel limits K to the rows and offers an example's start only with one.
            self._panel.set_model_problems(document.model_problems)
            self._panel.set_data_shape(table.data.shape[0], table.columns)
            self._panel.set_sample_init_available(sample is not None and sample.init is not None)
            self._panel.set_options(
                document.options, init_mode=document.init_mode,
                option_values=document.option_values,
            )
            self._take_panel()
