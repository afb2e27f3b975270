"""The Choose K dialog's controls: the range of K, the starts, the models and the criterion.

The Gaussian's fourteen covariance structures are shown by mclust's names (``VVV``,
of which ``full`` is an alias), grouped as mclust groups them: round, along the
columns' axes, ellipsoidal. Each box's tooltip says what its three letters mean.
Preset buttons tick all fourteen, the default four, or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from emgui.features.analysis.criterion_chart import CRITERION_LABELS
from emgui.views import declared
from engine.selection import (
    CRITERIA,
    ModelSpec,
    all_specs,
    default_specs,
    mclust_meaning,
    mclust_specs,
)

DEFAULT_K_RANGE = "1-9"
#: Starts per cell: the hierarchical start and two k-means++ ones. On Old Faithful three
#: starts choose the same cell as forty (tied, K = 3, mclust's EEE,3) for every seed
#: tried; single cells at larger K may still stop below their best optimum, so raise it
#: for a smooth curve.
DEFAULT_N_INIT = 3
CRITERION_TIPS = {
    "bic": "Bayesian information criterion: -2 logL + p log n. The usual choice.",
    "aic": "Akaike information criterion: -2 logL + 2 p. Penalises parameters less; "
    "tends to choose more clusters.",
    "icl": "Integrated completed likelihood: BIC + 2 × entropy. Also penalises "
    "clusters that overlap; prefers well-separated ones.",
}
LETTERS_TIP = declared.MCLUST_LETTERS
#: The preset buttons: their text, tooltip and the lines they tick.
PRESETS = {
    "all": ("All 14", "Tick all fourteen of mclust's covariance structures.", mclust_specs),
    "default": ("Default 4", "Tick the default sweep: VVV (full), EEE (tied), VVI (diag) "
                "and VII (spherical).", default_specs),
    "none": ("None", "Untick every model.", tuple),
}


def line_title(spec: ModelSpec) -> str:
    """A checkbox's text: mclust's name, with today's name where it is an alias."""
    if spec.mclust is None:
        return declared.spec_title(spec)
    return spec.mclust if spec.label == spec.mclust else f"{spec.mclust} ({spec.label})"


def line_tip(spec: ModelSpec) -> str:
    """A checkbox's tooltip: what the model is and, for mclust's names, each letter."""
    if spec.mclust is None:
        return declared.spec_tip(spec)
    return f"{declared.spec_tip(spec)}\n{spec.mclust}: {mclust_meaning(spec.mclust)}."


def line_row(spec: ModelSpec) -> str:
    """The row a line's checkbox sits in."""
    if spec.variant is None:
        return "Other models"
    if spec.mclust is None:
        return declared.title(spec.model)
    if spec.mclust[1] == "I":
        return "Gaussian, round"
    if spec.mclust[2] == "I":
        return "Gaussian, axis-aligned"
    return "Gaussian, ellipsoidal"


def _menu_key(spec: ModelSpec) -> int:
    order = declared.MCLUST_ORDER
    return order.index(spec.mclust) if spec.mclust in order else len(order)


