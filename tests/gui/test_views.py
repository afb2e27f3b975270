"""Tests of the drawing views: geometry, thinning, item reuse, densities, table, clicks."""

from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt

from emgui.views import (
    MAX_DISPLAY_POINTS,
    DiscreteView,
    HistogramView,
    LikelihoodPlot,
    ParamsTable,
    ScatterView,
    blend_colors,
    component_color,
    ellipse_points,
    project,
)
from emgui.views.colors import PALETTE, component_rgb
from emgui.views import declared
from scipy import stats
from emgui.views.histogram_view import freedman_diaconis_bins
from emgui.views.likelihood_plot import IterationAxis, LikelihoodPlot
from emgui.views.params_table import param_columns
from emgui.views.component_marks import ELLIPSE_POINTS, N_STDS
from engine import FitOptions
from engine.params import Params

# ---------------------------------------------------------------- fixtures


def _random_spd(rng: np.random.Generator, d: int) -> np.ndarray:
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.5 * np.eye(d)


GAUSSIAN_EXAMPLES = {
    "full": np.array([[[2.0, 0.8], [0.8, 1.0]], [[0.5, -0.3], [-0.3, 0.4]]]),
    "tied": np.array([[1.5, 0.6], [0.6, 0.7]]),
    "diag": np.array([[2.0, 0.3], [0.1, 4.0]]),
    "spherical": np.array([0.7, 2.5]),
}


def _gaussian_params(covariance_type: str) -> Params:
    return Params(
        weights=np.array([0.4, 0.6]),
        means=np.array([[1.0, -2.0], [-3.0, 0.5]]),
        covariances=GAUSSIAN_EXAMPLES[covariance_type],
    )


def _blob_data(rng: np.random.Generator, n: int = 300) -> np.ndarray:
    centres = np.array([[0.0, 0.0], [5.0, 1.0], [1.0, 5.0]])
    return centres[rng.integers(0, 3, n)] + rng.normal(size=(n, 2))


def project_gaussian(params: Params, covariance_type: str, columns) -> tuple:
    """Locations and spreads on ``columns`` as a Gaussian of ``covariance_type`` declares
    them ("kmeans": the k-means model)."""
    options = (FitOptions(model="kmeans") if covariance_type == "kmeans"
               else FitOptions(covariance_type=covariance_type))
    spread = declared.spread_spec(options) if params.get("covariances") is not None else None
    return project(params, declared.location_spec(options), spread, columns)


@pytest.fixture
def scatter(qtbot) -> ScatterView:
    view = ScatterView()
    qtbot.addWidget(view)
    return view


# ---------------------------------------------------------------- geometry


@pytest.mark.parametrize("covariance_type", sorted(GAUSSIAN_EXAMPLES))
@pytest.mark.parametrize("n_std", N_STDS)
def test_ellipse_points_lie_on_mahalanobis_contour(covariance_type: str, n_std: float) -> None:
    params = _gaussian_params(covariance_type)
    means_2d, cov_2d = project_gaussian(params, covariance_type, (0, 1))
    for mean, cov in zip(means_2d, cov_2d):
        points = ellipse_points(mean, cov, n_std, n=100)
        assert points.shape == (100, 2)
        diff = points - mean
        distances = np.einsum("ij,ij->i", diff, np.linalg.solve(cov, diff.T).T)
        np.testing.assert_allclose(distances, n_std**2, rtol=0, atol=1e-9)
        np.testing.assert_allclose(points[0], points[-1], atol=1e-12)  # a closed curve


