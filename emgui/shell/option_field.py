"""Form widgets of the Settings panel: lists, number fields, and a field per declared model option.

:class:`OptionField` turns one :class:`engine.models.OptionSpec` into a form
field (a list of its choices, or a text field read by its own parser); the
small helpers make and select the panel's lists.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from emgui.views import declared
from engine.models import OptionSpec

#: A light mark with dark text: readable in a light and a dark theme.
BAD_FIELD_STYLE = "QLineEdit { background: #FFE4E1; color: #202020; }"


def make_combo(items: Mapping[str, str], tips: Mapping[str, str] | None = None) -> QComboBox:
    combo = QComboBox()
    for key, label in items.items():
        combo.addItem(label, key)
        if tips and key in tips:
            combo.setItemData(combo.count() - 1, tips[key], Qt.ItemDataRole.ToolTipRole)
    return combo


def number_combo(values: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(values)
    validator = QDoubleValidator(0.0, 1e6, 12, combo)
    validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
    combo.setValidator(validator)
    return combo


def select_data(combo: QComboBox, key: object) -> None:
    index = combo.findData(key)
    if index >= 0:
        combo.setCurrentIndex(index)


def set_item_enabled(combo: QComboBox, index: int, enabled: bool, tip: str) -> None:
    item = combo.model().item(index)
    if item is not None:
        item.setEnabled(enabled)
    combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)


class OptionField(QObject):
    """One model option as a form field, made from its declaration.

    An option with choices is a list of them (:meth:`OptionSpec.current_choices`,
    asked again whenever a model shows the field); any other is a text field
    read by the option's ``from_text`` and checked by its parser, which turns red
    and says what to type when the text is no value.
    """

    changed = Signal()
    """The person changed the value."""

    def __init__(self, spec: OptionSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.label = QLabel(spec.title)
        self._problem = ""
        self.combo: QComboBox | None = None
        self.edit: QLineEdit | None = None
        if spec.current_choices():
            self.combo = QComboBox()
            self.combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
            self.fill_choices(spec)
        else:
            self.edit = QLineEdit()
            self.edit.setPlaceholderText("required" if spec.required else "")
            self.edit.textChanged.connect(self._on_edit_text_changed)
        self.widget.setToolTip(spec.help)
        self.label.setToolTip(spec.help)

    @property
    def widget(self) -> QWidget:
        return self.combo if self.combo is not None else self.edit

    @property
    def problem(self) -> str:
        """What is wrong with the text typed (empty when nothing is)."""
        return self._problem

    def fill_choices(self, spec: OptionSpec) -> None:
        """Offer the choices of ``spec`` (the declaration of the model shown), keeping the
        one chosen where it is still offered."""
        self.spec = spec
        if self.combo is None:
            return
        current = self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        for choice in spec.current_choices():
            self.combo.addItem(declared.choice_text(spec, choice), choice)
            words = declared.choice_tip(spec, choice)
            if words:
                self.combo.setItemData(self.combo.count() - 1, words, Qt.ItemDataRole.ToolTipRole)
        select_data(self.combo, current if current is not None else spec.default)
        self.combo.blockSignals(False)

    def value(self) -> object:
        """The value shown, or ``None`` (nothing typed, or text that is no value)."""
        if self.combo is not None:
            return self.combo.currentData()
        text = self.edit.text().strip()
        if not text:
            return None
        try:
            value = self.spec.from_text(text) if self.spec.from_text is not None else text
            return self.spec.normalise(value)
        except ValueError:
            return None

    def set_value(self, value: object) -> None:
        if self.combo is not None:
            self.combo.blockSignals(True)
            select_data(self.combo, value if value is not None else self.spec.default)
            self.combo.blockSignals(False)
            return
        if value is None:
            text = ""
        elif isinstance(value, (tuple, list)):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        if self.value() != value or (value is None and self.edit.text().strip()):
            self.edit.blockSignals(True)
            self.edit.setText(text)
            self.edit.blockSignals(False)
        self._check_text()

    def _check_text(self) -> None:
        self._problem = ""
        text = self.edit.text().strip()
        if text:
            try:
                value = self.spec.from_text(text) if self.spec.from_text is not None else text
                self.spec.normalise(value)
            except ValueError as exc:
                self._problem = str(exc)
        self.edit.setStyleSheet(BAD_FIELD_STYLE if self._problem else "")
        self.edit.setToolTip(self._problem or self.spec.help)

    def set_visible(self, visible: bool) -> None:
        self.label.setVisible(visible)
        self.widget.setVisible(visible)

    def _on_combo_current_index_changed(self, index: int) -> None:
        self.changed.emit()

    def _on_edit_text_changed(self, text: str) -> None:
        self._check_text()
        self.changed.emit()


def read_float(text: str, default: float) -> float:
    """The non-negative number typed, or ``default``."""
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value >= 0 else default
