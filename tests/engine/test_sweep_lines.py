"""The sweep's lines by mclust's names, and what each letter of a name says."""

from __future__ import annotations

import pytest

from engine.selection import ModelSpec, all_specs, mclust_specs, parse_specs
from engine.sweep_lines import mclust_meaning

MCLUST_ORDER = ("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV",
                "VEV", "EVV", "VVV")


def test_every_gaussian_line_is_titled_by_its_mclust_name_and_parses_back() -> None:
    titles = {spec.title for spec in mclust_specs()}
    assert titles == set(MCLUST_ORDER)
    for spec in mclust_specs():
        assert parse_specs([spec.title]) == [spec]  # the name reaches the same line
    aliases = {spec.label: spec.title for spec in mclust_specs() if spec.label != spec.title}
    assert aliases == {"full": "VVV", "tied": "EEE", "diag": "VVI", "spherical": "VII"}
    others = [spec for spec in all_specs() if spec.model != "gaussian"]
    assert others and all(spec.mclust is None and spec.title == spec.label for spec in others)


@pytest.mark.parametrize("name", MCLUST_ORDER)
def test_each_letter_is_spelled_out_in_its_place(name: str) -> None:
    words = {"E": "equal for all components", "V": "each component its own"}
    text = mclust_meaning(name)
    volume, shape, orientation = text.split("; ")
    assert volume == f"volume {name[0]}: {words[name[0]]}"
    assert shape == f"shape {name[1]}: " + (
        "round (identity)" if name[1] == "I" else words[name[1]])
    if name[1] == "I":
        assert orientation == "orientation I: none (a round shape has none)"
    elif name[2] == "I":
        assert orientation == "orientation I: along the columns' axes (identity)"
    else:
        assert orientation == f"orientation {name[2]}: {words[name[2]]}"


def test_a_name_that_is_not_three_letters_is_refused() -> None:
    with pytest.raises((ValueError, KeyError)):
        mclust_meaning("VV")
    with pytest.raises(KeyError):
        mclust_meaning("XYZ")
    assert ModelSpec("gaussian", "VVV").title == "VVV"