def test_project_gaussian_picks_blocks_of_a_3d_full_covariance() -> None:
    rng = np.random.default_rng(0)
    covariances = np.stack([_random_spd(rng, 3) for _ in range(2)])
    params = Params(
        weights=np.array([0.5, 0.5]),
        means=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
        covariances=covariances,
    )
    means_2d, cov_2d = project_gaussian(params, "full", (0, 2))
    np.testing.assert_array_equal(means_2d, [[1.0, 3.0], [4.0, 6.0]])
    for k in range(2):
        c = covariances[k]
        np.testing.assert_array_equal(cov_2d[k], [[c[0, 0], c[0, 2]], [c[2, 0], c[2, 2]]])
    # Swapped columns swap the block's rows and columns.
    _, swapped = project_gaussian(params, "full", (2, 1))
    c = covariances[1]
    np.testing.assert_array_equal(swapped[1], [[c[2, 2], c[2, 1]], [c[1, 2], c[1, 1]]])


def test_project_gaussian_handles_every_covariance_shape() -> None:
    means = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    tied = _random_spd(np.random.default_rng(1), 3)
    _, cov = project_gaussian(Params(np.array([0.5, 0.5]), means=means, covariances=tied), "tied", (1, 2))
    np.testing.assert_array_equal(cov, [tied[1:, 1:], tied[1:, 1:]])

    diag = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    _, cov = project_gaussian(Params(np.array([0.5, 0.5]), means=means, covariances=diag), "diag", (0, 2))
    np.testing.assert_array_equal(cov, [np.diag([1.0, 3.0]), np.diag([4.0, 6.0])])

    spherical = np.array([0.5, 2.0])
    _, cov = project_gaussian(Params(np.array([0.5, 0.5]), means=means, covariances=spherical), "spherical", (0, 1))
    np.testing.assert_array_equal(cov, [0.5 * np.eye(2), 2.0 * np.eye(2)])

    shared = np.array([1.5, 1.5])
    _, cov = project_gaussian(Params(np.array([0.5, 0.5]), means=means, covariances=shared), "kmeans", (0, 1))
    np.testing.assert_array_equal(cov, [1.5 * np.eye(2), 1.5 * np.eye(2)])

    means_2d, cov = project_gaussian(Params(np.array([0.5, 0.5]), means=means), "kmeans", (0, 1))
    assert cov is None
    np.testing.assert_array_equal(means_2d, means[:, :2])


def test_every_covariance_structure_is_drawn_and_tabled_by_its_storage() -> None:
    # mclust's names (EEI, VEI, ...) store their covariances as one of the four layouts.
    means = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    rng = np.random.default_rng(4)
    stored = {
        "full": np.array([_random_spd(rng, 3), _random_spd(rng, 3)]),
        "diag": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
        "spherical": np.array([0.5, 2.0]),
    }
    for structure, storage in {"EII": "spherical", "EEI": "diag", "VEI": "diag", "EVI": "diag",
                               "VEE": "full", "EVE": "full", "VVE": "full", "EEV": "full",
                               "VEV": "full", "EVV": "full"}.items():
        params = Params(np.array([0.5, 0.5]), means=means, covariances=stored[storage])
        np.testing.assert_array_equal(
            project_gaussian(params, structure, (0, 2))[1],
            project_gaussian(params, storage, (0, 2))[1],
        )
        columns = param_columns(params, FitOptions(covariance_type=structure), ["a", "b", "c"])
        stored_as = param_columns(params, FitOptions(covariance_type=storage), ["a", "b", "c"])
        assert [c.header for c in columns] == [c.header for c in stored_as]
        for column, same in zip(columns, stored_as):
            np.testing.assert_array_equal(column.values, same.values)


def test_projections_refuse_columns_the_data_do_not_have() -> None:
    params = _gaussian_params("full")
    with pytest.raises(ValueError, match="out of range"):
        project_gaussian(params, "full", (0, 5))
    # A model without a spread (or without locations) projects what it has.
    means_2d, spreads = project(params, declared.location_spec(FitOptions()), None, (1, 0))
    assert spreads is None
    np.testing.assert_array_equal(means_2d, params.means[:, [1, 0]])


# ----------------------------------------------------------------- colours


def test_palette_is_long_enough_and_distinct() -> None:
    assert len(PALETTE) >= 12
    assert len(set(PALETTE)) == len(PALETTE)
    assert component_color(len(PALETTE)) == component_color(0)


