"""Exported SVG drawn by a renderer that is not Qt's (resvg, which, like librsvg and
CairoSVG, ignores ``vector-effect``, and since 0.5 draws no text in a font family it
does not know) looks like the PNG export of the same view."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import resvg_py
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from emgui.features.export.rendering import render_image, render_svg
from emgui.features.export.svg_geometry import SVG_NS as SVG
from emgui.features.export.svg_geometry import flatten_cosmetic_strokes, name_drawn_fonts


def gray(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width()].astype(float)


def blocks(pixels: np.ndarray, size: int = 8) -> np.ndarray:
    """Mean grey of each size x size block: fonts and anti-aliasing differ between
    renderers, the drawing must not."""
    h, w = (n // size * size for n in pixels.shape)
    return pixels[:h, :w].reshape(h // size, size, w // size, size).mean(axis=(1, 3))


def resvg_pixels(svg: bytes, width: int, height: int) -> np.ndarray:
    png = resvg_py.svg_to_bytes(
        svg_string=svg.decode("utf-8"), background="#ffffff", dpi=96, width=width, height=height
    )
    return gray(QImage.fromData(bytes(png)))


def test_the_svg_of_a_fit_draws_outside_qt_as_the_png_does(qtbot, window):
    window.open_sample("elongated")
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        window.run_actions.run.trigger()
    view = window.views.scatter
    png = blocks(gray(render_image(view, 1.0)))
    svg = render_svg(view)
    drawn = blocks(resvg_pixels(svg, view.width(), view.height()))
    assert drawn.shape == png.shape
    # Thin ellipses, points and axes where the PNG has them (a mean grey difference of
    # 0.5 here; drawn with the strokes scaled by the data's transform it was 36).
    assert np.abs(drawn - png).mean() < 3.0
    # Written in page coordinates: no one-pixel stroke is left under a scaling transform.
    root = ET.fromstring(svg)
    for group in root.iter(f"{{{SVG}}}g"):
        cosmetic = [c for c in group if c.get("vector-effect") == "non-scaling-stroke"]
        transform = group.get("transform", "")
        if cosmetic and transform.startswith("matrix("):
            a, b, c, d = (float(v) for v in transform[7:-1].split(",")[:4])
            assert abs(a * d - b * c) == pytest.approx(1.0), transform


def test_groups_of_other_shapes_and_broken_text_are_left_as_they_are() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<g transform="matrix(2,0,0,-3,1,9)"><path vector-effect="non-scaling-stroke" '
        b'd="M0,0 L1,1 C1,2 2,2 2,1 Z"/><polyline vector-effect="non-scaling-stroke" '
        b'points="0,0 1,1"/></g>'
        b'<g transform="matrix(2,0,0,2,0,0)"><text>kept</text></g>'
        b'<g transform="matrix(2,0,0,2,0,0)"><path vector-effect="non-scaling-stroke" '
        b'd="M0,0 A1,1 0 0 1 2,2"/></g>'
        b"</svg>"
    )
    flat = flatten_cosmetic_strokes(svg).decode()
    # The first group is mapped: (x, y) -> (2x + 1, -3y + 9), its transform gone.
    assert 'd="M 1,9 L 3,6 C 3,3 5,3 5,6 Z"' in flat and 'points="1,9 3,6"' in flat
    assert flat.count("transform=") == 2
    # Text, and a path command it does not map (an arc), keep their transform as written.
    assert "<text>kept</text>" in flat and "A1,1 0 0 1 2,2" in flat
    assert flatten_cosmetic_strokes(b"<svg") == b"<svg"


@pytest.mark.parametrize("transform", ["translate(3,4)", "matrix(1,2)", ""])
def test_transforms_it_does_not_read_are_left_as_they_are(transform: str) -> None:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg"><g transform="{transform}">'
        '<path vector-effect="non-scaling-stroke" d="M0,0 L1,1"/></g></svg>'
    ).encode()
    assert 'd="M0,0 L1,1"' in flatten_cosmetic_strokes(svg).decode()


def test_text_of_the_svg_draws_outside_qt_as_the_png_does(qtbot):
    # QSvgGenerator writes the family asked for ("Sans Serif", Qt's name), which
    # resvg 0.5 does not know: it drew the labels, ticks and legend of a plot not at all.
    label = QLabel("Component 1 weight 0.367")
    qtbot.addWidget(label)
    label.setStyleSheet("background: white; color: black; font-size: 20px")
    label.resize(320, 40)
    svg = render_svg(label)
    ink = (255 - resvg_pixels(svg, 320, 40)).sum()
    assert ink == pytest.approx((255 - gray(render_image(label, 1.0))).sum(), rel=0.15)


def test_fonts_are_named_as_drawn_then_by_their_generic_family() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><g font-family="Sans Serif"><text>a</text>'
        b'</g><g font-family="Monospace"/><g font-family="Sans Serif"/><g/></svg>'
    )
    drawn = {"Sans Serif": "DejaVu Sans", "Monospace": "Monospace"}
    asked: list[str] = []
    named = name_drawn_fonts(svg, lambda family: asked.append(family) or drawn[family])
    root = ET.fromstring(named)
    families = [g.get("font-family") for g in root.iter(f"{{{SVG}}}g")]
    assert families == ["'DejaVu Sans', 'Sans Serif', sans-serif", "monospace",
                        "'DejaVu Sans', 'Sans Serif', sans-serif", None]
    assert asked == ["Sans Serif", "Monospace"]  # each family resolved once
    assert name_drawn_fonts(b"<svg", drawn.get) == b"<svg"
