"""Covariances of one volume and shape, each component its own orientation (mclust's EEV)."""

from __future__ import annotations

import numpy as np

from engine.models.covariance import CovarianceStructure, register
from engine.models.covariance.eigen import check_positive, compose, descending_eigh


@register
class EEV(CovarianceStructure):
    name = "EEV"
    mclust = "EEV"
    title = "EEV: one volume and shape, each component its own orientation"
    report_words = "EEV covariance (one volume and shape, each component its own orientation)"
    storage = "full"
    menu_order = 120

    def n_parameters(self, n_components: int, n_features: int) -> int:
        return 1 + (n_features - 1) + n_components * n_features * (n_features - 1) // 2

    def estimate(self, scatter, nk, previous) -> np.ndarray:
        """The closed form (Celeux and Govaert 1995): each component keeps its
        scatter's axes, largest first, and all take the sum of the scatters'
        eigenvalues, in the same order, over ``N``."""
        eigenvalues, axes = descending_eigh(scatter)
        values = eigenvalues.sum(axis=0) / nk.sum()
        check_positive(values, axis=None)
        return compose(axes, np.broadcast_to(values, eigenvalues.shape))

    @staticmethod
    def settles(counts: np.ndarray, n_features: int) -> bool:
        """Whether a partition into groups of ``counts`` rows gets a settled start: where
        a group's rows do not span the columns (at most D rows), its axes are a tie
        that the sums of squares break one way and mclust's factor another. (Where
        every group spans them, the two ends agreed within 0.01 BIC in every cell of
        mclust's data sets.)"""
        return bool(counts.min() <= n_features)

    @staticmethod
    def settling_estimate(weighted, nk, state):
        """The same update from each component's weighted, centred rows (K, N, D), as
        mclust computes it (:mod:`engine.settle`): the axes are the right singular
        vectors of the rows' triangular factor, not the eigenvectors of their sum of
        squares. Where a component's rows do not span the columns (one or two rows
        of a small data set in many components), some of its axes are set only by
        rows whose weights are far below the sum of squares' round-off, or by none,
        and the two ways part: the factor keeps those rows, and breaks a tie as
        mclust does. Carries nothing from step to step."""
        n_components, n_rows, n_features = weighted.shape
        if n_rows < n_features:  # rows of zeros give the factor all D rows
            weighted = np.concatenate(
                [weighted, np.zeros((n_components, n_features - n_rows, n_features))], axis=1
            )
        factors = np.linalg.qr(weighted, mode="r")
        singular, right = np.linalg.svd(factors)[1:]
        values = (singular**2).sum(axis=0) / nk.sum()
        check_positive(values, axis=None)
        return np.swapaxes(right, 1, 2), np.broadcast_to(values, singular.shape), None
