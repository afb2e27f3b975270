"""The views of a fit: points and ellipses, the trace, the parameter table and the iteration slider.

:class:`FitDisplay` draws the document's snapshots. During a run it draws the
newest at most about 30 times a second, each frame in three turns of the event
loop; afterwards the slider scrubs back through every iteration. A feature may
take the display over for states of its own (the lesson's half-steps,
:meth:`FitDisplay.borrow`): it then draws with the same views and hears the
slider through ``scrubbed``, until the display is released (by the feature,
or by the window on a reset, a run, a fit shown or other data).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QSlider, QWidget

import engine
from emgui.shell.document import Document
from emgui.shell.fit_status import status_line
from emgui.views import declared
from emgui.views.engine_bridge import traced_objective
from emgui.views.fit_views import FitViews
from emgui.views.likelihood_plot import LikelihoodPlot
from emgui.views.mean_handles import MeanHandles
from emgui.views.params_table import ParamsTable

DRAW_INTERVAL_MS = 33  # about 30 redraws a second, whatever the iteration rate
#: During a run each stage of a frame is drawn this long after the one before
#: (see ``_show_latest_in_turns``).
STAGE_DELAY_MS = 1
SLIDER_TIP = "Drag to look back at any iteration already run; the plots and the table follow."


class FitDisplay(QObject):
    """Draws the document's fit; owns the widgets that show it (the window lays them out)."""

    status_changed = Signal(str)
    """A status line for the snapshot just drawn."""
    warnings_changed = Signal(str)
    """The fit's warnings for the snapshot just drawn (empty: none), one paragraph each."""
    live_frame_started = Signal(int)
    """A frame of snapshot N, drawn in stages during a run, has drawn its first stage."""
    scrubbed = Signal(int)
    """The slider moved to N while a feature holds the display."""
    borrowed_changed = Signal(bool)
    """True when a feature takes the display over, False when it loses it again."""

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.views = FitViews()
        self.likelihood_plot = LikelihoodPlot()
        self.params_table = ParamsTable()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(SLIDER_TIP)
        self.slider.setEnabled(False)
        self.position_label = QLabel("iteration –")
        self._follow_latest = True
        self._dirty = False
        self._started_at = 0.0
        self._elapsed = 0.0
        self._borrowed = False
        self._draw_timer = QTimer(self)
        self._draw_timer.setInterval(DRAW_INTERVAL_MS)
        #: The snapshot being drawn in stages during a run, and the stages still to come.
        self._live_frame: tuple[int, engine.Snapshot, list[Callable[[int], None]]] | None = None
        # A timer, not a zero-delay call: a posted call would run ahead of the paint.
        self._stage_timer = QTimer(self)
        self._stage_timer.setSingleShot(True)
        self._stage_timer.setInterval(STAGE_DELAY_MS)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self._draw_timer.timeout.connect(self._on_draw_timer_timeout)
        self._stage_timer.timeout.connect(self._on_stage_timer_timeout)
        document.snapshot_added.connect(self._on_document_snapshot_added)

    # --- the data -----------------------------------------------------------------------

    def show_data(self) -> str | None:
        """Show the document's data alone with the options in force; returns why the data
        do not suit the chosen model (they are then shown in a neutral view), or ``None``."""
        document = self._document
        table = document.table
        problem = document.model_problem(document.options.model)
        self.views.set_data(
            table.data, table.columns, document.options, document.columns, suits=problem is None
        )
        self.views.clear_state()
        return problem

    def view_for(self, options: engine.FitOptions) -> str:
        """The view the document's data would be shown in with ``options``."""
        document = self._document
        suits = document.model_problem(options.model) is None
        return declared.view_for(options.model if suits else None, document.table.n_features)

    def show_columns(self) -> None:
        """Show the document's columns on the scatter, keeping the iteration shown."""
        document = self._document
        table = document.table
        options = document.fit_options()
        suits = document.model_problem(options.model) is None
        self.views.set_data(table.data, table.columns, options, document.columns, suits=suits)
        if document.shown_snapshot() is not None:
            self.show_snapshot(document.shown_index)
        else:
            self.views.clear_state()

    # --- the document's fit ---------------------------------------------------------------

    def begin_run(self) -> None:
        """A run starts: follow its newest snapshot from now on."""
        self.reset_trace()
        self._started_at = time.perf_counter()
        self._elapsed = 0.0
        self._draw_timer.start()

    def show_finished(self, result: engine.FitResult) -> None:
        """The run ended with ``result``: draw its last snapshot (components now numbered
        and coloured as the result lists them)."""
        self._elapsed = time.perf_counter() - self._started_at
        self._follow_latest = True
        self._sync_slider()
        self.show_snapshot(self._document.n_snapshots - 1)

    def show_cancelled(self) -> None:
        """The run was stopped: the newest snapshot it sent stays."""
        self._elapsed = time.perf_counter() - self._started_at
        if self._document.n_snapshots and self._follow_latest:
            self.show_snapshot(self._document.n_snapshots - 1)

    def stop_following(self) -> None:
        """The run failed: nothing more will come."""
        self._draw_timer.stop()

    def show_fit(self, result: engine.FitResult | None, index: int = -1) -> None:
        """Draw the document's fit (made elsewhere) at snapshot ``index`` (-1: the last)."""
        self.release()
        self._elapsed = 0.0
        count = self._document.n_snapshots
        if not count:
            self.reset_trace()
            return
        index = count - 1 if not 0 <= index < count else index
        self._follow_latest = index == count - 1
        self._sync_slider()
        self._set_slider_quietly(index)
        self.show_snapshot(index)

    def reset_trace(self) -> None:
        """Forget the trace, the table and the slider (the points stay as they are)."""
        self._cancel_live_frame()
        self._follow_latest = True
        self._dirty = False
        self.likelihood_plot.clear()
        self.params_table.clear()
        self.set_scrubber(1, 0)
        self.position_label.setText("iteration –")

    def show_snapshot(self, index: int) -> None:
        """Draw the document's snapshot at ``index`` in every view."""
        document = self._document
        if not document.n_snapshots or document.table is None:
            return
        index = min(max(index, 0), document.n_snapshots - 1)
        self._cancel_live_frame()  # its remaining stages would draw an older snapshot
        for stage in self._frame_stages():
            stage(index)

    def _frame_stages(self) -> list[Callable[[int], None]]:
        """The parts of drawing one snapshot, each about a third of the work and paint."""
        return [self._show_views, self._show_trace, self._show_table]

    def _show_views(self, index: int) -> None:
        self.views.show_params(self._document.snapshot(index).params, self._document.fit_options())

    def _show_trace(self, index: int) -> None:
        """The likelihood curve of the whole start, iteration ``index`` marked, and its status."""
        document = self._document
        snapshot = document.snapshot(index)
        run = [s for s in document.snapshots if s.restart == snapshot.restart]
        values, label = traced_objective(run, document.fit_options())
        self.likelihood_plot.set_history(values, label)
        self.likelihood_plot.set_current(snapshot.iteration)
        start = f"start {snapshot.restart + 1}, " if document.fit_options().n_init > 1 else ""
        self.position_label.setText(f"{start}iteration {snapshot.iteration}")
        position = next(i for i, s in enumerate(run) if s is snapshot)
        self._report_status(snapshot, label, values, position, run[-1])

    def _show_table(self, index: int) -> None:
        """The parameters table at snapshot ``index``: the last stage of drawing it."""
        document = self._document
        self.show_table(document.snapshot(index).params, document.fit_options())
        document.set_shown(index)

    def _report_status(
        self,
        snapshot: engine.Snapshot,
        label: str,
        values: Sequence[float],
        position: int,
        last: engine.Snapshot,
    ) -> None:
        """Emit the status line and warnings of the snapshot drawn (see :func:`status_line`)."""
        if self._document.is_running:
            self._elapsed = time.perf_counter() - self._started_at
        thinned_to = len(self.views.scatter.display_index) if self.views.is_thinned else None
        text, warnings = status_line(
            self._document, snapshot, label, values, position, last, self._elapsed, thinned_to
        )
        self.status_changed.emit(text)
        self.warnings_changed.emit(warnings)

    # --- live frames during a run -----------------------------------------------------------

    def _show_latest_in_turns(self) -> None:
        """Draw the newest snapshot during a run, one stage per turn of the event loop.

        At a million points a whole frame (views, trace, table and their paint) took
        40-90 ms while the engine's threads held both cores; in stages, the window
        handles input and timers between them.
        """
        document = self._document
        if not document.n_snapshots or document.table is None:
            return
        index = document.n_snapshots - 1
        self._live_frame = (index, document.snapshot(index), self._frame_stages())
        self._draw_next_stage()
        if self._live_frame is not None and self._live_frame[0] == index:
            self.live_frame_started.emit(index)

    def _draw_next_stage(self) -> None:
        if self._live_frame is None:
            return
        index, snapshot, stages = self._live_frame
        document = self._document
        # Unless the run was reset or replaced meanwhile (newer snapshots may have come).
        if index < document.n_snapshots and document.snapshot(index) is snapshot:
            try:
                stages.pop(0)(index)
            except Exception:
                self._end_live_frame()  # live drawing goes on with the next frame
                raise
            if stages:
                self._stage_timer.start()
                return
        self._end_live_frame()

    def _end_live_frame(self) -> None:
        self._live_frame = None
        if self._draw_timer.isActive():
            # The next frame a whole interval after this one ends, not at once: frames
            # that take longer than the interval must not run back to back.
            self._draw_timer.start()

    def _cancel_live_frame(self) -> None:
        """Drop the rest of a live frame (something else is drawn instead)."""
        if self._live_frame is not None:
            # Whatever replaces it, the newest snapshot is drawn again at the next tick.
            self._dirty = True
        self._live_frame = None
        self._stage_timer.stop()

    def _on_stage_timer_timeout(self) -> None:
        self._draw_next_stage()

    def _on_draw_timer_timeout(self) -> None:
        if self._live_frame is not None:
            return  # the frame still being drawn restarts the interval when it is done
        if self._dirty:
            self._dirty = False
            if self._follow_latest:
                self._show_latest_in_turns()
        if not self._document.is_running:
            self._draw_timer.stop()

    def _sync_slider(self) -> None:
        count = self._document.n_snapshots
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(count - 1, 0))
        if self._follow_latest:
            self.slider.setValue(count - 1)
        self.slider.blockSignals(False)
        self.slider.setEnabled(count > 1)

    def _set_slider_quietly(self, index: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)

    def _on_document_snapshot_added(self, index: int) -> None:
        self._dirty = True
        self._sync_slider()

    def _on_slider_value_changed(self, value: int) -> None:
        if self._borrowed:
            self.scrubbed.emit(value)
            return
        self._follow_latest = value >= self.slider.maximum()
        self.show_snapshot(value)

    # --- what a feature may draw with (see emgui.shell.host.Canvas) --------------------------

    @property
    def kind(self) -> str:
        """The view the data are shown in: "scatter", "histogram", "discrete" or "empty"."""
        return self.views.kind

    @property
    def handles(self) -> MeanHandles:
        return self.views.handles

    @property
    def is_borrowed(self) -> bool:
        return self._borrowed

    def borrow(self, slider_tip: str) -> None:
        """Hand the display to a feature: it draws, and hears the slider through ``scrubbed``."""
        self.slider.setToolTip(slider_tip)
        if not self._borrowed:
            self._borrowed = True
            self.borrowed_changed.emit(True)

    def release(self) -> None:
        """Give the display back to the document's fit (``borrowed_changed`` tells the feature)."""
        if self._borrowed:
            self._borrowed = False
            self.slider.setToolTip(SLIDER_TIP)
            self.borrowed_changed.emit(False)

    def show_params(self, params: engine.Params, options: engine.FitOptions,
                    resp: np.ndarray | None = None, color_points: bool = True) -> None:
        """Draw ``params`` over the data (see :meth:`FitViews.show_params`)."""
        self.views.show_params(params, options, resp=resp, color_points=color_points)

    def show_table(self, params: engine.Params, options: engine.FitOptions) -> None:
        """List ``params`` in the parameters table."""
        self.params_table.show_params(params, options, self._document.table.columns)

    def show_trace(self, values: Sequence[float], label: str, current: int) -> None:
        """Plot ``values`` (one per iteration) named ``label``, marking iteration ``current``."""
        self.likelihood_plot.set_history(values, label)
        self.likelihood_plot.set_current(current)

    def set_marks(self, positions: Sequence[float], text: str, color: str) -> None:
        """Dashed lines on the trace at iterations ``positions``, labelled ``text``."""
        self.likelihood_plot.set_marks(positions, text, color)

    def marks(self) -> list[tuple[float, str]]:
        return self.likelihood_plot.marks()

    def set_scrubber(self, count: int, index: int) -> None:
        """A slider over ``count`` positions, at ``index``, without reporting the move."""
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(count - 1, 0))
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self.slider.setEnabled(count > 1)

    def set_position_text(self, text: str) -> None:
        """What the line under the slider says about the position shown."""
        self.position_label.setText(text)

    def plot_widget(self, key: str) -> QWidget | None:
        """The widget holding plot ``key`` ("fit" or "likelihood"), or ``None`` if none is shown."""
        if key == "likelihood":
            return self.likelihood_plot.plot_widget
        views = self.views
        kind = views.kind  # the view shown: asking makes none
        if kind == "scatter":
            return views.scatter.plot_widget
        if kind == "histogram":
            return views.histogram.plot_widget
        # Both of its plots and their legends belong together.
        return views.discrete if kind == "discrete" else None

    def params_text(self) -> str:
        """The parameters table as tab-separated text."""
        return self.params_table.as_text()

    def show_point_classes(self, colors: np.ndarray | None, title: str = "",
                           names: Sequence[str] = (), name_colors: Sequence[int] = ()) -> None:
        """Colour the scatter's points by a known class (see
        :meth:`FitViews.set_point_classes`); ``None``: by component."""
        self.views.set_point_classes(colors, title, tuple(names), tuple(name_colors))

    def set_legend_visible(self, visible: bool) -> None:
        """Show or hide the scatter's legend."""
        self.views.scatter.legend.set_wanted(visible)
