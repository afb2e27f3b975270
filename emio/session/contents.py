"""What a session holds: the data source, the settings, the view, the fit and its trace."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from engine import FitOptions, FitResult, Snapshot
from emio.tables import Table, TextOptions, read_table

FORMAT = "em-studio-session"
VERSION = 1
#: The suffix the window gives session files.
SUFFIX = ".emsession"
INIT_METHODS = ("kmeans++", "random")
INIT_MODES = ("kmeans++", "random", "click", "sample")


class SessionError(ValueError):
    """A session file that cannot be read or written; the message says what to do."""


@dataclass(frozen=True)
class DataSource:
    """Where the data came from and how it was read."""

    path: Path
    name: str
    size: int
    sha256: str
    columns: list[str]
    text_options: TextOptions | None
    bad_rows: str
    n_samples: int
    n_features: int
    table_sha256: str
    sample_id: str | None = None
    #: The column kept as known labels, if any.
    label_column: str | None = None

    def read(self, path: str | os.PathLike[str] | None = None) -> Table:
        """Read the data as it was read when the session was saved (from ``path`` if given).

        Raises :class:`emio.tables.DataError` if the file no longer reads.
        """
        return read_table(
            Path(path) if path is not None else self.path,
            self.text_options,
            list(self.columns),
            self.bad_rows,
            labels=self.label_column,
        )


@dataclass(frozen=True)
class ViewState:
    """What the window showed besides the fit options."""

    init_mode: str = "kmeans++"
    scatter_columns: tuple[int, int] = (0, 1)
    show_uncertainty: bool = False
    placed_means: tuple[tuple[float, float], ...] = ()
    #: Whether fits run in standard units (engine.standardize).
    standardize: bool = False


@dataclass(frozen=True, eq=False)
class Session:
    """Everything a session file holds.

    Attributes
    ----------
    data : DataSource
    options : FitOptions
        The settings panel's options (with explicit starting parameters, if any).
    view : ViewState
    result : FitResult or None
        The finished fit, if there is one.
    snapshots : tuple of Snapshot
        Every iteration the window kept, in order.
    shown_index : int
        The iteration the slider was on, or -1.
    saved_at : str
    """

    data: DataSource
    options: FitOptions
    view: ViewState = field(default_factory=ViewState)
    result: FitResult | None = None
    snapshots: tuple[Snapshot, ...] = ()
    shown_index: int = -1
    saved_at: str = ""

    @property
    def feature_names(self) -> list[str]:
        return list(self.data.columns)
