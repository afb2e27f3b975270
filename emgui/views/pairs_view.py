"""Every pair of some chosen columns at once: a scatter matrix with the components' ellipses.

Cell (i, j) below or above the diagonal plots column j against column i with the
same point layers and component marks as the main scatter (means as ringed
dots, 1/2/3 sd ellipses of each component's marginal on the two columns); the
diagonal holds each column's histogram and name. One ``PlotItem`` per cell in a
``GraphicsLayoutWidget``, items made once per layout and updated with
``setData``; at most :data:`MAX_PAIR_POINTS` rows are drawn in any cell.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from emgui.views.axis_item import axes
from emgui.views.component_marks import ComponentMarks
from emgui.views.plot_style import ink, mute, paint_background_white, paper, style_plot_item
from emgui.views.scatter_legend import MeanMarker
from emgui.views.scatter_points import PointLayers, display_rows

#: Most columns in the matrix (8 columns: 28 pairs, 64 cells).
MAX_PAIR_COLUMNS = 8
#: Rows drawn in every cell: a matrix of 56 scatters redraws fast enough for a live fit.
MAX_PAIR_POINTS = 3_000
#: Points in all cells together drawn as point items (more: as images).
ITEM_POINT_BUDGET = 20_000
CELL_POINT_SIZE = 4.0
#: Pixels of a cell's point image along its longer side: a point shows as a small block.
CELL_RESOLUTION = 70
#: The ellipses a cell shows: 1 and 2 sd (3 sd crowds a small cell), solid and without
#: antialiasing: dashed antialiased curves cost most of a frame of 56 cells.
PAIR_STYLES = {1.0: (1.4, Qt.PenStyle.SolidLine, 255), 2.0: (1.0, Qt.PenStyle.SolidLine, 150)}
_SMALL_MARKER = MeanMarker(ring_size=11, dot_size=7, rim_width=1)
_HIST_BRUSH = QColor(190, 190, 190)
_HIST_BINS = 20
#: How far up its cell the diagonal's tallest bar reaches (the column's name is above it).
_HIST_TOP = 0.75


class PairsView(QWidget):
    """A scatter matrix of up to :data:`MAX_PAIR_COLUMNS` columns with the fit's components."""

    columns_changed = Signal(object)
    """The columns now shown (a tuple of indices into the data's columns)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        paint_background_white(self)
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.layout_widget.setBackground(paper())
        self._column_button = QToolButton()
        self._column_button.setText("Columns")
        self._column_button.setToolTip(
            f"Choose the columns of the matrix (up to {MAX_PAIR_COLUMNS})"
        )
        self._column_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._column_menu = QMenu(self._column_button)
        self._column_button.setMenu(self._column_menu)
        self._note = QLabel()
        mute(self._note)
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 6, 0)
        header.addWidget(self._column_button)
        header.addWidget(self._note, stretch=1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.layout_widget, stretch=1)

        self._X = np.empty((0, 0))
        self._names: list[str] = []
        self._columns: tuple[int, ...] = ()
        self._rows = np.empty(0, dtype=np.intp)
        self._cells: dict[tuple[int, int], tuple[pg.PlotItem, PointLayers, ComponentMarks]] = {}
        #: The diagonal's histograms, by shown column, and the column names written on them.
        self._diagonal: dict[int, pg.PlotItem] = {}
        self._titles: dict[int, pg.TextItem] = {}
        self._labels: np.ndarray | None = None
        self._n_components = 0

    # --- data ---------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[int, ...]:
        return self._columns

    @property
    def display_rows(self) -> np.ndarray:
        """The data rows drawn in every cell, ascending."""
        return self._rows

    def cell(self, i: int, j: int) -> pg.PlotItem:
        """The plot of shown column ``j`` (x) against shown column ``i`` (y); on the
        diagonal, column ``i``'s histogram."""
        return self._diagonal[i] if i == j else self._cells[(i, j)][0]

    def diagonal_title(self, i: int) -> str:
        """The name written on the histogram of shown column ``i``."""
        return self._titles[i].toPlainText()

    def set_data(self, X: np.ndarray, names: list[str],
                 columns: tuple[int, ...] | None = None) -> None:
        """Show ``X`` (n_samples, n_features) without a fit, ``columns`` in the matrix
        (by default the first :data:`MAX_PAIR_COLUMNS`)."""
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"X must have shape (n_samples, n_features), got {X.shape}")
        self._X, self._names = X, [str(n) for n in names]
        self._rows = display_rows(X.shape[0], MAX_PAIR_POINTS)
        self._fill_menu()
        if columns is None:
            columns = tuple(range(min(X.shape[1], MAX_PAIR_COLUMNS)))
        self.set_columns(columns)

    def set_columns(self, columns: tuple[int, ...]) -> None:
        """Show ``columns`` (at most :data:`MAX_PAIR_COLUMNS`, each at most once)."""
        columns = tuple(dict.fromkeys(int(c) for c in columns))
        n_features = self._X.shape[1]
        if any(not 0 <= c < n_features for c in columns):
            raise ValueError(f"columns must lie between 0 and {n_features - 1}, got {columns}")
        if len(columns) > MAX_PAIR_COLUMNS:
            raise ValueError(f"at most {MAX_PAIR_COLUMNS} columns fit the matrix")
        self._columns = columns
        for action in self._column_menu.actions():
            action.blockSignals(True)  # the ticks follow the choice; they do not make one
            action.setChecked(action.data() in columns)
            action.blockSignals(False)
        self._build_cells()
        self._update_note()
        self.columns_changed.emit(columns)

    def _fill_menu(self) -> None:
        self._column_menu.clear()
        for d, name in enumerate(self._names):
            action = QAction(name, self._column_menu)
            action.setCheckable(True)
            action.setData(d)
            action.toggled.connect(self._on_column_action_toggled)
            self._column_menu.addAction(action)

    def _on_column_action_toggled(self, checked: bool) -> None:
        chosen = tuple(a.data() for a in self._column_menu.actions() if a.isChecked())
        if len(chosen) > MAX_PAIR_COLUMNS:
            self.sender().setChecked(False)  # the matrix is full: the tick is taken back
            return
        if chosen != self._columns:
            self.set_columns(chosen)

    def _update_note(self) -> None:
        n_total = self._X.shape[0]
        parts = [f"{len(self._columns)} of {len(self._names)} columns"]
        if self._rows.size < n_total:
            parts.append(f"a random {self._rows.size:,} of {n_total:,} rows")
        self._note.setText(";  ".join(parts))

    def _build_cells(self) -> None:
        self.layout_widget.clear()
        self._cells = {}
        self._diagonal = {}
        self._titles = {}
        self._labels = None
        n = len(self._columns)
        shown = self._X[np.ix_(self._rows, list(self._columns))].astype(np.float64)
        for i in range(n):
            for j in range(n):
                plot = self.layout_widget.addPlot(row=i, col=j, axisItems=axes())
                style_plot_item(plot, grid=False)
                plot.setMenuEnabled(False)
                plot.hideButtons()
                self._label_axes(plot, i, j, n)
                if i == j:
                    self._draw_histogram(plot, shown[:, i])
                    self._diagonal[i] = plot
                    self._titles[i] = self._write_title(plot, self._names[self._columns[i]])
                    continue
                # Point items while the whole matrix holds few points; beyond, one label
                # image per cell (recolouring items in 56 cells costs seconds a frame).
                layers = PointLayers(
                    plot, image_threshold=ITEM_POINT_BUDGET // (n * (n - 1)),
                    image_resolution=CELL_RESOLUTION, fixed_size=CELL_POINT_SIZE,
                )
                layers.set_points(np.ascontiguousarray(shown[:, [j, i]]))
                marks = ComponentMarks(plot, _SMALL_MARKER, PAIR_STYLES, antialias=False)
                self._cells[(i, j)] = (plot, layers, marks)
                plot.getViewBox().autoRange()
                plot.getViewBox().disableAutoRange()
        # Cells in one column share x, cells in one row share y; the diagonal's histograms
        # are drawn in their column's units both ways, so they share them too.
        plots = {key: cell[0] for key, cell in self._cells.items()}
        plots.update({(i, i): plot for i, plot in self._diagonal.items()})
        # The top row anchors the columns, the left column the rows (no link goes round).
        for (i, j), plot in plots.items():
            if i != 0:
                plot.setXLink(plots[(0, j)])
            if j != 0:
                plot.setYLink(plots[(i, 0)])

    def _label_axes(self, plot: pg.PlotItem, i: int, j: int, n: int) -> None:
        # Ticks on the outer edge only, as a printed scatter matrix has them; the names
        # under the bottom row, and on the diagonal (as R's pairs() writes them): a
        # name turned up the left edge of a short cell ran into the next one's.
        style = {"color": ink().name(), "font-size": "9pt"}
        plot.showAxis("bottom", i == n - 1)
        plot.showAxis("left", j == 0)
        if i == n - 1:
            plot.setLabel("bottom", self._names[self._columns[j]], **style)

    @staticmethod
    def _write_title(plot: pg.PlotItem, name: str) -> pg.TextItem:
        """``name`` in the top left corner of a diagonal cell, whatever its range."""
        title = pg.TextItem(name, color=ink(), anchor=(0, 0))
        font = title.textItem.font()
        font.setPointSize(9)
        font.setBold(True)
        title.setFont(font)
        title.follows_ink = True  # emgui.shell.palette gives it a new theme's ink
        title.setParentItem(plot.getViewBox())
        title.setPos(3, 1)
        return title

    @staticmethod
    def _draw_histogram(plot: pg.PlotItem, values: np.ndarray) -> None:
        """The histogram of ``values`` drawn upwards from the column's least value (its
        tallest bar :data:`_HIST_TOP` of the way to the greatest, under the name), in a cell
        whose range both ways is the column's, so that its row's y ticks hold for it too."""
        values = values[np.isfinite(values)]
        if not values.size:
            return
        counts, edges = np.histogram(values, bins=_HIST_BINS)
        low, high = float(edges[0]), float(edges[-1])
        span = (high - low) or 1.0
        heights = low + counts / max(int(counts.max()), 1) * (_HIST_TOP * span)
        box = plot.getViewBox()
        box.setRange(xRange=(low, low + span), yRange=(low, low + span))
        box.disableAutoRange()
        plot.addItem(pg.PlotCurveItem(
            x=edges, y=heights, stepMode="center", fillLevel=low,
            brush=pg.mkBrush(_HIST_BRUSH), pen=pg.mkPen(_HIST_BRUSH.darker(130)),
        ))

    # --- the fit ------------------------------------------------------------------------

    def show_state(self, means: np.ndarray | None, covariances: np.ndarray | None,
                   labels: np.ndarray | None) -> None:
        """Draw one state of a fit.

        Parameters
        ----------
        means : ndarray of shape (n_components, n_features) or None
            On every column of the data (the matrix takes its own).
        covariances : ndarray of shape (n_components, n_features, n_features) or None
        labels : ndarray of shape (n_display,) or None
            The most probable component of each row of :attr:`display_rows`.
        """
        n_components = 0 if means is None else np.shape(means)[0]
        if labels is not None:
            labels = np.asarray(labels).astype(np.intp, copy=False)
            if labels.shape != self._rows.shape:
                raise ValueError(
                    f"labels must have one entry per displayed row ({self._rows.size}), "
                    f"got shape {labels.shape}"
                )
            n_components = max(n_components, int(labels.max()) + 1 if labels.size else 0)
        self._labels, self._n_components = labels, n_components
        columns = list(self._columns)
        for (i, j), (_, layers, marks) in self._cells.items():
            layers.ensure(n_components)
            layers.draw(labels)
            pair = [columns[j], columns[i]]
            if means is None:
                marks.clear()
                continue
            cell_means = np.asarray(means)[:, pair]
            cell_cov = None
            if covariances is not None:
                cell_cov = np.asarray(covariances)[:, pair][:, :, pair]
            marks.show(cell_means, cell_cov)

    def clear_state(self) -> None:
        self.show_state(None, None, None)

    def cell_means(self, i: int, j: int) -> np.ndarray:
        """The means drawn in cell (i, j), shape (n_components, 2)."""
        return self._cells[(i, j)][2].means

    def cell_uses_image(self, i: int, j: int) -> bool:
        """Whether cell (i, j) draws its points as one image (a large matrix of many rows)."""
        return self._cells[(i, j)][1].uses_image

    def cell_ellipse(self, i: int, j: int, k: int, n_std: float) -> np.ndarray:
        """Component ``k``'s ellipse at ``n_std`` sd in cell (i, j), shape (n, 2)."""
        return self._cells[(i, j)][2].ellipse(k, n_std)