def test_blend_colors_mixes_by_responsibility() -> None:
    resp = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    rgba = blend_colors(resp, alpha=200)
    np.testing.assert_array_equal(rgba[0, :3], component_rgb(0))
    np.testing.assert_array_equal(rgba[1, :3], component_rgb(1))
    expected = np.rint((np.array(component_rgb(0)) + component_rgb(1)) / 2)
    np.testing.assert_allclose(rgba[2, :3], expected, atol=1)
    assert (rgba[:, 3] == 200).all()


# ----------------------------------------------------------------- scatter


def test_component_point_counts_match_labels(scatter: ScatterView) -> None:
    rng = np.random.default_rng(2)
    scatter.set_data(_blob_data(rng), "x", "y")
    labels = rng.integers(0, 3, scatter.display_index.shape[0])
    labels[labels == 1] = 2  # an empty component must count zero
    means = np.array([[0.0, 0.0], [5.0, 1.0], [1.0, 5.0]])
    confidence = rng.uniform(0.3, 1.0, labels.shape)
    scatter.show_state(means, np.stack([np.eye(2)] * 3), labels, confidence)
    assert scatter.component_point_counts() == np.bincount(labels, minlength=3).tolist()
    scatter.set_show_uncertainty(True)
    assert scatter.component_point_counts() == np.bincount(labels, minlength=3).tolist()
    # Fewer components than before: items stay, counts follow the new K.
    two = (labels > 0).astype(int)
    scatter.show_state(means[:2], None, two)
    assert scatter.component_point_counts() == np.bincount(two, minlength=2).tolist()


def test_large_data_is_thinned_to_a_stable_subset(scatter: ScatterView) -> None:
    rng = np.random.default_rng(3)
    points = rng.normal(size=(200_000, 2))
    scatter.set_data(points, "x", "y")
    index = scatter.display_index.copy()
    assert scatter.is_thinned
    assert 0 < index.shape[0] <= MAX_DISPLAY_POINTS
    assert np.all(np.diff(index) > 0) and index[0] >= 0 and index[-1] < 200_000

    labels = (points[index, 0] > 0).astype(int)
    scatter.show_state(np.zeros((2, 2)), None, labels)
    assert scatter.component_point_counts() == np.bincount(labels).tolist()

    scatter.set_data(rng.normal(size=(200_000, 2)), "x", "y")
    np.testing.assert_array_equal(scatter.display_index, index)

    scatter.set_data(points[:1000], "x", "y")
    assert not scatter.is_thinned
    np.testing.assert_array_equal(scatter.display_index, np.arange(1000))


def test_repeated_states_reuse_plot_items(scatter: ScatterView) -> None:
    rng = np.random.default_rng(4)
    scatter.set_data(_blob_data(rng), "x", "y")
    n_display = scatter.display_index.shape[0]
    max_k = 5

    def random_state(k: int) -> None:
        means = rng.normal(size=(k, 2)) * 3
        covariances = np.stack([_random_spd(rng, 2) for _ in range(k)])
        labels = rng.integers(0, k, n_display)
        confidence = rng.uniform(1.0 / k, 1.0, n_display)
        scatter.show_state(means, covariances if rng.random() < 0.8 else None, labels, confidence)

    random_state(max_k)
    scatter.set_show_uncertainty(True)
    plot_items = len(scatter.plot_item.items)
    scene_items = len(scatter.plot_item.scene().items())
    for i in range(500):
        scatter.set_show_uncertainty(i % 3 == 0)
        random_state(int(rng.integers(1, max_k + 1)))
    assert len(scatter.plot_item.items) == plot_items
    assert len(scatter.plot_item.scene().items()) == scene_items


