"""A dock that draws the fit the window shows: the document's data when they change, the
shown snapshot (live during a run, about 30 times a second at most, as the main views),
and nothing while hidden, so a closed dock costs nothing."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QWidget

import engine
from emgui.shell.host import Host


class FitDock(QObject):
    """Base of the docks of this feature: subclasses draw in :meth:`show_data` and
    :meth:`show_params`."""

    title = ""
    object_name = ""
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, host: Host, widget: QWidget) -> None:
        super().__init__(host.parent_widget)
        self._host = host
        self.document = host.document
        self.widget = widget
        self.dock = QDockWidget(self.title, host.parent_widget)
        self.dock.setObjectName(self.object_name)
        self.dock.setWidget(widget)
        host.add_dock(self.dock, self.area)
        self._data_stale = True
        self._state_stale = True
        self.document.data_changed.connect(self._on_document_data_changed)
        self.document.shown_changed.connect(self._on_document_shown_changed)
        self.document.fit_changed.connect(self._on_document_fit_changed)
        self.dock.visibilityChanged.connect(self._on_dock_visibility_changed)

    @property
    def is_shown(self) -> bool:
        return self.dock.isVisible()

    def refresh(self) -> None:
        """Draw what is stale (the data, the state) now."""
        table = self.document.table
        if table is None:
            return
        if self._data_stale:
            self._data_stale = False
            self._state_stale = True
            self.show_data(table.data, list(table.columns))
        if self._state_stale:
            self._state_stale = False
            snapshot = self.document.shown_snapshot()
            if snapshot is None:
                self.clear_state()
            else:
                self.show_params(snapshot.params, self.document.fit_options())

    def show_data(self, X, names: list[str]) -> None:  # noqa: ANN001 - an ndarray
        raise NotImplementedError

    def show_params(self, params: engine.Params, options: engine.FitOptions) -> None:
        raise NotImplementedError

    def clear_state(self) -> None:
        raise NotImplementedError

    def data_stale(self) -> None:
        """Draw the data again (another column chosen, say), when next shown."""
        self._data_stale = True
        self._refresh_if_shown()

    def _refresh_if_shown(self) -> None:
        if self.is_shown:
            self.refresh()

    def _on_document_data_changed(self, name: str) -> None:
        self._data_stale = True
        self._refresh_if_shown()

    def _on_document_shown_changed(self, index: int) -> None:
        self._state_stale = True
        self._refresh_if_shown()

    def _on_document_fit_changed(self, result: object) -> None:
        self._state_stale = True
        self._refresh_if_shown()

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.refresh()
