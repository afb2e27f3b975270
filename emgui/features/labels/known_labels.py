"""Known labels at work: colour the points by them, and compare the clusters with them.

A table read with a label column (:attr:`emio.tables.Table.labels`) brings its
classes along. View ▸ Colour Points by Known Label switches the scatter
between clusters and classes; the Label Comparison panel shows the confusion
table and the adjusted Rand index of the fit held, computed when a fit ends
(or is shown). A class takes the colour of the cluster matched to it, so a
point that changes colour between the two views is one the fit puts elsewhere.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget

import engine
from emgui.features.labels.comparison_panel import ComparisonPanel
from emgui.shell.actions import make_action
from emgui.shell.host import Host
from engine.agreement import UNKNOWN, LabelComparison, compare_labels

COLOUR_KEY = "Ctrl+L"
NO_LABELS = (
    "These data have no label column. To compare clusters with known groups, open a text "
    "file and choose the column under <b>Known labels</b> in the import preview."
)
NO_FIT = "Run a fit: the clusters are compared with <b>{name}</b> when it ends."
#: Most distinct labels compared: the matching's cost grows with the cube of their number,
#: and a table of thousands of columns says nothing (an identifier chosen by mistake, say).
MAX_CLASSES = 100
TOO_MANY = (
    "<b>{name}</b> holds {count:,} different labels; clusters are compared with at most "
    f"{MAX_CLASSES}. Choose a column of groups as the known labels."
)


class KnownLabels(QObject):
    """The colour toggle and the comparison dock of one window."""

    def __init__(self, host: Host) -> None:
        parent = host.parent_widget
        super().__init__(parent)
        self._host = host
        self._document = host.document
        #: The comparison of the fit held, or None.
        self.comparison: LabelComparison | None = None
        self._palette: np.ndarray | None = None
        #: The distinct known labels of the data held, sorted (without the empty one).
        self._names: list[str] = []
        self.colour_action = make_action(
            parent, "Colour Points by Known &Label",
            "Colour the points by the known label column rather than by cluster (each label "
            "in the colour of the cluster matched to it)", COLOUR_KEY,
        )
        self.colour_action.setCheckable(True)
        self.colour_action.setEnabled(False)
        host.add_actions("view", [self.colour_action])
        self.panel = ComparisonPanel()
        self.panel.colour_button.setDefaultAction(self.colour_action)
        self.dock = QDockWidget("Label Comparison", parent)
        self.dock.setObjectName("label_comparison_dock")
        self.dock.setWidget(self.panel)
        host.add_dock(self.dock, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.colour_action.toggled.connect(self._on_colour_action_toggled)
        self._document.data_changed.connect(self._on_document_data_changed)
        self._document.fit_changed.connect(self._on_document_fit_changed)
        self._show_state()

    # --- what the panel and the points show ------------------------------------------------

    @property
    def labels(self) -> np.ndarray | None:
        table = self._document.table
        return None if table is None else table.labels

    def class_names(self) -> list[str]:
        """The classes in the order the comparison and the legend list them."""
        return list(self._names)

    def class_palette(self) -> tuple[list[str], list[int]]:
        """Each class (and ``""`` for rows without one, if any) with its palette index: the
        colour of the cluster matched to it, else one no cluster uses."""
        names = self.class_names()
        colors: list[int | None] = [None] * len(names)
        used: set[int] = set()
        if self.comparison is not None and self._palette is not None:
            for k, j in enumerate(self.comparison.matching.tolist()):
                if j >= 0:
                    colors[j] = int(self._palette[k])
            used = {int(c) for c in self._palette}
        free = (i for i in range(len(names) + len(used) + 1) if i not in used)
        filled = [c if c is not None else next(free) for c in colors]
        labels = self.labels
        if labels is not None and (labels == UNKNOWN).any():
            names.append(UNKNOWN)
            filled.append(next(free))
        return names, filled

    def _show_state(self) -> None:
        table = self._document.table
        has_labels = table is not None and table.labels is not None
        self.colour_action.setEnabled(has_labels)
        if not has_labels:
            self.comparison = None
            self.panel.show_message(NO_LABELS)
        elif len(self._names) > MAX_CLASSES:
            self.panel.show_message(TOO_MANY.format(name=table.label_name, count=len(self._names)))
        elif self.comparison is None:
            self.panel.show_message(NO_FIT.format(name=table.label_name))
        else:
            self.panel.show_comparison(self.comparison, str(table.label_name), self._palette)
        self._colour_points()

    def _colour_points(self) -> None:
        canvas = self._host.canvas
        labels = self.labels
        if labels is None or not self.colour_action.isChecked():
            canvas.show_point_classes(None)
            return
        names, colors = self.class_palette()
        index = {name: i for i, name in enumerate(names)}
        codes = np.fromiter((index[label] for label in labels), dtype=np.intp, count=labels.size)
        palette = np.asarray(colors, dtype=np.intp)
        title = f"Points: {self._document.table.label_name}"
        canvas.show_point_classes(palette[codes], title, names, colors)

    def compare(self, result: engine.FitResult) -> LabelComparison | None:
        """Compare the clusters of ``result`` with the labels; None (and a message) when the
        rows cannot be assigned."""
        table = self._document.table
        clusters = result.labels
        if clusters is None or clusters.shape != (table.n_samples,):
            # A fit restored without its labels: assign the rows again.
            try:
                _, log_resp = engine.predict_log_resp(
                    table.data, result.params, result.options, table.columns
                )
            except ValueError as exc:
                self.panel.show_message(f"The clusters cannot be compared with the labels: {exc}")
                return None
            clusters = np.argmax(log_resp, axis=1)
        return compare_labels(clusters, table.labels, n_clusters=result.params.n_components)

    # --- reacting -----------------------------------------------------------------------

    def _on_document_data_changed(self, name: str) -> None:
        self.comparison = None
        self._palette = None
        labels = self.labels
        self._names = [] if labels is None else [
            str(n) for n in np.unique(labels[labels != UNKNOWN])
        ]
        table = self._document.table
        if table is not None and table.labels is not None:
            self.dock.show()
            self.dock.raise_()
        else:
            self.colour_action.setChecked(False)
        self._show_state()

    def _on_document_fit_changed(self, result: engine.FitResult | None) -> None:
        self.comparison = None
        self._palette = None
        if result is not None and self.labels is not None and len(self._names) <= MAX_CLASSES:
            self.comparison = self.compare(result)
            if self.comparison is None:
                return
            # The window draws component k in palette colour k.
            self._palette = np.arange(result.params.n_components)
        self._show_state()

    def _on_colour_action_toggled(self, checked: bool) -> None:
        self._colour_points()
