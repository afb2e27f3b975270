"""The iteration player: the slider with first, back, play/pause, forward and last buttons and
a frame box, as napari's dimension slider has them.

The slider belongs to the fit display, which moves it quietly (signals blocked) as
a run goes on; the player follows what the slider shows, not its signals, and moves
it as a person would, so the display draws each position it is set to.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from emgui.shell.player_keys import PlayerKeys

#: Positions shown per second while playing.
FRAMES_PER_SECOND = 10


def player_icon(shape: str, color: QColor, size: int) -> QIcon:
    """A media button's icon: "first", "back", "play", "pause", "forward" or "last"."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    s = float(size)
    bar = s * 0.14

    def triangle(left: float, right: float) -> None:  # pointing from left to right
        painter.drawPolygon(QPolygonF([QPointF(left, s * 0.15), QPointF(right, s * 0.5),
                                       QPointF(left, s * 0.85)]))

    if shape == "play":
        triangle(s * 0.2, s * 0.85)
    elif shape == "pause":
        painter.drawRect(QRectF(s * 0.22, s * 0.15, s * 0.2, s * 0.7))
        painter.drawRect(QRectF(s * 0.58, s * 0.15, s * 0.2, s * 0.7))
    elif shape == "forward":  # one step: a triangle against a bar
        triangle(s * 0.2, s * 0.72)
        painter.drawRect(QRectF(s * 0.72, s * 0.15, bar, s * 0.7))
    elif shape == "last":  # to the end: two triangles against a bar
        triangle(s * 0.05, s * 0.42)
        triangle(s * 0.4, s * 0.77)
        painter.drawRect(QRectF(s * 0.77, s * 0.15, bar, s * 0.7))
    elif shape == "back":
        triangle(s * 0.8, s * 0.28)
        painter.drawRect(QRectF(s * 0.28 - bar, s * 0.15, bar, s * 0.7))
    else:  # first
        triangle(s * 0.95, s * 0.58)
        triangle(s * 0.6, s * 0.23)
        painter.drawRect(QRectF(s * 0.23 - bar, s * 0.15, bar, s * 0.7))
    painter.end()
    return QIcon(pixmap)


class IterationPlayer(QWidget):
    """``slider`` with playing controls and a frame box; ``label`` (what is shown) under it."""

    def __init__(self, slider: QSlider, label: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = slider
        self.first_button = self._button("first", "First iteration")
        self.back_button = self._button("back", "One iteration back")
        self.play_button = self._button("play", "Play the iterations from here")
        self.play_button.setCheckable(True)
        self.forward_button = self._button("forward", "One iteration on")
        self.last_button = self._button("last", "Last iteration")
        self.frame_box = QSpinBox()
        self.frame_box.setToolTip("The position shown: type one to go there")
        self.frame_box.setKeyboardTracking(False)
        self.frame_box.setAccelerated(True)
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // FRAMES_PER_SECOND)
        #: The keyboard's way to the buttons (their actions go in View ▸ Iterations).
        self.keys = PlayerKeys(self)
        for button in (self.first_button, self.back_button, self.play_button,
                       self.forward_button, self.last_button):
            self._say_keys(button)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for button in (self.first_button, self.back_button, self.play_button):
            row.addWidget(button)
        row.addWidget(slider, 1)
        for widget in (self.forward_button, self.last_button, self.frame_box):
            row.addWidget(widget)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 0, 8, 4)
        outer.setSpacing(0)
        outer.addLayout(row)
        outer.addWidget(label)
        self.first_button.clicked.connect(self._on_first_button_clicked)
        self.back_button.clicked.connect(self._on_back_button_clicked)
        self.forward_button.clicked.connect(self._on_forward_button_clicked)
        self.last_button.clicked.connect(self._on_last_button_clicked)
        self.play_button.toggled.connect(self._on_play_button_toggled)
        self.frame_box.valueChanged.connect(self._on_frame_box_value_changed)
        self._timer.timeout.connect(self._on_timer_timeout)
        slider.installEventFilter(self)
        self._follow_slider()
        self._paint_icons()

    def _button(self, shape: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(f"{shape}_button")
        button.setProperty("shape", shape)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def _say_keys(self, button: QAbstractButton) -> None:
        """Name ``button``'s keys in its tool tip."""
        tip = button.toolTip().split(" (")[0]
        button.setToolTip(f"{tip} ({self.keys.tips[button.objectName()]})")

    def _paint_icons(self) -> None:
        """Draw the buttons' icons in the palette's button text colour (so a dark theme's
        buttons show them)."""
        color = self.palette().color(QPalette.ColorRole.ButtonText)
        size = self.fontMetrics().height()
        for button in (self.first_button, self.back_button, self.play_button,
                       self.forward_button, self.last_button):
            shape = button.property("shape")
            if button is self.play_button and self.is_playing:
                shape = "pause"
            button.setIcon(player_icon(shape, color, size))
            button.setIconSize(QSize(size, size))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_icons()

    @property
    def is_playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        """Show the iterations one after another from the one shown (from the first when
        the last is shown), until the last or a pause."""
        self.play_button.setChecked(True)

    def pause(self) -> None:
        self.play_button.setChecked(False)

    def go_to(self, position: int) -> None:
        """Show ``position`` (clamped to the slider's range), as dragging the slider there would."""
        slider = self.slider
        if slider.isEnabled():
            slider.setValue(min(max(position, slider.minimum()), slider.maximum()))
        self._follow_slider()

    # --- following the slider -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # The display sets the slider with its signals blocked; a repaint or an enabled
        # change is what every such change brings.
        if watched is self.slider and event.type() in (QEvent.Type.Paint, QEvent.Type.EnabledChange):
            self._follow_slider()
        return False

    def _follow_slider(self) -> None:
        slider, box = self.slider, self.frame_box
        enabled = slider.isEnabled()
        if (box.minimum(), box.maximum(), box.value(), box.isEnabled()) != (
            slider.minimum(), slider.maximum(), slider.value(), enabled
        ):
            box.blockSignals(True)
            box.setRange(slider.minimum(), slider.maximum())
            box.setValue(slider.value())
            box.blockSignals(False)
            box.setEnabled(enabled)
        at_start = slider.value() <= slider.minimum()
        at_end = slider.value() >= slider.maximum()
        for button, usable in ((self.first_button, not at_start), (self.back_button, not at_start),
                               (self.forward_button, not at_end), (self.last_button, not at_end)):
            button.setEnabled(enabled and usable)
        self.play_button.setEnabled(enabled)
        if not enabled and self.is_playing:
            self.pause()

    # --- the controls -----------------------------------------------------------------------

    def _on_first_button_clicked(self) -> None:
        self.go_to(self.slider.minimum())

    def _on_back_button_clicked(self) -> None:
        self.go_to(self.slider.value() - 1)

    def _on_forward_button_clicked(self) -> None:
        self.go_to(self.slider.value() + 1)

    def _on_last_button_clicked(self) -> None:
        self.go_to(self.slider.maximum())

    def _on_frame_box_value_changed(self, value: int) -> None:
        self.go_to(value)

    def _on_play_button_toggled(self, playing: bool) -> None:
        self.play_button.setToolTip("Pause" if playing else "Play the iterations from here")
        self._say_keys(self.play_button)
        if not playing:
            self._timer.stop()
            self._paint_icons()
            return
        if self.slider.value() >= self.slider.maximum():
            self.go_to(self.slider.minimum())
        self._timer.start()
        self._paint_icons()

    def _on_timer_timeout(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.pause()
            return
        self.go_to(self.slider.value() + 1)
        if self.slider.value() >= self.slider.maximum():
            self.pause()
