"""The Choose K dialog and mclust's fourteen covariance structures: presets, names, letters."""

from __future__ import annotations

from PySide6.QtCore import Qt

from emgui.features import installed
from emgui.features.analysis import ModelSelection
from emgui.features.analysis.sweep_table import COLUMNS
from engine.selection import DEFAULT_SPECS, ModelSpec, mclust_specs, select_options, sweep

MCLUST = {"EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV",
          "EVV", "VVV"}


def open_dialog(window, datasets):
    assert window.open_file(datasets / "faithful.csv", ask=False)
    action = next(a for a in window.analyse_menu.actions() if a.text().startswith("Choose"))
    action.trigger()
    return installed(window.host, ModelSelection).selection_dialog


def test_presets_tick_all_fourteen_the_default_four_or_none(qtbot, window, datasets):
    dialog = open_dialog(window, datasets)
    qtbot.mouseClick(dialog.preset_buttons["all"], Qt.MouseButton.LeftButton)
    assert dialog.checked_specs() == list(mclust_specs())
    assert {spec.title for spec in dialog.checked_specs()} == MCLUST
    qtbot.mouseClick(dialog.preset_buttons["none"], Qt.MouseButton.LeftButton)
    assert dialog.checked_specs() == []
    qtbot.mouseClick(dialog.preset_buttons["default"], Qt.MouseButton.LeftButton)
    assert dialog.checked_specs() == list(DEFAULT_SPECS)
    # Any subset: tick two by hand after a preset.
    dialog.model_boxes[ModelSpec("gaussian", "EVE")].click()
    dialog.model_boxes[ModelSpec("gaussian", "full")].click()
    assert [s.title for s in dialog.checked_specs()] == ["EEE", "VVI", "VII", "EVE"]


def test_boxes_say_mclust_names_and_what_each_letter_means(qtbot, window, datasets):
    dialog = open_dialog(window, datasets)
    boxes = dialog.model_boxes
    assert boxes[ModelSpec("gaussian", "full")].text() == "VVV (full)"
    assert boxes[ModelSpec("gaussian", "spherical")].text() == "VII (spherical)"
    assert boxes[ModelSpec("gaussian", "VEI")].text() == "VEI"
    tip = boxes[ModelSpec("gaussian", "VEI")].toolTip()
    assert "volume V: each component its own" in tip
    assert "shape E: equal for all components" in tip
    assert "orientation I: along the columns' axes" in tip
    tip = boxes[ModelSpec("gaussian", "tied")].toolTip()
    assert "EEE: volume E: equal" in tip and "orientation E: equal" in tip
    # A round shape has no orientation; the tooltip does not pretend otherwise.
    assert "orientation I: none" in boxes[ModelSpec("gaussian", "EII")].toolTip()


def test_legend_and_table_use_mclust_names(qtbot, window, datasets, errors, threads):
    dialog = open_dialog(window, datasets)
    specs = [ModelSpec("gaussian", "full"), ModelSpec("gaussian", "VEI")]
    dialog.k_edit.setText("1-2")
    dialog.set_checked_specs(specs)
    dialog.n_init_spin.setValue(1)
    with qtbot.waitSignal(dialog.sweep_finished, timeout=60_000) as finished:
        dialog.run()
    qtbot.waitUntil(lambda: not threads.busy(owner=dialog), timeout=20_000)
    cells = finished.args[0]
    legend = [label.text for _, label in dialog.chart.plot_item.legend.items]
    assert legend == ["VVV", "VEI"]
    model_column = [c.header for c in COLUMNS].index("Model")
    shown = [dialog.table_model.data(dialog.table_model.index(row, model_column))
             for row in range(len(cells))]
    assert shown == ["VVV", "VVV", "VEI", "VEI"]
    assert "I identity" in COLUMNS[model_column].tooltip
    # Each cell starts from the hierarchical agglomeration, as select's do: the same fits.
    expected = list(sweep(window.document.table.data, specs, [1, 2],
                          window.settings_panel.options().replace(n_init=1, init="hc"),
                          window.document.table.columns))
    assert [c.result.bic for c in cells] == [c.result.bic for c in expected]
    assert select_options().init == "hc"
    assert errors == []
