"""EM Studio's mixtures as scikit-learn estimators, for notebooks and pipelines.

    from em_studio import GaussianMixture, KMeans, BernoulliMixture, BinomialMixture, PoissonMixture

``GaussianMixture`` is a drop-in for scikit-learn's (same arguments, same
meanings, an equivalent fit); the others follow the same conventions. All are
fitted by EM Studio's engine (:mod:`engine`), which never imports this
package. scikit-learn is optional: with it the estimators are its
``BaseEstimator`` subclasses (``clone``, ``Pipeline``, ``GridSearchCV``);
without it they keep the same protocol on their own (:mod:`em_studio._compat`).

Modules: :mod:`em_studio.gaussian`, :mod:`em_studio.kmeans`,
:mod:`em_studio.counts`; what they share is in ``_base`` (the fit under
scikit-learn's stopping rule), ``_starts`` (scikit-learn's starts),
``_options`` (arguments as the engine's options), ``_validation`` (checks of rows
and arguments), ``_files`` (``X`` given as a path; the Dask backend) and ``_docs``.
"""

from em_studio._compat import ConvergenceWarning, NotFittedError
from em_studio.counts import BernoulliMixture, BinomialMixture, PoissonMixture
from em_studio.gaussian import GaussianMixture
from em_studio.kmeans import KMeans

__all__ = [
    "BernoulliMixture",
    "BinomialMixture",
    "ConvergenceWarning",
    "GaussianMixture",
    "KMeans",
    "NotFittedError",
    "PoissonMixture",
]