def test_drawn_ellipses_follow_the_state(scatter: ScatterView) -> None:
    rng = np.random.default_rng(5)
    scatter.set_data(_blob_data(rng), "x", "y")
    params = _gaussian_params("full")
    means_2d, cov_2d = project_gaussian(params, "full", (0, 1))
    labels = rng.integers(0, 2, scatter.display_index.shape[0])
    scatter.show_state(means_2d, cov_2d, labels)
    for k in range(2):
        for n_std in N_STDS:
            x, y = scatter.ellipse_curves(k, n_std)
            expected = ellipse_points(means_2d[k], cov_2d[k], n_std, ELLIPSE_POINTS)
            np.testing.assert_allclose(np.column_stack([x, y]), expected)
    scatter.show_state(means_2d, None, labels)
    assert scatter.ellipse_curves(0, 1.0)[0].size == 0


def test_show_state_rejects_labels_of_the_wrong_length(scatter: ScatterView) -> None:
    scatter.set_data(np.zeros((10, 2)), "x", "y")
    with pytest.raises(ValueError, match="one entry per displayed point"):
        scatter.show_state(np.zeros((2, 2)), None, np.zeros(9, dtype=int))


def _click_at(qtbot, view: ScatterView, x: float, y: float) -> None:
    view_box = view.plot_item.getViewBox()
    # The view box lays out its range lazily, after the widget is first shown.
    qtbot.waitUntil(
        lambda: view_box.sceneBoundingRect().contains(view_box.mapViewToScene(QPointF(x, y)))
    )
    scene_point = view_box.mapViewToScene(QPointF(x, y))
    widget_point = view.plot_widget.mapFromScene(scene_point)
    qtbot.mouseClick(view.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=widget_point)


def test_click_while_placing_emits_data_coordinates(qtbot, scatter: ScatterView) -> None:
    scatter.set_data(np.array([[0.0, 0.0], [10.0, 100.0]]), "x", "y")
    scatter.resize(600, 400)
    scatter.show()
    qtbot.waitExposed(scatter)

    # Clicks go to different places: two quick clicks at one place make a double click,
    # which places nothing.
    with qtbot.assertNotEmitted(scatter.point_placed):
        _click_at(qtbot, scatter, 8.0, 80.0)

    scatter.set_placing(0)
    with qtbot.waitSignal(scatter.point_placed, timeout=2000) as blocker:
        _click_at(qtbot, scatter, 3.0, 40.0)
    x, y = blocker.args
    pixel_x, pixel_y = scatter.plot_item.getViewBox().viewPixelSize()
    assert abs(x - 3.0) <= 1.5 * pixel_x
    assert abs(y - 40.0) <= 1.5 * pixel_y

    scatter.set_placed(np.array([[x, y]]))
    scatter.set_placing(None)
    with qtbot.assertNotEmitted(scatter.point_placed):
        _click_at(qtbot, scatter, 7.0, 60.0)


# --------------------------------------------------------------- histogram


def test_freedman_diaconis_bins_are_capped() -> None:
    rng = np.random.default_rng(6)
    assert freedman_diaconis_bins(rng.normal(size=20)) == 10
    assert freedman_diaconis_bins(rng.normal(size=1_000_000)) == 80
    assert freedman_diaconis_bins(np.ones(50)) == 10


def gaussian_log_density(means: np.ndarray, variances: np.ndarray):
    """Each component's log-density at points x, shape (n, K), as a view asks for it."""
    def log_density(x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return stats.norm.logpdf(np.asarray(x)[:, None], means, np.sqrt(variances))
    return log_density


def test_histogram_mixture_integrates_to_one_and_sums_components(qtbot) -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(163, 6.5, 500), rng.normal(176, 7, 500)])
    view = HistogramView()
    qtbot.addWidget(view)
    view.set_data(values, "height (cm)")
    weights = np.array([0.5, 0.5])
    means = np.array([163.0, 176.0])
    variances = np.array([42.0, 49.0])
    view.show_state(weights, gaussian_log_density(means, variances), means, np.sqrt(variances))

    x, mixture = view.mixture_curve()
    assert np.trapezoid(mixture, x) == pytest.approx(1.0, abs=1e-3)
    total = sum(view.component_curve(k)[1] for k in range(2))
    np.testing.assert_allclose(total, mixture, rtol=1e-12)
    for k in range(2):
        np.testing.assert_array_equal(view.component_curve(k)[0], x)
        np.testing.assert_allclose(
            view.component_curve(k)[1],
            weights[k] * stats.norm.pdf(x, means[k], np.sqrt(variances[k])), rtol=1e-12)


