"""Sessions: the data file, every setting and the fit with its trace, in one JSON file.

A session names its data file rather than copying it, with a checksum, so
reopening can tell whether the file is still the one the fit was made on
(:func:`check_data_file`). Everything else needed to put the window back as
it was is in the file: the import choices, the settings, the fitted result
(as the engine's PARAMS.json document plus what that document leaves out) and
every iteration, so the iteration slider works after reopening. Floats keep
every digit, so parameters come back bit for bit.

Format, version 1 (a JSON object; keys in this order)::

    format       "em-studio-session"
    version      1
    saved_at     when, ISO 8601 in UTC
    data         path         absolute path of the data file
                 name         what the window called it (file name or sample title)
                 size         bytes
                 sha256       hex checksum of the file's bytes
                 sample_id    id of the bundled sample, or null
                 text_options {delimiter, decimal, header, comment, skip_rows,
                              encoding} for text tables, else null
                 columns      the columns read, in order
                 bad_rows     "error", "drop" or "keep": what happened to rows with
                              missing values
                 label_column the column kept as known labels (optional; absent or
                              null for none)
                 n_samples, n_features
                 table_sha256 checksum of the numbers read (float64, row by row), which
                              shows whether re-reading gives the same table
    settings     options      every field of engine.FitOptions by name; "init" is
                              kmeans++, random or "explicit", and then
                              "init_params" holds a PARAMS.json document
                 init_mode    the start chosen in the window (kmeans++, random, click, sample)
                 scatter_columns  [x, y] column indices shown by the scatter
                 show_uncertainty whether uncertain points are faded
                 standardize  whether fits run in standard units (absent: false)
                 placed_means [[x, y], ...] starting means clicked on the plot
    result       null, or    params  the PARAMS.json document (emio.params_file)
                             options as settings.options, the options of the fit
                             history, objective_history: per iteration
                             metrics_history {name: [...]} (kmeans: inertia)
                             n_samples, entropy, restart, restart_objectives,
                             order, messages, labels (0-based, one per row)
    trace        [{restart, iteration, log_likelihood, objective, converged,
                   metrics, params}, ...] every iteration kept by the window
                   (restart 0-based); params by the PARAMS.json array names
    shown_index  the iteration shown (index into trace), or -1

Non-finite floats (a failed start's objective is -inf) are written as the
strings "inf", "-inf" and "nan", so the file is strict JSON.

The modules: :mod:`~emio.session.contents` (what a session holds),
:mod:`~emio.session.datafile` (the data file's checksums and checks),
:mod:`~emio.session.encode` and :mod:`~emio.session.decode` (the document and
the file, each way), :mod:`~emio.session.values` (how values are held).
"""

from emio.params_file import params_document
from emio.session.contents import (
    FORMAT,
    INIT_METHODS,
    INIT_MODES,
    SUFFIX,
    VERSION,
    DataSource,
    Session,
    SessionError,
    ViewState,
)
from emio.session.datafile import (
    DATA_CHANGED,
    DATA_MISSING,
    DATA_OK,
    NON_TEXT_SUFFIXES,
    check_data_file,
    data_file_problem,
    data_source,
    file_digest,
    table_digest,
)
from emio.session.decode import READ_ADVICE, load_session, session_from_dict
from emio.session.encode import dumps, options_to_dict, save_session, session_to_dict

__all__ = [
    "DATA_CHANGED",
    "DATA_MISSING",
    "DATA_OK",
    "FORMAT",
    "INIT_METHODS",
    "INIT_MODES",
    "NON_TEXT_SUFFIXES",
    "READ_ADVICE",
    "SUFFIX",
    "VERSION",
    "DataSource",
    "Session",
    "SessionError",
    "ViewState",
    "check_data_file",
    "data_file_problem",
    "data_source",
    "dumps",
    "file_digest",
    "load_session",
    "options_to_dict",
    "params_document",
    "save_session",
    "session_from_dict",
    "session_to_dict",
    "table_digest",
]
