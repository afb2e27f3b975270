"""Drawing views of EM Studio: standalone widgets the main window composes.

Views never run EM; they receive arrays (or :class:`engine.params.Params`) and
draw them, creating their plot items once and updating them in place.
"""

from emgui.views.colors import PALETTE, blend_colors, component_color
from emgui.views.discrete_view import DiscreteView
from emgui.views.geometry import ellipse_points, project
from emgui.views.histogram_view import HistogramView
from emgui.views.likelihood_plot import LikelihoodPlot
from emgui.views.params_table import ParamsModel, ParamsTable
from emgui.views.scatter_points import MAX_DISPLAY_POINTS
from emgui.views.scatter_view import ScatterView

__all__ = [
    "MAX_DISPLAY_POINTS",
    "PALETTE",
    "DiscreteView",
    "HistogramView",
    "LikelihoodPlot",
    "ParamsModel",
    "ParamsTable",
    "ScatterView",
    "blend_colors",
    "component_color",
    "ellipse_points",
    "project",
]