def test_histogram_reuses_curves_and_skips_collapsed_components(qtbot) -> None:
    view = HistogramView()
    qtbot.addWidget(view)
    view.set_data(np.random.default_rng(8).normal(size=500), "x")
    means = np.array([-1.0, 1.0])
    view.show_state(np.array([0.5, 0.5]), gaussian_log_density(means, np.ones(2)), means,
                    np.ones(2))
    n_items = len(view.plot_item.items)
    collapsed = np.array([1.0, 0.0])
    view.show_state(np.array([0.5, 0.5]), gaussian_log_density(means, collapsed), means,
                    np.sqrt(collapsed))
    assert view.component_curve(1)[0].size == 0
    assert np.all(np.isfinite(view.mixture_curve()[1]))
    for _ in range(50):
        variances = np.array([0.5, 2.0])
        view.show_state(np.array([0.3, 0.7]), gaussian_log_density(means, variances), means,
                        np.sqrt(variances))
    assert len(view.plot_item.items) == n_items


# ---------------------------------------------------------------- discrete


def binomial_log_pmf(trials: int, probs: np.ndarray):
    return lambda column, counts: stats.binom.logpmf(counts[:, None], trials, probs[:, column])


def poisson_log_pmf(rates: np.ndarray):
    return lambda column, counts: stats.poisson.logpmf(counts[:, None], rates[:, column])


def test_discrete_two_coin_pmf_sums_to_one(qtbot) -> None:
    rng = np.random.default_rng(9)
    heads = rng.binomial(5, np.where(rng.random(200) < 0.5, 0.8, 0.35))[:, None]
    view = DiscreteView()
    qtbot.addWidget(view)
    view.set_data(heads, ["heads"], supports=[5], value_title="probability", bounded=True)
    probs = np.array([[0.8], [0.35]])
    view.show_state(np.array([0.45, 0.55]), probs, binomial_log_pmf(5, probs))
    counts, mixture, components = view.fitted_pmf(0)
    np.testing.assert_array_equal(counts, np.arange(6))
    assert mixture.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(components.sum(axis=0), mixture)
    np.testing.assert_allclose(components[1], 0.55 * stats.binom.pmf(np.arange(6), 5, 0.35))


def test_discrete_six_poisson_columns_switch_and_reuse_items(qtbot) -> None:
    rng = np.random.default_rng(10)
    X = rng.poisson([1.0, 3.0, 0.5, 6.0, 2.0, 4.0], size=(300, 6))
    names = ["a", "b", "c", "d", "e", "f"]
    view = DiscreteView()
    qtbot.addWidget(view)
    view.set_data(X, names, value_title="rate")
    rates = rng.uniform(0.5, 6.0, size=(3, 6))
    view.show_state(np.array([0.2, 0.3, 0.5]), rates, poisson_log_pmf(rates))
    n_items = len(view.param_plot.items), len(view.count_plot.items)
    view.set_column(3)
    assert view.column == 3
    counts, mixture, _ = view.fitted_pmf(3)
    assert counts[-1] == X[:, 3].max()
    assert 0.9 < mixture.sum() <= 1.0
    for _ in range(50):
        rates = rng.uniform(0.5, 6.0, size=(3, 6))
        view.show_state(rng.dirichlet(np.ones(3)), rates, poisson_log_pmf(rates))
    assert (len(view.param_plot.items), len(view.count_plot.items)) == n_items


# ------------------------------------------------------------------ table


