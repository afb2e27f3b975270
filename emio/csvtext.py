"""CSV text as EM Studio writes it, numbers with every digit.

Every table EM Studio writes (components, assignments, labels, traces, model
selection) is built here as one string before anything touches the disk; the
writing itself is :mod:`emio.atomic`'s.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A header row and ``rows`` as CSV text with ``"\\n"`` line ends (the same bytes on
    every platform); cells are written as ``str`` gives them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def float_text(value: float) -> str:
    """A float as ``repr`` writes it: the shortest text that reads back to the same float."""
    return repr(float(value))


def number_text(value: float) -> str:
    """A float as the shortest text that reads back to the same float.

    Whole numbers lose the ``.0`` (counts stay counts in a spreadsheet);
    everything else is ``repr``, which round-trips exactly.
    """
    value = float(value)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)
