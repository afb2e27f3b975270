"""Hard against soft E-step: the same start, run both ways, the two traces side by side.

:func:`compare_e_steps` runs them; :class:`HardSoftPlot` draws them;
:class:`HardSoftComparison` is the Run menu's action that runs them in the
background and shows the plot in its dock.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QWidget

import engine
from emgui.features.teaching.plot_panel import lay_out_plot_panel
from emgui.runs.generators import Progress
from emgui.runs.streamed import sample_note
from emgui.runs.task import Task
from emgui.shell.actions import make_action
from emgui.shell.host import Host
from emgui.shell.lazy_view import LazyView
from emgui.views import declared
from emgui.views.plot_style import new_plot_widget, set_axis_label

COLORS = {"soft": "#2B88CC", "hard": "#D55E00"}

EXPLANATION = (
    "Soft EM shares every row among the components by its responsibilities, so every row "
    "informs every estimate. Hard EM hands each row wholly to one component, throwing away "
    "how sure that was, and stops as soon as no row changes side, usually at a lower "
    "log-likelihood."
)
PLACEHOLDER = "Run ▸ Compare hard and soft E-step fills this plot."


@dataclass(frozen=True)
class EStepTrace:
    """One run: its log-likelihood per iteration, final parameters and how it ended."""

    e_step: str
    log_likelihood: tuple[float, ...]
    params: engine.Params | None
    note: str


def trace_e_step(
    X: np.ndarray,
    options: engine.FitOptions,
    feature_names: list[str],
    e_step: str,
) -> Generator[Progress, None, EStepTrace]:
    """Run ``options`` with the ``e_step`` kind from its first start, as plain EM (an
    accelerated run would not show what each E-step does)."""
    options = options.replace(e_step=e_step, n_init=1, accelerate="none")
    snapshots: list[engine.Snapshot] = []
    steps = engine.iterate(X, options, feature_names)
    note = ""
    try:
        while True:
            snapshots.append(next(steps))
            yield Progress(len(snapshots), options.max_iter + 1,
                           f"{e_step.capitalize()} EM: iteration {snapshots[-1].iteration}")
    except StopIteration as stop:
        result: engine.FitResult = stop.value
        ended = "converged" if result.converged else "did not converge"
        note = f"{ended} after {result.n_iter} iterations"
    except ValueError as exc:
        note = f"failed: {exc}"
    finally:
        steps.close()
    values = tuple(snapshot.log_likelihood for snapshot in snapshots)
    params = snapshots[-1].params if snapshots else None
    return EStepTrace(e_step, values, params, note)


def compare_e_steps(
    X: np.ndarray, options: engine.FitOptions, feature_names: list[str]
) -> Generator[Progress, None, dict[str, EStepTrace]]:
    """Soft and hard EM from the same start (the first start ``options`` describe), one
    after the other, with progress (run it in the background: a task)."""
    if options.seed is None:
        options = options.replace(seed=int(np.random.SeedSequence().entropy % 2**31))
    traces = {}
    for kind in ("soft", "hard"):
        traces[kind] = yield from trace_e_step(X, options, feature_names, kind)
    return traces


def _summary(trace: EStepTrace, options: engine.FitOptions) -> str:
    text = f"<b style='color:{COLORS[trace.e_step]}'>{trace.e_step} EM</b>: "
    if trace.log_likelihood:
        text += f"log-likelihood {trace.log_likelihood[-1]:.4f}, "
    text += trace.note
    params = trace.params
    if params is not None:
        key = declared.key_spec(options)
        values = np.asarray(params[key.name])
        if values.ndim == 2 and values.shape[1] == 1:
            text += f" · {key.column} = " + ", ".join(f"{v:.3f}" for v in values[:, 0])
    return text


class HardSoftPlot(QWidget):
    """The log-likelihood per iteration of soft EM and of hard EM, in one plot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = new_plot_widget()
        self._plot = self.plot_widget.getPlotItem()
        set_axis_label(self._plot, "left", "log-likelihood")
        set_axis_label(self._plot, "bottom", "iteration")
        self.curves: dict[str, pg.PlotDataItem] = {}
        for kind, style in (("soft", Qt.PenStyle.SolidLine), ("hard", Qt.PenStyle.DashLine)):
            color = COLORS[kind]
            self.curves[kind] = pg.PlotDataItem(
                pen=pg.mkPen(color, width=2.2, style=style), symbol="o", symbolSize=5,
                symbolBrush=pg.mkBrush(color), symbolPen=pg.mkPen(None), antialias=True,
            )
            self._plot.addItem(self.curves[kind])
        legend = " &nbsp; ".join(
            f"<span style='white-space:nowrap'><span style='color:{COLORS[kind]}'>"
            f"<b>{glyph}</b></span> {kind} E-step</span>"
            for kind, glyph in (("soft", "●—"), ("hard", "● - -"))
        )
        self.legend_label, self.summary_label, self.explanation_label = lay_out_plot_panel(
            self, legend, self.plot_widget, EXPLANATION
        )
        self.summary_label.setText(PLACEHOLDER)

    def show_traces(self, traces: dict[str, EStepTrace], options: engine.FitOptions) -> None:
        for kind, curve in self.curves.items():
            values = np.asarray(traces[kind].log_likelihood, dtype=np.float64)
            curve.setData(x=np.arange(len(values)), y=values)
        self._plot.enableAutoRange()
        self.summary_label.setText("<br>".join(_summary(traces[k], options) for k in self.curves))

    def clear(self) -> None:
        for curve in self.curves.values():
            curve.setData(x=np.empty(0), y=np.empty(0))
        self._plot.enableAutoRange()
        self.summary_label.setText(PLACEHOLDER)

    def curve_values(self, kind: str) -> np.ndarray:
        _, y = self.curves[kind].getData()
        return np.empty(0) if y is None else np.asarray(y)


