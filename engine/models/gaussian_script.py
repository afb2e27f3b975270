"""The script's text for a Gaussian: applying exported parameters with NumPy alone.

:mod:`emio.snippet` writes it into the script next to a PARAMS.json; the engine
never runs it. It computes the same densities as
:mod:`engine.models.gaussian_maths`, from the file's arrays, laid out by the
storage of the file's covariance type (a table the script carries), and can
build an equivalent scikit-learn ``GaussianMixture`` from the file.
"""

from __future__ import annotations

from engine.models import covariance
from engine.models.base import ScriptCode


def _storage_table() -> str:
    """Each covariance type's storage by every word a file may hold for it (mclust's
    name, which files are written with, and the old one: ``VVV`` and ``full``), as the
    source of a dict, one structure per line."""
    rows = []
    for name in covariance.names():
        words = dict.fromkeys((covariance.shown_name(name), name))
        storage = covariance.get(name).storage
        rows.append("    " + " ".join(f'"{word}": "{storage}",' for word in words) + "\n")
    return "{\n" + "".join(rows) + "}"


# The densities of engine.models.gaussian_maths, from the PARAMS.json's arrays, laid
# out by the storage of the file's covariance type (a table the script carries).
_SCRIPT_LOG_PROB = '''\
#: How each covariance type's covariances are stored: full (K, D, D), tied (D, D),
#: diag (K, D) or spherical (K,).
STORAGE = {storage_table}


def precision_factors(covariances, storage):
    """Cholesky factors of the precision matrices and half their log-determinants."""
    if storage in ("full", "tied"):
        # U = inverse(L).T, where covariance = L L^T, is an upper factor of the precision.
        factors = np.swapaxes(np.linalg.inv(np.linalg.cholesky(covariances)), -1, -2)
        log_det = np.log(np.diagonal(factors, axis1=-2, axis2=-1)).sum(axis=-1)
        return factors, log_det
    factors = 1.0 / np.sqrt(covariances)
    if storage == "diag":
        return factors, np.log(factors).sum(axis=1)
    return factors, None  # spherical: the log-determinant depends on n_features


def log_prob(X, doc, p):
    """Log-density of every row under every component, shape (n_samples, n_components)."""
    storage = STORAGE[doc.get("covariance", "spherical")]  # k-means: one shared spherical variance
    means = p["means"]
    factors, log_det = precision_factors(p["covariances"], storage)
    n_features = X.shape[1]
    if log_det is None:
        log_det = n_features * np.log(factors)
    squared = np.empty((X.shape[0], means.shape[0]))
    for k in range(means.shape[0]):
        diff = X - means[k]
        if storage == "full":
            y = diff @ factors[k]
        elif storage == "tied":
            y = diff @ factors
        else:
            y = diff * factors[k]
        squared[:, k] = np.einsum("ij,ij->i", y, y)
    return -0.5 * (n_features * np.log(2 * np.pi) + squared) + log_det
'''.replace("{storage_table}", _storage_table())

_SCRIPT_SKLEARN = '''\
def to_sklearn(doc, p):
    """An equivalent scikit-learn GaussianMixture, built from the JSON (no pickle)."""
    from sklearn.mixture import GaussianMixture

    storage = STORAGE[doc["covariance"]]  # scikit-learn knows covariances by their storage
    gm = GaussianMixture(n_components=len(p["weights"]), covariance_type=storage)
    factors, _ = precision_factors(p["covariances"], storage)
    gm.weights_ = p["weights"]
    gm.means_ = p["means"]
    gm.covariances_ = p["covariances"]
    gm.precisions_cholesky_ = factors
    if storage in ("full", "tied"):
        gm.precisions_ = factors @ np.swapaxes(factors, -1, -2)
    else:
        gm.precisions_ = factors**2
    gm.converged_ = bool(doc.get("converged", True))
    gm.n_iter_ = int(doc.get("n_iter", 0))
    gm.n_features_in_ = p["means"].shape[1]
    return gm
'''


#: The Gaussian's :class:`~engine.models.base.ScriptCode`.
SCRIPT = ScriptCode(
    _SCRIPT_LOG_PROB, sklearn=_SCRIPT_SKLEARN, sklearn_estimator="GaussianMixture"
)
