"""Known labels in the window: kept by the import preview, shown on the scatter, compared
with the clusters (iris and its species), exported; and the scatter's legend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sklearn.datasets import load_iris
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix

import engine
from emgui.features import installed
from emgui.features.export.actions import ExportActions
from emgui.features.labels import KnownLabels
from emgui.features.labels.known_labels import NO_LABELS
from emgui.features.legend import LEGEND_KEY, LegendToggle
from emgui.shell.import_dialog import ImportDialog
from emgui.views.scatter_legend import MAX_ROWS, weight_text
from emio.tables import read_table

SPECIES = ["setosa", "versicolor", "virginica"]


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory) -> Path:
    """Iris as a CSV file with its species as text, as R writes it."""
    iris = load_iris()
    frame = pd.DataFrame(iris.data, columns=["sepal_length", "sepal_width", "petal_length",
                                             "petal_width"])
    frame["species"] = iris.target_names[iris.target]
    path = tmp_path_factory.mktemp("iris") / "iris.csv"
    frame.to_csv(path, index=False)
    return path


def labels_of(window) -> KnownLabels:
    return installed(window.host, KnownLabels)


def fit_iris(qtbot, window, iris_csv: Path) -> engine.FitResult:
    window.document.set_data(read_table(iris_csv, labels="species"), iris_csv.name)
    window.document.set_columns(2, 3)
    options = window.document.options.replace(
        model="gaussian", n_components=3, covariance_type="full", n_init=3, seed=0
    )
    window.document.set_options(options)
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        with qtbot.assertNotEmitted(window.controller.run_failed):
            window.run_actions.run.trigger()
    return finished.args[0]


def test_the_import_preview_keeps_a_column_as_known_labels(qtbot, iris_csv):
    dialog = ImportDialog(iris_csv)
    qtbot.addWidget(dialog)
    assert dialog.label_column() is None
    assert "kept below as known labels" in dialog.skipped_label.text()
    dialog.label_box.setCurrentIndex(dialog.label_box.findData("species"))
    species = dialog.column_list.findItems("species", Qt.MatchFlag.MatchExactly)[0]
    assert not species.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "kept as known labels" in species.toolTip()
    column = dialog.model.columnCount() - 1
    assert "kept as known labels" in dialog.model.headerData(
        column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert "kept as known labels" in dialog.model.data(
        dialog.model.index(0, column), Qt.ItemDataRole.ToolTipRole
    )
    assert dialog.skipped_label.text() == ""
    # A numeric column chosen as labels leaves the fitted columns.
    dialog.label_box.setCurrentIndex(dialog.label_box.findData("petal_width"))
    assert dialog.chosen_columns() == ["sepal_length", "sepal_width", "petal_length"]
    dialog.label_box.setCurrentIndex(dialog.label_box.findData("species"))
    assert dialog.chosen_columns() == ["sepal_length", "sepal_width", "petal_length",
                                       "petal_width"]
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    table = dialog.load()
    assert table.label_name == "species" and table.n_features == 4
    assert sorted(set(table.labels.tolist())) == SPECIES
    # The choice survives a change of the options that re-reads the preview...
    dialog.comment_box.setCurrentIndex(dialog.comment_box.findData("#"))
    assert dialog.label_column() == "species"
    # ... but not one that loses the column's name.
    dialog.header_check.setChecked(False)
    assert dialog.label_column() is None
    dialog.header_check.setChecked(True)
    assert dialog.label_column() is None


def test_the_comparison_of_iris_with_its_species_matches_scikit_learn(qtbot, window, iris_csv):
    known = labels_of(window)
    assert not known.dock.isVisible()
    result = fit_iris(qtbot, window, iris_csv)
    assert known.dock.isVisible()
    table = window.document.table
    _, log_resp = engine.predict_log_resp(table.data, result.params, result.options)
    clusters = np.argmax(log_resp, axis=1)

    comparison = known.comparison
    assert comparison.ari == pytest.approx(adjusted_rand_score(table.labels, clusters), abs=1e-12)
    shown = known.panel.cell_counts()
    np.testing.assert_array_equal(shown, contingency_matrix(clusters, table.labels))
    assert shown.sum() == 150 and sorted(shown.max(axis=1).tolist())[-2:] == [50, 50]
    assert f"{comparison.ari:.3f}" in known.panel.summary.text()
    headers = [known.panel.table.horizontalHeaderItem(j).text() for j in range(4)]
    assert headers == SPECIES + ["Total"]
    setosa = int(np.argmax(shown[:, 0]))
    assert known.panel.table.verticalHeaderItem(setosa).text() == f"{setosa + 1} → setosa"


def test_points_take_the_colour_of_their_class_or_their_cluster(qtbot, window, iris_csv):
    known = labels_of(window)
    result = fit_iris(qtbot, window, iris_csv)
    scatter = window.views.scatter
    by_cluster = scatter.component_point_counts()
    assert sorted(by_cluster) == sorted(np.bincount(result.labels).tolist())

    known.colour_action.trigger()
    names, colors = known.class_palette()
    assert names == SPECIES
    counts = scatter.component_point_counts()
    # Each species in the colour of the cluster matched to it: 50 points each.
    assert [counts[c] for c in colors] == [50, 50, 50]
    for k, j in enumerate(known.comparison.matching.tolist()):
        assert colors[j] == k
    legend = scatter.legend.texts()
    assert legend[legend.index("Points: species") + 1:] == SPECIES

    known.colour_action.trigger()
    assert scatter.component_point_counts() == by_cluster
    assert "Points: species" not in scatter.legend.texts()


def test_the_label_column_is_exported_with_the_assignments(qtbot, window, iris_csv, tmp_path,
                                                           monkeypatch, errors):
    fit_iris(qtbot, window, iris_csv)
    path = tmp_path / "assignments.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    actions = installed(window.host, ExportActions)
    with qtbot.waitSignal(actions.assignments_written, timeout=30_000):
        actions.export_assignments_action.trigger()
    assert errors == []
    frame = pd.read_csv(path)
    assert list(frame.columns[:6]) == ["sepal_length", "sepal_width", "petal_length",
                                       "petal_width", "species", "component"]
    assert frame["species"].tolist() == window.document.table.labels.tolist()


def test_without_labels_the_toggle_is_off_and_the_panel_says_how_to_get_them(
    qtbot, window, iris_csv
):
    known = labels_of(window)
    window.document.set_data(read_table(iris_csv, labels="species"), "iris.csv")
    known.colour_action.setChecked(True)
    window.document.set_data(read_table(iris_csv), "iris.csv")
    assert not known.colour_action.isEnabled() and not known.colour_action.isChecked()
    assert known.panel.summary.text() == NO_LABELS
    assert not known.panel.table.isVisible()
    assert known.comparison is None


def test_the_legend_lists_each_components_colour_and_weight_as_they_change(
    qtbot, window, iris_csv
):
    legend = window.views.scatter.legend
    window.document.set_data(read_table(iris_csv), "iris.csv")
    assert not legend.isVisible() and legend.texts() == []
    result = fit_iris(qtbot, window, iris_csv)
    weights = result.params.weights
    texts = legend.texts()
    assert texts[0] == "Component   weight"
    assert texts[1:4] == [f"{k + 1}   {weight_text(w)}" for k, w in enumerate(weights)]
    assert texts[4:6] == ["1 sd  2 sd  3 sd", "mean"]
    assert legend.colors() == [0, 1, 2]
    assert legend.isVisible()
    # Scrubbing back to the start shows the weights of then.
    window.iteration_slider.setValue(0)
    first = window.document.snapshot(0).params.weights
    assert legend.texts()[1:4] == [f"{k + 1}   {weight_text(w)}" for k, w in enumerate(first)]


def test_an_update_that_changes_no_text_repaints_nothing(qtbot, window, iris_csv, monkeypatch):
    legend = window.views.scatter.legend
    repaints = []
    monkeypatch.setattr(legend, "update", lambda *args: repaints.append(args))
    legend.set_components(np.array([0.5, 0.25, 0.25]))
    legend.set_components(np.array([0.50001, 0.25, 0.24999]))
    assert len(repaints) == 1
    legend.set_components(np.array([0.4, 0.35, 0.25]))
    assert len(repaints) == 2


def test_show_legend_hides_it_and_is_remembered(qtbot, new_window, iris_csv):
    window = new_window()
    toggle = installed(window.host, LegendToggle)
    fit_iris(qtbot, window, iris_csv)
    legend = window.views.scatter.legend
    assert toggle.action.isChecked() and legend.isVisible()
    toggle.action.trigger()
    assert not legend.isVisible()
    assert window.settings.value(LEGEND_KEY, type=bool) is False
    again = new_window()
    assert not installed(again.host, LegendToggle).action.isChecked()
    assert not again.views.scatter.legend.is_wanted


def test_a_fit_shown_without_its_row_labels_is_compared_all_the_same(qtbot, window, iris_csv):
    import dataclasses

    known = labels_of(window)
    result = fit_iris(qtbot, window, iris_csv)
    counts, ari = known.comparison.counts.copy(), known.comparison.ari
    window.host.show_fit(dataclasses.replace(result, labels=None), window.document.snapshots)
    np.testing.assert_array_equal(known.comparison.counts, counts)
    assert known.comparison.ari == ari
    window.host.reset()
    assert known.comparison is None and "Run a fit" in known.panel.summary.text()


def test_a_column_of_too_many_labels_is_not_compared_and_says_why(qtbot, window, tmp_path):
    from emgui.features.labels.known_labels import MAX_CLASSES

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(300, 2)), columns=["x", "y"])
    frame["id"] = [f"row{i}" for i in range(300)]
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    known = labels_of(window)
    window.document.set_data(read_table(path, labels="id"), path.name)
    window.document.set_options(window.document.options.replace(n_components=2, seed=0))
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()
    assert known.comparison is None
    assert "300 different labels" in known.panel.summary.text()
    assert str(MAX_CLASSES) in known.panel.summary.text()
    # Colouring by them still works; the legend lists the first few.
    known.colour_action.trigger()
    texts = window.views.scatter.legend.texts()
    assert texts[texts.index("Points: id") + 1:] == sorted(frame["id"])[:MAX_ROWS]


def test_the_comparison_copies_as_text_for_a_spreadsheet(qtbot, window, iris_csv):
    from PySide6.QtGui import QGuiApplication

    known = labels_of(window)
    assert known.panel.as_text() == ""
    fit_iris(qtbot, window, iris_csv)
    known.panel.copy_action.trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].startswith("Clusters against species: adjusted Rand index")
    assert lines[1].split("\t") == ["", *SPECIES, "Total"]
    assert lines[-1].split("\t") == ["Total", "50", "50", "50", "150"]
    rows = np.array([[int(c) for c in line.split("\t")[1:4]] for line in lines[2:5]])
    np.testing.assert_array_equal(rows, known.comparison.counts)
