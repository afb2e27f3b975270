"""A short Python script that applies exported parameters to new data, with NumPy alone.

:func:`snippet` writes the source of a script that reads the PARAMS.json
beside it, reads a CSV of new rows, and prints each row's component,
responsibilities and log-density, computed the way the engine computes them
(log space, Cholesky factors of the precisions, a stable log-sum-exp). For a
Gaussian mixture the script can also build an equivalent scikit-learn
``GaussianMixture`` from the JSON, without pickle, so the parameters can be
used in a scikit-learn pipeline.
"""

from __future__ import annotations

import re
from engine import MODEL_NAMES

#: What the script prints: a header, then one line per row.
OUTPUT_COLUMNS = "component, resp_1 ... resp_K, log_density"

_HEADER = '''\
"""Apply a {title} fitted by EM Studio to new rows.

Needs NumPy only{sklearn_note}. Usage:

    python {script} NEW_DATA.csv{sklearn_usage}

NEW_DATA.csv holds comma-separated numbers. With a header row the columns are
picked by name, in the order the model was fitted on (other columns are
ignored); without one they are taken in order. The parameters are read from
{params} in this script's folder (or give --params PATH).

Printed as CSV: component (1-based, the most probable), resp_1 ... resp_K
(the responsibilities, summing to one), log_density (natural log of the
mixture density of the row).
"""

import argparse
import csv
import json
{math_import}import sys
from pathlib import Path

import numpy as np

PARAMS = Path(__file__).resolve().with_name({params!r})
MODEL = {model!r}


def load_params(path):
    """The PARAMS.json document and its arrays as float64 NumPy arrays."""
    with open(path, encoding="utf-8") as file:
        doc = json.load(file)
    if doc.get("format") != "em-studio-params" or doc.get("version") != 1:
        sys.exit(f"error: {{path}} is not an EM Studio parameters file (version 1)")
    if doc.get("model") != MODEL:
        sys.exit(f"error: {{path}} holds a {{doc.get('model')}} model, not {{MODEL}}")
    names = ("weights", "means", "covariances", "probs", "rates", "trials")
    arrays = {{name: np.asarray(doc[name], dtype=np.float64) for name in names if name in doc}}
    return doc, arrays


def is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def read_rows(path, feature_names):
    """The rows of a CSV as an array of shape (n_samples, n_features)."""
    with open(path, newline="", encoding="utf-8-sig") as file:
        rows = [row for row in csv.reader(file) if row and any(cell.strip() for cell in row)]
    if not rows:
        sys.exit(f"error: {{path}} holds no rows")
    has_header = not all(is_number(cell) for cell in rows[0])
    if has_header:
        header = [cell.strip() for cell in rows[0]]
        missing = [name for name in feature_names if name not in header]
        if missing:
            sys.exit(f"error: {{path}} has no column {{', '.join(missing)}}; its columns are "
                     f"{{', '.join(header)}}")
        columns = [header.index(name) for name in feature_names]
        rows = rows[1:]
    else:
        columns = list(range(len(feature_names)))
        if len(rows[0]) != len(feature_names):
            sys.exit(f"error: {{path}} has {{len(rows[0])}} columns; the model needs "
                     f"{{len(feature_names)}} ({{', '.join(feature_names)}})")
    try:
        return np.array([[float(row[j]) for j in columns] for row in rows], dtype=np.float64)
    except (ValueError, IndexError) as exc:
        sys.exit(f"error: {{path}} holds a value that is not a number, or a short row ({{exc}})")
'''

_GAUSSIAN = '''

def precision_factors(covariances, covariance_type):
    """Cholesky factors of the precision matrices and half their log-determinants."""
    if covariance_type in ("full", "tied"):
        # U = inverse(L).T, where covariance = L L^T, is an upper factor of the precision.
        factors = np.swapaxes(np.linalg.inv(np.linalg.cholesky(covariances)), -1, -2)
        log_det = np.log(np.diagonal(factors, axis1=-2, axis2=-1)).sum(axis=-1)
        return factors, log_det
    factors = 1.0 / np.sqrt(covariances)
    if covariance_type == "diag":
        return factors, np.log(factors).sum(axis=1)
    return factors, None  # spherical: the log-determinant depends on n_features


def log_prob(X, doc, p):
    """Log-density of every row under every component, shape (n_samples, n_components)."""
    covariance_type = doc.get("covariance", "spherical")  # k-means: one shared spherical variance
    means = p["means"]
    factors, log_det = precision_factors(p["covariances"], covariance_type)
    n_features = X.shape[1]
    if log_det is None:
        log_det = n_features * np.log(factors)
    squared = np.empty((X.shape[0], means.shape[0]))
    for k in range(means.shape[0]):
        diff = X - means[k]
        if covariance_type == "full":
            y = diff @ factors[k]
        elif covariance_type == "tied":
            y = diff @ factors
        else:
            y = diff * factors[k]
        squared[:, k] = np.einsum("ij,ij->i", y, y)
    return -0.5 * (n_features * np.log(2 * np.pi) + squared) + log_det
'''

