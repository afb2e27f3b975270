"""Copy Summary: a short report of a fit in the spirit of mclust's ``summary()``."""

from __future__ import annotations

import numpy as np

from engine import FitOptions, FitResult
from engine.models import model_class
from emio.params_file import check_feature_names

def component_sizes(result: FitResult) -> np.ndarray:
    """Rows assigned to each component (most probable component), shape (n_components,)."""
    return np.bincount(np.asarray(result.labels), minlength=result.options.n_components)


def model_line(options: FitOptions) -> str:
    """The model as a summary names it: its report title and the words its options add
    (``Gaussian mixture, full covariance (ellipsoidal, each its own)``)."""
    parts = [model_class(options.model).report_title]
    for spec in model_class(options.model).option_specs:
        value = options.model_options[spec.name]
        if spec.describe is not None and value is not None:
            parts.append(spec.describe(value))
    return ", ".join(parts)


def _criterion(value: float) -> str:
    return f"{value:.4f}" if np.isfinite(value) else "not available"


def summary_text(result: FitResult, feature_names: list[str]) -> str:
    """A short report of a fit in the spirit of mclust's ``summary()``.

    Model, K, log-likelihood, free parameters, BIC, AIC, ICL (when finite),
    component sizes and weights, convergence, iterations and the seed. BIC,
    AIC and ICL use scikit-learn's sign: lower is better (mclust reports
    ``-BIC``).
    """
    check_feature_names(feature_names, result.n_features)
    options = result.options
    k = options.n_components
    columns = ", ".join(feature_names)
    rows = "row" if result.n_samples == 1 else "rows"
    lines = [
        "EM Studio fit summary",
        "=" * 21,
        f"Model:            {model_line(options)}",
        f"Components (K):   {k}",
        f"Data:             {result.n_samples:,} {rows} x {result.n_features} columns ({columns})",
        f"E-step:           {'hard (classification EM)' if options.e_step == 'hard' else 'soft'}",
        f"Log-likelihood:   {result.log_likelihood:.4f}",
        f"Free parameters:  {result.n_parameters}"
        + (f" (held fixed: {', '.join(sorted(options.fixed))})" if options.fixed else ""),
        f"BIC:              {_criterion(result.bic)}",
        f"AIC:              {_criterion(result.aic)}",
        f"ICL:              {_criterion(result.icl)}",
        "                  (BIC, AIC, ICL: lower is better; mclust prints -BIC)",
    ]
    metric = model_class(options.model).trace_metric
    if metric in result.metrics_history:
        label = f"{metric.capitalize()}:"
        lines.append(f"{label:<18}{result.metrics_history[metric][-1]:.6g}")
    its = "iteration" if result.n_iter == 1 else "iterations"
    if options.max_iter == 0:
        state = "not run (starting parameters evaluated)"
    elif result.converged:
        state = f"yes, after {result.n_iter} {its} (tolerance {options.tol:g})"
    else:
        state = f"no, stopped after {result.n_iter} {its} (tolerance {options.tol:g})"
    lines.append(f"Converged:        {state}")
    starts = 1 if options.explicit_init else options.n_init
    start = "explicit parameters" if options.explicit_init else options.init
    lines.append(
        f"Start:            {start}" + (f", best of {starts} starts" if starts > 1 else "")
    )
    lines.append(f"Seed:             {result.seed}")
    sizes = component_sizes(result)
    cells = [
        ("component", [str(j + 1) for j in range(k)]),
        ("rows", [str(int(n)) for n in sizes]),
        ("weight", [f"{w:.4f}" for w in result.params.weights]),
    ]
    width = max(max(len(c) for _, values in cells for c in values), 6)
    lines.append("")
    lines.append("Clustering table (rows whose most probable component is each):")
    for title, values in cells:
        lines.append(f"  {title:<10}" + "".join(v.rjust(width + 2) for v in values))
    for message in result.messages:
        lines.append(f"Note: {message}")
    return "\n".join(lines) + "\n"
