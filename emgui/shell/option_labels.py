"""The words for each fit option: what the Settings panel and the dialogs call them."""

MODEL_LABELS = {
    "gaussian": "Gaussian mixture",
    "kmeans": "k-means",
    "bernoulli": "Bernoulli mixture",
    "binomial": "Binomial mixture",
    "poisson": "Poisson mixture",
}
MODEL_TIPS = {
    "gaussian": "Each cluster is a bell-shaped cloud with its own centre and spread.",
    "kmeans": "Each row goes wholly to its nearest centre; centres move to the middle of "
    "their rows. The same as a Gaussian mixture with equal, round clusters and hard "
    "assignments.",
    "bernoulli": "Each column is yes/no (0 or 1); each cluster has its own chance of 'yes' "
    "per column. Three coins: one column of tosses.",
    "binomial": "Each column counts successes out of a fixed number of trials (e.g. heads "
    "in 5 tosses); each cluster has its own success probability.",
    "poisson": "Each column is a count (0, 1, 2, ...); each cluster has its own average rate.",
}
COVARIANCE_TIPS = {
    "full": "Each cluster may be any ellipse: its own size, shape and tilt.",
    "tied": "All clusters share one ellipse shape; only their centres differ.",
    "diag": "Each cluster is an ellipse aligned with the axes (no correlation).",
    "spherical": "Each cluster is a circle with its own size.",
}
INIT_LABELS = {
    "kmeans++": "k-means++ seeds",
    "random": "random rows",
    "click": "click on the plot",
    "sample": "the example's starting values",
}
PARAM_LABELS = {
    "weights": "weights",
    "means": "means",
    "covariances": "covariances",
    "probs": "probabilities",
    "rates": "rates",
}
