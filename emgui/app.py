"""Starting the window: ``python main.py [FILE] [--model M] [--k K] [--run] [--screenshot PNG]``.

The application, not the window, sets up what is process-wide: the garbage
collection guard (:mod:`emgui.gc_guard`), the BLAS thread limiter and the one
thread registry; then it builds the window and installs the features
(:data:`FEATURES`) with the window's host.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

import engine
from emgui import gc_guard
from emgui.features import (
    analysis, export, labels, legend, plot_menus, seeing, sessions, standardize, teaching,
)
from emgui.features import help as help_menu
from emgui.runs.registry import ThreadRegistry, application_registry
from emgui.shell.host import Host
from emgui.shell.main_window import DEFAULT_SIZE, MainWindow
from emgui.shell.window_layout import first_widths
from emgui.views import declared
from emio.blas import register_blas_limiter
from emio.samples import load_catalogue

ORGANIZATION = "EMStudio"
APPLICATION = "EM Studio"
DEFAULT_SAMPLE = "blobs"
#: How long a thread runs Python before handing the GIL to a thread waiting for it
#: (Python's default is 5 ms). A paint calls into Python hundreds of times, and each
#: call waited up to the whole interval while a worker parsed a session in Python: one
#: paint of 5 ms of the GUI thread's CPU took 86 ms. At 1 ms, opening a session of a
#: million rows blocks the window 54-62 ms at most (82-106 at 5 ms); fits take as long.
GIL_SWITCH_INTERVAL = 0.001
#: Every feature's installer, in the order their menu items appear.
FEATURES: tuple[Callable[[Host], QObject], ...] = (
    sessions.install,
    export.install,
    analysis.install,
    teaching.install,
    legend.install,
    labels.install,
    seeing.install,
    standardize.install,
    help_menu.install,
    plot_menus.install,
)


def user_settings() -> QSettings:
    """The user's persistent settings (tests redirect IniFormat's path)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def prepare_application() -> QApplication:
    """The ``QApplication``, with everything process-wide in place before any window."""
    register_blas_limiter()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    gc_guard.install()  # before any background thread can run (see emgui.gc_guard)
    application_registry()
    if app.platformName() == "offscreen":
        app.aboutToQuit.connect(empty_offscreen_clipboard)
    return app


def empty_offscreen_clipboard() -> None:
    """Drop what the clipboard holds before the application goes.

    Qt 6.11's offscreen platform crashes the process at exit (SIGSEGV) when its
    clipboard still holds a ``QMimeData`` (Copy as HTML puts one there); a
    screen's own platform hands the clipboard on and needs nothing.
    """
    QApplication.clipboard().clear()


def build_window(settings: QSettings, threads: ThreadRegistry | None = None) -> MainWindow:
    """A window with every feature installed."""
    window = MainWindow(settings, threads)
    for install in FEATURES:
        install(window.host)
    return window


def _components(text: str) -> int:
    """``--k``: a whole number of at least 1 (the settings would clamp 0 to 1 silently)."""
    try:
        k = int(text)
    except ValueError:
        k = 0
    if k < 1:
        raise argparse.ArgumentTypeError(f"K must be a whole number of at least 1, not {text!r}")
    return k


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="em-studio", description="EM Studio: watch EM fit mixtures.")
    parser.add_argument("file", nargs="?", help="a data file to open")
    parser.add_argument("--model", choices=engine.model_names(), help="mixture model")
    parser.add_argument("--k", type=_components, help="number of components")
    # Each model's own options, as its declaration names them (--covariance, --trials, ...).
    for spec in declared.every_option().values():
        if spec.cli_flag:
            parser.add_argument(spec.cli_flag, dest=f"option_{spec.name}", help=spec.cli_help,
                                metavar=spec.title.upper().replace(" ", "_"))
    parser.add_argument("--sample", choices=[sample.id for sample in load_catalogue()],
                        help="open a bundled sample by its id instead of a file")
    parser.add_argument("--run", action="store_true", help="run the fit at once")
    parser.add_argument("--screenshot", type=Path,
                        help="save a picture of the window when the fit has finished, then exit")
    return parser


def model_options(args: argparse.Namespace) -> dict[str, object]:
    """The models' options given on the command line, read as their declarations say."""
    given = {}
    for spec in declared.every_option().values():
        text = getattr(args, f"option_{spec.name}", None)
        if text is not None:
            value = spec.from_text(text) if spec.from_text is not None else text
            given[spec.name] = spec.normalise(value)
    return given


class _Screenshot(QObject):
    """Saves a picture of ``window`` once its fit has ended (or at once), then closes it."""

    def __init__(self, window: MainWindow, path: Path, app: QApplication) -> None:
        super().__init__(window)
        self._window, self._path, self._app = window, path, app

    def take_after_fit(self) -> None:
        self._window.controller.run_finished.connect(self._on_controller_run_finished)
        self._window.controller.run_failed.connect(self._on_controller_run_failed)

    def take_soon(self, milliseconds: int) -> None:
        QTimer.singleShot(milliseconds, self.save_and_quit)

    def save_and_quit(self) -> None:
        if not self._window.grab().save(str(self._path)):
            print(f"error: could not write {self._path}", file=sys.stderr)
            self._app.exit(2)
            return
        self._window.close()

    def _on_controller_run_finished(self, result: engine.FitResult) -> None:
        self.take_soon(200)

    def _on_controller_run_failed(self, message: str, details: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        self._app.exit(2)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.file and not Path(args.file).exists():
        # Said at the terminal it was typed in, before a window waits on an error dialog.
        print(f"error: there is no file {args.file}; check the name and the folder",
              file=sys.stderr)
        return 2
    app = prepare_application()
    window = build_window(user_settings())
    window.show_with_default_size()
    gc_guard.settle()  # the window lives as long as the application
    if args.file:
        if not window.open_file(args.file, ask=False):
            return 2
    else:
        window.open_sample(args.sample or DEFAULT_SAMPLE)
    document = window.document
    changes = {"model": args.model, "n_components": args.k}
    if args.model is not None:
        changes["e_step"] = declared.default_e_step(args.model)
    changes = {name: value for name, value in changes.items() if value is not None}
    try:
        changes.update(model_options(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if changes:
        document.set_options(document.options.replace(**changes), init_mode=document.init_mode)
    if args.screenshot:
        # The same picture whatever size the user last left the window at.
        window.resize(*DEFAULT_SIZE)
        first_widths(window, window.settings_dock, window.results_dock)
        screenshot = _Screenshot(window, args.screenshot, app)
        if args.run:
            screenshot.take_after_fit()
        else:
            screenshot.take_soon(500)
    if args.run:
        QTimer.singleShot(0, window.run)
    return app.exec()
