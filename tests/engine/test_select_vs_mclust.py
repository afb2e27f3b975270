"""``select`` with its defaults against mclust's BIC tables, cell by cell.

For each data set of ``tests/reference/mclust`` the sweep runs as ``select`` runs
it by default (:func:`engine.selection.select_options`: mclust's hierarchical
start alone, SQUAREM after plain EM settles, seed 0) over all fourteen covariance
structures and K = 1..9, and every cell's BIC is compared with mclust's
``mclustBIC(X, G = 1:9)``: ours (its sign flipped; mclust's is ``2 logL - p log n``)
must be within :data:`TOLERANCE` of mclust's or higher.

Cells are excepted only for a reason stated here:

* mclust did not fit the cell (``return_code`` < 0: a covariance became singular
  or a weight fell below its threshold), so there is nothing to compare; we
  must still fit it or say why not;
* we flag the cell as degenerate (``Cell.collapsed``: a component held up by the
  regularisation alone on tied values), whose likelihood means little;
* :data:`KNOWN_LOWER` lists the cells where, from the very same partition
  (``test_starts.py`` checks the partitions are mclust's), EM climbs to a lower
  optimum than mclust's, each with the reason found.

The whole grid takes about a minute here (thyroid and banknote, with five and six
columns, the longest), so it is cut to what ``KS`` gives per set: every cell of
Old Faithful, iris, diabetes and EuroUnemployment, and K = 1..6 of banknote and
thyroid.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.models import covariance
from engine.selection import mclust_specs, select_options, sweep

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "mclust"
TOLERANCE = 0.01

KS = {
    "faithful": range(1, 10),
    "iris": range(1, 10),
    "diabetes": range(1, 10),
    "EuroUnemployment": range(1, 10),
    "banknote": range(1, 7),
    "thyroid": range(1, 7),
}

# Why mclust ends higher from the same start, by (set, mclust model, K).
VVE_CLIMB = (
    "mclust's VVE M-step majorises with each component's shape alone, leaving out its "
    "volume, and stops its inner climb at a relative change of 1.5e-8; ours climbs the "
    "M-step's own objective to its maximum, so from the same partition the two EMs "
    "take different paths to different optima"
)
ONE_ROW_AXES = (
    "31 rows in 7 to 9 components leave components of one or two rows, whose own scatter "
    "has no spread in some directions; EEV lays the shared shape along each component's "
    "axes, and there the axes are set by weights of 1e-100 and less, which mclust's QR of "
    "the weighted rows keeps and our sums of squares round away: the two fits agree at "
    "the start and part at the second M-step"
)
KNOWN_LOWER: dict[tuple[str, str, int], str] = {
    ("iris", "VVE", 5): VVE_CLIMB,
    ("diabetes", "VVE", 8): VVE_CLIMB,
    ("banknote", "VVE", 5): VVE_CLIMB,
    ("thyroid", "VVE", 2): VVE_CLIMB,
    ("EuroUnemployment", "EEV", 7): ONE_ROW_AXES,
    ("EuroUnemployment", "EEV", 8): ONE_ROW_AXES,
    ("EuroUnemployment", "EEV", 9): ONE_ROW_AXES,
}
#: Cells below mclust's beyond the grid this test runs (K = 7..9 of banknote and thyroid,
#: left out for time), measured with the same defaults over K = 1..9: with
#: KNOWN_LOWER, 9 of the 504 cells. The M-steps that would have to change to meet them
#: are the covariance structures' own (engine/models/covariance/vve.py, eev.py).
BEYOND_GRID: dict[tuple[str, str, int], str] = {
    ("banknote", "VVE", 7): VVE_CLIMB,
    ("thyroid", "VVE", 7): VVE_CLIMB,
}


def mclust_table(name: str) -> dict[tuple[str, int], tuple[float, int]]:
    """mclust's BIC (its sign) and return code by (model, K)."""
    table = np.genfromtxt(
        REFERENCE / f"bic_{name}.csv", delimiter=",", names=True, dtype=None, encoding="utf-8"
    )
    return {
        (str(model), int(k)): (float(bic), int(code))
        for model, k, bic, code in zip(table["model"], table["K"], table["BIC"],
                                       table["return_code"])
    }


@pytest.mark.parametrize("name", list(KS))
def test_select_is_as_good_as_mclust_in_every_cell(name: str, reference_data) -> None:
    X = reference_data(name)
    theirs = mclust_table(name)
    cells = list(sweep(X, mclust_specs(), KS[name], select_options()))
    assert len(cells) == 14 * len(KS[name])
    lower = []
    for cell in cells:
        model = covariance.get(cell.spec.variant).mclust
        bic, code = theirs[model, cell.n_components]
        if cell.result is None:
            # A cell mclust could not fit either may fail here, with its reason.
            assert code < 0, (model, cell.n_components, cell.error)
            assert cell.error
            continue
        if code < 0 or cell.collapsed:
            continue  # nothing to compare with, or a likelihood that means little
        ours = -cell.result.bic
        if ours < bic - TOLERANCE and (name, model, cell.n_components) not in KNOWN_LOWER:
            lower.append(f"{model},{cell.n_components}: ours {ours:.3f}, mclust {bic:.3f}")
    assert not lower, f"{name}: below mclust in " + "; ".join(lower)


def test_every_known_lower_cell_is_in_the_grid_and_has_a_reason() -> None:
    for (name, model, k), reason in KNOWN_LOWER.items():
        assert k in KS[name] and model in {covariance.get(s.variant).mclust for s in mclust_specs()}
        assert len(reason) > 40
    for (name, model, k), reason in BEYOND_GRID.items():
        assert k not in KS[name] and (name, model, k) not in KNOWN_LOWER and len(reason) > 40
