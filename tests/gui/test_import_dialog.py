"""The import preview dialog: detection shown, overrides re-preview, nothing dropped silently."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QComboBox,
    QListWidget,
    QSpinBox,
    QTableView,
    QWidget,
)

from emgui.runs import data_loader  # noqa: E402
from emgui.shell.import_dialog import ImportDialog  # noqa: E402
from emio.tables import DataError, read_table  # noqa: E402


SHOTS = Path("/tmp/shots")


def open_dialog(qtbot, path: Path) -> ImportDialog:  # type: ignore[no-untyped-def]
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def items(dialog: ImportDialog) -> dict[str, tuple[bool, bool, str]]:
    """Column name -> (ticked, enabled, tooltip)."""
    result = {}
    for i in range(dialog.column_list.count()):
        item = dialog.column_list.item(i)
        result[item.text()] = (
            item.checkState() == Qt.CheckState.Checked,
            bool(item.flags() & Qt.ItemFlag.ItemIsEnabled),
            item.toolTip(),
        )
    return result


def test_semicolon_file_is_detected_and_loads_like_the_comma_file(  # type: ignore[no-untyped-def]
    qtbot, faithful_csv, faithful_semicolon_csv
) -> None:
    dialog = open_dialog(qtbot, faithful_semicolon_csv)
    assert dialog.delimiter_box.currentData() == ";"
    assert dialog.decimal_box.currentData() == ","
    assert dialog.header_check.isChecked()
    assert dialog.comment_box.currentData() == "#"
    assert "semicolons" in dialog.detected_label.text()
    assert "decimal comma" in dialog.detected_label.text()
    assert dialog.model.columnCount() == 2 and dialog.model.rowCount() == 100
    assert dialog.chosen_columns() == ["eruptions", "waiting"]
    assert dialog.ok_button.isEnabled()

    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    table = dialog.load()
    expected = read_table(faithful_csv)
    assert table.columns == expected.columns
    np.testing.assert_array_equal(table.data, expected.data)


def test_changing_the_delimiter_re_previews(qtbot, faithful_semicolon_csv) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, faithful_semicolon_csv)
    with qtbot.waitSignal(dialog.model.modelReset, timeout=1000):
        dialog.delimiter_box.setCurrentIndex(dialog.delimiter_box.findData("\t"))
    # Split on tabs, each line is one value of text: nothing numeric to load.
    assert dialog.model.columnCount() == 1
    assert items(dialog)["eruptions;waiting"][:2] == (False, False)
    assert not dialog.ok_button.isEnabled()

    dialog.decimal_box.setCurrentIndex(dialog.decimal_box.findData("."))
    dialog.delimiter_box.setCurrentIndex(dialog.delimiter_box.findData(","))
    assert dialog.preview() is None
    assert "more values than the header has names" in dialog.error_label.text()
    assert not dialog.ok_button.isEnabled()

    dialog.delimiter_box.setCurrentIndex(dialog.delimiter_box.findData(";"))
    dialog.decimal_box.setCurrentIndex(dialog.decimal_box.findData(","))
    assert dialog.model.columnCount() == 2
    assert dialog.error_label.text() == ""
    assert dialog.ok_button.isEnabled()


def test_decimal_point_on_a_decimal_comma_file_shows_text(qtbot, faithful_semicolon_csv) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, faithful_semicolon_csv)
    dialog.decimal_box.setCurrentIndex(dialog.decimal_box.findData("."))
    assert dialog.text_options().decimal == "."
    assert dialog.chosen_columns() == []
    assert not dialog.ok_button.isEnabled()


def test_contradictory_options_explain_themselves(qtbot, faithful_csv) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, faithful_csv)
    dialog.decimal_box.setCurrentIndex(dialog.decimal_box.findData(","))
    assert "both ','" in dialog.error_label.text()
    assert not dialog.ok_button.isEnabled()
    with pytest.raises(DataError):
        dialog.text_options()


def test_text_column_is_unticked_with_its_reason(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "iris.csv"
    path.write_text("sl,sw,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,2.9,virginica\n")
    dialog = open_dialog(qtbot, path)
    columns = items(dialog)
    assert columns["sl"][:2] == (True, True) and columns["sw"][:2] == (True, True)
    ticked, enabled, tip = columns["species"]
    assert not ticked and not enabled
    assert "text such as 'setosa' in 3 rows" in tip
    assert "species" in dialog.skipped_label.text() and "setosa" in dialog.skipped_label.text()
    assert dialog.chosen_columns() == ["sl", "sw"]

    # Unticking every numeric column disables OK; ticking one enables it again.
    dialog.column_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.ok_button.isEnabled()
    dialog.column_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert not dialog.ok_button.isEnabled()
    dialog.column_list.item(1).setCheckState(Qt.CheckState.Checked)
    assert dialog.ok_button.isEnabled()
    assert dialog.load().columns == ["sw"]

    # The choice survives a re-preview.
    dialog.skip_spin.setValue(1)
    dialog.skip_spin.setValue(0)
    assert dialog.chosen_columns() == ["sw"]


def test_bad_rows_are_counted_and_gaps_kept_or_rows_dropped_as_chosen(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gaps.csv"
    path.write_text("x,y\n1,2\n3,NA\n5,abc\n7,8\n9,\n11,12\n")
    dialog = open_dialog(qtbot, path)
    assert "3 rows have missing or non-numeric values" in dialog.bad_rows_label.text()
    # The model fits gaps, so keeping them is the default; a word is still not a gap.
    assert dialog.keep_radio.isChecked() and dialog.keep_radio.isEnabled()
    assert dialog.bad_rows_policy() == "keep"
    with qtbot.assertNotEmitted(dialog.accepted):
        with qtbot.waitSignal(dialog.loader.failed, timeout=10_000):
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "'y' has the text 'abc' on line 4" in dialog.error_label.text()
    assert "mark such values as missing" in dialog.error_label.text()

    qtbot.mouseClick(dialog.stop_radio, Qt.MouseButton.LeftButton)
    assert dialog.bad_rows_policy() == "error"
    assert dialog.error_label.text() == ""
    with pytest.raises(DataError, match="fix the file, or choose to drop such rows"):
        dialog.load()
    # OK with "Stop and tell me" says what is wrong, in the dialog, and stays open.
    with qtbot.assertNotEmitted(dialog.accepted):
        with qtbot.waitSignal(dialog.loader.failed, timeout=10_000):
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
    assert "'y' has a missing value on line 3" in dialog.error_label.text()

    # Leaving out column y leaves no bad rows.
    dialog.column_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.bad_rows_label.text().startswith("No row has")
    assert not dialog.drop_radio.isEnabled() and not dialog.keep_radio.isEnabled()
    dialog.column_list.item(1).setCheckState(Qt.CheckState.Checked)

    qtbot.mouseClick(dialog.drop_radio, Qt.MouseButton.LeftButton)
    assert dialog.bad_rows_policy() == "drop"
    assert dialog.error_label.text() == ""
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    table = dialog.load()
    np.testing.assert_array_equal(table.data, [[1, 2], [7, 8], [11, 12]])
    assert table.dropped_rows == 3


def test_gaps_are_kept_for_em_when_the_model_fits_them(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gaps.csv"
    path.write_text("x,y\n1,2\n3,NA\n7,8\n,10\n11,12\n")
    dialog = open_dialog(qtbot, path)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    table = dialog.load()
    np.testing.assert_array_equal(
        table.data, [[1, 2], [3, np.nan], [7, 8], [np.nan, 10], [11, 12]]
    )
    assert table.dropped_rows == 0 and table.n_missing_values == 2
    assert table.notes == ("kept 2 rows with missing values (2 values in all)",)


def test_a_model_without_gaps_cannot_keep_them(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gaps.csv"
    path.write_text("x,y\n1,2\n3,NA\n7,8\n")
    dialog = ImportDialog(path, keeps_gaps=False)
    qtbot.addWidget(dialog)
    assert dialog.stop_radio.isChecked() and dialog.bad_rows_policy() == "error"
    assert not dialog.keep_radio.isEnabled() and dialog.drop_radio.isEnabled()
    assert "cannot fit rows with missing values" in dialog.keep_radio.toolTip()


def test_preview_marks_bad_cells(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gaps.csv"
    path.write_text("x,y\n1,2\n3,NA\n5,abc\n")
    dialog = open_dialog(qtbot, path)
    model = dialog.model
    assert model.data(model.index(2, 1)) == "abc"
    assert model.data(model.index(1, 1)) == ""
    assert model.data(model.index(2, 1), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, 1), Qt.ItemDataRole.BackgroundRole) is None
    assert "not a number" in model.data(model.index(2, 1), Qt.ItemDataRole.ToolTipRole)
    assert "gap" in model.data(model.index(1, 1), Qt.ItemDataRole.ToolTipRole)


def test_unreadable_files_raise_before_the_dialog_opens(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataError, match="is empty"):
        ImportDialog(tmp_path / "empty.csv")


def test_every_control_has_a_tooltip(qtbot, faithful_semicolon_csv) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, faithful_semicolon_csv)
    controls = [
        widget
        for kind in (QComboBox, QSpinBox, QAbstractButton, QListWidget, QTableView)
        for widget in dialog.findChildren(kind)
    ]
    assert len(controls) >= 9
    missing = [w for w in controls if not w.toolTip() and isinstance(w, QWidget) and w.isVisibleTo(dialog)]
    # Buttons inside the table view's corner and scroll bars are Qt's own.
    missing = [w for w in missing if w.parent() is not None and not isinstance(w.parent(), QTableView)]
    assert missing == []


def test_screenshot(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "iris.csv"
    rows = ["sepal_length;sepal_width;petal_length;species"]
    rng = np.random.default_rng(0)
    for i in range(150):
        values = rng.normal([5.8, 3.0, 3.7], [0.8, 0.4, 1.7])
        cells = [f"{v:.1f}".replace(".", ",") for v in values]
        if i in (3, 40):
            cells[1] = "NA"
        rows.append(";".join(cells + [["setosa", "versicolor", "virginica"][i % 3]]))
    path.write_text("# Iris-like measurements, made up\n" + "\n".join(rows) + "\n")
    dialog = open_dialog(qtbot, path)
    # Scroll bars settle in a layout pass queued after the first show.
    qtbot.waitUntil(lambda: not dialog.table_view.horizontalScrollBar().isVisible(), timeout=2000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "import_dialog.png"))


def test_the_file_is_read_off_the_gui_thread_with_a_busy_bar(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import threading

    seen: list[str] = []
    original = data_loader.read_table

    def recording_read_table(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return original(*args, **kwargs)

    path = tmp_path / "big.csv"
    np.savetxt(path, np.arange(2000.0).reshape(1000, 2), delimiter=",", header="a,b", comments="")
    dialog = open_dialog(qtbot, path)
    data_loader.read_table = recording_read_table
    try:
        busy: list[bool] = []
        dialog.loader.busy_changed.connect(busy.append)
        with qtbot.waitSignal(dialog.accepted, timeout=10_000):
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    finally:
        data_loader.read_table = original
    assert seen and seen[0] != threading.main_thread().name
    assert busy == [True, False]
    assert dialog.load().data.shape == (1000, 2)
    assert not dialog.progress.isVisible()