def test_params_table_rows_text_and_resets(qtbot) -> None:
    rng = np.random.default_rng(11)
    covariances = np.stack([_random_spd(rng, 3) for _ in range(4)])
    params = Params(
        weights=np.full(4, 0.25), means=rng.normal(size=(4, 3)), covariances=covariances
    )
    table = ParamsTable()
    qtbot.addWidget(table)
    model = table.params_model
    table.show_params(params, FitOptions(covariance_type="full"), ["x", "y", "z"])
    assert model.rowCount() == 4
    assert model.headers() == [
        "component", "weight", "mean(x)", "mean(y)", "mean(z)",
        "var(x)", "var(y)", "var(z)", "cov(x,y)", "cov(x,z)", "cov(y,z)",
    ]
    lines = table.as_text().split("\n")
    assert len(lines) == 4 + 1
    assert all(len(line.split("\t")) == len(model.headers()) for line in lines)
    assert float(lines[2].split("\t")[9]) == covariances[1, 0, 2]

    index = model.index(1, 2)
    assert model.data(index, Qt.ItemDataRole.EditRole) == params.means[1, 0]
    assert model.data(index) == f"{params.means[1, 0]:.4g}"
    assert model.data(model.index(2, 0), Qt.ItemDataRole.DecorationRole) == component_color(2)

    moved = params.replace(means=params.means + 1.0)
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        table.show_params(moved, FitOptions(covariance_type="full"), ["x", "y", "z"])
    assert model.data(index, Qt.ItemDataRole.EditRole) == moved.means[1, 0]

    fewer = Params(weights=np.array([0.5, 0.5]), means=np.zeros((2, 3)), covariances=np.eye(3))
    with qtbot.waitSignal(model.modelReset):
        table.show_params(fewer, FitOptions(covariance_type="tied"), ["x", "y", "z"])
    assert model.rowCount() == 2
    assert "var(x) (shared)" in model.headers()


def test_params_table_discrete_and_kmeans_columns(qtbot) -> None:
    table = ParamsTable()
    qtbot.addWidget(table)
    table.show_params(
        Params(weights=np.array([0.5, 0.5]), probs=np.array([[0.8], [0.35]])),
        FitOptions(model="binomial", trials=5), ["heads"],
    )
    assert table.params_model.headers() == ["component", "weight", "p(heads)"]
    table.show_params(
        Params(weights=np.array([0.5, 0.5]), means=np.zeros((2, 2)), covariances=np.full(2, 1.5)),
        FitOptions(model="kmeans"), ["u", "v"],
    )
    assert table.params_model.headers()[-1] == "var (shared)"
    assert len(table.as_text().split("\n")) == 3


# ------------------------------------------------------------- likelihood


def test_likelihood_plot_history_and_marker(qtbot) -> None:
    plot = LikelihoodPlot()
    qtbot.addWidget(plot)
    n_items = len(plot.plot_item.items)
    for n in range(1, 30):
        plot.set_history(-100.0 + np.log(np.arange(1, n + 1)), "log-likelihood")
    plot.set_current(4)
    assert plot.current() == 4
    np.testing.assert_allclose(plot.history, -100.0 + np.log(np.arange(1, 30)))
    assert plot.plot_item.getAxis("left").labelText == "log-likelihood"
    plot.set_history([5.0, 3.0, 2.0], "inertia")
    assert plot.plot_item.getAxis("left").labelText == "inertia"
    plot.clear()
    assert plot.history.size == 0 and plot.current() is None
    assert len(plot.plot_item.items) == n_items


def test_iteration_axis_ticks_are_whole_numbers(qtbot) -> None:
    axis = IterationAxis("bottom")
    for low, high in [(0, 2), (0, 7), (0, 150), (-0.3, 3.3)]:
        spacings = [spacing for spacing, _ in axis.tickSpacing(low, high, 500)]
        assert spacings and all(s >= 1 and float(s).is_integer() for s in spacings)


