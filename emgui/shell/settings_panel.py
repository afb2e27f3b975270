"""The settings panel: model, K and every fit option, each explained in a tooltip."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

import engine
from emgui.shell.option_labels import (
    COVARIANCE_TIPS,
    INIT_LABELS,
    MODEL_LABELS,
    MODEL_TIPS,
    PARAM_LABELS,
)
from emgui.views.engine_bridge import fixable_params

TOLERANCES = ("1e-3", "1e-4", "1e-5", "1e-6", "1e-8", "1e-10")
REGULARISATIONS = ("0", "1e-8", "1e-6", "1e-4", "1e-2")


def _combo(items: dict[str, str], tips: dict[str, str] | None = None) -> QComboBox:
    combo = QComboBox()
    for key, label in items.items():
        combo.addItem(label, key)
        if tips and key in tips:
            combo.setItemData(combo.count() - 1, tips[key], role=3)  # Qt.ToolTipRole
    return combo


def _number_combo(values: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(values)
    validator = QDoubleValidator(0.0, 1e6, 12, combo)
    validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
    combo.setValidator(validator)
    return combo


def _select(combo: QComboBox, key: object) -> None:
    index = combo.findData(key)
    if index >= 0:
        combo.setCurrentIndex(index)


class SettingsPanel(QWidget):
    """Every choice that defines a fit. Controls that do not apply are hidden."""

    options_changed = Signal()
    """Any setting changed."""
    columns_changed = Signal(int, int)
    """The two columns the scatter shows (indices into the data's columns)."""
    init_mode_changed = Signal(str)
    """The initialisation choice (a key of ``INIT_LABELS``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._n_rows = 0
        self._has_sample_init = False

        self.model_combo = _combo(MODEL_LABELS, MODEL_TIPS)
        self.model_combo.setToolTip(
            "The kind of mixture to fit. Hover over each choice for what it assumes."
        )
        self.covariance_combo = _combo({t: t for t in engine.COVARIANCE_TYPES}, COVARIANCE_TIPS)
        self.covariance_combo.setToolTip(
            "The shape each Gaussian cluster may take: full (any ellipse), tied (one shared "
            "shape), diag (axis-aligned ellipses) or spherical (circles)."
        )
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 50)
        self.k_spin.setValue(3)
        self.k_spin.setToolTip(
            "K: how many clusters (components) EM looks for. It cannot exceed the number of rows."
        )
        self.trials_spin = QSpinBox()
        self.trials_spin.setRange(1, 1_000_000)
        self.trials_spin.setValue(5)
        self.trials_spin.setToolTip(
            "How many trials each count is out of (e.g. 5 tosses per round in the two-coin "
            "example). Every value must be at most this."
        )
        self.init_combo = _combo(INIT_LABELS)
        self.init_combo.setToolTip(
            "Where EM starts. k-means++ spreads the first centres apart; random picks rows at "
            "random; 'click on the plot' lets you place the K centres yourself."
        )
        self.e_step_combo = _combo(
            {"soft": "soft (standard EM)", "hard": "hard (classification EM)"}
        )
        self.e_step_combo.setToolTip(
            "Soft: every row is shared among clusters by its probabilities (responsibilities). "
            "Hard: every row goes wholly to its most probable cluster."
        )
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip(
            "The random seed. The same seed and settings give exactly the same fit."
        )
        self.n_init_spin = QSpinBox()
        self.n_init_spin.setRange(1, 1000)
        self.n_init_spin.setToolTip(
            "How many times EM starts from different random places; the best fit is kept. "
            "EM can get stuck, so several starts make a good answer more likely."
        )
        self.max_iter_spin = QSpinBox()
        self.max_iter_spin.setRange(0, 100_000)
        self.max_iter_spin.setValue(500)
        self.max_iter_spin.setToolTip(
            "The most iterations to run. 0 only evaluates the starting values."
        )
        self.tol_combo = _number_combo(TOLERANCES)
        self.tol_combo.setCurrentText("1e-6")
        self.tol_combo.setToolTip(
            "EM stops when the average log-likelihood per row improves by less than this."
        )
        self.reg_combo = _number_combo(REGULARISATIONS)
        self.reg_combo.setCurrentText("1e-6")
        self.reg_combo.setToolTip(
            "A small amount added to each variance (as a fraction of the column's variance) "
            "so a cluster cannot shrink onto a single point. Raise it if a component collapses."
        )
        self.fixed_boxes: dict[str, QCheckBox] = {}
        fixed_row = QHBoxLayout()
        for name, label in PARAM_LABELS.items():
            box = QCheckBox(label)
            box.setToolTip(f"Hold the {label} at their starting values instead of re-estimating them.")
            self.fixed_boxes[name] = box
            fixed_row.addWidget(box)
        fixed_row.addStretch(1)
        self.x_combo = QComboBox()
        self.y_combo = QComboBox()
        self.x_combo.setToolTip("The column on the scatter's horizontal axis.")
        self.y_combo.setToolTip("The column on the scatter's vertical axis.")

        form = QFormLayout()
        form.addRow("Model", self.model_combo)
        form.addRow("Covariance", self.covariance_combo)
        form.addRow("K", self.k_spin)
        form.addRow("Trials", self.trials_spin)
        form.addRow("Start", self.init_combo)
        form.addRow("E-step", self.e_step_combo)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Starts", self.n_init_spin)
        form.addRow("Max iterations", self.max_iter_spin)
        form.addRow("Tolerance", self.tol_combo)
        form.addRow("Regularisation", self.reg_combo)
        self._form = form
        fit_box = QGroupBox("Fit")
        fit_box.setLayout(form)
        fixed_box = QGroupBox("Hold fixed")
        fixed_box.setLayout(fixed_row)
        self._columns_box = QGroupBox("Scatter shows")
        columns_form = QFormLayout(self._columns_box)
        columns_form.addRow("x", self.x_combo)
        columns_form.addRow("y", self.y_combo)
        self.k_limit_label = QLabel()
        self.k_limit_label.setWordWrap(True)
        self.k_limit_label.setStyleSheet("color: #555;")

        layout = QVBoxLayout(self)
        layout.addWidget(fit_box)
        layout.addWidget(self.k_limit_label)
        layout.addWidget(fixed_box)
        layout.addWidget(self._columns_box)
        layout.addStretch(1)

        for combo in (self.model_combo, self.covariance_combo, self.init_combo, self.e_step_combo):
            combo.currentIndexChanged.connect(self._on_choice_changed)
        for spin in (self.k_spin, self.trials_spin, self.seed_spin, self.n_init_spin,
                     self.max_iter_spin):
            spin.valueChanged.connect(self._on_choice_changed)
        for combo in (self.tol_combo, self.reg_combo):
            combo.currentTextChanged.connect(self._on_choice_changed)
        for box in self.fixed_boxes.values():
            box.toggled.connect(self._on_choice_changed)
        self.x_combo.currentIndexChanged.connect(self._on_columns_changed)
        self.y_combo.currentIndexChanged.connect(self._on_columns_changed)
        self.init_combo.currentIndexChanged.connect(self._on_init_changed)
        self._columns_box.setVisible(False)
        self._update_visibility()

    # --- reading ------------------------------------------------------------------------

    @property
    def model(self) -> str:
        return self.model_combo.currentData()

    @property
    def init_mode(self) -> str:
        return self.init_combo.currentData()

    @property
    def trials(self) -> int:
        """The binomial's number of trials as set, whatever the model."""
        return self.trials_spin.value()

    def columns(self) -> tuple[int, int]:
        return max(self.x_combo.currentIndex(), 0), max(self.y_combo.currentIndex(), 0)

    def options(self) -> engine.FitOptions:
        """The fit options shown; ``init`` is a method name (explicit starts are the window's)."""
        model = self.model
        init = self.init_mode if self.init_mode in ("kmeans++", "random") else "kmeans++"
        return engine.FitOptions(
            model=model,
            n_components=self.k_spin.value(),
            covariance_type=self.covariance_combo.currentData(),
            trials=self.trials_spin.value() if model == "binomial" else None,
            init=init,
            fixed=frozenset(
                name
                for name, box in self.fixed_boxes.items()
                if box.isChecked() and name in fixable_params(model)
            ),
            e_step=self.e_step_combo.currentData(),
            max_iter=self.max_iter_spin.value(),
            tol=_float(self.tol_combo.currentText(), 1e-6),
            reg_covar=_float(self.reg_combo.currentText(), 1e-6),
            n_init=self.n_init_spin.value(),
            seed=self.seed_spin.value(),
        )

    # --- writing ------------------------------------------------------------------------

    def set_options(
        self, options: engine.FitOptions, init_mode: str | None = None, trials: int | None = None
    ) -> None:
        """Show ``options``; ``init_mode`` overrides the start shown (e.g. 'sample')."""
        _select(self.model_combo, options.model)
        _select(self.covariance_combo, options.covariance_type)
        self.k_spin.setValue(options.n_components)
        if trials is None and options.trials is not None:
            trials = options.trials if isinstance(options.trials, int) else max(options.trials)
        if trials is not None:
            self.trials_spin.setValue(int(trials))
        mode = init_mode or (options.init if isinstance(options.init, str) else "kmeans++")
        _select(self.init_combo, mode)
        for name, box in self.fixed_boxes.items():
            box.setChecked(name in options.fixed)
        _select(self.e_step_combo, options.e_step)
        self.max_iter_spin.setValue(options.max_iter)
        self.tol_combo.setCurrentText(f"{options.tol:g}")
        self.reg_combo.setCurrentText(f"{options.reg_covar:g}")
        self.n_init_spin.setValue(options.n_init)
        if options.seed is not None:
            self.seed_spin.setValue(int(options.seed))
        self._update_visibility()

    def set_data_shape(self, n_rows: int, column_names: list[str]) -> None:
        """Limit K to the number of rows and offer the columns for the scatter."""
        self._n_rows = n_rows
        self.k_spin.setMaximum(max(1, min(n_rows, 50)))
        self.k_limit_label.setText(f"{n_rows} rows: K can be at most {self.k_spin.maximum()}.")
        for combo, default in ((self.x_combo, 0), (self.y_combo, 1)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(column_names)
            combo.setCurrentIndex(min(default, len(column_names) - 1))
            combo.blockSignals(False)
        self._columns_box.setVisible(len(column_names) > 2)

    def set_columns(self, x: int, y: int) -> None:
        """Show columns ``x`` and ``y`` on the scatter (when the data have them)."""
        for combo, index in ((self.x_combo, x), (self.y_combo, y)):
            if 0 <= index < combo.count():
                combo.setCurrentIndex(index)

    def set_sample_init_available(self, available: bool) -> None:
        """Offer 'the example's starting values' only for samples that have them."""
        self._has_sample_init = available
        self._update_visibility()
        if not available and self.init_mode == "sample":
            _select(self.init_combo, "kmeans++")

    # --- reacting -----------------------------------------------------------------------

    def _update_visibility(self) -> None:
        model = self.model
        self._set_row_visible(self.covariance_combo, model == "gaussian")
        self._set_row_visible(self.trials_spin, model == "binomial")
        for name, box in self.fixed_boxes.items():
            box.setVisible(name in fixable_params(model))
        click_ok = model in ("gaussian", "kmeans")
        view = self.init_combo.view()
        for key, allowed in (("click", click_ok), ("sample", self._has_sample_init)):
            index = self.init_combo.findData(key)
            view.setRowHidden(index, not allowed)
            item = self.init_combo.model().item(index)
            if item is not None:
                item.setEnabled(allowed)
        if not click_ok and self.init_mode == "click":
            _select(self.init_combo, "kmeans++")

    def _set_row_visible(self, field: QWidget, visible: bool) -> None:
        label = self._form.labelForField(field)
        field.setVisible(visible)
        if label is not None:
            label.setVisible(visible)

    def _on_choice_changed(self) -> None:
        self._update_visibility()
        self.options_changed.emit()

    def _on_columns_changed(self) -> None:
        self.columns_changed.emit(*self.columns())

    def _on_init_changed(self) -> None:
        self.init_mode_changed.emit(self.init_mode)


def _float(text: str, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value >= 0 else default