class SweepControls(QGroupBox):
    """K, starts per cell, the models to sweep (with presets) and the criterion."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sweep", parent)
        self.k_edit = QLineEdit(DEFAULT_K_RANGE)
        self.k_edit.setToolTip("The numbers of components to try: a range like 1-9, or a list "
                               "like 2,3,5.")
        self.k_edit.setMaximumWidth(120)
        self.n_init_spin = QSpinBox()
        self.n_init_spin.setRange(1, 1000)
        self.n_init_spin.setValue(DEFAULT_N_INIT)
        self.n_init_spin.setToolTip(
            "How many starts each cell gets; the best is kept. More starts make a cell less "
            "likely to stop in a poor local optimum, and take longer.")
        self.hc_box = QCheckBox("Hierarchical start first")
        self.hc_box.setChecked(True)
        self.hc_box.setToolTip(
            "Start each cell first from mclust's model-based hierarchical agglomeration, which "
            "does not depend on the columns' units or the seed, then from k-means++; untick "
            "to start every time as the Settings panel says.")
        self.model_boxes: dict[ModelSpec, QCheckBox] = {}
        rows: dict[str, QHBoxLayout] = {}
        for spec in sorted(all_specs(), key=_menu_key):
            row = rows.setdefault(line_row(spec), QHBoxLayout())
            box = QCheckBox(line_title(spec))
            box.setToolTip(line_tip(spec))
            self.model_boxes[spec] = box
            row.addWidget(box)
        for row in rows.values():
            row.addStretch(1)
        self.preset_buttons: dict[str, QPushButton] = {}
        preset_row = QHBoxLayout()
        for name, (text, tip, _) in PRESETS.items():
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(getattr(self, f"_on_{name}_button_clicked"))
            self.preset_buttons[name] = button
            preset_row.addWidget(button)
        letters = QLabel("What do the letters mean?")
        letters.setToolTip(LETTERS_TIP)
        preset_row.addSpacing(12)
        preset_row.addWidget(letters)
        preset_row.addStretch(1)
        self.criterion_group = QButtonGroup(self)
        self.criterion_buttons: dict[str, QRadioButton] = {}
        criterion_row = QHBoxLayout()
        for criterion in CRITERIA:
            button = QRadioButton(CRITERION_LABELS[criterion])
            button.setToolTip(CRITERION_TIPS[criterion])
            self.criterion_group.addButton(button)
            self.criterion_buttons[criterion] = button
            criterion_row.addWidget(button)
        criterion_row.addStretch(1)
        self.criterion_buttons["bic"].setChecked(True)

        grid = QGridLayout(self)
        grid.addWidget(QLabel("K"), 0, 0)
        k_row = QHBoxLayout()
        k_row.addWidget(self.k_edit)
        k_row.addSpacing(24)
        k_row.addWidget(QLabel("Starts per cell"))
        k_row.addWidget(self.n_init_spin)
        k_row.addSpacing(12)
        k_row.addWidget(self.hc_box)
        k_row.addStretch(1)
        grid.addLayout(k_row, 0, 1)
        grid.addWidget(QLabel("Presets"), 1, 0)
        grid.addLayout(preset_row, 1, 1)
        for number, (row_title, row) in enumerate(rows.items(), start=2):
            grid.addWidget(QLabel(row_title), number, 0)
            grid.addLayout(row, number, 1)
        grid.addWidget(QLabel("Score by"), len(rows) + 2, 0)
        grid.addLayout(criterion_row, len(rows) + 2, 1)
        grid.setColumnStretch(1, 1)

    # --- reading and setting --------------------------------------------------------------

    @property
    def criterion(self) -> str:
        return next(c for c, button in self.criterion_buttons.items() if button.isChecked())

    def set_criterion(self, criterion: str) -> None:
        self.criterion_buttons[criterion].setChecked(True)

    def checked_specs(self) -> list[ModelSpec]:
        """The ticked lines that can be swept, in the engine's menu order (that of
        ``select --models all``), whatever the order of the boxes."""
        return [spec for spec in all_specs()
                if self.model_boxes[spec].isChecked() and self.model_boxes[spec].isEnabled()]

    def start_options(self) -> dict[str, object]:
        """The options the starts chosen here set: the number, and the hierarchical
        start first (``init="hc"``) unless unticked."""
        changes: dict[str, object] = {"n_init": self.n_init_spin.value()}
        if self.hc_box.isChecked():
            changes["init"] = "hc"
        return changes

    def set_checked_specs(self, specs: Iterable[ModelSpec]) -> None:
        specs = set(specs)
        for spec, box in self.model_boxes.items():
            box.setChecked(spec in specs)

    def apply_preset(self, name: str) -> None:
        """Tick exactly the lines of preset ``name`` (of :data:`PRESETS`)."""
        self.set_checked_specs(PRESETS[name][2]())

    def show_reasons(self, reasons: Mapping[ModelSpec, str | None]) -> None:
        """Offer only the lines without a reason against them; the tooltip gives it."""
        for spec, box in self.model_boxes.items():
            why = reasons[spec]
            box.setEnabled(why is None)
            box.setToolTip(line_tip(spec) if why is None else f"Not for these data: {why}")

    # --- widget signals -------------------------------------------------------------------

    def _on_all_button_clicked(self) -> None:
        self.apply_preset("all")

    def _on_default_button_clicked(self) -> None:
        self.apply_preset("default")

    def _on_none_button_clicked(self) -> None:
        self.apply_preset("none")
