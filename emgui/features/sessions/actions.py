"""File > Save Session and Open Session: the data file's place, the settings and the fit.

What a session file holds is :mod:`emio.session`'s business; this module
gathers it from the document, asks where, writes it atomically, and on
opening puts data, settings and fit back, warning when the data file changed
or moved. Nothing in the window changes until the session and its data have
been read.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence

from emgui.features.files import FileFeature, write_outputs
from emgui.features.sessions import questions
from emgui.runs.generators import Progress, many_objects
from emgui.runs import streamed
from emgui.runs.next_turn import NextTurn
from emgui.runs.task import Task
from emgui.shell.actions import make_action
from emgui.shell.file_types import OPEN_FILTERS
from emgui.shell.host import Host
from emgui.views import declared
from emio import samples
from emio import session as sessions
from emio.atomic import describe_os_error
from emio.tables import DataError, Table

SESSION_FILTER = f"EM Studio session (*{sessions.SUFFIX});;All files (*)"


class SessionActions(FileFeature):
    """Open Session and Save Session, for one window (a child of the host's widget).

    Reading and writing happen in the background (:class:`emgui.runs.task.Task`):
    a damaged session, a long trace or a large data file never freezes the window.
    """

    open_finished = Signal(bool)
    """Opening a session ended: True when the window now shows it (False: refused or cancelled)."""
    session_saved = Signal(str)
    """A session was written at this path."""

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self._task: Task | None = None
        self._session: sessions.Session | None = None
        self._opening = Path()
        self._purpose = ""
        # The fit is drawn a turn after the data, so neither blocks the window for both.
        self._next_turn = NextTurn(self)
        parent = host.parent_widget
        self.open_session_action = make_action(
            parent, "Open Sess&ion…",
            "Reopen a saved session: its data, settings, fit and every iteration",
            name="open_session_action",
        )
        self.save_session_action = make_action(
            parent, "Save Sessio&n…",
            "Save the data file's place, the settings and the fit with its trace, to reopen later",
            QKeySequence.StandardKey.Save, name="save_session_action",
        )
        host.add_actions("file", [self.open_session_action, self.save_session_action, None])
        self.open_session_action.triggered.connect(self._on_open_session_action_triggered)
        self.save_session_action.triggered.connect(self._on_save_session_action_triggered)
        document = self._document
        document.data_changed.connect(self._on_document_data_changed)
        document.run_state_changed.connect(self._on_document_run_state_changed)
        self.update_actions()

    def update_actions(self) -> None:
        """Save only data read from a file, and never halfway through a run."""
        table = self._document.table
        self.save_session_action.setEnabled(
            table is not None and not self._document.is_running and table.source is not None
        )

    def _on_document_data_changed(self, name: str) -> None:
        self.update_actions()

    def _on_document_run_state_changed(self, state: object) -> None:
        self.update_actions()

    # --- saving -------------------------------------------------------------------------

    def current_session(self) -> sessions.Session:
        """The document's data, settings and fit as a session (raises SessionError).

        Reads the data file to record its checksum: for a large file, call it off the
        GUI thread (:meth:`save_session` does)."""
        return _session_of(self._gathered())

    def _gathered(self) -> _Gathered:
        """What a session records, taken from the document now (cheap: no file is read)."""
        document = self._document
        table = document.table
        if table is None:
            raise sessions.SessionError("there is no data to save in a session; open a file first")
        view = sessions.ViewState(
            init_mode=document.init_mode,
            scatter_columns=document.columns,
            show_uncertainty=document.show_uncertainty,
            standardize=document.standardize,
            placed_means=document.placed_means,
        )
        shown = document.shown_index if document.shown_snapshot() is not None else -1
        return _Gathered(
            table=table, name=document.name,
            sample_id=document.sample.id if document.sample is not None else None,
            options=document.options, view=view, result=document.result,
            snapshots=document.snapshots, shown=shown,
        )

    def _on_save_session_action_triggered(self) -> None:
        if self._document.table is None or self._document.is_running:
            self._files.tell("Nothing to save yet: open some data (and wait for the fit to finish).")
            return
        chosen = self._files.ask_save(
            "Save Session", SESSION_FILTER.split(";;"),
            f"{self._files.base_name()}{sessions.SUFFIX}",
        )
        if chosen is None:
            return
        self.save_session(chosen[0])

    def save_session(self, path: Path) -> bool:
        """Write the session to ``path`` in the background (``session_saved`` says when);
        ``False`` (after saying why) if it cannot even start."""
        try:
            gathered = self._gathered()
        except ValueError as exc:
            self._host.show_error(f"the session cannot be saved: {exc}", repr(exc))
            return False
        self._purpose = "save"
        self._run(Task(f"Saving {path.name}", partial(_save, gathered, path),
                       self._host.threads, self), self._on_save_task_finished)
        return True

    def _on_save_task_finished(self, outcome: tuple[Path, str]) -> None:
        if self._ended():
            path, note = outcome
            self._files.wrote([path], note)
            self.session_saved.emit(str(path))

    # --- opening ------------------------------------------------------------------------

    def _on_open_session_action_triggered(self) -> None:
        path = self._files.ask_open("Open Session", SESSION_FILTER)
        if path is not None:
            self.open_session(path)

    def open_session(self, path: Path) -> None:
        """Restore the window from a session file, reading it and its data in the background;
        warn if its data file changed or moved. Nothing in the window changes until the
        session and its data have been read (``session_opened``, or an error shown)."""
        self._opening = path
        self._purpose = "open"
        self._run(Task(f"Opening {path.name}", partial(_load, path), self._host.threads, self),
                  self._on_load_task_finished)

    def _on_load_task_finished(self, outcome: tuple[sessions.Session, str]) -> None:
        if not self._ended():
            return
        session, state = outcome
        located = self._locate_data(session, state)
        if located is None:
            self.open_finished.emit(False)
            return
        data_path, note, expected = located
        self._session = session
        self._run(Task(f"Reading {data_path.name}", partial(_read_data, session, data_path, note,
                                                            expected),
                       self._host.threads, self), self._on_read_task_finished)

    def _on_read_task_finished(self, outcome: tuple[Table, Path, str]) -> None:
        if not self._ended():
            return
        table, data_path, note = outcome
        session, path = self._session, self._opening
        same_columns = table.columns == session.data.columns
        if not same_columns:
            note = (
                f"the data now has columns {', '.join(table.columns)} instead of "
                f"{', '.join(session.data.columns)}, so only the settings were restored"
            )
        # Nothing in the window has changed until here: a failure above keeps it as it was.
        sample_id = session.data.sample_id if data_path == session.data.path else None
        if sample_id is not None and not _sample_reads(sample_id, data_path):
            sample_id = None
        if sample_id is None or not self._host.open_sample(sample_id):
            self._document.set_data(table, session.data.name)
        self._restore_settings(session)
        self._next_turn.call(self._show_opened, session, path, note, same_columns,
                             self._document.table)

    def _show_opened(
        self, session: sessions.Session, path: Path, note: str, same_columns: bool,
        table: Table | None,
    ) -> None:
        """The second half of opening a session: its fit over the data drawn a turn ago."""
        if self._document.table is not table:
            self.open_finished.emit(False)  # other data were opened meanwhile
            return
        if same_columns:
            self._host.show_fit(session.result, session.snapshots, session.shown_index)
        self.update_actions()
        self._files.remember_dir(path.parent)
        described = f"Opened session {path.name}: {session.data.name}"
        if same_columns and session.result is not None:
            result = session.result
            described += (
                f", {declared.title(result.options.model)} K={result.options.n_components}, "
                f"log-likelihood {result.log_likelihood:.6g}"
            )
        self._files.tell(described + "." + (f" Note: {note}." if note else ""))
        self.open_finished.emit(True)

    def _run(self, task: Task, finished: object) -> None:
        self._next_turn.cancel()
        if self._task is not None:
            self._task.cancel()
        self._task = task
        task.finished.connect(finished)
        task.failed.connect(self._on_task_failed)
        task.cancelled.connect(self._on_task_cancelled)
        self._host.run_task(task)

    def _ended(self) -> bool:
        """Whether the signal comes from the task under way (which has then ended)."""
        if self._task is None or self.sender() is not self._task:
            return False
        self._task = None
        return True

    def _on_task_failed(self, message: str, details: str) -> None:
        if self._ended():
            self._host.show_error(message, details)
            if self._purpose == "open":
                self.open_finished.emit(False)

    def _on_task_cancelled(self) -> None:
        if self._ended():
            self._files.tell("Cancelled; the window is as it was.")
            if self._purpose == "open":
                self.open_finished.emit(False)

    def _locate_data(
        self, session: sessions.Session, state: str
    ) -> tuple[Path, str, str | None] | None:
        """The data file to use, a note if it is not the one saved, and the checksum it
        should have (``None``: no need to check); ``None`` to give up."""
        path = session.data.path
        if state == sessions.DATA_OK:
            return path, "", None
        if state == sessions.DATA_MISSING:
            message = (f"The session's data file {path} {sessions.data_file_problem(path)}. "
                       "Locate it to reopen the session.")
        else:
            message = (
                f"The session's data file {path} has changed since the session was saved "
                "(its checksum differs), so the saved fit was made on other data. Use the file "
                "as it is now, or locate the original?"
            )
        answer = questions.ask_data_action(
            self._host.parent_widget, message, can_use=state == sessions.DATA_CHANGED
        )
        if answer == questions.DATA_USE and state == sessions.DATA_CHANGED:
            return path, "the data file changed since the session was saved; press Run to refit", None
        if answer != questions.DATA_LOCATE:
            return None
        start = path.parent if path.parent.is_dir() else self._files.start_dir()
        chosen = self._files.ask_open(f"Locate {path.name}", OPEN_FILTERS, start)
        if chosen is None:
            return None
        return chosen, "", session.data.sha256

    def _restore_settings(self, session: sessions.Session) -> None:
        document = self._document
        view = session.view
        init_mode = view.init_mode
        if init_mode == "sample" and document.sample is None:
            init_mode = None
        document.set_options(session.options, init_mode=init_mode)
        n_columns = len(document.table.columns)
        x, y = view.scatter_columns
        if x < n_columns and y < n_columns:
            document.set_columns(x, y)
        document.set_show_uncertainty(view.show_uncertainty)
        document.set_standardize(view.standardize)
        if view.placed_means and document.init_mode == "click":
            document.set_placed(view.placed_means)


@dataclass(frozen=True)
class _Gathered:
    """What a session records, taken from the document in the GUI thread."""

    table: Table
    name: str
    sample_id: str | None
    options: object
    view: sessions.ViewState
    result: object
    snapshots: tuple
    shown: int


def _session_of(gathered: _Gathered) -> sessions.Session:
    table = gathered.table
    data = sessions.data_source(
        table, gathered.name, text_options=table.text_options, sample_id=gathered.sample_id,
    )
    return sessions.Session(
        data=data, options=gathered.options, view=gathered.view, result=gathered.result,
        snapshots=gathered.snapshots, shown_index=gathered.shown,
    )


def _save(gathered: _Gathered, path: Path) -> Generator[Progress, None, tuple[Path, str]]:
    """Make the session (its data file's checksum), write it atomically; ``(path, note)``."""
    yield Progress(0, 3, f"Reading {gathered.name} for its checksum…")
    try:
        session = _session_of(gathered)
        yield Progress(1, 3, f"Writing {path.name}…")
        text = sessions.dumps(session)
    except ValueError as exc:
        raise ValueError(f"the session cannot be saved: {exc}") from None
    note = "reopen it with File > Open Session"
    if gathered.table.text_options is None:
        yield Progress(2, 3, f"Reading {gathered.name} back…")
        if not _reads_back(session):
            note = (
                "the way the file was imported could not be recorded, and reading it with the "
                "detected options gives other numbers; reopening will say so"
            )
    write_outputs([(path, text)])
    return path, note


def _load(path: Path) -> Generator[Progress, None, tuple[sessions.Session, str]]:
    """The session in ``path`` and whether its data file is still as it was."""
    yield Progress(0, 2, f"Reading {path.name}…")
    try:
        session = many_objects(sessions.load_session, path)
    except sessions.SessionError as exc:
        raise ValueError(f"cannot open the session: {exc}") from None
    yield Progress(1, 2, "Checking its data file…")
    return session, sessions.check_data_file(session)


def _read_data(
    session: sessions.Session, path: Path, note: str, expected: str | None
) -> Generator[Progress, None, tuple[Table, Path, str]]:
    """The session's data read from ``path`` as the session says, with a note on what differs."""
    if expected is not None:
        yield Progress(0, 2, f"Checking {path.name}…")
        try:
            sha256, _ = sessions.file_digest(path)
        except OSError as exc:
            raise ValueError(describe_os_error(exc, path, "read")) from None
        if sha256 != expected:
            note = f"{path.name} is not byte for byte the file the session was saved with"
    yield Progress(1, 2, f"Reading {path.name}…")
    try:
        # A file too large to load is sampled and streamed, as File > Open does.
        large = session.data.text_options is None and streamed.is_large(path)
        table = streamed.sampled(path, "keep") if large else session.data.read(path)
    except (DataError, OSError) as exc:
        raise ValueError(f"cannot read the session's data: {exc}") from None
    if table.columns == session.data.columns and not note and (
        sessions.table_digest(table) != session.data.table_sha256
    ):
        note = "the data read differently from when the session was saved"
    return table, path, note


def _reads_back(session: sessions.Session) -> bool:
    """Whether reading the data as the session records it gives the same numbers."""
    if session.data.text_options is None:
        return True  # not a text table: nothing was chosen on import
    try:
        again = session.data.read()
    except (DataError, OSError):
        return False
    return sessions.table_digest(again) == session.data.table_sha256


def _sample_reads(sample_id: str, path: Path) -> bool:
    return any(
        s.id == sample_id and s.path.resolve() == path.resolve() for s in samples.load_catalogue()
    )
