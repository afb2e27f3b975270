"""EM Studio's engine: mixture models fitted by EM, in NumPy alone.

Never imports Qt. The GUI and the command line both drive :func:`iterate`.
"""

from engine.em import FitOptions, FitResult, Snapshot, fit, iterate, predict_log_resp
from engine.errors import CollapseError, FitError
from engine.models import COVARIANCE_TYPES, MODEL_NAMES
from engine.parallel import set_blas_limiter
from engine.params import Params

__all__ = [
    "COVARIANCE_TYPES",
    "MODEL_NAMES",
    "CollapseError",
    "FitError",
    "FitOptions",
    "FitResult",
    "Params",
    "Snapshot",
    "fit",
    "iterate",
    "predict_log_resp",
    "set_blas_limiter",
]
