"""What a person takes away from a fit: tables, arrays, assignments, traces and a summary.

Every function here builds the whole text or byte string in memory and
returns it; nothing is written until it is complete, and writing goes through
:mod:`emio.atomic` (see :func:`write_params`). No Qt: the window, the command
line and the tests all use the same functions.

The files
---------
``PARAMS.json``
    The versioned parameters document (:mod:`emio.params_file`).
``*_components.csv``
    One row per component, readable in any spreadsheet: ``component``,
    ``weight``, then per column ``mean(x)`` (Gaussian, k-means), ``p(x)``
    (Bernoulli, binomial) or ``rate(x)`` (Poisson), then the spread:
    ``var(x)`` and ``cov(x,y)`` (full; tied adds `` (shared)``: one matrix
    repeated on every row), ``var(x)`` (diag), ``var`` (spherical) or
    ``var (shared)`` (k-means). The same headers as the window's Parameters
    table. Numbers keep every digit.
``*.npz``
    The arrays under the names of :func:`npz_arrays`; text is stored as
    NumPy unicode arrays, so ``np.load(path)`` needs no pickle.
``*.py``
    A script that applies the PARAMS.json to new rows (:mod:`emio.snippet`).
Assignments CSV
    The rows as read (their column names and values), then ``component``
    (1-based), ``resp_1`` ... ``resp_K`` and ``uncertainty`` (1 minus the
    largest responsibility); ``source_row`` is added when rows were dropped.
Labels CSV (the command line's ``--labels`` and ``predict``)
    ``component``, ``resp_1`` ... ``resp_K``: the assignments without the data.
Imputed CSV (the command line's ``--impute``)
    The rows as read with each missing value filled in by its expectation
    under the fitted mixture, then ``<name>_imputed`` per column: 1 where the
    value was filled in, 0 where it was observed; ``source_row`` as above.
Trace CSV / JSON
    One row (or entry) per iteration: restart, iteration, log-likelihood,
    objective, converged and the model's metrics (k-means: inertia), and on
    request every parameter.

One module per export: :mod:`~emio.exports.params`,
:mod:`~emio.exports.assignments`, :mod:`~emio.exports.trace`,
:mod:`~emio.exports.summary` and :mod:`~emio.exports.imputed` (the data with
their gaps filled in).
"""

from emio.csvtext import number_text
from emio.exports.assignments import (
    ASSIGNMENT_LABEL,
    ASSIGNMENT_SOURCE_ROW,
    ASSIGNMENT_UNCERTAINTY,
    assignments_csv,
    assignments_note,
    labels_csv,
)
from emio.exports.imputed import IMPUTED_SUFFIX, imputed_csv
from emio.exports.params import (
    SiblingPaths,
    components_csv,
    npz_arrays,
    params_npz,
    params_outputs,
    sibling_paths,
    write_params,
)
from emio.exports.summary import component_sizes, model_line, summary_text
from emio.exports.trace import (
    TRACE_FORMAT,
    TRACE_VERSION,
    flat_param_names,
    trace_csv,
    trace_json,
)

__all__ = [
    "ASSIGNMENT_LABEL",
    "ASSIGNMENT_SOURCE_ROW",
    "ASSIGNMENT_UNCERTAINTY",
    "IMPUTED_SUFFIX",
    "TRACE_FORMAT",
    "TRACE_VERSION",
    "SiblingPaths",
    "assignments_csv",
    "assignments_note",
    "component_sizes",
    "components_csv",
    "flat_param_names",
    "imputed_csv",
    "labels_csv",
    "model_line",
    "npz_arrays",
    "number_text",
    "params_npz",
    "params_outputs",
    "sibling_paths",
    "summary_text",
    "trace_csv",
    "trace_json",
    "write_params",
]
