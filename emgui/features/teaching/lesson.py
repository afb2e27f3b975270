"""The lesson: E-step and M-step actions, the responsibilities table, the bound, hard vs soft.

:class:`Lesson` owns a :class:`HalfStepSession` while the student steps by
halves, and draws its states on the host's canvas (points, ellipses,
parameter table, likelihood trace, iteration slider) and in its docks
(responsibilities table, bound plot, hard against soft). A normal Run ends
the session; runs always go through the host. What a dragged mean does is
:mod:`emgui.features.teaching.dragging`'s business; comparing hard and soft EM
is :class:`~emgui.features.teaching.hard_soft.HardSoftComparison`'s.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QWidget

import engine
from emgui.features.teaching.bound_plot import EDIT_COLOR, BoundPlot
from emgui.features.teaching.dragging import MeanDragging
from emgui.features.teaching.half_steps import EDIT, HalfStepSession
from emgui.features.teaching.hard_soft import HardSoftComparison, HardSoftPlot
from emgui.features.teaching.resp_table import ResponsibilityPanel
from emgui.features.teaching.step_status import E_KEY, M_KEY, step_status
from emgui.shell.actions import make_action
from emgui.runs.next_turn import NextTurn
from emgui.runs.streamed import sample_note
from emgui.shell.document import RunState
from emgui.shell.host import Host
from emgui.shell.lazy_view import LazyView

#: Samples that open as lessons: the status bar invites the first E-step.
WORKED_EXAMPLES = ("two_coins", "three_coins", "heights", "blobs")
SLIDER_TIP = "Drag to look back at any half-step taken; the plots and the tables follow."

_TITLES = {
    "start": "Start: the first guess, no responsibilities yet",
    "E": "After {label}: new responsibilities, parameters still the old ones",
    "M": "After {label}: new parameters, from these responsibilities",
    EDIT: "Your edit: parameters you moved by hand",
}


def _dock(host: Host, title: str, name: str, widget: QWidget | None = None) -> QDockWidget:
    dock = QDockWidget(title, host.parent_widget)
    dock.setObjectName(name)
    if widget is not None:
        dock.setWidget(widget)
    return dock


class Lesson(QObject):
    """Half-steps, the responsibilities table, the bound plot and hard vs soft."""

    compared = Signal()
    """Hard and soft EM were compared and the panel shows both."""

    def __init__(self, host: Host) -> None:
        parent = host.parent_widget
        super().__init__(parent)
        self.host = host
        self.document = host.document
        self.canvas = host.canvas
        self.session: HalfStepSession | None = None
        self.shown = -1
        self._init_mode = ""
        self._run_active = False
        self._docks_shown = False
        #: The worked example's invitation, drawn a turn after its data (cancelled by any
        #: session, run or change of settings before then).
        self._invite_turn = NextTurn(self)
        #: A session's first E-step, taken a turn after its start is drawn (and that a
        #: turn after the docks, when they are first shown).
        self._step_turn = NextTurn(self)

        self.e_step_action = make_action(
            parent, "E-step", "Half an iteration: new responsibilities from the current "
            "parameters", E_KEY,
        )
        self.m_step_action = make_action(
            parent, "M-step", "The other half: new parameters from the responsibilities just "
            "computed", M_KEY,
        )
        host.add_actions("steps", [self.e_step_action, self.m_step_action])

        self.resp_panel = ResponsibilityPanel()
        self.resp_dock = _dock(host, "Responsibilities", "responsibilities_dock", self.resp_panel)
        self.bound_dock = _dock(host, "Lower bound", "bound_dock")
        # The plots are made when a lesson first needs them: most windows never show them.
        self._bound_plot = LazyView(self.bound_dock, BoundPlot)
        #: Hard against soft EM, with its action and dock (under the lesson's names).
        self.comparison = HardSoftComparison(host, self)
        self.compare_action = self.comparison.action
        self.compare_dock = self.comparison.dock
        self.comparison.compared.connect(self.compared)
        host.add_actions("run", [None, self.compare_action])
        host.add_dock(self.resp_dock, Qt.DockWidgetArea.BottomDockWidgetArea)
        host.add_dock(self.bound_dock, Qt.DockWidgetArea.RightDockWidgetArea)
        host.add_dock(
            self.compare_dock, Qt.DockWidgetArea.RightDockWidgetArea, tabify_with=self.bound_dock
        )

        self.dragging = MeanDragging(self, self)
        host.add_step_handler(self._step_in_session)
        host.add_start_provider(self._edited_start)
        self.e_step_action.triggered.connect(self._on_e_step_action_triggered)
        self.m_step_action.triggered.connect(self._on_m_step_action_triggered)
        self.canvas.borrowed_changed.connect(self._on_canvas_borrowed_changed)
        self.canvas.scrubbed.connect(self._on_canvas_scrubbed)
        document = self.document
        document.data_changed.connect(self._on_document_data_changed)
        document.shown_changed.connect(self._on_document_shown_changed)
        document.run_state_changed.connect(self._on_document_run_state_changed)
        document.options_changed.connect(self._on_document_options_changed)
        document.init_mode_changed.connect(self._on_document_init_mode_changed)
        document.columns_changed.connect(self._on_document_columns_changed)
        self._update_actions()

    @property
    def step_pending(self) -> bool:
        """Whether an E-step was asked for and is taken a turn or two from now (a new
        session's start is drawn first)."""
        return self._step_turn.is_pending

    @property
    def bound_plot(self) -> BoundPlot:
        return self._bound_plot.view

    @property
    def hard_soft(self) -> HardSoftPlot:
        return self.comparison.plot

    # --- stepping -----------------------------------------------------------------------

    def start_session(self) -> bool:
        """Start stepping by halves from the start the settings describe (the trace is reset)."""
        table = self.document.table
        if table is None:
            return False
        options = self.host.next_start()
        if options is None:
            return False
        mode = self.document.init_mode
        self.host.reset()
        try:
            session = HalfStepSession(table.data, options, table.columns)
        except ValueError as exc:
            self.host.show_error(str(exc), repr(exc))
            return False
        self.adopt(session, mode)
        return True

    def adopt(self, session: HalfStepSession, init_mode: str) -> None:
        """Make ``session`` (begun with the settings' start ``init_mode``) the one shown."""
        self._invite_turn.cancel()
        self.session = session
        self._init_mode = init_mode
        self.canvas.borrow(SLIDER_TIP)
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
        session, canvas = self.session, self.canvas
        state = session.states[index]
        self.shown = index
        options, table = session.options, self.document.table
        canvas.show_params(
            state.params, options, resp=state.resp, color_points=state.resp is not None
        )
        canvas.show_table(state.params, options)
        canvas.show_trace(session.trace(), "log-likelihood", session.trace_slot(index))
        canvas.set_marks(session.edit_slots(), "you moved a mean", EDIT_COLOR)
        title = _TITLES[state.phase].format(label=session.label(index))
        if sample_note(table):
            title += f" ({sample_note(table)})"
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
        canvas.set_scrubber(len(states), index)
        canvas.set_position_text(
            f"{session.label(index)} · half-step {index} of {len(states) - 1}"
            f" · iteration {state.iteration}"
        )
        self.host.show_status(
            step_status(self.session, index, sample_note(self.document.table)))
        self.dragging.update()
        self._update_actions()

    def end_session(self, reset_window: bool = True) -> None:
        """Forget the session; with ``reset_window`` the views show the data alone again."""
        self._invite_turn.cancel()
        self._step_turn.cancel()
        had_session = self.session is not None
        self.session = None
        self.shown = -1
        self.resp_panel.clear("Press E-step to fill this table one half-step at a time.")
        if self._bound_plot.is_made:
            self.bound_plot.clear()
        self.canvas.set_marks([], "", EDIT_COLOR)
        self.canvas.release()
        if reset_window and had_session:
            self.host.reset()
        self.dragging.update()
        self._update_actions()

    def _show_docks(self) -> None:
        if self._docks_shown:
            return
        self._docks_shown = True
        self.host.show_docks(self.resp_dock, self.bound_dock)

    def trace_markers(self) -> list[tuple[float, str]]:
        """Where the likelihood trace marks an intervention, and what it says."""
        return self.canvas.marks()

    # --- the host's seams ---------------------------------------------------------------

    def _step_in_session(self) -> bool:
        # A session that only shows where EM starts leaves Step to the window (a paused run).
        if self.session is None or self.session.blocked is not None or len(self.session.states) < 2:
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
        document = self.document
        ready = document.table is not None and not document.is_running
        next_phase = "E" if self.session is None else self.session.next_phase
        self.e_step_action.setEnabled(ready and next_phase == "E")
        self.m_step_action.setEnabled(ready and next_phase == "M")
        self.compare_action.setEnabled(ready)

    # --- signals ------------------------------------------------------------------------

    def _on_e_step_action_triggered(self) -> None:
        if self._step_turn.is_pending:
            return  # the first half-step is on its way
        if self.session is None and self.document.table is not None:
            # The docks (the window makes room for them and paints anew), the start and
            # the E-step, each drawn in a turn of its own: at once they blocked the window
            # 100-250 ms.
            self._invite_turn.cancel()  # the student did not wait to be invited
            if not self._docks_shown:
                self._show_docks()
                self._step_turn.call(self._begin_session)
            else:
                self._begin_session()
            return
        self.advance_until("E")

    def _begin_session(self) -> None:
        """Start stepping: the start drawn now, the first E-step a turn later."""
        if self.session is None:
            if not self.start_session():
                return
            self.show_state(0)
        self._step_turn.call(self.advance_until, "E")

    def _on_m_step_action_triggered(self) -> None:
        if self.session is not None and self.session.next_phase == "M":
            self.advance_until("M")

    def compare(self) -> None:
        """Run soft and hard EM from the same start in the background, then show both."""
        self.comparison.compare()

    def _on_canvas_borrowed_changed(self, borrowed: bool) -> None:
        if not borrowed and self.session is not None:
            # The window took its views back (a reset, a fit shown, other data).
            self.end_session(reset_window=False)

    def _on_canvas_scrubbed(self, value: int) -> None:
        if self.session is not None and 0 <= value < len(self.session.states):
            self.show_state(value)

    def _on_document_data_changed(self, name: str) -> None:
        self.end_session(reset_window=False)
        self.comparison.clear()
        sample = self.document.sample
        if sample is not None and sample.id in WORKED_EXAMPLES:
            # Once opening is over and its data are painted (a timer, not a posted call,
            # which would run ahead of the paint and block the window for both): the
            # sample's settings arrive after the data, and the window may report on them.
            self._invite_turn.call(self._invite_first_step)

    def _invite_first_step(self) -> None:
        document = self.document
        if document.table is None or self.session is not None or document.is_running:
            return
        if not self._docks_shown and document.init_mode != "click":
            # The docks first: the window grows for them and paints anew (40 ms at
            # 1400 x 950); the start drawn in every view a turn later, not in the same one.
            self._show_docks()
            self._invite_turn.call(self._invite_first_step)
            return
        shown = self.preview_start()
        rows, columns = document.table.data.shape
        where = "The plots show where EM starts. " if shown else ""
        self.host.show_status(
            f"Opened {document.name}: {rows:,} rows × {columns} "
            f"column{'s' if columns > 1 else ''}. {where}Press E-step ({E_KEY}) to start "
            "stepping by halves, or Run (F5)."
        )

    def preview_start(self) -> bool:
        """Draw where EM will start (the half-step session's first state) before the first
        E-step, as a textbook shows its starting guess; False when there is no start to show
        yet (means still to be placed) or the settings cannot be fitted."""
        document = self.document
        table = document.table
        if table is None or document.is_running or document.init_mode == "click":
            return False
        options = self.host.next_start()
        if options is None:
            return False
        try:
            session = HalfStepSession(table.data, options, table.columns)
        except ValueError:
            return False
        self.adopt(session, document.init_mode)
        self.show_state(0)
        return True

    def _on_document_shown_changed(self, index: int) -> None:
        if self.session is None:
            self.dragging.update()

    def _on_document_run_state_changed(self, state: RunState) -> None:
        begins = self.document.is_running and not self._run_active
        self._run_active = self.document.is_running
        if begins:
            self._invite_turn.cancel()
            self._step_turn.cancel()
            from_edit = self._edited_start(self.document.options) is not None
            if self.session is not None:
                self.end_session(reset_window=False)
            if from_edit:
                self.canvas.set_marks([0], "you moved a mean: the run starts here", EDIT_COLOR)
            else:
                self.canvas.set_marks([], "", EDIT_COLOR)
        self.dragging.update()
        self._update_actions()

    def _on_document_options_changed(self, options: engine.FitOptions) -> None:
        session, document = self.session, self.document
        if session is not None and session.X is not getattr(document.table, "data", None):
            return  # new data's settings, heard before the data: their handler ends it
        if session is not None and (
            not session.same_fit(document.options) or document.init_mode != self._init_mode
        ):
            if len(session.states) == 1 and session.states[0].phase == "start":
                # Only the start was shown: show the new settings' start instead.
                self.end_session(reset_window=False)
                if not self.preview_start():
                    self.host.reset()
            else:
                self.end_session()
                self.host.show_status(
                    f"The settings changed, so the half-steps were cleared; press E-step "
                    f"({E_KEY}) to start again."
                )
        self._update_actions()

    def _on_document_init_mode_changed(self, mode: str) -> None:
        self._on_document_options_changed(self.document.options)

    def _on_document_columns_changed(self, x: int, y: int) -> None:
        if self.session is not None:
            self.show_state(self.shown)
