"""Starting the window: ``python main.py [FILE] [--model M] [--k K] [--run] [--screenshot PNG]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

import engine
from emgui import gc_guard
from emio.blas import register_blas_limiter

ORGANIZATION = "EMStudio"
APPLICATION = "EM Studio"
DEFAULT_SAMPLE = "blobs"


def user_settings() -> QSettings:
    """The user's persistent settings (tests redirect IniFormat's path)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="em-studio", description="EM Studio: watch EM fit mixtures.")
    parser.add_argument("file", nargs="?", help="a data file to open")
    parser.add_argument("--model", choices=engine.MODEL_NAMES, help="mixture model")
    parser.add_argument("--k", type=int, help="number of components")
    parser.add_argument("--covariance", choices=engine.COVARIANCE_TYPES, help="covariance type")
    parser.add_argument("--sample", help="open a bundled sample by its id instead of a file")
    parser.add_argument("--run", action="store_true", help="run the fit at once")
    parser.add_argument("--screenshot", type=Path,
                        help="save a picture of the window when the fit has finished, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    register_blas_limiter()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    from emgui.main_window import DEFAULT_SIZE, MainWindow

    window = MainWindow(user_settings())
    window.show_with_default_size()
    gc_guard.settle()  # the window lives as long as the application
    if args.file:
        if not window.open_file(args.file, ask=False):
            return 2
    else:
        window.open_sample(args.sample or DEFAULT_SAMPLE)
    panel = window.settings_panel
    if args.model:
        panel.model_combo.setCurrentIndex(panel.model_combo.findData(args.model))
    if args.k:
        panel.k_spin.setValue(args.k)
    if args.covariance:
        panel.covariance_combo.setCurrentIndex(panel.covariance_combo.findData(args.covariance))
    if args.screenshot:
        screenshot: Path = args.screenshot
        # The same picture whatever size the user last left the window at.
        window.resize(*DEFAULT_SIZE)

        def save_and_quit() -> None:
            if not window.grab().save(str(screenshot)):
                print(f"error: could not write {screenshot}", file=sys.stderr)
                app.exit(2)
                return
            window.close()

        def fit_failed(message: str, details: str) -> None:
            print(f"error: {message}", file=sys.stderr)
            app.exit(2)

        if args.run:
            # The controller emits these from the GUI thread, so plain callables are safe.
            window.controller.run_finished.connect(lambda _: QTimer.singleShot(200, save_and_quit))
            window.controller.run_failed.connect(fit_failed)
        else:
            QTimer.singleShot(500, save_and_quit)
    if args.run:
        QTimer.singleShot(0, window.run)
    return app.exec()
