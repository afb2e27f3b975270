"""Run ▸ Fit in Standard Units: each column centred and divided by its standard deviation
for the fit, the parameters shown in the original units (:mod:`engine.standardize`).

Offered with a note when the data's columns differ in scale by orders of magnitude
(then a spread in one column dwarfs the others for models that measure distance the
same way in every column); off for models whose result the original units cannot hold.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

import engine
from emgui.shell.actions import make_action
from emgui.shell.host import Host
from engine.standardize import SCALE_RATIO_HINT, check_standardizable, scales_differ

#: About how many rows the scales are judged on (evenly spread over the table).
HINT_ROWS = 20_000
HINT = (
    "The columns' scales differ by a factor of {ratio:g} or more: Run ▸ Fit in Standard "
    "Units fits them on an equal footing (the parameters stay in the original units)."
)
TIP = (
    "Fit with each column centred and divided by its standard deviation; the parameters, "
    "plots and log-likelihood stay in the original units. VVV (full), EEE (tied), VVI (diag) "
    "and the other unit-free covariances fit the same either way; for the rest the fit "
    "changes."
)


class StandardUnits(QObject):
    """The switch and the hint of one window."""

    def __init__(self, host: Host) -> None:
        super().__init__(host.parent_widget)
        self._host = host
        self.action = make_action(host.parent_widget, "Fit in &Standard Units", TIP)
        self.action.setCheckable(True)
        host.add_actions("run", [None, self.action])
        #: The hint said for the data held ("" when their scales are alike).
        self.hint = ""
        document = host.document
        self.action.toggled.connect(self._on_action_toggled)
        document.standardize_changed.connect(self._on_document_standardize_changed)
        document.data_changed.connect(self._on_document_data_changed)
        document.options_changed.connect(self._on_document_options_changed)
        self._update_enabled(document.options)

    def _update_enabled(self, options: engine.FitOptions) -> None:
        try:
            check_standardizable(options)
        except ValueError as exc:
            self.action.setEnabled(False)
            self.action.setToolTip(f"Not for this model: {exc}")
            self._host.document.set_standardize(False)
            return
        self.action.setEnabled(True)
        self.action.setToolTip(TIP)

    def _on_document_data_changed(self, name: str) -> None:
        table = self._host.document.table
        self.hint = ""
        # A hint about orders of magnitude: every HINT_ROWS-th row tells as well as all
        # of them, and a million rows' standard deviations cost the GUI thread 50 ms.
        if table is not None and scales_differ(
            table.data[:: max(1, table.data.shape[0] // HINT_ROWS)]
        ):
            self.hint = HINT.format(ratio=SCALE_RATIO_HINT)
            self._host.show_note(self.hint)

    def _on_document_options_changed(self, options: engine.FitOptions) -> None:
        self._update_enabled(options)

    def _on_action_toggled(self, checked: bool) -> None:
        self._host.document.set_standardize(checked)

    def _on_document_standardize_changed(self, on: bool) -> None:
        self.action.setChecked(on)


def install(host: Host) -> StandardUnits:
    """Add Run ▸ Fit in Standard Units and its hint."""
    return StandardUnits(host)
