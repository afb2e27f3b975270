"""Settings ▸ Compute on: this computer or a Dask cluster, remembered between launches.

:class:`ComputeSection` is the Settings panel's group of two controls;
:class:`ComputeBinding` keeps it in the ``QSettings`` (``compute/where``,
``compute/address``), tells the fit controller where fits compute, and says in
the status bar where a fit runs and how far a long pass over a large file has
gone.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QWidget,
)

from emgui.runs.compute import CLUSTER, HERE, ComputePlace
from emgui.runs.fit_controller import FitController
from emgui.shell.option_field import make_combo

PLACES = {HERE: "this computer", CLUSTER: "a Dask cluster"}
ADDRESS_HINT = "tcp://HOST:8786"


class ComputeSection(QGroupBox):
    """Where fits compute: this computer, or the Dask cluster at an address."""

    changed = Signal()
    """The place or the address changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Compute on", parent)
        self.where_combo = make_combo(PLACES)
        self.where_combo.setToolTip(
            "This computer: fits run here; a file too large for memory is read a chunk at a "
            "time. A Dask cluster: its workers read the data's file (.npy or Parquet) "
            "themselves and only parameters and sums travel."
        )
        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText(ADDRESS_HINT)
        self.address_edit.setToolTip(
            "The Dask scheduler's address. Start a cluster with 'dask scheduler' on one "
            "machine and 'dask worker tcp://HOST:8786' on each machine that computes."
        )
        self.address_label = QLabel("Address")
        form = QFormLayout(self)
        form.addRow("Where", self.where_combo)
        form.addRow(self.address_label, self.address_edit)
        self.where_combo.currentIndexChanged.connect(self._on_changed)
        self.address_edit.editingFinished.connect(self._on_changed)
        self._update()

    def place(self) -> ComputePlace:
        return ComputePlace(self.where_combo.currentData(), self.address_edit.text().strip())

    def set_place(self, place: ComputePlace) -> None:
        index = self.where_combo.findData(place.where)
        self.where_combo.setCurrentIndex(max(index, 0))
        self.address_edit.setText(place.address)
        self._update()

    def _update(self) -> None:
        on_cluster = self.where_combo.currentData() == CLUSTER
        self.address_label.setVisible(on_cluster)
        self.address_edit.setVisible(on_cluster)

    def _on_changed(self) -> None:
        self._update()
        self.changed.emit()


class ComputeBinding(QObject):
    """Keeps ``section`` in ``settings`` and the ``controller``'s place; shows where a fit
    computes and a long pass's progress in ``window``'s status bar."""

    def __init__(self, section: ComputeSection, settings: QSettings,
                 controller: FitController, window: QWidget) -> None:
        super().__init__(window)
        self._section = section
        self._settings = settings
        self._controller = controller
        self._window = window
        self.where_label = QLabel()
        self.pass_label = QLabel()
        self.pass_bar = QProgressBar()
        self.pass_bar.setRange(0, 1000)
        self.pass_bar.setMaximumWidth(140)
        self.pass_bar.setTextVisible(False)
        for widget in (self.where_label, self.pass_label, self.pass_bar):
            window.statusBar().addPermanentWidget(widget)
            widget.setVisible(False)
        section.set_place(ComputePlace(
            settings.value("compute/where", HERE, type=str),
            settings.value("compute/address", "", type=str),
        ))
        controller.place = section.place()
        section.changed.connect(self._on_section_changed)
        controller.computing.connect(self._on_controller_computing)
        controller.pass_progress.connect(self._on_controller_pass_progress)
        controller.document.run_state_changed.connect(self._on_document_run_state_changed)

    def _on_section_changed(self) -> None:
        place = self._section.place()
        self._settings.setValue("compute/where", place.where)
        self._settings.setValue("compute/address", place.address)
        self._controller.place = place

    def _on_controller_computing(self, text: str) -> None:
        # Beside the status line, which the fit's figures take over at each iteration.
        self.where_label.setText(text)
        self.where_label.setVisible(True)
        self._window.set_status(text)

    def _on_document_run_state_changed(self, state: object) -> None:
        if not self._controller.document.is_running:
            self.where_label.setVisible(False)

    def _on_controller_pass_progress(self, number: int, per_mille: int) -> None:
        shown = number > 0
        where = "on the cluster" if self._controller.place.on_cluster else "over every row"
        self.pass_label.setText(f"Pass {number} {where}")
        self.pass_bar.setValue(per_mille)
        self.pass_label.setVisible(shown)
        self.pass_bar.setVisible(shown)
