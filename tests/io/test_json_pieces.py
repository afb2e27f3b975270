"""Long JSON parsed in pieces: the same document and the same errors as json.loads, and no
piece handed to the C parser longer than PIECE (so the GUI thread gets the GIL between)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emio.json_pieces import PIECE, loads_in_pieces, release


def random_document(rng: np.random.Generator, depth: int = 0):
    kind = rng.integers(0, 8 if depth < 5 else 4)
    if kind == 0:
        return float(rng.normal() * 10.0 ** rng.integers(-300, 300))
    if kind == 1:
        return int(rng.integers(-10**12, 10**12))
    if kind == 2:
        return str(rng.choice(["", "a", 'quote " and \\ back', "é ☃ \n tab\t", "x" * 50]))
    if kind == 3:
        return [None, True, False][int(rng.integers(0, 3))]
    if kind == 4:  # a long run of numbers, longer than a piece now and then
        n = int(rng.choice([0, 3, 20_000]))
        return rng.normal(size=n).tolist() + [int(i) for i in rng.integers(-9, 9, n // 3)]
    if kind == 5:
        return [random_document(rng, depth + 1) for _ in range(int(rng.integers(0, 6)))]
    if kind == 6:  # many small items, as a session's trace
        return [{"i": i, "p": rng.normal(size=3).tolist()} for i in range(int(rng.integers(0, 3000)))]
    return {f"k{i}": random_document(rng, depth + 1) for i in range(int(rng.integers(0, 6)))}


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("indent", [None, 1])
def test_the_document_is_the_one_json_loads_gives(seed, indent):
    doc = {"top": random_document(np.random.default_rng(seed)), "after": [1, [2, {"x": []}]]}
    text = json.dumps(doc, indent=indent)
    assert loads_in_pieces(text) == json.loads(text)


def test_the_hooks_are_applied_in_long_runs_of_numbers_too():
    text = "[" + ", ".join(["1.5", "2", "NaN"] * 20_000) + "]"
    got = loads_in_pieces(text, parse_constant=lambda name: f"<{name}>", parse_int=str)
    assert got == json.loads(text, parse_constant=lambda name: f"<{name}>", parse_int=str)


def _error(parse, text):
    with pytest.raises(json.JSONDecodeError) as caught:
        parse(text)
    return caught.value.msg, caught.value.pos


@pytest.mark.parametrize("seed", range(3))
def test_a_cut_or_damaged_text_gives_json_loads_error_at_the_same_place(seed):
    rng = np.random.default_rng(seed)
    doc = {"a": rng.normal(size=8_000).tolist(), "trace": [
        {"i": i, "p": [[1.5, 2.5], [3, 4]]} for i in range(500)], "z": "end"}
    text = json.dumps(doc)
    for at in rng.integers(1, len(text) - 1, 25):
        cut = text[:at]
        assert _error(loads_in_pieces, cut) == _error(json.loads, cut)
        for junk in ("x", "]", ",,", "{"):
            damaged = text[:at] + junk + text[at:]
            try:
                expected = json.loads(damaged)
            except json.JSONDecodeError as exc:
                assert _error(loads_in_pieces, damaged) == (exc.msg, exc.pos)
            else:
                assert loads_in_pieces(damaged) == expected


@pytest.mark.parametrize("text", ["", "  ", "[1] 2", "{1: 2}", '{"a" 1}', "[1 2]", "[,]", "tru"])
def test_small_errors_match_too(text):
    assert _error(loads_in_pieces, text) == _error(json.loads, text)


def test_nesting_deeper_than_the_limit_is_a_recursion_error():
    with pytest.raises(RecursionError):
        loads_in_pieces("[" * 100_000 + "]" * 100_000, max_depth=100)


def test_no_piece_given_to_the_c_parser_is_longer_than_piece():
    doc = {"labels": list(range(200_000)), "trace": [{"p": list(range(40))}] * 5_000,
           "big": [[list(range(30_000))]], "names": ["a"] * 30_000}
    text = json.dumps(doc)
    longest = []

    class Watched(json.JSONDecoder):  # json.loads's cls: every piece passes through it
        def __init__(self, **hooks):
            super().__init__(**hooks)
            scan = self.scan_once

            def scan_once(string, position):
                if string is not text:  # a scalar is scanned in place, bounded by itself
                    longest.append(len(string))
                return scan(string, position)

            self.scan_once = scan_once

        def decode(self, string):
            longest.append(len(string))
            return super().decode(string)

    assert loads_in_pieces(text, cls=Watched) == doc
    assert longest and max(longest) <= PIECE + 2  # a run of numbers gets its brackets
    assert len(longest) > len(text) // PIECE  # it was cut into pieces at all


def test_release_empties_what_nothing_else_holds_and_keeps_the_rest():
    kept = [[1.0, 2.0], {"k": "v"}]
    doc = {"trace": [{"p": [[0.5] * 10] * 3} for _ in range(100)], "kept": kept,
           "numbers": list(range(1000)), "nested": [[[[1]]]]}
    inner = doc["nested"][0]
    release(doc)
    assert doc == {}
    assert kept == [[1.0, 2.0], {"k": "v"}]
    assert inner == [[[1]]]  # held by this test too: left whole


def test_release_leaves_scalars_and_empty_containers_alone():
    for doc in (None, 3, "text", [], {}):
        release(doc)
