"""The File menu's exports, copies, Apply Model and sessions, driven with patched dialogs."""

from __future__ import annotations

import errno
import json
import os
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

import engine
from emgui import dialogs
from emgui.features import installed
from emgui.features.export import actions as export_actions
from emgui.features.export import questions as export_questions
from emgui.features.export.actions import ExportActions
from emgui.features.sessions import questions as session_questions
from emgui.features.sessions.actions import SessionActions
from emgui.shell.main_window import MainWindow
from emio import exports, params_file
from emio import session as sessions
from emio.tables import TextOptions, read_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "emio" / "resources" / "samples"
SVG = "{http://www.w3.org/2000/svg}"


def actions_of(window: MainWindow) -> ExportActions:
    return installed(window.host, ExportActions)


def sessions_of(window: MainWindow) -> SessionActions:
    return installed(window.host, SessionActions)


def run_to_end(qtbot, window: MainWindow) -> engine.FitResult:
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        with qtbot.assertNotEmitted(window.controller.run_failed):
            window.run_actions.run.trigger()
    return finished.args[0]


def finish_tasks(qtbot, window: MainWindow) -> None:
    """Wait until every background task of ``window`` (and any task it chains) has ended,
    and what Apply Model brought back is shown (a turn of the event loop after its task)."""
    qtbot.waitUntil(
        lambda: not window.task_bar.tasks and not actions_of(window).is_applying, timeout=30_000
    )


