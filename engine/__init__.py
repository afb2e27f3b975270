"""EM Studio's engine: mixture models fitted by EM, in NumPy alone.

Never imports Qt. The window, the command line and the estimators all drive
:func:`iterate`, a generator of immutable :class:`Snapshot` objects.

Rooms: :mod:`engine.options` (what decides a fit, validated once),
:mod:`engine.results`, :mod:`engine.fit_setup` (a fit's data checked, its model set
up), :mod:`engine.loop` (the EM loop), :mod:`engine.starts`,
:mod:`engine.data` (sources of chunks; :mod:`engine.references`, how another
process reopens one), :mod:`engine.backends` (where passes run: this machine,
or a Dask cluster), :mod:`engine.predict`, :mod:`engine.selection` (choosing K and the
model), :mod:`engine.restarts`, :mod:`engine.halfsteps` (EM by halves, for
teaching), :mod:`engine.gaps` and :mod:`engine.impute` (missing values), and
:mod:`engine.models` (one file per model).
"""

from engine.backends.dask import DaskBackend
from engine.data import ArraySource, DataSource, NpySource
from engine.errors import CollapseError, FitError, SingularComponent
from engine.fit_setup import check_data, objective_name
from engine.impute import Imputation, Imputer, impute
from engine.loop import fit, iterate
from engine.models import model_class, model_names
from engine.models.covariance import names as covariance_types
from engine.options import ACCELERATIONS, DTYPES, INIT_METHODS, FitOptions
from engine.options import validate as validate_options
from engine.parallel import set_blas_limiter
from engine.params import Params
from engine.predict import Evaluator, predict_blocks, predict_log_resp
from engine.references import DataChanged, FileReference, FileStamp, SourceReference
from engine.results import FitResult, Snapshot

#: The first engine's constants (the registries decide at the time of asking:
#: :func:`model_names`, :func:`covariance_types`).
MODEL_NAMES = model_names()
COVARIANCE_TYPES = covariance_types()

__all__ = [
    "ACCELERATIONS",
    "COVARIANCE_TYPES",
    "DTYPES",
    "INIT_METHODS",
    "MODEL_NAMES",
    "ArraySource",
    "CollapseError",
    "DaskBackend",
    "DataChanged",
    "DataSource",
    "Evaluator",
    "FitError",
    "FileReference",
    "FileStamp",
    "FitOptions",
    "FitResult",
    "Imputation",
    "Imputer",
    "NpySource",
    "Params",
    "SingularComponent",
    "Snapshot",
    "SourceReference",
    "covariance_types",
    "check_data",
    "fit",
    "impute",
    "iterate",
    "model_class",
    "model_names",
    "objective_name",
    "predict_blocks",
    "predict_log_resp",
    "set_blas_limiter",
    "validate_options",
]
