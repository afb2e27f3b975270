"""What a dragged mean does.

In a half-step session, the drag becomes an edited state and EM goes on from
it. In a run that is paused, stopped or finished, the run becomes a session
at the iteration shown, with the edit as its newest state. Either way the
likelihood trace marks the edit, and a Run afterwards starts from it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject

import engine
from emgui.features.teaching.half_steps import HalfStepSession
from emgui.shell.document import Document, RunState
from emgui.shell.host import Canvas, Host
from emgui.views import declared


class _Lesson(Protocol):
    """What a drag needs of the lesson (:class:`~emgui.features.teaching.lesson.Lesson`)."""

    host: Host
    document: Document
    canvas: Canvas
    session: HalfStepSession | None
    shown: int

    def show_state(self, index: int) -> None: ...
    def adopt(self, session: HalfStepSession, init_mode: str) -> None: ...


class MeanDragging(QObject):
    """Offers the shown means for dragging and turns a drag into an edited half-step."""

    def __init__(self, lesson: _Lesson, parent: QObject) -> None:
        super().__init__(parent)
        self._lesson = lesson
        self._document = lesson.document
        self._canvas = lesson.canvas
        self.handles = self._canvas.handles
        self.handles.moved.connect(self._on_handles_moved)
        self.handles.released.connect(self._on_handles_released)

    def _displayed(self) -> tuple[engine.Params, engine.FitOptions, list[int]] | None:
        """The parameters the views show, their options and each component's colour
        (component k has colour k)."""
        document, session = self._document, self._lesson.session
        if session is not None:
            params = session.states[self._lesson.shown].params
            return params, session.options, list(range(params.n_components))
        if document.run_state is RunState.RUNNING:
            return None
        snapshot = document.shown_snapshot()
        if snapshot is None:
            return None
        k = snapshot.params.n_components
        return snapshot.params, document.fit_options(), list(range(k))

    def update(self) -> None:
        """Put the handles on the locations shown, or hide them when none can be dragged."""
        shown = self._displayed()
        kind = self._canvas.kind
        if shown is None or kind not in ("scatter", "histogram"):
            self.handles.hide()
            return
        params, options, colors = shown
        location = declared.location_spec(options)
        if location is None:
            self.handles.hide()
            return
        locations = np.asarray(params[location.name])
        if kind == "scatter":
            positions = locations[:, list(self._document.columns)]
        else:
            positions = locations[:, :1]
        self.handles.show(positions, colors, kind)

    def _edited(self, component: int, position: tuple[float, ...]) -> engine.Params:
        params, options, _ = self._displayed()
        location = declared.location_spec(options)
        locations = np.array(params[location.name])
        if len(position) == 2:
            locations[component, list(self._document.columns)] = position
        else:
            locations[component, 0] = position[0]
        return params.replace(**{location.name: locations})

    def _on_handles_moved(self, component: int, position: tuple[float, ...]) -> None:
        shown = self._displayed()
        if shown is None:
            return
        params, options = self._edited(component, position), shown[1]
        session = self._lesson.session
        if session is None:
            self._canvas.show_params(params, options)
            return
        # The points keep the colours of the responsibilities in force; only the mean moves.
        resp = session.states[self._lesson.shown].resp
        self._canvas.show_params(params, options, resp=resp, color_points=resp is not None)

    def _on_handles_released(self, component: int, position: tuple[float, ...]) -> None:
        if self._displayed() is None:
            return
        params = self._edited(component, position)
        try:
            if self._lesson.session is None:
                self._session_from_run(params)
            else:
                self._lesson.session.edit(self._lesson.shown, params)
        except ValueError as exc:
            self._lesson.host.show_error(str(exc), repr(exc))
            return
        self._lesson.show_state(len(self._lesson.session.states) - 1)

    def _session_from_run(self, edited: engine.Params) -> None:
        """Turn the run paused (or ended) at the shown iteration into a session with ``edited``."""
        document = self._document
        snapshots = document.snapshots
        snapshot = document.shown_snapshot()
        index = snapshots.index(snapshot)
        prior = [s.log_likelihood for s in snapshots[:index] if s.restart == snapshot.restart]
        options = document.fit_options().replace(n_init=1)
        # The components keep the numbers (and colours) they have in the fit shown.
        start = snapshot.params
        mode = document.init_mode
        table = document.table
        self._lesson.host.reset()
        session = HalfStepSession(
            table.data, options.replace(init=start), table.columns,
            first_iteration=snapshot.iteration, prior_trace=prior,
        )
        session.edit(0, edited)
        self._lesson.adopt(session, mode)
