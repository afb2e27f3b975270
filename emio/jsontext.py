"""The look of EM Studio's own JSON files: one top-level key per line, strict JSON.

Arrays stay on one line, so a parameters file reads top to bottom like a form
and a diff shows which value changed; a long list (a session's trace) can be
written one entry per line instead. Floats keep every digit (``repr``), so a
round trip is exact, and NaN or infinity raise ``ValueError`` rather than make
a file other JSON readers reject.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any


def document_text(doc: Mapping[str, Any], one_per_line: Collection[str] = ()) -> str:
    """``doc`` as JSON text, one top-level key per line.

    Parameters
    ----------
    doc : mapping of str to JSON-ready values
        Written in its own key order.
    one_per_line : collection of str
        Keys whose value is a list written one entry per line.

    Raises
    ------
    ValueError
        If a value holds NaN or infinity.
    """
    lines = []
    for key, value in doc.items():
        if key in one_per_line:
            entries = ",\n".join("    " + _strict(entry) for entry in value)
            lines.append(f"  {json.dumps(key)}: [" + (f"\n{entries}\n  ]" if entries else "]"))
        else:
            lines.append(f"  {json.dumps(key)}: {_strict(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _strict(value: Any) -> str:
    return json.dumps(value, allow_nan=False)
