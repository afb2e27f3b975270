"""The views for many columns and for reading a fit: what each draws (issue 19)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QToolButton

from emgui.views.cluster_sizes import ClusterSizesView
from emgui.views.density_contours import MASSES, density_grid, mixture_density
from emgui.views.histogram_view import HistogramView, freedman_diaconis_bins
from emgui.views.pairs_view import MAX_PAIR_COLUMNS, MAX_PAIR_POINTS, PairsView
from emgui.views.projection_view import ProjectionView
from emgui.views.uncertainty_view import BREAKS, N_LISTED, UncertaintyView
from engine.projection import principal_components


def _mixture(rng: np.random.Generator, n: int = 600, d: int = 5):
    means = rng.normal(0, 4, size=(3, d))
    covariances = np.stack([a @ a.T / d + 0.4 * np.eye(d) for a in rng.normal(size=(3, d, d))])
    labels = rng.integers(0, 3, n)
    X = np.stack([rng.multivariate_normal(means[k], covariances[k]) for k in labels])
    return X, np.full(3, 1 / 3), means, covariances, labels


def _mahalanobis(points: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    d = points - mean
    return np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)


def test_pairs_view_draws_every_pair_with_its_marginal_ellipses(qtbot) -> None:
    view = PairsView()
    qtbot.addWidget(view)
    X, _, means, covariances, labels = _mixture(np.random.default_rng(0))
    view.set_data(X, list("abcde"))
    assert view.columns == (0, 1, 2, 3, 4)
    assert len(view.layout_widget.ci.items) == 25  # 20 scatters and 5 histograms
    view.set_columns((4, 1, 2))
    assert len(view.layout_widget.ci.items) == 9
    view.show_state(means, covariances, labels[view.display_rows])
    # Cell (0, 1): shown column 1 (data column 1) across, shown column 0 (data column 4) up.
    np.testing.assert_allclose(view.cell_means(0, 1), means[:, [1, 4]])
    for k in range(3):
        pair = [1, 2]  # cell (2, 1): data column 1 across, data column 2 up
        ellipse = view.cell_ellipse(2, 1, k, 2.0)
        marginal = covariances[k][np.ix_(pair, pair)]
        np.testing.assert_allclose(
            _mahalanobis(ellipse, means[k, pair], marginal), 4.0, rtol=1e-9
        )
    view.clear_state()
    assert view.cell_means(0, 1).shape == (0, 2)


def test_pairs_view_takes_at_most_eight_columns_and_a_sample_of_many_rows(qtbot) -> None:
    view = PairsView()
    qtbot.addWidget(view)
    X = np.random.default_rng(1).normal(size=(MAX_PAIR_POINTS * 3, 10))
    view.set_data(X, [f"c{i}" for i in range(10)])
    assert view.columns == tuple(range(MAX_PAIR_COLUMNS))
    assert view.display_rows.size == MAX_PAIR_POINTS
    with pytest.raises(ValueError, match="at most 8 columns"):
        view.set_columns(tuple(range(9)))
    with pytest.raises(ValueError, match="labels must have one entry per displayed row"):
        view.show_state(None, None, np.zeros(5, dtype=int))
    assert view.cell_uses_image(0, 1)  # 56 cells of 3000 points: images, not point items
    view.set_data(X[:300, :3], ["a", "b", "c"])
    assert not view.cell_uses_image(0, 1)


def test_projection_view_shows_principal_components_and_projects_the_ellipses(qtbot) -> None:
    view = ProjectionView()
    qtbot.addWidget(view)
    X, weights, means, covariances, labels = _mixture(np.random.default_rng(2))
    view.set_data(X)
    pca = principal_components(X, 2)
    np.testing.assert_allclose(view.projection.basis, pca.basis)
    view.show_state(weights, means, covariances, labels)
    projected_means = (means - X.mean(axis=0)) @ pca.basis
    np.testing.assert_allclose(view.component_means(), projected_means, atol=1e-10)
    for k in range(3):
        cov_2d = pca.basis.T @ covariances[k] @ pca.basis
        ellipse = view.component_ellipse(k, 1.0)
        np.testing.assert_allclose(
            _mahalanobis(ellipse, projected_means[k], cov_2d), 1.0, rtol=1e-9
        )


def test_discriminant_coordinates_need_a_fit_and_follow_it(qtbot) -> None:
    view = ProjectionView()
    qtbot.addWidget(view)
    X, weights, means, covariances, labels = _mixture(np.random.default_rng(3))
    view.set_data(X)
    view.set_kind("discriminant")
    assert view.projection is None
    view.show_state(weights, means, covariances, labels)
    first = view.projection
    assert first is not None and first.values[0] > 0
    moved = means.copy()
    moved[0] += 3.0
    view.show_state(weights, moved, covariances, labels)
    assert not np.allclose(view.projection.basis, first.basis)
    np.testing.assert_allclose(view.component_means(), view.projection.transform(moved))


def test_contour_levels_enclose_their_share_of_the_rows() -> None:
    X, weights, means, covariances, _ = _mixture(np.random.default_rng(4), n=2000, d=2)
    x, y, density, levels = density_grid(X, weights, means, covariances)
    at_rows = mixture_density(X, weights, means, covariances)
    for mass, level in zip(MASSES, levels):
        assert np.mean(at_rows >= level) == pytest.approx(mass, abs=0.002)
    # The grid holds the density: one point checked against the formula.
    i, j = 40, 70
    assert density[i, j] == pytest.approx(
        mixture_density(np.array([[x[i], y[j]]]), weights, means, covariances)[0]
    )


def test_uncertainty_view_sizes_points_by_quantile_and_lists_the_least_sure(qtbot) -> None:
    view = UncertaintyView()
    qtbot.addWidget(view)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 3))
    view.set_data(X, "a", "b", (0, 1))
    top = rng.uniform(0.34, 1.0, 400)
    resp = np.column_stack([top, 1 - top])
    view.show_state(resp)
    uncertainty = 1 - resp.max(axis=1)
    np.testing.assert_allclose(view.uncertainty, uncertainty)
    low, high = np.quantile(uncertainty, BREAKS)
    assert view.group_sizes() == [
        int(np.sum(uncertainty <= low)),
        int(np.sum((uncertainty > low) & (uncertainty <= high))),
        int(np.sum(uncertainty > high)),
    ]
    assert view.listed_rows() == list(np.argsort(-uncertainty, kind="stable")[:N_LISTED])
    with pytest.raises(ValueError, match="resp must have shape"):
        view.show_state(resp[:10])


def test_cluster_sizes_show_counts_and_n_times_the_weights(qtbot) -> None:
    view = ClusterSizesView()
    qtbot.addWidget(view)
    view.show_sizes(np.array([30, 50, 20]), np.array([0.25, 0.5, 0.25]), 100)
    np.testing.assert_allclose(view.counts, [30, 50, 20])
    np.testing.assert_allclose(view.expected, [25, 50, 25])
    view.clear()
    assert view.counts.size == 0


def test_histogram_bins_can_be_chosen_and_go_back_to_the_rule(qtbot) -> None:
    view = HistogramView()
    qtbot.addWidget(view)
    values = np.random.default_rng(6).normal(size=500)
    view.set_data(values, "x")
    assert view.n_bins == freedman_diaconis_bins(values)
    view.set_bins(37)
    assert view.n_bins == 37
    edges, density = view.bars()
    assert len(edges) == 38 and np.sum(density * np.diff(edges)) == pytest.approx(1.0)
    view.set_bins(None)
    assert view.n_bins == freedman_diaconis_bins(values)


def test_ticking_columns_in_the_menu_rebuilds_the_matrix(qtbot) -> None:
    view = PairsView()
    qtbot.addWidget(view)
    view.set_data(np.random.default_rng(7).normal(size=(50, 4)), list("abcd"))
    button = next(b for b in view.findChildren(QToolButton) if b.text() == "Columns")
    actions = button.menu().actions()
    assert [a.text() for a in actions] == list("abcd")
    with qtbot.waitSignal(view.columns_changed) as changed:
        actions[3].setChecked(False)
    assert changed.args == [(0, 1, 2)]
    assert len(view.layout_widget.ci.items) == 9


def test_many_points_with_gaps_draw_as_an_image_of_the_complete_rows(qtbot) -> None:
    # Found with the pairs view: rows with a missing coordinate broke the label image.
    from emgui.views.scatter_view import ScatterView

    view = ScatterView()
    qtbot.addWidget(view)
    X = np.random.default_rng(8).normal(size=(20_000, 2))
    X[::7, 1] = np.nan
    view.set_data(X)
    assert view.uses_image
    labels = np.zeros(20_000, dtype=int)
    view.show_state(np.zeros((1, 2)), None, labels)
    occupied = (view.label_image.pixel_colors()[..., 3] > 0).sum()
    assert 0 < occupied <= np.isfinite(X).all(axis=1).sum()


def test_contour_lines_lie_where_the_density_equals_their_level(qtbot) -> None:
    from emgui.views.density_contours import DensityContours

    X, weights, means, covariances, _ = _mixture(np.random.default_rng(9), n=1500, d=2)
    x, y, density, levels = density_grid(X, weights, means, covariances)
    item = DensityContours()
    item.show_density(x, y, density, levels)
    assert list(item.segments) == [float(v) for v in levels]
    for level, xy in item.segments.items():
        assert xy.shape[0] % 2 == 0 and xy.shape[0] > 0  # segments in pairs of points
        on_line = mixture_density(xy, weights, means, covariances)
        # Linear interpolation on a 120 x 120 grid: within a few per cent of the level.
        assert np.median(np.abs(on_line / level - 1)) < 0.02
    item.clear_density()
    assert item.levels.size == 0 and not item.segments


def test_pairs_view_names_columns_on_its_diagonal_in_their_own_units(qtbot) -> None:
    """The first row's y ticks once read the histogram's counts (0 to 15) and the rotated
    names of short cells ran into each other: the names are written on the diagonal and
    its histograms are drawn in their column's units, sharing the row's and column's range."""
    view = PairsView()
    qtbot.addWidget(view)
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(6, 0.5, 150), rng.normal(300, 40, 150), rng.normal(0, 1, 150)])
    view.set_data(X, ["length_cm", "weight_g", "score"])
    view.resize(600, 600)
    view.show()
    for i, name in enumerate(["length_cm", "weight_g", "score"]):
        assert view.diagonal_title(i) == name
        assert view.cell(i, 0).getAxis("left").labelText == ""  # no name up the side
        (x_low, x_high), (y_low, y_high) = view.cell(i, i).getViewBox().viewRange()
        low, high = X[:, i].min(), X[:, i].max()
        assert x_low <= low and high <= x_high and y_low <= low and high <= y_high
        assert (x_high - x_low) < 2 * (high - low)  # the column's range, not the counts'
        # The diagonal shares its row's y and its column's x.
        assert view.cell(i, (i + 1) % 3).getViewBox().viewRange()[1] == [y_low, y_high]
        assert view.cell((i + 1) % 3, i).getViewBox().viewRange()[0] == [x_low, x_high]
