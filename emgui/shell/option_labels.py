"""The words for the loop's own options: what the Settings panel and the dialogs call them.

(A model's options, its title and its parameters' words come from its declaration:
:mod:`emgui.views.declared`.)
"""

INIT_LABELS = {
    "kmeans++": "k-means++ seeds",
    "random": "random rows",
    "hc": "hierarchical clustering (mclust's)",
    "click": "click on the plot",
    "sample": "the example's starting values",
}
INIT_TIPS = {
    "kmeans++": "Seeds spread apart from each other, then every row goes to its nearest seed.",
    "random": "Seeds picked among the rows at random.",
    "hc": "A deterministic hierarchical clustering of the rows (as mclust starts), cut into K "
    "groups; further starts use k-means++.",
    "click": "Place the K starting means yourself by clicking on the plot.",
    "sample": "The starting values the worked example gives (as in the textbook).",
}
E_STEP_LABELS = {"soft": "soft (standard EM)", "hard": "hard (classification EM)"}
ACCELERATION_LABELS = {"none": "plain EM", "squarem": "SQUAREM"}
ACCELERATION_TIPS = {
    "none": "One EM step per iteration: every iteration shows exactly what EM does.",
    "squarem": "EM steps extrapolated (SQUAREM): far fewer passes on slow fits, and the "
    "objective still never falls. Soft E-step only; stepping by E-step and M-step is always "
    "plain EM.",
}
