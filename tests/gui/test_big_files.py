"""A file too large to load (issue 16, point 10): the window shows a stable sample of its rows,
fits every row by streaming the file, shows how far a long pass has gone, and stops at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import engine
from emgui.runs import streamed
from emgui.runs.streamed import CountingSource, SampledTable
from emgui.shell.document import RunState

N_ROWS = 120_000


@pytest.fixture
def big_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A .npy of two groups that counts as large (the threshold lowered to its rows)."""
    monkeypatch.setattr(streamed, "SAMPLE_ABOVE_ROWS", 100_000)
    monkeypatch.setattr(streamed, "DISPLAY_ROWS", 4_000)
    rng = np.random.default_rng(7)
    group = rng.integers(2, size=N_ROWS)[:, None]
    path = tmp_path / "big.npy"
    np.save(path, 6.0 * group + rng.normal(size=(N_ROWS, 3)))
    return path


def open_big(qtbot, window, path: Path) -> SampledTable:
    with qtbot.waitSignal(window.document.data_changed, timeout=20_000):
        assert window.open_file(path, ask=False)
    table = window.document.table
    assert isinstance(table, SampledTable)
    return table


def test_a_large_file_is_shown_as_a_stable_sample_and_fitted_whole(qtbot, window, big_file):
    table = open_big(qtbot, window, big_file)
    whole = np.load(big_file)
    assert table.data.shape == (4_000, 3) and table.n_total == N_ROWS
    # The sample is the file's own rows, named by their positions in it, the same each time.
    np.testing.assert_array_equal(table.data, whole[table.row_index])
    np.testing.assert_array_equal(table.row_index, streamed.sample_rows(N_ROWS))
    assert "Showing a sample of 4,000 of 120,000 rows" in window.status_label.text()

    window.settings_panel.k_spin.setValue(2)
    window.settings_panel.seed_spin.setValue(3)
    with qtbot.waitSignal(window.controller.run_finished, timeout=60_000) as finished:
        window.run()
    result = finished.args[0]
    expected = engine.fit(whole, window.document.options)
    np.testing.assert_allclose(result.history, expected.history, rtol=1e-10)
    np.testing.assert_allclose(result.params["means"], expected.params["means"], rtol=1e-9)
    # The views drew the sample under the fit of every row.
    assert window.document.result is result and window.document.table is table


def test_a_long_pass_shows_its_progress_and_stop_ends_the_reading(
    qtbot, window, big_file, monkeypatch
):
    window.controller.show_pass_after_s = 0.0
    open_big(qtbot, window, big_file)
    progress: list[tuple[int, int]] = []
    window.controller.pass_progress.connect(lambda number, done: progress.append((number, done)))
    panel = window.settings_panel
    panel.k_spin.setValue(2)
    panel.tol_combo.setCurrentText("0")
    panel.max_iter_spin.setValue(100_000)
    window.run()
    qtbot.waitUntil(lambda: bool(progress) or not window.document.is_running, timeout=60_000)
    assert window.document.is_running, window.status_label.text()
    assert all(number >= 1 and 0 <= done < 1000 for number, done in progress)
    assert window.compute.pass_bar.isVisibleTo(window)
    assert "Pass" in window.compute.pass_label.text()
    window.stop()
    assert window.document.run_state is RunState.CANCELLED
    # The reading stops at the next chunk: the fit's thread ends long before its 100 000
    # passes (and its chunk readers with it: the test's thread-leak check sees those).
    qtbot.waitUntil(lambda: window.controller.threads_running == 0, timeout=10_000)
    assert progress[-1] == (0, 0) and not window.compute.pass_bar.isVisibleTo(window)


def test_a_large_file_with_gaps_is_refused_for_a_model_that_cannot_fit_them(
    qtbot, no_gaps_model, window, big_file, errors
):
    rows = np.load(big_file)
    rows[streamed.sample_rows(N_ROWS)[5], 1] = np.nan
    np.save(big_file, rows)
    window.document.set_options(engine.FitOptions(model=no_gaps_model))
    window.open_file(big_file, ask=False)
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    position = streamed.sample_rows(N_ROWS)[5] + 1
    assert errors and f"row {position:,} of big.npy has a missing value" in errors[-1][0]
    assert window.document.table is None


def test_export_assignments_writes_every_row_of_the_file_a_chunk_at_a_time(
    qtbot, window, big_file, tmp_path, monkeypatch, errors
):
    from PySide6.QtWidgets import QFileDialog

    from emgui.features.export.actions import ExportActions

    open_big(qtbot, window, big_file)
    window.settings_panel.k_spin.setValue(2)
    with qtbot.waitSignal(window.controller.run_finished, timeout=60_000):
        window.run()
    out = tmp_path / "assignments.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    exporter = next(iter(window.findChildren(ExportActions)))
    with qtbot.waitSignal(exporter.assignments_written, timeout=60_000):
        exporter.export_assignments_action.trigger()
    assert errors == []
    written = np.loadtxt(out, delimiter=",", skiprows=1)
    whole = np.load(big_file)
    assert written.shape == (N_ROWS, 3 + 1 + 2 + 1)
    np.testing.assert_array_equal(written[:, :3], whole)
    result = window.document.result
    _, log_resp = engine.predict_log_resp(whole, result.params, result.options)
    np.testing.assert_array_equal(written[:, 3], np.argmax(log_resp, axis=1) + 1)
    np.testing.assert_allclose(written[:, 4:6], np.exp(log_resp), rtol=1e-9, atol=1e-12)
    assert "all 120,000 rows of the file written" in window.status_label.text().lower()