_COUNTS = '''

# A probability or rate of exactly zero is a legitimate estimate; its log is clipped
# so that 0 * log(0) gives 0, as in EM Studio.
LOG_TINY = float(np.log(np.finfo(np.float64).tiny))


def clipped_log(values):
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(values), LOG_TINY)


def check_counts(X):
    if np.any(X < 0) or np.any(X != np.round(X)):
        sys.exit("error: this model needs non-negative whole-number counts")


def log_factorial(counts):
    """log(counts!) elementwise, for non-negative whole-number counts."""
    counts = np.asarray(counts)
    if counts.size == 0:
        return np.zeros(counts.shape)
    top = int(counts.max())
    if top <= 1_000_000:
        table = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, top + 1)))))
        return table[counts.astype(np.int64)]
    return np.vectorize(lambda v: math.lgamma(v + 1.0))(counts)
'''

_BINOMIAL = '''

def log_prob(X, doc, p):
    """Log-probability of every row under every component, shape (n_samples, n_components)."""
    probs, trials = p["probs"], p["trials"]
    check_counts(X)
    with np.errstate(divide="ignore"):
        log_fail = np.maximum(np.log1p(-probs), LOG_TINY)
    log_comb = (log_factorial(np.broadcast_to(trials, X.shape)) - log_factorial(X)
                - log_factorial(trials - X)).sum(axis=1)
    return X @ clipped_log(probs).T + (trials - X) @ log_fail.T + log_comb[:, None]
'''

_BERNOULLI = '''

def log_prob(X, doc, p):
    """Log-probability of every row under every component, shape (n_samples, n_components)."""
    probs = p["probs"]
    if np.any((X != 0) & (X != 1)):
        sys.exit("error: the Bernoulli model needs 0/1 columns")
    with np.errstate(divide="ignore"):
        log_fail = np.maximum(np.log1p(-probs), LOG_TINY)
    return X @ clipped_log(probs).T + (1.0 - X) @ log_fail.T
'''

_POISSON = '''

def log_prob(X, doc, p):
    """Log-probability of every row under every component, shape (n_samples, n_components)."""
    rates = p["rates"]
    check_counts(X)
    return X @ clipped_log(rates).T - rates.sum(axis=1) - log_factorial(X).sum(axis=1)[:, None]
'''

_LOG_RESP = '''

def log_resp(X, doc, p):
    """Log-density of each row and its log-responsibilities, as EM Studio computes them."""
    with np.errstate(divide="ignore"):  # a weight of zero gives log 0 = -inf, as intended
        weighted = log_prob(X, doc, p) + np.log(p["weights"])
    top = weighted.max(axis=1)
    with np.errstate(under="ignore"):  # far components underflow to zero, as intended
        log_norm = top + np.log(np.exp(weighted - top[:, None]).sum(axis=1))
    return log_norm, weighted - log_norm[:, None]
'''

_SKLEARN = '''

def to_sklearn(doc, p):
    """An equivalent scikit-learn GaussianMixture, built from the JSON (no pickle)."""
    from sklearn.mixture import GaussianMixture

    covariance_type = doc["covariance"]
    gm = GaussianMixture(n_components=len(p["weights"]), covariance_type=covariance_type)
    factors, _ = precision_factors(p["covariances"], covariance_type)
    gm.weights_ = p["weights"]
    gm.means_ = p["means"]
    gm.covariances_ = p["covariances"]
    gm.precisions_cholesky_ = factors
    if covariance_type in ("full", "tied"):
        gm.precisions_ = factors @ np.swapaxes(factors, -1, -2)
    else:
        gm.precisions_ = factors**2
    gm.converged_ = bool(doc.get("converged", True))
    gm.n_iter_ = int(doc.get("n_iter", 0))
    gm.n_features_in_ = p["means"].shape[1]
    return gm
'''

