"""SVG that draws the same outside Qt: cosmetic strokes written in plain coordinates,
fonts named as they were drawn.

Qt's ``QSvgGenerator`` writes a plot's curves in data coordinates inside a group
whose ``transform`` maps them to the page (scales of tens or thousands), and keeps
their one-pixel pens with ``vector-effect="non-scaling-stroke"``. Renderers that
ignore that attribute (librsvg, CairoSVG, resvg, most editors) scale the stroke
with the transform, and an ellipse becomes a smear as wide as a data unit.

:func:`flatten_cosmetic_strokes` rewrites each such group: the coordinates of its
shapes are mapped through the transform, and the transform is dropped, so the
stroke width means page pixels in every renderer. Groups holding anything else
(text, images, shapes whose stroke is meant to scale) are left exactly as written.

``QSvgGenerator`` also writes the font family a widget asked for, which may be one of
Qt's own generic names ("Sans Serif"). Renderers that do not know that name and do not
fall back (resvg) draw no text at all. :func:`name_drawn_fonts` writes the family Qt
drew with, then the CSS generic family, so any renderer finds one of them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import partial

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_NON_SCALING = "non-scaling-stroke"
_MATRIX = re.compile(r"^\s*matrix\(([^)]*)\)\s*$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
#: Path commands QSvgGenerator writes: absolute moves, lines and cubic curves, and closes.
_PATH_TOKEN = re.compile(rf"([MLCZ])|({_NUMBER})|([A-Za-z])")

#: CSS generic families of the names Qt gives its generic fonts (others: sans-serif).
_GENERIC = {"serif": "serif", "times": "serif", "monospace": "monospace", "courier": "monospace"}

Matrix = tuple[float, float, float, float, float, float]


class _CannotFlatten(ValueError):
    """A shape written in a way this module does not map (left as it is)."""


def _matrix(transform: str) -> Matrix | None:
    match = _MATRIX.match(transform)
    if match is None:
        return None
    values = [float(v) for v in re.split(r"[\s,]+", match.group(1).strip())]
    if len(values) != 6:
        return None
    return tuple(values)  # type: ignore[return-value]


def _map(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _text(value: float) -> str:
    return f"{value:.6g}"


def _mapped_path(d: str, matrix: Matrix) -> str:
    out: list[str] = []
    numbers: list[float] = []

    def flush() -> None:
        if len(numbers) % 2:
            raise _CannotFlatten("odd number of coordinates")
        for i in range(0, len(numbers), 2):
            x, y = _map(matrix, numbers[i], numbers[i + 1])
            out.append(f"{_text(x)},{_text(y)}")
        numbers.clear()

    for command, number, other in _PATH_TOKEN.findall(d):
        if other:
            raise _CannotFlatten(f"path command {other!r}")
        if command:
            flush()
            out.append(command)
        else:
            numbers.append(float(number))
    flush()
    return " ".join(out)


def _mapped_points(points: str, matrix: Matrix) -> str:
    values = [float(v) for v in re.findall(_NUMBER, points)]
    if len(values) % 2:
        raise _CannotFlatten("odd number of coordinates")
    pairs = (_map(matrix, values[i], values[i + 1]) for i in range(0, len(values), 2))
    return " ".join(f"{_text(x)},{_text(y)}" for x, y in pairs)


def _flatten_group(group: ET.Element, matrix: Matrix) -> None:
    """Map every shape of ``group`` (paths, polylines and polygons only, as
    :func:`_only_cosmetic_shapes` checked) through ``matrix``; raises before changing
    anything when one cannot be mapped."""
    mapped = []
    for child in group:
        if child.tag == f"{{{SVG_NS}}}path":
            mapped.append((child, "d", _mapped_path(child.get("d", ""), matrix)))
        else:
            mapped.append((child, "points", _mapped_points(child.get("points", ""), matrix)))
    for child, name, value in mapped:
        child.set(name, value)
    del group.attrib["transform"]


def _only_cosmetic_shapes(group: ET.Element) -> bool:
    children = list(group)
    return bool(children) and all(
        child.get("vector-effect") == _NON_SCALING
        and child.tag.removeprefix(f"{{{SVG_NS}}}") in ("path", "polyline", "polygon")
        for child in children
    )


def _rewritten(svg: bytes, *edits: Callable[[ET.Element], None]) -> bytes:
    """``svg`` parsed once, each edit applied to its root in turn, and written back;
    text that is not well-formed SVG is returned as it is."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return svg
    for edit in edits:
        edit(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _flatten_groups(root: ET.Element) -> None:
    for group in root.iter(f"{{{SVG_NS}}}g"):
        matrix = _matrix(group.get("transform", ""))
        if matrix is None or not _only_cosmetic_shapes(group):
            continue
        try:
            _flatten_group(group, matrix)
        except ValueError:  # a command it does not map, or a number it cannot read
            continue


def _name_fonts(root: ET.Element, drawn_family: Callable[[str], str]) -> None:
    named: dict[str, str] = {}
    for element in root.iter():
        family = element.get("font-family")
        if family is None:
            continue
        if family not in named:
            generic = _GENERIC.get(family.strip().lower(), "sans-serif")
            names = dict.fromkeys(n for n in (drawn_family(family), family.strip()) if n)
            quoted = (f"'{n}'" for n in names if "'" not in n and n.lower() != generic)
            named[family] = ", ".join([*quoted, generic])
        element.set("font-family", named[family])


def flatten_cosmetic_strokes(svg: bytes) -> bytes:
    """``svg`` (as ``QSvgGenerator`` writes it) with every group of cosmetic strokes under
    a transform rewritten in page coordinates; anything else unchanged. Text that is
    not well-formed SVG is returned as it is."""
    return _rewritten(svg, _flatten_groups)


def name_drawn_fonts(svg: bytes, drawn_family: Callable[[str], str]) -> bytes:
    """``svg`` with every ``font-family`` naming ``drawn_family(family)``, the family the
    text was drawn with, before the CSS generic family of the name written. Text that
    is not well-formed SVG is returned as it is."""
    return _rewritten(svg, partial(_name_fonts, drawn_family=drawn_family))


def portable_svg(svg: bytes, drawn_family: Callable[[str], str]) -> bytes:
    """Both rewrites (:func:`flatten_cosmetic_strokes`, :func:`name_drawn_fonts`) of one
    parse of ``svg``."""
    return _rewritten(svg, _flatten_groups, partial(_name_fonts, drawn_family=drawn_family))