@pytest.fixture
def conversion_offered(tmp_path, monkeypatch):
    """Text files above 1 KB count as larger than a quarter of memory; the offer is
    accepted, and the result is asked to be written to ``out.parquet`` (pyarrow keeps the
    columns' names)."""
    from PySide6.QtWidgets import QFileDialog

    from emgui import dialogs
    from emgui.runs import conversion

    monkeypatch.setattr(conversion, "CONVERT_ABOVE_BYTES", 1000)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, text: asked.append(text) or True)
    out = tmp_path / "out.parquet"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    return asked, out


def write_csv(path: Path, n_rows: int) -> np.ndarray:
    rows = np.round(np.random.default_rng(2).normal(size=(n_rows, 3)), 6)
    np.savetxt(path, rows, delimiter=",", header="a,b,c", comments="", fmt="%.6f")
    return rows


def test_a_text_file_larger_than_a_quarter_of_memory_is_converted_then_opened(
    qtbot, window, tmp_path, conversion_offered, errors
):
    asked, out = conversion_offered
    rows = write_csv(tmp_path / "big.csv", 5_000)
    with qtbot.waitSignal(window.document.data_changed, timeout=30_000):
        assert window.open_file(tmp_path / "big.csv")
        assert window.task_bar.isVisibleTo(window)
        assert "Converting big.csv" in window.task_bar.label.text()
    assert "more than a quarter of this computer's memory" in asked[0]
    assert errors == []
    assert out.exists()
    np.testing.assert_array_equal(window.document.table.data, rows)
    assert window.document.table.columns == ["a", "b", "c"]


def test_cancelling_the_conversion_leaves_no_file_and_the_window_as_it_was(
    qtbot, window, tmp_path, conversion_offered, threads
):
    _, out = conversion_offered
    write_csv(tmp_path / "big.csv", 600_000)
    window.open_sample(window.sample_menu.actions()[0].data())
    name = window.document.name
    assert window.open_file(tmp_path / "big.csv")
    task = window.task_bar.tasks[-1]
    with qtbot.waitSignal(task.cancelled, timeout=5_000):
        window.task_bar.cancel_button.click()
    qtbot.waitUntil(lambda: not threads.busy(owner=window), timeout=30_000)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert window.document.name == name


def test_what_works_on_the_sample_only_says_so_and_k_counts_the_whole_file(
    qtbot, window, big_file
):
    from emgui.features import installed
    from emgui.features.analysis.selection_dialog import ModelSelectionDialog
    from emgui.features.teaching.lesson import Lesson

    open_big(qtbot, window, big_file)
    assert window.settings_panel.k_limit_label.text() == "120,000 rows: K can be at most 50."
    note = "on a 4,000-row sample of 120,000 rows"
    lesson = installed(window.host, Lesson)
    window.settings_panel.k_spin.setValue(2)
    lesson.e_step_action.trigger()
    qtbot.waitUntil(lambda: not lesson.step_pending)  # a turn after the docks
    assert note in lesson.resp_panel.title_label.text()
    assert f"half-steps run {note}" in window.status_label.text()
    lesson.end_session()
    # Choose K fits the sample too, and says so beside its Run button.
    action = next(a for a in window.analyse_menu.actions() if a.text().startswith("Choose"))
    action.trigger()
    dialog = next(d for d in window.findChildren(ModelSelectionDialog))
    assert not dialog.run_bar.scope_label.isVisibleTo(dialog)
    dialog.run_bar.run_button.click()
    assert dialog.run_bar.scope_label.isVisibleTo(dialog)
    assert dialog.run_bar.scope_label.text() == f"Runs {note}"
    dialog.cancel()
    qtbot.waitUntil(lambda: not dialog.is_running, timeout=60_000)
    dialog.close()


def test_data_read_whole_get_no_sample_note(qtbot, window):
    window.open_sample(window.sample_menu.actions()[0].data())
    table = window.document.table
    assert streamed.sample_note(table) == ""
    assert streamed.n_rows(table) == table.data.shape[0]
    assert window.settings_panel.k_limit_label.text().startswith(f"{table.data.shape[0]:,} rows")


def test_rows_spread_through_a_large_file_are_taken_a_batch_at_a_time(big_file, monkeypatch):
    monkeypatch.setattr(streamed, "TAKE_BATCH", 70)
    source = engine.NpySource(big_file)
    asked: list[int] = []
    take = source.take
    monkeypatch.setattr(source, "take", lambda rows: asked.append(len(rows)) or take(rows))
    rows = streamed.sample_rows(N_ROWS, 1000)
    got = CountingSource(source).take(rows)
    np.testing.assert_array_equal(got, np.load(big_file)[rows])
    assert max(asked) == 70 and sum(asked) == 1000
