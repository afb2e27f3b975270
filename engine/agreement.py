"""How well clusters agree with known classes: the confusion table, clusters matched to
classes, and the adjusted Rand index.

Plain NumPy on labels already computed (the most probable component of each
row, and a class read from a label column); nothing here fits anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.matching import linear_assignment

#: The class of a row whose label is unknown; such rows are left out of a comparison.
UNKNOWN = ""


def confusion_table(
    clusters: np.ndarray, classes: np.ndarray, n_clusters: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows counted by cluster and class.

    Parameters
    ----------
    clusters : ndarray of shape (n_samples,)
        Each row's cluster, ``0 .. n_clusters - 1``.
    classes : ndarray of shape (n_samples,)
        Each row's known class (strings or integers).
    n_clusters : int, optional
        Clusters to count, empty ones included; by default ``clusters.max() + 1``.

    Returns
    -------
    counts : ndarray of shape (n_clusters, n_classes), int64
        ``counts[k, j]``: rows of cluster ``k`` whose class is ``names[j]``.
    names : ndarray of shape (n_classes,)
        The classes, sorted.
    """
    clusters = np.asarray(clusters)
    classes = np.asarray(classes)
    if clusters.ndim != 1 or classes.shape != clusters.shape:
        raise ValueError(
            f"clusters of shape {clusters.shape} and classes of shape {classes.shape} must be "
            "1-D and of the same length"
        )
    if clusters.size and (not np.issubdtype(clusters.dtype, np.integer) or clusters.min() < 0):
        raise ValueError("clusters must be whole numbers from 0 up")
    top = int(clusters.max()) + 1 if clusters.size else 0
    if n_clusters is None:
        n_clusters = top
    elif n_clusters < top:
        raise ValueError(f"cluster {top - 1} found, but n_clusters is {n_clusters}")
    names, codes = np.unique(classes, return_inverse=True)
    counts = np.zeros((n_clusters, names.size), dtype=np.int64)
    np.add.at(counts, (clusters, codes.reshape(-1)), 1)
    return counts, names


def match_clusters(counts: np.ndarray) -> np.ndarray:
    """The class matched to each cluster, one to one, so that as many rows as possible
    fall on matched pairs (the Hungarian method on the confusion table).

    Parameters
    ----------
    counts : ndarray of shape (n_clusters, n_classes)

    Returns
    -------
    ndarray of shape (n_clusters,)
        Column of ``counts`` matched to each cluster; -1 for a cluster left
        unmatched (more clusters than classes).
    """
    counts = np.asarray(counts, dtype=np.float64)
    return linear_assignment(-counts)


def adjusted_rand_index(counts: np.ndarray) -> float:
    """The adjusted Rand index of two partitions given by their contingency table.

    Hubert and Arabie's (1985) correction of the Rand index for chance: 1 for
    identical partitions (up to names), about 0 for independent ones, and
    negative below chance. Symmetric in the two partitions.

    Parameters
    ----------
    counts : ndarray of shape (n_clusters, n_classes)
        Rows counted in each pair of parts (:func:`confusion_table`).

    Returns
    -------
    float
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2 or (counts.size and counts.min() < 0):
        raise ValueError("counts must be a 2-D table of non-negative counts")

    def pairs(n: np.ndarray) -> float:
        n = n.astype(np.float64)
        return float(np.sum(n * (n - 1.0) / 2.0))

    together = pairs(counts.ravel())
    rows = pairs(counts.sum(axis=1))
    cols = pairs(counts.sum(axis=0))
    total = pairs(np.array([counts.sum()]))
    if total == 0:
        return 1.0
    expected = rows * cols / total
    best = (rows + cols) / 2.0
    if best == expected:
        # Both partitions put everything together, or both separate every row: they agree.
        return 1.0
    return (together - expected) / (best - expected)


@dataclass(frozen=True, eq=False)
class LabelComparison:
    """Clusters against known classes.

    Attributes
    ----------
    counts : ndarray of shape (n_clusters, n_classes)
        Rows with a known class counted by cluster and class.
    names : ndarray of shape (n_classes,)
        The classes, sorted.
    matching : ndarray of shape (n_clusters,)
        Class (column of ``counts``) matched to each cluster, -1 for none.
    ari : float
        Adjusted Rand index of clusters and classes.
    n_unknown : int
        Rows left out because their class is unknown.
    """

    counts: np.ndarray
    names: np.ndarray
    matching: np.ndarray
    ari: float
    n_unknown: int

    @property
    def n_compared(self) -> int:
        return int(self.counts.sum())

    @property
    def n_matched(self) -> int:
        """Rows whose cluster is matched to their own class."""
        k = np.flatnonzero(self.matching >= 0)
        return int(self.counts[k, self.matching[k]].sum())

    @property
    def matched_fraction(self) -> float:
        """Share of the compared rows on matched pairs (0 when none are compared)."""
        return self.n_matched / self.n_compared if self.n_compared else 0.0

    def class_of_cluster(self, k: int) -> str | None:
        """The class matched to cluster ``k``, or None."""
        j = int(self.matching[k])
        return None if j < 0 else str(self.names[j])


def compare_labels(
    clusters: np.ndarray, classes: np.ndarray, n_clusters: int | None = None
) -> LabelComparison:
    """Compare clusters with known classes, leaving out rows of unknown class
    (:data:`UNKNOWN`, or NaN for numeric classes).

    Parameters
    ----------
    clusters : ndarray of shape (n_samples,)
        Each row's cluster, ``0 .. n_clusters - 1``.
    classes : ndarray of shape (n_samples,)
        Each row's class.
    n_clusters : int, optional
        Clusters to list, empty ones included.

    Returns
    -------
    LabelComparison
    """
    classes = np.asarray(classes)
    clusters = np.asarray(clusters)
    if classes.dtype.kind == "f":
        known = ~np.isnan(classes)
    else:
        known = classes != UNKNOWN
    if clusters.shape != classes.shape:
        raise ValueError(
            f"{clusters.shape[0] if clusters.ndim else 0} clusters for {classes.shape[0] if classes.ndim else 0} "
            "classes; give one of each per row"
        )
    counts, names = confusion_table(clusters[known], classes[known], n_clusters)
    if n_clusters is None and clusters.size:
        # Clusters that hold only rows of unknown class still get their row.
        counts = np.pad(counts, ((0, int(clusters.max()) + 1 - counts.shape[0]), (0, 0)))
    return LabelComparison(
        counts=counts,
        names=names,
        matching=match_clusters(counts),
        ari=adjusted_rand_index(counts),
        n_unknown=int(np.count_nonzero(~known)),
    )