_MAIN = '''

def main(argv=None):
    parser = argparse.ArgumentParser(description="Responsibilities of new rows under a mixture.")
    parser.add_argument("data", help="CSV file of new rows")
    parser.add_argument("--params", default=str(PARAMS),
                        help="the PARAMS.json (default: the one beside this script)")
{sklearn_arg}    args = parser.parse_args(argv)
    doc, p = load_params(args.params)
    names = doc.get("feature_names") or [f"x{{j + 1}}" for j in range(doc["n_features"])]
    X = read_rows(args.data, names)
{compute}
    writer = csv.writer(sys.stdout, lineterminator="\\n")
    resp_names = [f"resp_{{k + 1}}" for k in range(resp.shape[1])]
    writer.writerow(["component"] + resp_names + ["log_density"])
    for label, row, density in zip(np.argmax(resp, axis=1), resp, log_density):
        writer.writerow([int(label) + 1] + [repr(float(v)) for v in row] + [repr(float(density))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

_COMPUTE = """\
    log_density, lr = log_resp(X, doc, p)
    with np.errstate(under="ignore"):
        resp = np.exp(lr)
"""

_COMPUTE_SKLEARN = """\
    if args.sklearn:
        gm = to_sklearn(doc, p)
        resp, log_density = gm.predict_proba(X), gm.score_samples(X)
    else:
        log_density, lr = log_resp(X, doc, p)
        with np.errstate(under="ignore"):
            resp = np.exp(lr)
"""

_TITLES = {
    "gaussian": "Gaussian mixture",
    "kmeans": "k-means model (equal-weight, equal-variance Gaussians)",
    "bernoulli": "Bernoulli mixture",
    "binomial": "binomial mixture",
    "poisson": "Poisson mixture",
}
_MODEL_CODE = {
    "gaussian": _GAUSSIAN,
    "kmeans": _GAUSSIAN,
    "bernoulli": _COUNTS + _BERNOULLI,
    "binomial": _COUNTS + _BINOMIAL,
    "poisson": _COUNTS + _POISSON,
}


def snippet(params_json_name: str, model: str, script_name: str = "em_predict.py") -> str:
    """Source of a script applying the PARAMS.json called ``params_json_name`` to new data.

    Parameters
    ----------
    params_json_name : str
        File name of the PARAMS.json, which the script looks for in its own folder.
    model : str
        One of :data:`engine.MODEL_NAMES`; the script refuses files of another model.
    script_name : str
        The script's own file name, for its usage text.

    Returns
    -------
    str
        Python source needing NumPy only; for ``gaussian`` a ``--sklearn``
        option builds a scikit-learn ``GaussianMixture`` instead.
    """
    if model not in MODEL_NAMES:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODEL_NAMES)}")
    if not params_json_name or re.search(r"[\\/]", params_json_name):
        raise ValueError(
            f"give the parameters file's name without a folder, not {params_json_name!r}; "
            "the script looks for it beside itself"
        )
    sklearn = model == "gaussian"
    header = _HEADER.format(
        title=_TITLES[model],
        sklearn_note=" (scikit-learn for --sklearn)" if sklearn else "",
        script=script_name,
        sklearn_usage=(
            f"\n    python {script_name} NEW_DATA.csv --sklearn   "
            "# the same from scikit-learn's GaussianMixture"
            if sklearn
            else ""
        ),
        params=params_json_name,
        model=model,
        math_import="" if model in ("gaussian", "kmeans") else "import math\n",
    )
    sklearn_arg = (
        '    parser.add_argument("--sklearn", action="store_true",\n'
        '                        help="compute with an equivalent scikit-learn GaussianMixture")\n'
        if sklearn
        else ""
    )
    main = _MAIN.format(
        sklearn_arg=sklearn_arg, compute=(_COMPUTE_SKLEARN if sklearn else _COMPUTE).rstrip("\n")
    )
    parts = [header, _MODEL_CODE[model], _LOG_RESP, _SKLEARN if sklearn else "", main]
    return "".join(parts)
