"""What a feature may ask of the application: the interface between features and the window.

A feature (export, sessions, analysis, teaching) is installed with a
:class:`Host` and works with it and its :class:`~emgui.shell.document.Document`
alone: it never imports the window module nor touches the window's widgets.
:class:`emgui.shell.window_host.WindowHost` is the one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Protocol

import numpy as np
from PySide6.QtCore import QSettings, Qt, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

import engine
from emgui.runs.registry import ThreadRegistry
from emgui.runs.task import Task
from emgui.shell.document import Document
from emgui.views.fit_views import FitViews
from emgui.views.mean_handles import MeanHandles

#: Where :meth:`Host.add_actions` puts actions: the File menu (before Quit), the Run
#: menu's end, beside Step (Run menu and toolbar), the View menu, the Analyse menu, the Help menu.
Place = Literal["file", "run", "steps", "view", "analyse", "help"]
#: Asked by Step before anything else; returns True when it took the step itself.
StepHandler = Callable[[], bool]
#: Asked for starting parameters before each Run or Step; the first answer wins.
StartProvider = Callable[[engine.FitOptions], "engine.Params | None"]


class Canvas(Protocol):
    """The main views, as a feature may draw in them (see :class:`~emgui.shell.fit_display.FitDisplay`).

    Between :meth:`borrow` and ``borrowed_changed(False)``, the feature draws
    its own states here and hears the iteration slider through ``scrubbed``.
    """

    scrubbed: SignalInstance
    """The slider moved to a position (int) while the feature holds the canvas."""
    borrowed_changed: SignalInstance
    """Whether a feature holds the canvas (bool); False: a reset, a run, a fit shown, other data."""

    @property
    def kind(self) -> str: ...
    @property
    def views(self) -> FitViews:
        """The scatter, histogram and count views themselves (for overlays and headers)."""
    @property
    def handles(self) -> MeanHandles: ...
    @property
    def is_borrowed(self) -> bool: ...
    def borrow(self, slider_tip: str) -> None: ...
    def release(self) -> None: ...
    def show_params(self, params: engine.Params, options: engine.FitOptions,
                    resp: np.ndarray | None = None, color_points: bool = True) -> None: ...
    def show_table(self, params: engine.Params, options: engine.FitOptions) -> None: ...
    def show_trace(self, values: Sequence[float], label: str, current: int) -> None: ...
    def set_marks(self, positions: Sequence[float], text: str, color: str) -> None: ...
    def marks(self) -> list[tuple[float, str]]: ...
    def set_scrubber(self, count: int, index: int) -> None: ...
    def set_position_text(self, text: str) -> None: ...
    def plot_widget(self, key: str) -> QWidget | None: ...
    def params_text(self) -> str: ...
    def show_point_classes(self, colors: np.ndarray | None, title: str = "",
                           names: Sequence[str] = (), name_colors: Sequence[int] = ()) -> None: ...
    def set_legend_visible(self, visible: bool) -> None: ...


class Host(Protocol):
    """The application as a feature sees it."""

    @property
    def document(self) -> Document:
        """The data, settings, fit and shown iteration."""

    @property
    def settings(self) -> QSettings:
        """Where choices persist (read them back with ``type=``)."""

    @property
    def threads(self) -> ThreadRegistry:
        """The application's background threads (start workers here, for the feature's owner)."""

    @property
    def canvas(self) -> Canvas:
        """The main views, to draw in."""

    @property
    def parent_widget(self) -> QWidget:
        """The parent of the feature's dialogs and objects (they live as long as it)."""

    def add_actions(self, place: Place, items: Sequence[QAction | QMenu | None]) -> None:
        """Put ``items`` (``None``: a separator) at ``place`` in the menus."""

    def add_dock(
        self,
        dock: QDockWidget,
        area: Qt.DockWidgetArea,
        tabify_with: QDockWidget | None = None,
    ) -> None:
        """Add ``dock``, hidden until shown, with its toggle in View ▸ Panels; its content
        scrolls when the dock is smaller than it needs."""

    def show_docks(self, bottom: QDockWidget, right: QDockWidget) -> None:
        """Show ``bottom`` under the views and ``right`` under the parameters, sized to fit."""

    def show_status(self, text: str) -> None:
        """Say ``text`` in the status bar (until something else is said)."""

    def show_note(self, text: str) -> None:
        """Say ``text`` for a while over the status line (a warning, a passing word)."""

    def run_task(self, task: Task) -> Task:
        """Start ``task`` (connect to its signals first), with its progress and a Cancel
        button in the status bar; closing the window cancels it."""

    def show_error(self, message: str, details: str = "") -> None:
        """Report a problem through :func:`emgui.dialogs.show_error`."""

    def show_fit(self, result: engine.FitResult | None, snapshots: Sequence[engine.Snapshot],
                 index: int = -1, options: engine.FitOptions | None = None) -> None:
        """Show a fit made elsewhere as if it had just run: views, trace, slider and table
        at snapshot ``index`` (-1: the last); any run stops first, and the settings then
        show ``options`` when given."""

    def open_sample(self, sample_id: str) -> bool:
        """Open a bundled sample as File > Open Sample does; False if it could not be read."""

    def next_start(self) -> engine.FitOptions | None:
        """The options the next Run would use (``None``: a start is missing; the user was told)."""

    def reset(self) -> None:
        """Stop any run and show the data alone, as Run > Reset does."""

    def add_step_handler(self, handler: StepHandler) -> None:
        """Let ``handler`` take Step first (a lesson stepping by halves)."""

    def add_start_provider(self, provider: StartProvider) -> None:
        """Let ``provider`` give the next Run's starting parameters (a dragged mean)."""