class HardSoftComparison(QObject):
    """The "Compare hard and soft E-step" action: soft and hard EM from the same start,
    run in the background, then both traces in the "Hard vs soft" dock.

    The lesson puts :attr:`action` in the Run menu and :attr:`dock` beside its
    other docks, and enables the action when there are data to compare on.
    """

    compared = Signal()
    """Hard and soft EM were compared and the panel shows both."""

    def __init__(self, host: Host, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._task: Task | None = None
        self._options: engine.FitOptions | None = None
        self.action = make_action(
            host.parent_widget, "Compare &hard and soft E-step",
            "Run soft and hard EM from the same start and show both traces",
        )
        self.dock = QDockWidget("Hard vs soft", host.parent_widget)
        self.dock.setObjectName("hard_soft_dock")
        self._plot = LazyView(self.dock, HardSoftPlot)  # made when first compared or shown
        self.action.triggered.connect(self._on_action_triggered)

    @property
    def plot(self) -> HardSoftPlot:
        return self._plot.view

    def clear(self) -> None:
        """Forget the traces shown (other data were opened)."""
        if self._plot.is_made:
            self.plot.clear()

    def _on_action_triggered(self) -> None:
        self.compare()

    def compare(self) -> None:
        """Run soft and hard EM from the same start in the background, then show both."""
        table = self.host.document.table
        if table is None:
            return
        options = self.host.next_start()
        if options is None:
            return
        if self._task is not None:
            self._task.cancel()
        task = Task("Comparing hard and soft EM",
                    partial(compare_e_steps, table.data, options, table.columns),
                    self.host.threads, self)
        task.finished.connect(self._on_task_finished)
        task.failed.connect(self._on_task_failed)
        self._task, self._options = task, options
        self.host.run_task(task)

    def _on_task_finished(self, traces: dict) -> None:
        if self.sender() is not self._task:
            return
        self._task = None
        self.plot.show_traces(traces, self._options)
        self.dock.show()
        self.dock.raise_()
        note = sample_note(self.host.document.table)
        self.host.show_status("Soft and hard EM from the same start" + (f", {note}" if note else "")
                              + ": see the Hard vs soft panel.")
        self.compared.emit()

    def _on_task_failed(self, message: str, details: str) -> None:
        if self.sender() is self._task:
            self._task = None
            self.host.show_error(message, details)
