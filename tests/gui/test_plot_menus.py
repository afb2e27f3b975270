"""The plots' right-click menus (issue 19 point 6): the application's actions, not pyqtgraph's."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu

from emgui.features import installed
from emgui.features.export.actions import ExportActions
from emgui.features.plot_menus import PlotMenu, PlotMenus
from emgui.features.teaching.lesson import Lesson
from emgui.shell.main_window import MainWindow


def right_click(qtbot, view: pg.GraphicsView) -> QMenu:
    """Right-click the middle of ``view`` and return the menu that pops up."""
    viewport = view.viewport()
    centre = viewport.rect().center()
    QTest.mouseClick(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, centre)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    return QApplication.activePopupWidget()


def texts(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if a.isVisible() and a.text()]


def fit(qtbot, window: MainWindow, model: str = "gaussian", **options: object) -> None:
    document = window.document
    document.set_options(document.options.replace(model=model, n_components=3, **options))
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()


def scatter_view(window: MainWindow) -> pg.GraphicsView:
    return window.views.scatter.plot_widget


def test_the_scatter_menu_is_the_applications_own(qtbot, window):
    assert window.open_sample("blobs")
    fit(qtbot, window, covariance_type="full")
    menu = right_click(qtbot, scatter_view(window))
    try:
        assert isinstance(menu, PlotMenu)
        assert texts(menu) == ["Reset View", "Copy Plot Image", "Export Plot…"]
        # pyqtgraph's own entries are gone.
        for raw in ("View All", "Plot Options", "Export...", "Mouse Mode"):
            assert raw not in texts(menu)
    finally:
        menu.close()


def test_equal_aspect_is_offered_for_round_models_only(qtbot, window):
    assert window.open_sample("blobs")
    fit(qtbot, window, covariance_type="spherical")
    view = scatter_view(window)
    box = window.views.scatter.plot_item.getViewBox()
    menu = right_click(qtbot, view)
    assert "Equal Aspect" in texts(menu)
    assert menu.aspect_action.isChecked() == bool(box.state["aspectLocked"])
    menu.close()
    menu.aspect_action.setChecked(False)
    assert not box.state["aspectLocked"]
    menu.aspect_action.setChecked(True)
    assert box.state["aspectLocked"] == 1.0
    fit(qtbot, window, model="kmeans")
    menu = right_click(qtbot, view)
    assert "Equal Aspect" in texts(menu)
    menu.close()
    fit(qtbot, window, model="gaussian", covariance_type="full")
    menu = right_click(qtbot, view)
    assert "Equal Aspect" not in texts(menu)
    menu.close()


def test_reset_view_undoes_a_pan_and_a_zoom(qtbot, window):
    assert window.open_sample("blobs")
    fit(qtbot, window, covariance_type="full")
    box = window.views.scatter.plot_item.getViewBox()
    menu = right_click(qtbot, scatter_view(window))
    menu.reset_action.trigger()  # the fit's ellipses in view as well as the points
    menu.close()
    home = np.array(box.viewRange())
    box.translateBy(x=3.0, y=-2.0)
    box.scaleBy(s=(0.5, 0.5))
    assert not np.allclose(box.viewRange(), home)
    menu = right_click(qtbot, scatter_view(window))
    menu.reset_action.trigger()
    menu.close()
    np.testing.assert_allclose(box.viewRange(), home, rtol=1e-9, atol=1e-9)


def test_copy_from_the_menu_copies_that_plot(qtbot, window):
    assert window.open_sample("blobs")
    fit(qtbot, window)
    QGuiApplication.clipboard().clear()
    view = window.likelihood_plot.plot_widget
    menu = right_click(qtbot, view)
    menu.copy_action.trigger()
    menu.close()
    image = QGuiApplication.clipboard().image()
    assert (image.width(), image.height()) == (view.width(), view.height())


def test_export_from_the_menu_writes_that_plot(qtbot, window, tmp_path, monkeypatch):
    assert window.open_sample("blobs")
    fit(qtbot, window)
    exports = installed(window.host, ExportActions)
    asked: list[tuple] = []
    monkeypatch.setattr(exports, "export_widget", lambda widget, kind: asked.append((widget, kind)))
    menu = right_click(qtbot, scatter_view(window))
    menu.export_action.trigger()
    menu.close()
    assert asked == [(window.views.scatter.plot_widget, "scatter")]


@pytest.mark.parametrize("sample", ["two_coins", "heights"])
def test_every_plot_of_the_window_has_the_menu(qtbot, window, sample):
    """Views made for other data, the teaching panels, the docks whose plots are made when
    first shown: each box is given the menu."""
    assert window.open_sample(sample)
    lesson = installed(window.host, Lesson)
    lesson.e_step_action.trigger()
    qtbot.waitUntil(lambda: not lesson.step_pending)  # a turn after the docks
    for dock in window.findChildren(QDockWidget):
        dock.show()
    menus = installed(window.host, PlotMenus)
    for view in window.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.ViewBox):
                assert isinstance(item.menu, PlotMenu), view
    assert menus.menus
