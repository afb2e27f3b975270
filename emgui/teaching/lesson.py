"""The lesson in the main window: E-step and M-step actions, the table, the bound, hard vs soft.

:class:`Lesson` owns a :class:`HalfStepSession` while the student steps by
halves, and draws its states in the window's own views (points, ellipses,
parameter table, likelihood trace, iteration slider) and in its docks
(responsibilities table, bound plot, hard against soft). A normal Run ends
the session; the window and its fit controller are never bypassed. What a
dragged mean does is :mod:`emgui.teaching.dragging`'s business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget

import engine
from emgui import dialogs
from emgui.fit_controller import RunState
from emgui.teaching.bound_plot import EDIT_COLOR, BoundPlot
from emgui.teaching.dragging import MeanDragging
from emgui.teaching.hard_soft import MAX_ROWS, HardSoftPlot, compare_e_steps
from emgui.teaching.resp_table import ResponsibilityPanel
from emgui.teaching.session import EDIT, LARGE_ROWS, HalfStepSession
from emgui.teaching.table_content import PAGE_SIZE, gap_text

if TYPE_CHECKING:
    from emgui.main_window import MainWindow

#: Samples that open as lessons: the status bar invites the first E-step.
WORKED_EXAMPLES = ("two_coins", "three_coins", "heights", "blobs")
E_KEY, M_KEY = "F7", "F8"
RESP_DOCK_HEIGHT = 250
RIGHT_DOCK_WIDTH = 380
ACTIVE = (RunState.RUNNING, RunState.PAUSED)

_TITLES = {
    "start": "Start: the first guess, no responsibilities yet",
    "E": "After {label}: new responsibilities, parameters still the old ones",
    "M": "After {label}: new parameters, from these responsibilities",
    EDIT: "Your edit: parameters you moved by hand",
}


def _action(parent: QObject, text: str, shortcut: str, tip: str) -> QAction:
    action = QAction(text, parent)
    action.setShortcut(QKeySequence(shortcut))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(f"{tip} ({shortcut})")
    action.setStatusTip(tip)
    return action


def _dock(window: MainWindow, title: str, name: str, widget: object) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    return dock


class Lesson(QObject):
    """Half-steps, the responsibilities table, the bound plot and hard vs soft."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("lesson")
        self.window = window
        self.session: HalfStepSession | None = None
        self.shown = -1
        self._init_mode = ""
        self._run_active = False
        self._docks_shown = False
        self._slider_tip = window.iteration_slider.toolTip()

        self.e_step_action = _action(
            window, "E-step", E_KEY,
            "Half an iteration: new responsibilities from the current parameters",
        )
        self.m_step_action = _action(
            window, "M-step", M_KEY,
            "The other half: new parameters from the responsibilities just computed",
        )
        self.compare_action = QAction("Compare &hard and soft E-step", window)
        self.compare_action.setStatusTip(
            "Run soft and hard EM from the same start and show both traces"
        )
        stop = window.run_actions.stop
        for menu_or_bar in (window.run_menu, window.run_toolbar):
            menu_or_bar.insertActions(stop, [self.e_step_action, self.m_step_action])
        window.run_menu.addSeparator()
        window.run_menu.addAction(self.compare_action)

        self.resp_panel = ResponsibilityPanel()
        self.bound_plot = BoundPlot()
        self.hard_soft = HardSoftPlot()
        self.resp_dock = _dock(window, "Responsibilities", "responsibilities_dock", self.resp_panel)
        self.bound_dock = _dock(window, "Lower bound", "bound_dock", self.bound_plot)
        self.compare_dock = _dock(window, "Hard vs soft", "hard_soft_dock", self.hard_soft)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.resp_dock)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.bound_dock)
        window.tabifyDockWidget(self.bound_dock, self.compare_dock)
        window.view_menu.addSeparator()
        for dock in (self.resp_dock, self.bound_dock, self.compare_dock):
            dock.hide()
            window.view_menu.addAction(dock.toggleViewAction())

        self._trace_lines: list[pg.InfiniteLine] = []
        self.dragging = MeanDragging(self)

        window.step_handlers.append(self._step_in_session)
        window.start_providers.append(self._edited_start)
        self.e_step_action.triggered.connect(self._on_e_step_action_triggered)
        self.m_step_action.triggered.connect(self._on_m_step_action_triggered)
        self.compare_action.triggered.connect(self._on_compare_action_triggered)
        window.run_actions.reset.triggered.connect(self._on_reset_action_triggered)
        window.data_loaded.connect(self._on_window_data_loaded)
        window.snapshot_shown.connect(self._on_window_snapshot_shown)
        window.controller.state_changed.connect(self._on_controller_state_changed)
        window.iteration_slider.valueChanged.connect(self._on_iteration_slider_value_changed)
        window.settings_panel.options_changed.connect(self._on_settings_options_changed)
        window.settings_panel.columns_changed.connect(self._on_settings_columns_changed)
        self._update_actions()

    # --- stepping -----------------------------------------------------------------------

    def start_session(self) -> bool:
        """Start stepping by halves from the start the settings describe (the trace is reset)."""
        window = self.window
        if window.table is None:
            return False
        options = window.start_options()
        if options is None:
            return False
        mode = window.settings_panel.init_mode
        window.reset()
        try:
            session = HalfStepSession(window.table.data, options, window.table.columns)
        except ValueError as exc:
            dialogs.show_error(window, str(exc), repr(exc))
            return False
        self.adopt(session, mode)
        return True

    def adopt(self, session: HalfStepSession, init_mode: str) -> None:
        """Make ``session`` (begun with the settings' start ``init_mode``) the one shown."""
        self.session = session
        self._init_mode = init_mode
        self.window.views.set_color_order(None)
        self.window.params_table.set_color_indices(None)
        self.window.iteration_slider.setToolTip(
            "Drag to look back at any half-step taken; the plots and the tables follow."
        )
        self._show_docks()
        if self.bound_dock.toggleViewAction().isChecked():
            self.bound_dock.raise_()

    def advance_until(self, phase: str) -> None:
        """Take half-steps until the newest state is an E-step or an M-step (``phase``)."""
        if self.session is None and not self.start_session():
            return
        session = self.session
        while True:
            state = session.advance()
            if state is None or state.phase == phase:
                break
        self.show_state(len(session.states) - 1)

    def show_state(self, index: int) -> None:
        """Draw state ``index`` of the session in every view."""
        session, window = self.session, self.window
        state = session.states[index]
        self.shown = index
        options, table = session.options, window.table
        window.views.show_params(
            state.params, options, resp=state.resp, color_points=state.resp is not None
        )
        window.params_table.show_params(
            state.params, options.model, options.gaussian_covariance, table.columns
        )
        window.likelihood_plot.set_history(session.trace(), "log-likelihood")
        window.likelihood_plot.set_current(session.trace_slot(index))
        self._show_trace_lines(session.edit_slots(), "you moved a mean")
        title = _TITLES[state.phase].format(label=session.label(index))
        shown, m_step = session.table_states(index)
        self.resp_panel.show_state(
            table.data, table.columns, shown, m_step, options, title, (E_KEY, M_KEY)
        )
        states = session.states
        self.bound_plot.set_states(
            [session.label(i) for i in range(len(states))],
            [s.log_likelihood for s in states],
            [s.lower_bound for s in states],
            session.edit_indices(),
            hard=options.e_step == "hard",
        )
        self.bound_plot.set_current(index)
        slider = window.iteration_slider
        slider.blockSignals(True)
        slider.setRange(0, len(states) - 1)
        slider.setValue(index)
        slider.blockSignals(False)
        slider.setEnabled(len(states) > 1)
        window.iteration_label.setText(
            f"{session.label(index)} · half-step {index} of {len(states) - 1}"
            f" · iteration {state.iteration}"
        )
        window.status_label.setText(self._status(index))
        self.dragging.update()
        self._update_actions()

    def _status(self, index: int) -> str:
        session = self.session
        state = session.states[index]
        n_rows = session.X.shape[0]
        parts = [session.label(index), f"log-likelihood {state.log_likelihood:.6g}"]
        if state.lower_bound is not None:
            gap = gap_text(state.gap, state.log_likelihood)
            parts.append(f"bound {state.lower_bound:.6g} (gap {gap})")
        if index < len(session.states) - 1:
            parts.append("looking back: E-step and M-step go on from the newest half-step")
        elif session.blocked is not None:
            parts.append(f"half-steps stopped: {session.blocked}")
        else:
            trace = session.trace()
            if state.phase == "M" and len(trace) > 1 and (
                abs(trace[-1] - trace[-2]) / n_rows < session.options.tol
            ):
                parts.append("the log-likelihood barely moved: a full run would stop here")
            key = E_KEY if session.next_phase == "E" else M_KEY
            parts.append(f"press {session.next_phase}-step ({key})")
        if n_rows > LARGE_ROWS:
            parts.append(f"large data: the table shows {PAGE_SIZE} rows a page")
        if session.options.n_init > 1 and not session.options.explicit_init:
            parts.append("half-steps follow the first of the starts")
        return " · ".join(parts)

    def end_session(self, reset_window: bool = True) -> None:
        """Forget the session; with ``reset_window`` the views show the data alone again."""
        had_session = self.session is not None
        self.session = None
        self.shown = -1
        self.resp_panel.clear("Press E-step to fill this table one half-step at a time.")
        self.bound_plot.clear()
        self._show_trace_lines([], "")
        self.window.iteration_slider.setToolTip(self._slider_tip)
        if reset_window and had_session:
            self.window.reset()
        self.dragging.update()
        self._update_actions()

    def _show_docks(self) -> None:
        if self._docks_shown:
            return
        self._docks_shown = True
        window = self.window
        # The settings column keeps its full height, so the sample's "what to watch"
        # text stays in view; the table spans the plots and the right-hand docks.
        window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.resp_dock.show()
        self.bound_dock.show()
        self.bound_dock.raise_()
        window.resizeDocks([self.resp_dock], [RESP_DOCK_HEIGHT], Qt.Orientation.Vertical)
        right = [self.bound_dock]
        params_dock = window.findChild(QDockWidget, "params_dock")
        if params_dock is not None:
            right.insert(0, params_dock)
            window.resizeDocks(right, [150, 420], Qt.Orientation.Vertical)
        window.resizeDocks(right, [RIGHT_DOCK_WIDTH] * len(right), Qt.Orientation.Horizontal)

    # --- the trace ----------------------------------------------------------------------

    def _show_trace_lines(self, positions: list[int], text: str) -> None:
        """Dashed lines on the likelihood trace where the student intervened."""
        plot = self.window.likelihood_plot.plot_item
        for _ in range(len(self._trace_lines), len(positions)):
            line = pg.InfiniteLine(
                angle=90, movable=False,
                pen=pg.mkPen(EDIT_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
                label="", labelOpts={"position": 0.85, "color": EDIT_COLOR},
            )
            plot.addItem(line, ignoreBounds=True)
            self._trace_lines.append(line)
        for i, line in enumerate(self._trace_lines):
            line.setVisible(i < len(positions))
            if i < len(positions):
                line.setValue(positions[i])
                line.label.setFormat(text)

    def trace_markers(self) -> list[tuple[float, str]]:
        """Where the likelihood trace marks an intervention, and what it says."""
        return [
            (line.value(), line.label.format) for line in self._trace_lines if line.isVisible()
        ]

    # --- the window's seams -------------------------------------------------------------

    def _step_in_session(self) -> bool:
        if self.session is None or self.session.blocked is not None:
            return False
        self.advance_until("M")
        return True

    def _edited_start(self, options: engine.FitOptions) -> engine.Params | None:
        """A Run after the student moved a mean starts from the moved mean."""
        if self.session is None:
            return None
        params = self.session.latest_edit()
        if params is None or params.n_components != options.n_components:
            return None
        return params

    def _update_actions(self) -> None:
        window = self.window
        ready = window.table is not None and not window.controller.is_active
        next_phase = "E" if self.session is None else self.session.next_phase
        self.e_step_action.setEnabled(ready and next_phase == "E")
        self.m_step_action.setEnabled(ready and next_phase == "M")
        self.compare_action.setEnabled(ready)
        if self.session is not None:
            window.run_actions.reset.setEnabled(True)

    # --- signals ------------------------------------------------------------------------

    def _on_e_step_action_triggered(self) -> None:
        self.advance_until("E")

    def _on_m_step_action_triggered(self) -> None:
        if self.session is not None and self.session.next_phase == "M":
            self.advance_until("M")

    def _on_compare_action_triggered(self) -> None:
        window = self.window
        if window.table is None:
            return
        n_rows = window.table.data.shape[0]
        if n_rows > MAX_ROWS:
            dialogs.show_error(
                window,
                f"comparing hard and soft EM here is meant for up to {MAX_ROWS:,} rows, and "
                f"these data have {n_rows:,}; choose the E-step in the settings and use Run "
                "for each instead",
            )
            return
        options = window.start_options()
        if options is None:
            return
        traces = compare_e_steps(window.table.data, options, window.table.columns)
        self.hard_soft.show_traces(traces, options.model)
        self.compare_dock.show()
        self.compare_dock.raise_()
        window.status_label.setText(
            "Soft and hard EM from the same start: see the Hard vs soft panel."
        )

    def _on_reset_action_triggered(self) -> None:
        self.end_session(reset_window=False)

    def _on_window_data_loaded(self, name: str) -> None:
        self.end_session(reset_window=False)
        self.hard_soft.clear()
        sample = self.window.sample
        if sample is not None and sample.id in WORKED_EXAMPLES:
            # Once opening is over: the sample's settings arrive after the data, and the
            # window may report on the settings in between.
            QTimer.singleShot(0, self._invite_first_step)

    def _invite_first_step(self) -> None:
        window = self.window
        if window.table is None or self.session is not None or window.controller.is_active:
            return
        rows, columns = window.table.data.shape
        window.status_label.setText(
            f"Opened {window.data_name}: {rows:,} rows × {columns} "
            f"column{'s' if columns > 1 else ''}. Press E-step ({E_KEY}) to start stepping "
            "by halves, or Run (F5)."
        )

    def _on_window_snapshot_shown(self, index: int) -> None:
        if self.session is None:
            self.dragging.update()

    def _on_controller_state_changed(self, state: RunState) -> None:
        begins = state in ACTIVE and not self._run_active
        self._run_active = state in ACTIVE
        if begins:
            options = self.window.settings_panel.options()
            from_edit = self._edited_start(options) is not None
            if self.session is not None:
                self.end_session(reset_window=False)
            if from_edit:
                self._show_trace_lines([0], "you moved a mean: the run starts here")
            else:
                self._show_trace_lines([], "")
        self.dragging.update()
        self._update_actions()

    def _on_iteration_slider_value_changed(self, value: int) -> None:
        if self.session is not None and 0 <= value < len(self.session.states):
            self.show_state(value)

    def _on_settings_options_changed(self) -> None:
        session = self.session
        panel = self.window.settings_panel
        if session is not None and (
            not session.same_fit(panel.options()) or panel.init_mode != self._init_mode
        ):
            self.end_session()
            self.window.status_label.setText(
                f"The settings changed, so the half-steps were cleared; press E-step ({E_KEY}) "
                "to start again."
            )
        self._update_actions()

    def _on_settings_columns_changed(self, x: int, y: int) -> None:
        if self.session is not None:
            self.show_state(self.shown)
