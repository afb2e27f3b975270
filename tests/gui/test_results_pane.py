"""The Results pane (issue 19 point 8): titled tables of the shown iteration that never cut a
column off, copied as text or HTML and exported."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

import engine
from emgui.shell.main_window import MainWindow
from emio.exports.summary import component_sizes


def run_sample(qtbot, window: MainWindow, sample: str = "blobs") -> engine.FitResult:
    assert window.open_sample(sample)
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000) as finished:
        with qtbot.assertNotEmitted(window.controller.run_failed):
            window.run_actions.run.trigger()
    return finished.args[0]


def rows_of(report, title: str) -> dict[str, tuple[str, ...]]:
    table = next(t for t in report.tables if t.title == title)
    return {row[0]: row[1:] for row in table.rows}


def test_the_results_are_in_front_and_list_the_finished_fit(qtbot, window):
    result = run_sample(qtbot, window)
    pane = window.results_pane
    qtbot.waitUntil(lambda: pane.isVisible() and pane.report is not None)
    report = pane.report
    assert [t.title for t in report.tables] == ["Parameters", "Sizes", "Criteria", "Convergence"]
    parameters = rows_of(report, "Parameters")
    np.testing.assert_allclose([float(v) for v in parameters["weight"]], result.params.weights,
                               rtol=1e-3)
    sizes = rows_of(report, "Sizes")
    assert [int(v) for v in sizes["rows assigned"]] == list(component_sizes(result))
    criteria = rows_of(report, "Criteria")
    assert float(criteria["BIC"][0]) == round(result.bic, 2)
    assert criteria["free parameters"] == (str(result.n_parameters),)
    convergence = rows_of(report, "Convergence")
    assert convergence["converged"] == ("yes" if result.converged else "no",)
    assert convergence["iteration"] == (str(result.n_iter),)
    text = pane.browser.toPlainText()
    for title in ("Parameters", "Sizes", "Criteria", "Convergence"):
        assert title in text


def test_scrubbing_back_shows_that_iterations_report(qtbot, window):
    run_sample(qtbot, window)
    window.iteration_slider.setValue(0)
    pane = window.results_pane
    first = window.document.snapshot(0)
    assert rows_of(pane.report, "Convergence")["iteration"] == ("0",)
    np.testing.assert_allclose([float(v) for v in rows_of(pane.report, "Parameters")["weight"]],
                               first.params.weights, rtol=1e-3)
    assert "BIC" not in rows_of(pane.report, "Criteria")  # the fit's verdict is at its end
    assert "looking back" in pane.text()


def number_lines(browser) -> dict[str, int]:
    """How many lines each number of the report is laid out on."""
    lines = {}
    block = browser.document().begin()
    while block.isValid():
        text = block.text().strip()
        try:
            float(text)
        except ValueError:
            pass
        else:
            lines[text] = max(lines.get(text, 0), block.layout().lineCount())
        block = block.next()
    return lines


@pytest.mark.parametrize("width", [240, 320])
def test_no_column_is_cut_off_in_a_narrow_pane(qtbot, window, width):
    """However narrow the pane, every number is whole on one line, and what does not fit
    its width can be scrolled to (nothing is clipped out of reach)."""
    result = run_sample(qtbot, window, "blobs")
    pane = window.results_pane
    window.results_dock.setFloating(True)
    window.results_dock.resize(width, 500)
    browser = pane.browser
    qtbot.waitUntil(lambda: browser.viewport().width() <= width)
    lines = number_lines(browser)
    assert f"{result.params.weights[0]:.4g}" in lines
    assert set(lines.values()) == {1}, lines
    excess = browser.document().size().width() - browser.viewport().width()
    assert browser.horizontalScrollBar().maximum() >= excess - 1


def test_copy_as_text_and_as_html(qtbot, window):
    result = run_sample(qtbot, window)
    pane = window.results_pane
    clipboard = QGuiApplication.clipboard()
    pane.copy_text_action.trigger()
    text = clipboard.text()
    assert text.startswith("Gaussian mixture") and "Parameters\n----------" in text
    assert f"{result.bic:.2f}" in text
    pane.copy_html_action.trigger()
    mime = clipboard.mimeData()
    assert mime.hasHtml() and "<table" in mime.html() and "<h3>Sizes</h3>" in mime.html()
    assert mime.text() == text


def test_export_writes_html_or_text(qtbot, window, tmp_path, monkeypatch):
    run_sample(qtbot, window)
    pane = window.results_pane
    for name, chosen in (("report.html", "HTML page (*.html)"), ("report.txt", "Plain text (*.txt)")):
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda *args, n=name, c=chosen: (str(tmp_path / n), c))
        pane.export_action.trigger()
    assert window.statusBar().currentMessage() == f"Wrote report.txt in {tmp_path}."
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == pane.html()
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == pane.text()


def test_an_export_that_cannot_be_written_says_so(qtbot, window, tmp_path, monkeypatch, errors):
    run_sample(qtbot, window)
    target = tmp_path / "missing" / "report.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (str(target), "HTML page (*.html)"))
    window.results_pane.export_action.trigger()
    assert errors and "report.html" in errors[0][0]
    assert not target.exists()


def test_before_a_fit_there_is_nothing_to_copy(qtbot, window):
    assert window.open_sample("blobs")
    pane = window.results_pane
    assert pane.report is None
    assert not pane.copy_text_action.isEnabled() and not pane.export_action.isEnabled()


def test_the_application_exits_cleanly_after_a_copy_as_html(tmp_path):
    # Qt's offscreen platform crashed the process at exit while the clipboard held the
    # report's QMimeData; the application empties it as it quits.
    script = (
        "from PySide6.QtCore import QMimeData, QTimer\n"
        "from emgui.app import prepare_application\n"
        "app = prepare_application()\n"
        "mime = QMimeData(); mime.setHtml('<b>report</b>'); mime.setText('report')\n"
        "app.clipboard().setMimeData(mime)\n"
        "QTimer.singleShot(0, app.quit)\n"
        "raise SystemExit(app.exec())\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]


def test_a_row_name_wraps_before_its_bracket_never_after_it(qtbot, window):
    """A narrow pane wrapped "mean(" above "height_cm)"; the name now breaks before the
    bracket and after a comma, so each line reads as a whole."""
    from emgui.shell.report import table_html, ReportTable

    table = ReportTable("Parameters", ("", "1"), (("mean(height_cm)", "1"),
                                                  ("cov(height_cm,weight_kg)", "2")))
    page = table_html(table, "#a0a0a0")
    assert "mean\u200b(height_cm)" in page
    assert "cov\u200b(height_cm,\u200bweight_kg)" in page
    assert "(\u200b" not in page
    # In a narrow pane the lines of the name start with its bracket.
    run_sample(qtbot, window, "heights_weights_gaps")
    window.results_dock.raise_()
    window.results_pane.resize(160, 600)
    document = window.results_pane.browser.document()
    document.setTextWidth(160)
    block = document.begin()
    lines = []
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            lines.append(block.text()[line.textStart():line.textStart() + line.textLength()])
        block = block.next()
    assert not [line for line in lines if line.rstrip("\u200b").endswith("(")], lines