def test_label_image_covers_the_data_in_data_coordinates(scatter: ScatterView) -> None:
    # Found by looking at a 1e6-point window: the image sat at pixel scale (0..7500)
    # because its rectangle was set before it had an image of the new shape.
    rng = np.random.default_rng(4)
    points = np.column_stack([rng.uniform(10, 20, 30_000), rng.uniform(100, 300, 30_000)])
    scatter.set_data(points)
    assert scatter.uses_image
    for labels in (None, rng.integers(0, 3, len(points))):
        if labels is not None:
            scatter.show_state(np.zeros((3, 2)), None, labels)
        image = scatter.label_image
        rect = image.mapRectToParent(image.boundingRect())
        low, high = points.min(axis=0), points.max(axis=0)
        pixel = (high[1] - low[1]) / 480  # the longer side spans RESOLUTION pixels
        assert rect.left() == pytest.approx(low[0]) and rect.top() == pytest.approx(low[1])
        assert high[0] <= rect.right() <= high[0] + 3 * pixel
        assert high[1] <= rect.bottom() <= high[1] + 3 * pixel


def test_ellipses_item_has_bounds_before_it_is_in_a_view(qtbot) -> None:
    # pyqtgraph has no pixel size for an item without a laid-out view.
    from emgui.views.ellipses_item import EllipsesItem

    item = EllipsesItem()
    xy = ellipse_points(np.array([1.0, 2.0]), np.eye(2), 2.0, ELLIPSE_POINTS)
    item.set_curves([(0, 2.0, xy, pg.mkPen("k"))])
    rect = item.boundingRect()
    low, high = xy.min(axis=0), xy.max(axis=0)
    assert (rect.left(), rect.top()) == pytest.approx(tuple(low))
    assert (rect.right(), rect.bottom()) == pytest.approx(tuple(high))
    np.testing.assert_array_equal(item.points(0, 2.0), xy)
    assert item.points(1, 2.0).shape == (0, 2)


def test_label_image_pixels_take_the_colour_of_their_last_point(scatter: ScatterView) -> None:
    rng = np.random.default_rng(5)
    points = rng.normal(size=(20_000, 2))
    scatter.set_data(points)
    labels = rng.integers(0, 4, len(points))
    scatter.show_state(np.zeros((4, 2)), None, labels)
    shown = scatter.label_image.pixel_colors()
    height, width, _ = shown.shape
    # The plain rule: splat every point in order, so a pixel keeps its last point's label.
    low = points.min(axis=0)
    scale = 480 / (points.max(axis=0) - low).max()
    cols = np.minimum(((points[:, 0] - low[0]) * scale).astype(int), width - 1)
    rows = np.minimum(((points[:, 1] - low[1]) * scale).astype(int), height - 1)
    expected = np.full((height, width), -1)
    expected[rows, cols] = labels
    palette = np.array([component_rgb(k) for k in range(4)], dtype=np.uint8)
    occupied = expected >= 0
    np.testing.assert_array_equal(shown[occupied][:, :3], palette[expected[occupied]])
    assert np.all(shown[~occupied][:, 3] == 0) and np.all(shown[occupied][:, 3] >= 110)
    scatter.clear_state()  # grey again
    assert np.all(scatter.label_image.pixel_colors()[occupied][:, :3] == 150)


def test_likelihood_range_holds_every_value_and_moves_in_steps(qtbot) -> None:
    plot = LikelihoodPlot()
    qtbot.addWidget(plot)
    view_box = plot.plot_item.getViewBox()
    values = -1000.0 + 900.0 * (1 - np.exp(-np.arange(200) / 8.0))
    changes = 0
    previous = None
    for n in range(1, 201):
        plot.set_history(values[:n], "log-likelihood")
        (x0, x1), (y0, y1) = view_box.viewRange()
        assert x0 <= 0 and x1 >= n - 1
        assert y0 <= values[:n].min() and y1 >= values[:n].max()
        changes += view_box.viewRange() != previous
        previous = view_box.viewRange()
    assert changes < 30  # not once per iteration
    # After the user zooms, the range is theirs until a new run starts.
    view_box.sigRangeChangedManually.emit([True, True])
    view_box.setRange(xRange=(5, 6), yRange=(0, 1), padding=0)
    plot.set_history(values, "log-likelihood")
    assert view_box.viewRange() == [[5.0, 6.0], [0.0, 1.0]]
    plot.set_history(values[:3], "log-likelihood")
    assert view_box.viewRange()[0][1] >= 2


