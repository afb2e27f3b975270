"""Opening data: files (through the import preview, or read in the background) and samples.

Whatever is opened ends in :meth:`Document.set_data`; problems reach the user
through :func:`emgui.dialogs.show_error` and leave the document as it was.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from emgui import dialogs
from emgui.runs import conversion
from emgui.runs.data_loader import DataLoader
from emgui.runs.registry import ThreadRegistry
from emgui.runs.task import Task
from emgui.shell.document import Document
from emgui.shell.file_types import TEXT_SUFFIXES
from emgui.shell.import_dialog import ImportDialog
from emgui.shell.recent_files import RecentFiles
from emio import samples as sample_catalogue
from emio.tables import Table, gap_policy, read_table
from engine.models import registry

#: Files larger than this are read on a background thread with a busy indicator.
BACKGROUND_LOAD_BYTES = 2_000_000


class DataOpener(QObject):
    """Opens files and samples into ``document``; dialogs and errors go over ``parent``."""

    busy_changed = Signal(bool)
    """True while a large file is read in the background."""
    status = Signal(str)
    """What the opener is doing, for the status bar."""

    def __init__(
        self,
        document: Document,
        recent: RecentFiles,
        settings: QSettings,
        threads: ThreadRegistry,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._recent = recent
        self._settings = settings
        self._parent = parent
        self._loader = DataLoader(self, threads)
        self._loading_path = Path()
        self._threads = threads
        self._conversion: Task | None = None
        self._loader.loaded.connect(self._on_loader_loaded)
        self._loader.failed.connect(self._on_loader_failed)
        self._loader.busy_changed.connect(self._on_loader_busy_changed)

    def open_file(self, path: str | Path, ask: bool = True) -> bool:
        """Open a data file; text files go through the import preview when ``ask``.

        Files above :data:`BACKGROUND_LOAD_BYTES` are read on a background
        thread (the document's ``data_changed`` says when they arrive); smaller
        ones at once. Returns False when the user cancelled or the file could
        not be read.
        """
        path = Path(path)
        if path.suffix.lower() in TEXT_SUFFIXES and conversion.should_offer(path):
            return self._offer_conversion(path)
        try:
            if ask and path.suffix.lower() in TEXT_SUFFIXES and path.is_file():
                dialog = ImportDialog(path, self._parent, keeps_gaps=self._keeps_gaps())
                if dialog.exec() != ImportDialog.DialogCode.Accepted:
                    return False
                table = dialog.load()
            elif path.is_file() and path.stat().st_size > BACKGROUND_LOAD_BYTES:
                self._loading_path = path
                self._loader.load(path, bad_rows=self._gap_policy())
                return True
            else:
                table = read_table(path, bad_rows=self._gap_policy())
        except (ValueError, OSError) as exc:
            dialogs.show_error(self._parent, f"could not open {path.name}: {exc}", repr(exc))
            return False
        self._adopt_file(path, table)
        return True

    def open_sample(self, sample_id: str) -> bool:
        """Open a bundled sample with its model and settings; False if it could not be read."""
        sample = next(s for s in sample_catalogue.load_catalogue() if s.id == sample_id)
        try:
            table = sample.read()
        except (ValueError, OSError) as exc:
            dialogs.show_error(
                self._parent, f"could not open the sample {sample.title}: {exc}", repr(exc)
            )
            return False
        # The data with the sample's model: the views never see one without the other
        # (nor draw the data first in the view the previous model chose).
        self._document.set_data(
            table, sample.title, sample, options=sample.fit_options(),
            init_mode="sample" if sample.init is not None else None,
        )
        return True

    def _offer_conversion(self, path: Path) -> bool:
        """A text file too large for memory: offer to convert it to ``.npy`` once (with
        progress and Cancel in the task bar), then open the result."""
        size = path.stat().st_size / 1e9
        if not dialogs.ask_yes_no(
            self._parent,
            f"{path.name} is {size:.1f} GB of text, more than a quarter of this computer's "
            "memory: reading it whole could exhaust it. Convert it once to a file "
            "that EM Studio reads a part at a time, and open that?",
        ):
            return False
        suffix = conversion.target_suffix()
        target, _ = QFileDialog.getSaveFileName(
            self._parent, f"Convert {path.name} to", str(path.with_suffix(suffix)),
            conversion.TARGET_FILTERS[suffix],
        )
        if not target:
            return False
        target_path = Path(target)
        if target_path.suffix.lower() not in conversion.TARGET_FILTERS:
            target_path = target_path.with_suffix(suffix)
        task = Task(f"Converting {path.name}…", partial(conversion.convert_steps, path,
                                                         target_path), self._threads, self)
        task.finished.connect(self._on_conversion_finished)
        task.failed.connect(self._on_conversion_failed)
        self._conversion = task
        self._parent.task_bar.add(task)
        task.start()
        return True

    def _on_conversion_finished(self, target: Path) -> None:
        if self.sender() is self._conversion:
            self._conversion = None
            self.open_file(target, ask=False)

    def _on_conversion_failed(self, message: str, details: str) -> None:
        if self.sender() is self._conversion:
            self._conversion = None
            dialogs.show_error(self._parent, f"could not convert the file: {message}", details)

    def _keeps_gaps(self) -> bool:
        """Whether the model chosen now fits rows with missing values."""
        return registry.model_class(self._document.fit_options().model).handles_missing

    def _gap_policy(self) -> str:
        """How a file opened without the preview treats rows with missing values."""
        return gap_policy(self._document.fit_options().model)

    def _adopt_file(self, path: Path, table: Table) -> None:
        self._settings.setValue("last_dir", str(path.parent))
        self._recent.add(path)
        self._document.set_data(table, path.name)

    def _on_loader_loaded(self, table: Table) -> None:
        self._adopt_file(self._loading_path, table)

    def _on_loader_failed(self, message: str, details: str) -> None:
        dialogs.show_error(
            self._parent, f"could not open {self._loading_path.name}: {message}", details
        )

    def _on_loader_busy_changed(self, busy: bool) -> None:
        self.busy_changed.emit(busy)
        if busy:
            size = self._loading_path.stat().st_size / 1e6
            self.status.emit(f"Reading {self._loading_path.name} ({size:.0f} MB)…")