def open_and_fit(qtbot, window: MainWindow, path: Path, k: int, seed: int = 1) -> engine.FitResult:
    assert window.open_file(path, ask=False)
    window.settings_panel.k_spin.setValue(k)
    window.settings_panel.seed_spin.setValue(seed)
    return run_to_end(qtbot, window)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """Copies of the samples, so tests may move and change them."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("blobs_2d.csv", "elongated_2d.csv"):
        shutil.copyfile(SAMPLES / name, folder / name)
    return folder


@pytest.fixture
def fitted(qtbot, window, data_dir):
    open_and_fit(qtbot, window, data_dir / "blobs_2d.csv", k=3)
    return window


class Dialogs:
    """Answers for the file dialogs, in order, and what each was asked."""

    def __init__(self, monkeypatch) -> None:
        self.saves: list[tuple[str, str]] = []
        self.opens: list[str] = []
        self.save_titles: list[str] = []
        self.open_titles: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._save)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._open)

    def _save(self, parent, title, start, filters, *args, **kwargs):
        self.save_titles.append(title)
        assert self.saves, f"unexpected save dialog {title!r}"
        path, chosen = self.saves.pop(0)
        assert not chosen or chosen in filters.split(";;")
        return path, chosen

    def _open(self, parent, title, start, filters, *args, **kwargs):
        self.open_titles.append(title)
        assert self.opens, f"unexpected open dialog {title!r}"
        return self.opens.pop(0), ""

    def save(self, path: Path | str, chosen: str = "") -> Dialogs:
        self.saves.append((str(path), chosen))
        return self

    def open(self, path: Path | str) -> Dialogs:
        self.opens.append(str(path))
        return self


@pytest.fixture
def files(monkeypatch) -> Dialogs:
    return Dialogs(monkeypatch)


@pytest.fixture
def extras(monkeypatch):
    """Answer the Export Parameters follow-up with every extra file."""
    asked = []

    def answer(parent, stem, chosen):
        asked.append((stem, dict(chosen)))
        return {key: True for key in export_questions.PARAMS_EXTRAS}

    monkeypatch.setattr(export_questions, "ask_params_extras", answer)
    return asked


def test_actions_sit_in_the_file_menu_before_quit(window):
    actions = actions_of(window)
    texts = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    expected = ["Open Sess&ion…", "Save Sessio&n…", "Appl&y Model to Data…",
                "Export &Parameters…", "Export &Assignments…", "Export &Trace…", "Export P&lot",
                "Copy Plot &Image", "Copy Parameters &Table", "Copy S&ummary", "&Quit"]
    assert texts[-len(expected):] == expected
    assert actions.export_params_action.shortcut() == QKeySequence("Ctrl+E")
    save = QKeySequence(QKeySequence.StandardKey.Save)
    assert sessions_of(window).save_session_action.shortcut() == save
    assert [a.text() for a in actions.export_plot_menu.actions()] == [
        "&Fit View…", "&Likelihood Plot…"]


def test_exports_wait_for_something_to_export(qtbot, window, data_dir):
    actions, sessions = actions_of(window), sessions_of(window)
    result_actions = (actions.export_params_action, actions.export_assignments_action,
                      actions.copy_summary_action, actions.export_trace_action,
                      actions.copy_params_table_action)
    assert not any(a.isEnabled() for a in result_actions)
    assert not actions.export_plot_menu.isEnabled() and not sessions.save_session_action.isEnabled()
    assert sessions.open_session_action.isEnabled() and actions.apply_model_action.isEnabled()
    assert window.open_file(data_dir / "blobs_2d.csv", ask=False)
    assert actions.export_plot_menu.isEnabled() and sessions.save_session_action.isEnabled()
    assert not any(a.isEnabled() for a in result_actions)
    window.settings_panel.k_spin.setValue(3)
    with qtbot.waitSignal(window.document.run_state_changed):
        window.run(paused=True)
    assert not sessions.save_session_action.isEnabled(), "nothing is saved halfway through a run"
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.pause.trigger()  # resume to the end
    assert all(a.isEnabled() for a in result_actions)
    window.reset()  # the actions follow the document, before any menu opens
    assert not any(a.isEnabled() for a in result_actions)


def test_export_parameters_writes_json_and_the_files_asked_for(fitted, files, extras, tmp_path,
                                                                errors):
    path = tmp_path / "out" / "fit"
    path.parent.mkdir()
    files.save(path)
    actions_of(fitted).export_params_action.trigger()
    assert errors == []
    assert extras == [("fit", {"components": False, "npz": False, "script": False})]
    result = fitted.document.result
    document = params_file.params_from_dict(
        json.loads((tmp_path / "out" / "fit.json").read_text(encoding="utf-8"))
    )
    for name, array in result.params.arrays().items():
        assert getattr(document.params, name).tobytes() == array.tobytes()
    components = pd.read_csv(tmp_path / "out" / "fit_components.csv")
    np.testing.assert_array_equal(components["weight"], result.params.weights)
    archive = np.load(tmp_path / "out" / "fit.npz", allow_pickle=False)
    np.testing.assert_array_equal(archive["means"], result.params.means)
    compile((tmp_path / "out" / "fit.py").read_text(encoding="utf-8"), "fit.py", "exec")
    assert "Wrote fit.json, fit_components.csv, fit.npz, fit.py" in fitted.status_label.text()
    assert fitted.settings.value("export/npz", type=bool) is True, "the choice is remembered"


def test_cancelling_either_question_writes_nothing(fitted, files, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    files.save("")
    actions_of(fitted).export_params_action.trigger()
    files.save(out / "fit.json")
    monkeypatch.setattr(export_questions, "ask_params_extras", lambda *args: None)
    actions_of(fitted).export_params_action.trigger()
    assert list(out.iterdir()) == []
    assert not files.saves, "both dialogs were shown"


def test_export_assignments_writes_every_row_with_its_component(qtbot, fitted, files, tmp_path,
                                                                errors):
    path = tmp_path / "assignments.csv"
    files.save(path)
    with qtbot.waitSignal(actions_of(fitted).assignments_written, timeout=30_000) as written:
        actions_of(fitted).export_assignments_action.trigger()
    assert written.args == [str(path)]
    assert errors == []
    frame = pd.read_csv(path)
    assert list(frame.columns) == ["x", "y", "component", "resp_1", "resp_2", "resp_3",
                                   "uncertainty"]
    table, result = fitted.document.table, fitted.document.result
    np.testing.assert_array_equal(frame[["x", "y"]], table.data)
    _, log_resp = engine.predict_log_resp(table.data, result.params, result.options)
    np.testing.assert_array_equal(frame["component"], np.argmax(log_resp, axis=1) + 1)
    np.testing.assert_array_equal(frame["component"] - 1, result.labels)
    np.testing.assert_allclose(frame[["resp_1", "resp_2", "resp_3"]].sum(axis=1), 1.0)
    assert fitted.status_label.text().endswith("All 600 rows written.")


@pytest.mark.parametrize("choice", list(export_actions.TRACE_FILTERS))
def test_export_trace_in_each_format(fitted, files, tmp_path, choice):
    kind, with_params = export_actions.TRACE_FILTERS[choice]
    path = tmp_path / f"trace.{kind}"
    files.save(path, choice)
    actions_of(fitted).export_trace_action.trigger()
    snapshots = fitted.document.snapshots
    if kind == "csv":
        frame = pd.read_csv(path)
        np.testing.assert_array_equal(frame["log_likelihood"], fitted.document.result.history)
        assert ("means[1,x]" in frame.columns) == with_params
    else:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert len(doc["iterations"]) == len(snapshots)
        assert ("params" in doc["iterations"][-1]) == with_params
        if with_params:
            assert doc["iterations"][-1]["params"]["means"] == snapshots[-1].params.means.tolist()


@pytest.mark.parametrize("key", ["fit", "likelihood"])
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_export_plot_as_png_at_each_scale(fitted, files, tmp_path, key, scale):
    choice = next(f for f, s in export_actions.PLOT_FILTERS.items() if s == scale)
    path = tmp_path / f"{key}.png"
    files.save(path, choice)
    actions = actions_of(fitted)
    actions.export_plot_actions[key].trigger()
    image = QImage(str(path))
    assert not image.isNull()
    widget = fitted.host.canvas.plot_widget(key)
    assert (image.width(), image.height()) == (widget.width() * scale, widget.height() * scale)
    # Not blank: the plot's colours are there.
    pixels = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7)
              for y in range(0, image.height(), 7)}
    assert len(pixels) > 5


@pytest.mark.parametrize("key", ["fit", "likelihood"])
def test_export_plot_as_svg_draws_vector_paths(fitted, files, tmp_path, key):
    path = tmp_path / f"{key}.svg"
    files.save(path, "SVG drawing (*.svg)")
    actions_of(fitted).export_plot_actions[key].trigger()
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    paths = list(root.iter(f"{SVG}path"))
    # 600 points, 3 means and 9 ellipses; or 2 markers and the curve.
    assert len(paths) > (600 if key == "fit" else 2), "points are paths, not one bitmap"
    assert not list(root.iter(f"{SVG}image"))
    assert any(t.text and t.text.strip() == "x" for t in root.iter(f"{SVG}text")) == (key == "fit")


def test_copy_plot_table_and_summary(fitted):
    actions = actions_of(fitted)
    clipboard = QGuiApplication.clipboard()
    actions.copy_plot_actions["fit"].trigger()
    widget = fitted.host.canvas.plot_widget("fit")
    assert clipboard.image().size() == widget.size() * widget.devicePixelRatioF()
    actions.copy_params_table_action.trigger()
    assert clipboard.text() == fitted.params_table.as_text()
    assert clipboard.text().startswith("component\tweight\tmean(x)")
    actions.copy_summary_action.trigger()
    result = fitted.document.result
    assert clipboard.text() == exports.summary_text(result, ["x", "y"])
    assert f"BIC:              {result.bic:.4f}" in clipboard.text()


def refuse_writes(monkeypatch, code: int) -> None:
    real_open = os.open

    def refused(file, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)


@pytest.mark.parametrize(("code", "reason"), [
    (errno.EROFS, "the drive is read-only"), (errno.ENOSPC, "the disk is full"),
])
def test_a_refused_write_says_why_and_loses_nothing(qtbot, fitted, files, tmp_path, monkeypatch,
                                                    errors, code, reason):
    result, table = fitted.document.result, fitted.document.table
    targets = {
        "params": tmp_path / "fit.json",
        "assignments": tmp_path / "rows.csv",
        "session": tmp_path / "work.emsession",
        "plot": tmp_path / "plot.png",
    }
    for path in targets.values():
        path.write_text("previous", encoding="utf-8")
        files.save(path)
    monkeypatch.setattr(export_questions, "ask_params_extras", lambda *a: {"components": True})
    refuse_writes(monkeypatch, code)
    actions = actions_of(fitted)
    actions.export_params_action.trigger()
    actions.export_assignments_action.trigger()
    finish_tasks(qtbot, fitted)
    sessions_of(fitted).save_session_action.trigger()
    finish_tasks(qtbot, fitted)
    actions.export_plot_actions["fit"].trigger()
    assert [message for message, _ in errors] == [
        f"cannot write {path}: {reason}; " + ("choose a folder on another drive"
                                             if code == errno.EROFS else
                                             "free some space or choose another drive")
        for path in targets.values()
    ]
    assert all(path.read_text(encoding="utf-8") == "previous" for path in targets.values())
    assert not (tmp_path / "fit_components.csv").exists()
    assert fitted.document.result is result and fitted.document.table is table
    assert actions.export_params_action.isEnabled()


def test_apply_model_to_data_without_refitting(qtbot, fitted, files, tmp_path, monkeypatch,
                                               errors):
    result = fitted.document.result
    params_path = tmp_path / "model.json"
    exports.write_params(params_path, result, ["x", "y"])
    rng = np.random.default_rng(3)
    new = rng.normal(size=(40, 2)) * 2
    data_path = tmp_path / "new.csv"
    pd.DataFrame({"label": [f"r{i}" for i in range(40)], "y": new[:, 1], "x": new[:, 0]}).to_csv(
        data_path, index=False, float_format="%.17g")
    fitted.reset()
    fitted.settings_panel.k_spin.setValue(5)
    questions = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, q: questions.append(q) or True)
    assignments = tmp_path / "new_assignments.csv"
    files.open(params_path).open(data_path).save(assignments)
    actions_of(fitted).apply_model_action.trigger()
    finish_tasks(qtbot, fitted)
    assert errors == []
    assert "Columns x, y" in files.open_titles[1]
    applied = fitted.document.result
    assert applied.n_iter == 0 and len(fitted.document.snapshots) == 1
    assert fitted.document.table.columns == ["x", "y"] and fitted.document.name == "new.csv"
    np.testing.assert_array_equal(fitted.document.table.data, new)
    for name, array in result.params.arrays().items():
        assert getattr(applied.params, name).tobytes() == array.tobytes()
    assert fitted.settings_panel.k_spin.value() == 3
    assert fitted.document.shown_snapshot() is fitted.document.snapshots[0]
    log_norm, log_resp = engine.predict_log_resp(new, result.params, result.options)
    assert applied.log_likelihood == pytest.approx(log_norm.sum(), rel=1e-12)
    assert "Export the assignments" in questions[0]
    frame = pd.read_csv(assignments)
    np.testing.assert_array_equal(frame["component"], np.argmax(log_resp, axis=1) + 1)
    np.testing.assert_allclose(frame[["resp_1", "resp_2", "resp_3"]], np.exp(log_resp),
                               rtol=1e-15, atol=1e-300)


def test_apply_model_to_data_with_other_columns_is_refused(qtbot, fitted, files, tmp_path, errors,
                                                           monkeypatch):
    result, table = fitted.document.result, fitted.document.table
    params_path = tmp_path / "model.json"
    exports.write_params(params_path, result, ["x", "y"])
    data_path = tmp_path / "one.csv"
    data_path.write_text("z\n1\n2\n3\n", encoding="utf-8")
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a: pytest.fail("nothing to export"))
    files.open(params_path).open(data_path)
    actions_of(fitted).apply_model_action.trigger()
    finish_tasks(qtbot, fitted)
    assert len(errors) == 1
    assert errors[0][0] == (
        "cannot apply model.json to one.csv: one.csv has 1 numeric column (z) but the model "
        "needs 2 (x, y); choose a file with those columns"
    )
    assert fitted.document.result is result and fitted.document.table is table
    files.open(data_path)
    actions_of(fitted).apply_model_action.trigger()
    finish_tasks(qtbot, fitted)
    assert errors[1][0].startswith("one.csv is not valid JSON (line 1, column 1: ")


def save_session(qtbot, window: MainWindow, files: Dialogs, path: Path) -> None:
    files.save(path)
    with qtbot.waitSignal(sessions_of(window).session_saved, timeout=30_000):
        sessions_of(window).save_session_action.trigger()
    assert path.is_file()


def open_session(qtbot, window: MainWindow) -> bool:
    """Open Session (the dialogs answered already); whether the window now shows it."""
    with qtbot.waitSignal(sessions_of(window).open_finished, timeout=30_000) as opened:
        sessions_of(window).open_session_action.trigger()
    return opened.args[0]


def test_a_session_reopens_the_window_exactly(
    qtbot, window, files, data_dir, tmp_path, errors, new_window
):
    result = open_and_fit(qtbot, window, data_dir / "elongated_2d.csv", k=2)
    assert result.n_iter > 10
    window.uncertainty_action.setChecked(True)
    window.iteration_slider.setValue(5)  # scrubbed back to iteration 5
    path = tmp_path / f"work{sessions.SUFFIX}"
    save_session(qtbot, window, files, path)

    again = new_window()
    files.open(path)
    assert open_session(qtbot, again)
    assert errors == []
    np.testing.assert_array_equal(again.document.table.data, window.document.table.data)
    assert again.document.table.columns == window.document.table.columns and again.document.name == window.document.name
    assert again.settings_panel.options() == window.settings_panel.options()
    assert again.document.fit_options() == window.document.fit_options()
    restored = again.document.result
    for name, array in result.params.arrays().items():
        assert getattr(restored.params, name).tobytes() == array.tobytes()
    assert restored.history == result.history and restored.bic == result.bic
    assert len(again.document.snapshots) == len(window.document.snapshots)
    slider, original = again.iteration_slider, window.iteration_slider
    assert (slider.minimum(), slider.maximum(), slider.value()) == (
        original.minimum(), original.maximum(), 5)
    assert slider.isEnabled()
    assert again.document.shown_snapshot().iteration == 5
    assert again.params_table.as_text() == window.params_table.as_text()
    assert again.uncertainty_action.isChecked()
    assert again.windowTitle() == window.windowTitle()
    assert actions_of(again).export_params_action.isEnabled()
    assert again.status_label.text().startswith(
        f"Opened session {path.name}: elongated_2d.csv, Gaussian K=2, log-likelihood"
    )
    slider.setValue(slider.maximum())  # the slider works after reopening
    assert again.document.shown_snapshot() is again.document.snapshots[-1]
    again.close()


def test_a_session_of_a_sample_reopens_the_sample(
    qtbot, window, files, tmp_path, errors, new_window
):
    window.open_sample("counts")
    run_to_end(qtbot, window)
    path = tmp_path / f"counts{sessions.SUFFIX}"
    save_session(qtbot, window, files, path)
    again = new_window()
    files.open(path)
    assert open_session(qtbot, again)
    assert errors == []
    assert again.document.sample is not None and again.document.sample.id == "counts"
    assert again.description_label.text() == window.description_label.text()
    assert again.settings_panel.options() == window.settings_panel.options()
    assert again.views.kind == "discrete"
    again.close()


def answer_data_question(monkeypatch, answer: str) -> list[tuple[str, bool]]:
    asked = []
    monkeypatch.setattr(session_questions, "ask_data_action",
                        lambda parent, message, can_use: asked.append((message, can_use)) or answer)
    return asked


def test_moved_data_is_located(
    qtbot, fitted, files, data_dir, tmp_path, monkeypatch, errors, new_window
):
    path = tmp_path / f"work{sessions.SUFFIX}"
    save_session(qtbot, fitted, files, path)
    moved = tmp_path / "elsewhere.csv"
    (data_dir / "blobs_2d.csv").rename(moved)
    asked = answer_data_question(monkeypatch, session_questions.DATA_LOCATE)
    again = new_window()
    files.open(path).open(moved)
    assert open_session(qtbot, again)
    assert errors == []
    message, can_use = asked[0]
    assert "is missing" in message and str(data_dir / "blobs_2d.csv") in message
    assert not can_use
    assert again.document.table.source == moved
    np.testing.assert_array_equal(again.document.table.data, fitted.document.table.data)
    assert again.document.result is not None
    assert "Note:" not in again.status_label.text(), "the located file is the same file"
    again.close()


def test_giving_up_on_missing_data_changes_nothing(
    qtbot, fitted, files, data_dir, tmp_path, monkeypatch, errors, new_window
):
    path = tmp_path / f"work{sessions.SUFFIX}"
    save_session(qtbot, fitted, files, path)
    (data_dir / "blobs_2d.csv").unlink()
    answer_data_question(monkeypatch, session_questions.DATA_CANCEL)
    again = new_window()
    files.open(path)
    assert not open_session(qtbot, again)
    assert again.document.table is None and again.document.result is None
    assert errors == []
    again.close()


def test_data_replaced_by_a_folder_is_called_a_folder(
    qtbot, fitted, files, data_dir, tmp_path, monkeypatch, errors, new_window
):
    path = tmp_path / f"work{sessions.SUFFIX}"
    save_session(qtbot, fitted, files, path)
    data = data_dir / "blobs_2d.csv"
    data.unlink()
    data.mkdir()
    asked = answer_data_question(monkeypatch, session_questions.DATA_CANCEL)
    again = new_window()
    files.open(path)
    assert not open_session(qtbot, again)
    assert asked == [(f"The session's data file {data} is a folder, not a data file. "
                      "Locate it to reopen the session.", False)]
    assert again.document.table is None and errors == []
    again.close()


def test_changed_data_warns_and_can_be_used(
    qtbot, fitted, files, data_dir, tmp_path, monkeypatch, errors, new_window
):
    path = tmp_path / f"work{sessions.SUFFIX}"
    save_session(qtbot, fitted, files, path)
    data = data_dir / "blobs_2d.csv"
    data.write_text(data.read_text(encoding="utf-8") + "0.5,0.5\n", encoding="utf-8")
    asked = answer_data_question(monkeypatch, session_questions.DATA_USE)
    again = new_window()
    files.open(path)
    assert open_session(qtbot, again)
    assert errors == []
    assert "has changed" in asked[0][0] and asked[0][1]
    assert again.document.table.n_samples == 601
    assert again.document.result is not None
    assert "Note: the data file changed since the session was saved" in again.status_label.text()
    again.close()


def test_a_damaged_session_is_reported_and_changes_nothing(qtbot, fitted, files, tmp_path,
                                                           errors):
    result = fitted.document.result
    path = tmp_path / f"bad{sessions.SUFFIX}"
    path.write_text('{"format": "em-studio-session", "version": 1}', encoding="utf-8")
    files.open(path)
    assert not open_session(qtbot, fitted)
    assert len(errors) == 1
    assert errors[0][0].startswith(f"cannot open the session: {path.name}: the session file has")
    assert fitted.document.result is result


def test_install_adds_one_set_of_actions(window):
    assert len(window.findChildren(ExportActions)) == 1
    assert len(window.findChildren(SessionActions)) == 1


def test_sessions_record_the_import_choices_and_read_the_file_back_the_same_way(
        qtbot, window, files, tmp_path, errors):
    source = tmp_path / "odd.csv"
    source.write_text("x,y\n1,2\n3,4\n5,6\n", encoding="utf-8")
    # As if chosen in the import preview: no header, the first two lines skipped.
    options = TextOptions(header=False, skip_rows=2)
    window.document.set_data(read_table(source, options), source.name)
    path = tmp_path / f"odd{sessions.SUFFIX}"
    save_session(qtbot, window, files, path)
    assert errors == []
    assert "could not be recorded" not in window.status_label.text()
    session = sessions.load_session(path)
    assert session.data.text_options == options
    np.testing.assert_array_equal(session.data.read().data, [[3, 4], [5, 6]])
    window.document.set_data(read_table(SAMPLES / "blobs_2d.csv"), "blobs_2d.csv")
    save_session(qtbot, window, files, tmp_path / f"blobs{sessions.SUFFIX}")
    assert window.status_label.text().endswith("Reopen it with File > Open Session.")


def test_the_extras_question_offers_each_file_by_name(qtbot):
    dialog = export_questions.ParamsExtrasDialog(None, "fit", {"npz": True})
    qtbot.addWidget(dialog)
    assert [box.text() for box in dialog.boxes.values()] == [
        "components table for spreadsheets (fit_components.csv)", "NumPy arrays (fit.npz)",
        "Python script that applies the parameters to new data (fit.py)"]
    assert dialog.chosen() == {"components": False, "npz": True, "script": False}
    dialog.boxes["script"].setChecked(True)
    assert dialog.chosen()["script"] is True


@pytest.mark.parametrize(("can_use", "button", "answer"), [
    (True, "Use It As It Is", session_questions.DATA_USE),
    (False, "Locate the File…", session_questions.DATA_LOCATE),
    (True, "Cancel", session_questions.DATA_CANCEL),
])
def test_the_data_question_returns_the_button_pressed(qtbot, can_use, button, answer):
    seen = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.extend(b.text() for b in box.buttons())
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()

    QTimer.singleShot(0, press)
    assert session_questions.ask_data_action(None, "The data file is missing.", can_use) == answer
    assert ("Use It As It Is" in seen) == can_use


def test_export_assignments_of_rows_with_gaps_gives_the_expected_values(
    qtbot, window, files, tmp_path, errors
):
    window.open_sample("heights_weights_gaps")
    result = run_to_end(qtbot, window)
    path = tmp_path / "assignments.csv"
    files.save(path)
    with qtbot.waitSignal(actions_of(window).assignments_written, timeout=30_000):
        actions_of(window).export_assignments_action.trigger()
    assert errors == []
    frame = pd.read_csv(path)
    assert list(frame.columns) == [
        "height_cm", "weight_kg", "height_cm_expected", "weight_kg_expected",
        "component", "resp_1", "resp_2", "uncertainty",
    ]
    table = window.document.table
    missing = np.isnan(table.data)
    filled = engine.impute(table.data, result.params, result.options, per_component=False)
    for d, name in enumerate(table.columns):
        # Observed values as read and no expectation; a missing one blank, with EM's.
        np.testing.assert_array_equal(frame[name][~missing[:, d]], table.data[~missing[:, d], d])
        assert frame[name][missing[:, d]].isna().all()
        assert frame[f"{name}_expected"][~missing[:, d]].isna().all()
        np.testing.assert_array_equal(
            frame[f"{name}_expected"][missing[:, d]], filled.values[missing[:, d], d]
        )
