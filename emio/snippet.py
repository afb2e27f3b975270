"""A short Python script that applies exported parameters to new data, with NumPy alone.

:func:`snippet` writes the source of a script that reads the PARAMS.json
beside it, reads a CSV of new rows, and prints each row's component,
responsibilities and log-density, computed the way the engine computes them
(log space, Cholesky factors of the precisions, a stable log-sum-exp). The
script is assembled from the model's declaration
(:class:`engine.models.base.ScriptCode`): the model gives the source of its
``log_prob`` and, where scikit-learn has an equivalent estimator (a Gaussian
mixture's ``GaussianMixture``), the source that builds it from the JSON without
pickle, so the parameters can be used in a scikit-learn pipeline.
"""

from __future__ import annotations

import re

from engine.models import model_class, model_names, registry

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

{imports}from pathlib import Path

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
    names = {array_names}
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

#: The modules every script imports; a model's script may need more (math).
_IMPORTS = ("argparse", "csv", "json", "sys")


def _array_names() -> str:
    """Every array a PARAMS.json of any model holds, as the scripts read them (the
    parameter arrays, then the values per column): a tuple's source."""
    arrays = [spec.name for *_, model in registry.variant_models() for spec in model.array_specs]
    columns: list[str] = []
    for name in model_names():
        cls = model_class(name)
        columns += [spec.file_key for spec in cls.option_specs if spec.per_column]
        columns += list(cls.column_constants)
    names = [f'"{name}"' for name in dict.fromkeys(arrays + columns)]
    return f"({', '.join(names)}{',' if len(names) == 1 else ''})"


def snippet(params_json_name: str, model: str, script_name: str = "em_predict.py") -> str:
    """Source of a script applying the PARAMS.json called ``params_json_name`` to new data.

    Parameters
    ----------
    params_json_name : str
        File name of the PARAMS.json, which the script looks for in its own folder.
    model : str
        A registered model that declares its script
        (:attr:`engine.models.MixtureModel.script`); the script refuses files
        of another model.
    script_name : str
        The script's own file name, for its usage text.

    Returns
    -------
    str
        Python source needing NumPy only; where the model names an equivalent
        scikit-learn estimator, a ``--sklearn`` option builds that instead.
    """
    cls = model_class(model)
    code = cls.script
    if code is None:
        raise ValueError(f"the {model} model has no script to apply its parameters")
    if not params_json_name or re.search(r"[\\/]", params_json_name):
        raise ValueError(
            f"give the parameters file's name without a folder, not {params_json_name!r}; "
            "the script looks for it beside itself"
        )
    estimator = code.sklearn_estimator
    header = _HEADER.format(
        title=code.title or cls.report_title,
        sklearn_note=" (scikit-learn for --sklearn)" if code.sklearn else "",
        script=script_name,
        sklearn_usage=(
            f"\n    python {script_name} NEW_DATA.csv --sklearn   "
            f"# the same from scikit-learn's {estimator}"
            if code.sklearn
            else ""
        ),
        params=params_json_name,
        model=model,
        imports="".join(f"import {name}\n" for name in sorted({*_IMPORTS, *code.imports})),
        array_names=_array_names(),
    )
    sklearn_arg = (
        '    parser.add_argument("--sklearn", action="store_true",\n'
        f'                        help="compute with an equivalent scikit-learn {estimator}")\n'
        if code.sklearn
        else ""
    )
    main = _MAIN.format(
        sklearn_arg=sklearn_arg,
        compute=(_COMPUTE_SKLEARN if code.sklearn else _COMPUTE).rstrip("\n"),
    )
    sklearn = f"\n\n{code.sklearn}" if code.sklearn else ""
    return "".join([header, f"\n\n{code.source}", _LOG_RESP, sklearn, main])
