"""Docstring pieces every estimator shares, filled into each class's numpydoc text.

A class docstring names a piece as ``$name`` (:class:`string.Template`), so
its own braces and quotes need no escaping.
"""

from __future__ import annotations

from string import Template
from typing import TypeVar

T = TypeVar("T")

FRAGMENTS = {
    "init_params": """\
init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', 'hc'}
        How each start is made, as in scikit-learn: responsibilities from a
        k-means fit with one start (``kmeans``), random ones (``random``), or one
        row per component, drawn at random (``random_from_data``) or by k-means++
        (``k-means++``); the model's M-step turns them into the first parameters.
        The draws are scikit-learn's, from the same ``random_state``; the k-means
        labels and k-means++ rows come from scikit-learn when it is installed
        (so the start is its start) and from EM Studio's own k-means and
        k-means++ when it is not. ``hc`` is EM Studio's: the first start cuts a
        hierarchical agglomeration of the rows (as mclust's), deterministic;
        further starts give every row to the nearest of k-means++ seeds. On rows
        with missing values (NaN), which only models that fit gaps accept,
        scikit-learn's starts cannot run: EM Studio's k-means++ start (partial
        distances over each row's observed columns) is used instead.""",
    "loop_parameters": """\
tol : float
        Convergence threshold, as scikit-learn's: EM stops after the iteration
        whose E-step finds the mean log-likelihood per row changed by less than
        ``tol`` since the previous E-step (that iteration's M-step is still
        made). For the hard E-step the quantity is the mean classification
        log-likelihood; with ``regularisation="prior"`` it includes the prior's
        log per row. The engine's ``tol`` is the same quantity.
    max_iter : int
        Most EM iterations (M-steps) per start; 0 keeps the starting parameters.
    n_init : int
        Starts; the one with the highest ``lower_bound_`` is kept.""",
    "run_parameters": """\
random_state : int, RandomState, Generator or None, default=None
        Seeds the starts and :meth:`sample`, as scikit-learn's ``random_state``
        (an int gives the same fit every time; a ``RandomState`` or numpy
        ``Generator`` is advanced).
    warm_start : bool, default=False
        When True and already fitted, ``fit`` goes on from the fitted parameters
        (one start, ``n_init`` ignored), and the first iteration is compared
        with the last ``lower_bound_``: fitting ``max_iter=1`` again and again
        is the same as one longer fit.
    verbose : int, default=0
        1 prints each start and every ``verbose_interval``-th iteration, 2 also
        the time and the change of the lower bound (scikit-learn's lines).
    verbose_interval : int, default=10
        Iterations between printed lines.
    e_step : {'soft', 'hard'}
        ``soft`` is EM; ``hard`` is classification EM (each row wholly to its most
        probable component).
    fixed : tuple of str, default=()
        Parameters held at their starting values (``"weights"``, or the names of
        the model's arrays, as in the ``*_init`` arguments); they do not count in
        :meth:`bic` and :meth:`aic`.
    callback : callable or None, default=None
        Called with every :class:`engine.Snapshot` a fit makes (see :meth:`iter_fit`).
    engine_options : dict or None, default=None
        Further options of :class:`engine.FitOptions` passed through unchanged
        (for example ``{"dtype": "float32", "n_threads": 4}``), and ``backend``
        (where the passes run, an object such as ``engine.DaskBackend(...)``
        that the caller closes), passed to :func:`engine.iterate`. Options this
        estimator sets from its own arguments are refused.
    backend : {'local', 'dask'}, default='local'
        Where the passes over the data run, as the command line's
        ``--backend``: ``local`` on this computer's threads (a large ``.npy`` or
        Parquet file given as a path is streamed from the disk); ``dask`` on the
        workers of a Dask cluster (``pip install "em-studio[dask]"``), which read
        their own blocks of the file, so ``fit`` then needs ``X`` as a path to a
        ``.npy`` or Parquet file, and the methods that take ``X`` compute there
        when ``X`` is a path (rows in memory are computed here).
    scheduler : str or None, default=None
        With ``backend='dask'``, the address of a running Dask scheduler such as
        ``'tcp://10.0.0.5:8786'`` (the command line's ``--scheduler``); None
        starts a ``distributed.LocalCluster`` of one worker process per core for
        each call and stops it after.""",
    "attributes": """\
weights_ : ndarray of shape (n_components,)
        Mixing proportions.
    converged_ : bool
        Whether the best start met ``tol`` before ``max_iter``.
    n_iter_ : int
        M-steps the best start took.
    lower_bound_ : float
        The best start's mean log-likelihood per row at its last E-step, that
        is of the parameters before its last M-step (scikit-learn's meaning;
        for the hard E-step the mean classification log-likelihood; with a
        prior, plus its log per row). ``-inf`` when ``max_iter`` is 0.
    lower_bounds_ : list of float
        ``lower_bound_`` at every iteration of the best start.
    labels_ : ndarray of shape (n_samples,) or None
        The most probable component of each row of the fitted data, from 0;
        None after a fit of a streamed file (they would grow with the rows):
        ``predict(path)`` computes them a chunk at a time.
    n_features_in_ : int
        Columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when ``X`` was a DataFrame with string names.""",
}


def fill_doc(cls: T) -> T:
    """Fill ``$name`` pieces of ``cls``'s docstring from :data:`FRAGMENTS`."""
    cls.__doc__ = Template(cls.__doc__).substitute(FRAGMENTS)
    return cls
