"""Benchmarks of the EM engine against scikit-learn and plain NumPy, in one process.

Run ``python -m bench`` from the repository root (``python -m bench --help`` for
the options; ``--quick`` for a run of about a minute). Every cell fits the same
seeded data from the same starting parameters with both implementations, for
a fixed number of iterations (no convergence test), and prints one Markdown
table: milliseconds per iteration, their ratio, the peak extra memory of each
fit (``tracemalloc``, which NumPy reports its arrays to) and how far apart the
final log-likelihoods are. Then it checks the targets and says which hold.

Modules: :mod:`bench.data` (data and starting parameters), :mod:`bench.reference`
(the plain NumPy EM for counts), :mod:`bench.measure` (timing, memory, thread
limits), :mod:`bench.cells` (one cell of the grid per model) and
:mod:`bench.report` (the table and the targets).
"""
