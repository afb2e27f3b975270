"""File > Save Session and Open Session: the data file's place, the settings and the fit.

What a session file holds is :mod:`emio.session`'s business; this module
gathers it from the document, asks where, writes it atomically, and on
opening puts data, settings and fit back, warning when the data file changed
or moved. Nothing in the window changes until the session and its data have
been read.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence

from emgui.features.files import FileFeature
from emgui.features.sessions import questions
from emgui.shell.actions import make_action
from emgui.shell.file_types import OPEN_FILTERS
from emgui.shell.host import Host
from emio import samples
from emio import session as sessions
from emio.atomic import describe_os_error
from emio.tables import DataError, Table, TextOptions

SESSION_FILTER = f"EM Studio session (*{sessions.SUFFIX});;All files (*)"


class SessionActions(FileFeature):
    """Open Session and Save Session, for one window (a child of the host's widget)."""

    def __init__(self, host: Host) -> None:
        super().__init__(host)
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
        """The document's data, settings and fit as a session (raises SessionError)."""
        document = self._document
        table = document.table
        if table is None:
            raise sessions.SessionError("there is no data to save in a session; open a file first")
        sample_id = document.sample.id if document.sample is not None else None
        data = sessions.data_source(
            table, document.name, text_options=_import_options(table), sample_id=sample_id,
        )
        view = sessions.ViewState(
            init_mode=document.init_mode,
            scatter_columns=document.columns,
            show_uncertainty=document.show_uncertainty,
            placed_means=document.placed_means,
        )
        shown = document.shown_index if document.shown_snapshot() is not None else -1
        return sessions.Session(
            data=data, options=document.options, view=view, result=document.result,
            snapshots=document.snapshots, shown_index=shown,
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
        """Write the session to ``path``; ``False`` (after saying why) if it failed."""
        try:
            session = self.current_session()
            text = sessions.dumps(session)
        except ValueError as exc:
            self._host.show_error(f"the session cannot be saved: {exc}", repr(exc))
            return False
        note = "reopen it with File > Open Session"
        if _import_options(self._document.table) is None and not _reads_back(session):
            note = (
                "the way the file was imported could not be recorded, and reading it with the "
                "detected options gives other numbers; reopening will say so"
            )
        if not self._files.write([(path, text)]):
            return False
        self._files.wrote([path], note)
        return True

    # --- opening ------------------------------------------------------------------------

    def _on_open_session_action_triggered(self) -> None:
        path = self._files.ask_open("Open Session", SESSION_FILTER)
        if path is not None:
            self.open_session(path)

    def open_session(self, path: Path) -> bool:
        """Restore the window from a session file; warn if its data file changed or moved."""
        try:
            session = sessions.load_session(path)
        except sessions.SessionError as exc:
            self._host.show_error(f"cannot open the session: {exc}", repr(exc))
            return False
        located = self._locate_data(session)
        if located is None:
            return False
        data_path, note = located
        try:
            table = session.data.read(data_path)
        except (DataError, OSError) as exc:
            self._host.show_error(f"cannot read the session's data: {exc}", repr(exc))
            return False
        same_columns = table.columns == session.data.columns
        if not same_columns:
            note = (
                f"the data now has columns {', '.join(table.columns)} instead of "
                f"{', '.join(session.data.columns)}, so only the settings were restored"
            )
        elif sessions.table_digest(table) != session.data.table_sha256 and not note:
            note = "the data read differently from when the session was saved"
        # Nothing in the window has changed until here: a failure above keeps it as it was.
        sample_id = session.data.sample_id if data_path == session.data.path else None
        if sample_id is not None and not _sample_reads(sample_id, data_path):
            sample_id = None
        if sample_id is None or not self._host.open_sample(sample_id):
            self._document.set_data(table, session.data.name)
        self._restore_settings(session)
        if same_columns:
            self._host.show_fit(session.result, session.snapshots, session.shown_index)
        self.update_actions()
        self._files.remember_dir(path.parent)
        described = f"Opened session {path.name}: {session.data.name}"
        if same_columns and session.result is not None:
            result = session.result
            described += (
                f", {result.options.model} K={result.options.n_components}, "
                f"log-likelihood {result.log_likelihood:.6g}"
            )
        self._files.tell(described + "." + (f" Note: {note}." if note else ""))
        return True

    def _locate_data(self, session: sessions.Session) -> tuple[Path, str] | None:
        """The data file to use, and a note if it is not the one saved; ``None`` to give up."""
        state = sessions.check_data_file(session)
        path = session.data.path
        if state == sessions.DATA_OK:
            return path, ""
        if state == sessions.DATA_MISSING:
            message = (
                f"The session's data file {path} is missing: it was moved, renamed or deleted. "
                "Locate it to reopen the session."
            )
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
            return path, "the data file changed since the session was saved; press Run to refit"
        if answer != questions.DATA_LOCATE:
            return None
        start = path.parent if path.parent.is_dir() else self._files.start_dir()
        chosen = self._files.ask_open(f"Locate {path.name}", OPEN_FILTERS, start)
        if chosen is None:
            return None
        try:
            sha256, _ = sessions.file_digest(chosen)
        except OSError as exc:
            self._host.show_error(describe_os_error(exc, chosen, "read"), repr(exc))
            return None
        if sha256 != session.data.sha256:
            return chosen, f"{chosen.name} is not byte for byte the file the session was saved with"
        return chosen, ""

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
        if view.placed_means and document.init_mode == "click":
            document.set_placed(view.placed_means)


def _import_options(table: Table) -> TextOptions | None:
    """How a text table was read (given in the import preview, or detected)."""
    return table.text_options


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
