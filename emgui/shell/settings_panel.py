"""The settings panel: model, K and every fit option, each explained in a tooltip.

The model list, each model's own options (one form row per declared option:
a list for an option that takes one of some words, a text field read by the
option's own parser for one that takes values), the parameters that may be
held fixed and the E-step to start with all come from the models' declarations
(:mod:`emgui.views.declared`); a model added to the engine appears here with no
change. Rows that do not apply to the model chosen are hidden; a model that
cannot fit the data open is greyed out, with the reason as its tooltip.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
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
from emgui.shell.compute_section import ComputeSection
from emgui.shell.document import INIT_MODES
from emgui.shell.option_labels import (
    ACCELERATION_LABELS,
    ACCELERATION_TIPS,
    E_STEP_LABELS,
    INIT_LABELS,
    INIT_TIPS,
)
from emgui.shell.option_field import (OptionField, make_combo, number_combo, read_float,
                                      select_data, set_item_enabled)
from emgui.views import declared
from emgui.views.plot_style import show_as_warning
from engine.models import OptionSpec

TOLERANCES = ("1e-3", "1e-4", "1e-5", "1e-6", "1e-8", "1e-10")
REGULARISATIONS = ("0", "1e-8", "1e-6", "1e-4", "1e-2")
#: Where methods of the engine start; the other starts are explicit values given at Run.
ENGINE_STARTS = engine.INIT_METHODS


class SettingsPanel(QWidget):
    """Every choice that defines a fit. Controls that do not apply are hidden."""

    options_changed = Signal()
    """Any setting changed."""
    init_mode_changed = Signal(str)
    """The initialisation choice (one of :data:`emgui.shell.document.INIT_MODES`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._n_rows = 0
        self._n_columns = 2
        self._has_sample_init = False
        self._showing = False
        self._problems: dict[str, str | None] = {}

        self.model_combo = QComboBox()
        for model in declared.models():
            self.model_combo.addItem(declared.title(model), model)
        self.model_combo.setToolTip(
            "The kind of mixture to fit. Hover over each choice for what it assumes; a "
            "greyed choice cannot fit the data open, and says why."
        )
        self._refresh_model_items()
        self.model_note = QLabel()
        self.model_note.setWordWrap(True)
        show_as_warning(self.model_note)
        self.model_note.setVisible(False)
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 50)
        self.k_spin.setValue(3)
        self.k_spin.setToolTip(
            "K: how many clusters (components) EM looks for. It cannot exceed the number of rows."
        )
        self.init_combo = make_combo({mode: INIT_LABELS.get(mode, mode) for mode in INIT_MODES},
                                 INIT_TIPS)
        self.init_combo.setToolTip(
            "Where EM starts. k-means++ spreads the first centres apart; random picks rows at "
            "random; hierarchical clustering starts as mclust does; 'click on the plot' lets "
            "you place the K centres yourself."
        )
        self.e_step_combo = make_combo(E_STEP_LABELS)
        self.e_step_combo.setToolTip(
            "Soft: every row is shared among clusters by its probabilities (responsibilities). "
            "Hard: every row goes wholly to its most probable cluster. Choosing a model picks "
            "the E-step it is meant for (k-means: hard)."
        )
        self.accelerate_combo = make_combo(
            {a: ACCELERATION_LABELS.get(a, a) for a in engine.ACCELERATIONS}, ACCELERATION_TIPS
        )
        self.accelerate_combo.setToolTip(
            "Plain EM takes one EM step per iteration. SQUAREM extrapolates EM's steps: fewer "
            "passes over the data on slow fits, the objective still never falls (soft E-step "
            "only). Stepping by E-step and M-step always shows plain EM."
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
        self.tol_combo = number_combo(TOLERANCES)
        self.tol_combo.setCurrentText("1e-6")
        self.tol_combo.setToolTip(
            "EM stops when the average log-likelihood per row improves by less than this."
        )
        self.reg_combo = number_combo(REGULARISATIONS)
        self.reg_combo.setCurrentText("1e-6")
        self.reg_combo.setToolTip(
            "How much regularisation (reg_covar): a small amount added to each variance, as a "
            "fraction of the column's variance, so a cluster cannot shrink onto a single "
            "point. Raise it if a component collapses."
        )
        self.option_fields: dict[str, OptionField] = {}
        self.fixed_boxes: dict[str, QCheckBox] = {}
        self._fixed_row = QHBoxLayout()
        self._fixed_row.addStretch(1)

        form = QFormLayout()
        form.addRow("Model", self.model_combo)
        form.addRow(self.model_note)
        form.addRow("K", self.k_spin)
        self._form = form
        self._options_at = form.rowCount()
        for spec in declared.every_option().values():
            self._add_option_field(spec)
        form.addRow("Start", self.init_combo)
        form.addRow("E-step", self.e_step_combo)
        form.addRow("Accelerate", self.accelerate_combo)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Starts", self.n_init_spin)
        form.addRow("Max iterations", self.max_iter_spin)
        form.addRow("Tolerance", self.tol_combo)
        form.addRow("Reg. amount", self.reg_combo)
        fit_box = QGroupBox("Fit")
        fit_box.setLayout(form)
        fixed_box = QGroupBox("Hold fixed")
        fixed_box.setToolTip("Parameters kept at their starting values instead of re-estimated.")
        fixed_box.setLayout(self._fixed_row)
        self.k_limit_label = QLabel()
        self.k_limit_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(fit_box)
        layout.addWidget(self.k_limit_label)
        layout.addWidget(fixed_box)
        self.compute = ComputeSection()
        layout.addWidget(self.compute)
        layout.addStretch(1)

        self.model_combo.currentIndexChanged.connect(self._on_model_combo_current_index_changed)
        for combo in (self.init_combo, self.e_step_combo, self.accelerate_combo):
            combo.currentIndexChanged.connect(self._on_choice_changed)
        for spin in (self.k_spin, self.seed_spin, self.n_init_spin, self.max_iter_spin):
            spin.valueChanged.connect(self._on_choice_changed)
        for combo in (self.tol_combo, self.reg_combo):
            combo.currentTextChanged.connect(self._on_choice_changed)
        self.init_combo.currentIndexChanged.connect(self._on_init_changed)
        self._update_visibility()

    # --- reading ------------------------------------------------------------------------

    @property
    def model(self) -> str:
        return self.model_combo.currentData()

    @property
    def init_mode(self) -> str:
        return self.init_combo.currentData()

    def option_field(self, name: str) -> OptionField:
        """The form field of the model option ``name``."""
        return self.option_fields[name]

    def option_values(self) -> dict[str, object]:
        """The value shown for every model's options, by name (``None``: none set)."""
        return {name: field.value() for name, field in self.option_fields.items()}

    def options(self) -> engine.FitOptions:
        """The fit options shown; ``init`` is a method name (explicit starts are the window's)."""
        model = self.model
        fixable = {spec.name for spec in self._fixable(model)}
        values = self.option_values()
        return engine.FitOptions(
            model=model,
            n_components=self.k_spin.value(),
            init=self.init_mode if self.init_mode in ENGINE_STARTS else ENGINE_STARTS[0],
            fixed=frozenset(
                name for name, box in self.fixed_boxes.items()
                if box.isChecked() and name in fixable
            ),
            e_step=self.e_step_combo.currentData(),
            accelerate=self.accelerate_combo.currentData(),
            max_iter=self.max_iter_spin.value(),
            tol=read_float(self.tol_combo.currentText(), 1e-6),
            reg_covar=read_float(self.reg_combo.currentText(), 1e-6),
            n_init=self.n_init_spin.value(),
            seed=self.seed_spin.value(),
            **declared.option_values_for(model, values),
        )

    # --- writing ------------------------------------------------------------------------

    def set_options(
        self,
        options: engine.FitOptions,
        init_mode: str | None = None,
        option_values: Mapping[str, object] | None = None,
    ) -> None:
        """Show ``options``; ``init_mode`` overrides the start shown (e.g. 'sample');
        ``option_values`` are the values of other models' options."""
        showing, self._showing = self._showing, True
        try:
            select_data(self.model_combo, options.model)
            self.k_spin.setValue(options.n_components)
            values = {**(option_values or {}), **options.model_options}
            for name, field in self.option_fields.items():
                if option_values is not None or name in values:
                    field.set_value(values.get(name))
            mode = init_mode or (options.init if isinstance(options.init, str) else "kmeans++")
            select_data(self.init_combo, mode)
            self._update_visibility()
            for name, box in self.fixed_boxes.items():
                box.setChecked(name in options.fixed)
            select_data(self.e_step_combo, options.e_step)
            select_data(self.accelerate_combo, options.accelerate)
            self.max_iter_spin.setValue(options.max_iter)
            self.tol_combo.setCurrentText(f"{options.tol:g}")
            self.reg_combo.setCurrentText(f"{options.reg_covar:g}")
            self.n_init_spin.setValue(options.n_init)
            if options.seed is not None:
                self.seed_spin.setValue(int(options.seed))
            self._update_visibility()
        finally:
            self._showing = showing

    def set_data_shape(self, n_rows: int, column_names: list[str]) -> None:
        """Limit K to the number of rows (the scatter's own pickers offer the columns)."""
        self._n_rows = n_rows
        self._n_columns = len(column_names)
        self.k_spin.setMaximum(max(1, min(n_rows, 50)))
        self.k_limit_label.setText(f"{n_rows} rows: K can be at most {self.k_spin.maximum()}.")
        self._update_visibility()

    def set_sample_init_available(self, available: bool) -> None:
        """Offer 'the example's starting values' only for samples that have them."""
        self._has_sample_init = available
        self._update_visibility()

    def set_model_problems(self, problems: Mapping[str, str | None]) -> None:
        """Grey out the models that cannot fit the data open, each with the reason."""
        self._problems = dict(problems)
        self._refresh_model_items()
        self._update_model_note()

    # --- the form -----------------------------------------------------------------------

    def _add_option_field(self, spec: OptionSpec) -> OptionField:
        field = OptionField(spec, self)
        field.changed.connect(self._on_choice_changed)
        self._form.insertRow(self._options_at + len(self.option_fields), field.label, field.widget)
        self.option_fields[spec.name] = field
        return field

    def _fixable(self, model: str) -> tuple:
        values = declared.option_values_for(model, self.option_values())
        try:
            options = engine.FitOptions(model=model, **values)
        except (TypeError, ValueError):
            options = engine.FitOptions(model=model)
        return declared.fixable(options)

    def _refresh_model_items(self) -> None:
        for index in range(self.model_combo.count()):
            model = self.model_combo.itemData(index)
            why = self._problems.get(model)
            tip = declared.summary(model) if why is None else f"Not for these data: {why}"
            set_item_enabled(self.model_combo, index, why is None, tip)

    def _update_model_note(self) -> None:
        why = self._problems.get(self.model)
        self.model_note.setText("" if why is None else f"Cannot fit these data: {why}")
        self.model_note.setVisible(why is not None)

    def _update_visibility(self) -> None:
        model = self.model
        declared_here = {spec.name: spec for spec in declared.option_specs(model)}
        for spec in declared.every_option().values():
            if spec.name not in self.option_fields:
                self._add_option_field(spec)  # a model registered since
        for name, field in self.option_fields.items():
            if name in declared_here and field.spec is not declared_here[name]:
                field.fill_choices(declared_here[name])
            field.set_visible(name in declared_here)
        self._show_fixed_boxes(model)
        click_ok = declared.places_starts(model) and self._n_columns >= 2
        view = self.init_combo.view()
        for key, allowed in (("click", click_ok), ("sample", self._has_sample_init)):
            index = self.init_combo.findData(key)
            view.setRowHidden(index, not allowed)
            item = self.init_combo.model().item(index)
            if item is not None:
                item.setEnabled(allowed)
        if (self.init_mode == "click" and not click_ok) or (
            self.init_mode == "sample" and not self._has_sample_init
        ):
            select_data(self.init_combo, ENGINE_STARTS[0])
        self._update_model_note()

    def _show_fixed_boxes(self, model: str) -> None:
        fixable = self._fixable(model)
        for spec in fixable:
            if spec.name not in self.fixed_boxes:
                box = QCheckBox(declared.plural(spec))
                box.setToolTip(
                    f"Hold the {declared.plural(spec)} at their starting values instead of "
                    "re-estimating them."
                )
                box.toggled.connect(self._on_choice_changed)
                self._fixed_row.insertWidget(self._fixed_row.count() - 1, box)
                self.fixed_boxes[spec.name] = box
        names = {spec.name for spec in fixable}
        for name, box in self.fixed_boxes.items():
            box.setVisible(name in names)

    # --- reacting -----------------------------------------------------------------------

    def _on_model_combo_current_index_changed(self) -> None:
        if not self._showing:
            # A person chose the model: start it with the E-step it is meant for.
            select_data(self.e_step_combo, declared.default_e_step(self.model))
        self._on_choice_changed()

    def _on_choice_changed(self) -> None:
        self._update_visibility()
        if not self._showing:
            self.options_changed.emit()

    def _on_init_changed(self) -> None:
        self.init_mode_changed.emit(self.init_mode)