def test_a_long_trace_is_drawn_thinned_to_the_pixels_and_kept_whole(qtbot) -> None:
    # A damaged session whose trace repeats 2000 times: 82 000 values zigzagging across
    # the plot. Drawn a few per pixel (each pixel's highest and lowest kept), thin.
    plot = LikelihoodPlot()
    qtbot.addWidget(plot)
    plot.resize(640, 150)
    plot.show()
    values = np.tile(-2700.0 + np.log1p(np.arange(41)), 2000)
    plot.set_history(values, "log-likelihood")
    plot.set_current(values.size - 3)
    plot.grab()
    np.testing.assert_array_equal(plot.history, values)
    assert plot.current() == values.size - 3
    curve = next(item for item in plot.plot_widget.getPlotItem().listDataItems()
                 if np.size(item.getOriginalDataset()[1]) == values.size)
    _, drawn = curve.getData()
    assert drawn.size < values.size // 10
    assert (drawn.min(), drawn.max()) == (values.min(), values.max())
    assert curve.opts["pen"].width() <= 1 and curve.opts["symbol"] is None
    plot.set_history(values[:41], "log-likelihood")  # a short trace: markers, full pen
    assert curve.opts["symbol"] == "o" and curve.opts["pen"].width() == 2


def test_the_trace_title_fits_a_short_plot(qtbot) -> None:
    """A 110 px trace cut "log-likelihood + log prior" to "g-likelihood + lo": the title now
    goes on two lines (or is shortened) to fit the axis, the whole of it in the tool tip."""
    from PySide6.QtGui import QFontMetricsF

    from emgui.views.plot_style import SMALL_LABEL_POINTS, fitted_title, label_font

    metrics = QFontMetricsF(label_font())
    label = "log-likelihood + log prior"
    assert fitted_title(label, 1000) == label
    assert fitted_title(label, 0) == label  # not laid out yet
    short = metrics.horizontalAdvance(label) * 0.7
    assert fitted_title(label, short) == "log-likelihood<br>+ log prior"
    small = QFontMetricsF(label_font(SMALL_LABEL_POINTS))
    between = max(small.horizontalAdvance("log-likelihood") + 1,
                  metrics.horizontalAdvance("log-likelihood") - 1)
    assert fitted_title(label, between).endswith("log-likelihood<br>+ log prior</span>")
    tiny = fitted_title(label, 40)
    text = tiny.split(">", 1)[1].removesuffix("</span>")
    assert text.endswith("…") and small.horizontalAdvance(text) <= 40
    plot = LikelihoodPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 110)
    plot.show()
    plot.set_history([-3.0, -2.0, -1.5], label)
    axis = plot.plot_item.getAxis("left")
    qtbot.waitUntil(lambda: axis.geometry().height() > 0)
    # Too short for the title even at 9 pt on two lines: it goes across the top left corner.
    qtbot.waitUntil(lambda: plot.title_in_corner)
    assert not axis.label.isVisible()
    assert axis.toolTip() == label and plot.label == label
    plot.resize(400, 160)  # room for it on two smaller lines, up the axis
    qtbot.waitUntil(lambda: not plot.title_in_corner and axis.label.isVisible())
    sized = axis.labelText.startswith("<span")
    inner = axis.labelText.split(">", 1)[1].removesuffix("</span>") if sized else axis.labelText
    used = small if sized else metrics
    for line in inner.split("<br>"):
        assert used.horizontalAdvance(line) <= axis.geometry().height()
    plot.resize(400, 500)
    qtbot.waitUntil(lambda: axis.labelText == label and not plot.title_in_corner)
