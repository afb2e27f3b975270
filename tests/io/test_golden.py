"""Every format written as before, byte for byte: sessions and exports of small fits of
every model, written by the emio of main before the formats read the models'
declarations (``golden/make_golden.py`` says how).

Each session is read back and written again; the PARAMS.json, components table,
trace, summary and ``.npz`` are made again from the fit the session holds, and
the scripts from the model's name. None of this refits, so the comparison holds
on any machine.

One change was made by hand on 2026-12-04: files name the Gaussian's covariance
structures as mclust does (``VVV``, ``EEE``, ``VVI``, ``VII`` where they said
``full``, ``tied``, ``diag``, ``spherical``), in the text files by substitution and in
the ``.npz`` and scripts by writing them again (their arrays unchanged otherwise).
Files with the old words are still read: :func:`test_files_with_the_old_covariance_words_read_the_same`.
Another on 2026-12-05: a PARAMS.json lists the fit's ``warnings`` when it has any (issue 13,
point 2); ``bernoulli.params.json``, whose fit stops at max_iter 6, gained that one line,
written by the code of that day (sessions keep them as the result's messages, unchanged).
The same day the Gaussian files, fitted with the prior regularisation, gained the
``objective`` EM climbed and its ``objective_history`` (two lines each, nothing else).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from emio import exports, params_file
from emio import session as sessions
from emio.snippet import snippet

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(path.name.removesuffix(".emsession") for path in GOLDEN.glob("*.emsession"))
MODELS = sorted(path.name.split("-")[1].split(".")[0] for path in GOLDEN.glob("snippet-*"))


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


def test_every_model_and_covariance_type_has_golden_files():
    assert MODELS == ["bernoulli", "binomial", "gaussian", "kmeans", "poisson"]
    assert CASES == ["bernoulli", "binomial", "gaussian-diag", "gaussian-full",
                     "gaussian-spherical", "gaussian-tied", "kmeans", "poisson"]


@pytest.mark.parametrize("case", CASES)
def test_a_session_reads_back_to_the_same_bytes(case):
    text = golden(f"{case}.emsession")
    assert sessions.dumps(sessions.session_from_dict(json.loads(text))) == text


@pytest.mark.parametrize("case", CASES)
def test_the_exports_of_a_saved_fit_are_the_same_bytes(case):
    session = sessions.session_from_dict(json.loads(golden(f"{case}.emsession")))
    result, names = session.result, session.feature_names
    made = {
        ".params.json": params_file.dumps(params_file.result_to_dict(result, names)),
        "_components.csv": exports.components_csv(result, names),
        ".trace.csv": exports.trace_csv(session.snapshots, result.options, names, True),
        ".trace.json": exports.trace_json(session.snapshots, result.options, names, True),
        ".summary.txt": exports.summary_text(result, names),
    }
    for suffix, text in made.items():
        assert text == golden(f"{case}{suffix}"), suffix
    # NumPy dates every entry of an .npz 1980-01-01, so its bytes can be compared too.
    assert exports.params_npz(result, names) == (GOLDEN / f"{case}.npz").read_bytes()


@pytest.mark.parametrize("case", CASES)
def test_a_golden_params_file_starts_the_same_fit(case):
    session = sessions.session_from_dict(json.loads(golden(f"{case}.emsession")))
    document = params_file.params_from_dict(json.loads(golden(f"{case}.params.json")))
    options = document.options()
    assert options.model == session.result.options.model
    assert options.model_options == session.result.options.model_options
    for name, array in session.result.params.arrays().items():
        assert document.params[name].tobytes() == array.tobytes(), name


@pytest.mark.parametrize("model", MODELS)
def test_the_script_is_the_same(model):
    assert snippet("fit.json", model, script_name="apply.py") == golden(f"snippet-{model}.py.txt")


OLD_WORDS = {"VVV": "full", "EEE": "tied", "VVI": "diag", "VII": "spherical"}


def with_old_words(text: str) -> str:
    """``text`` as EM Studio wrote it before files used mclust's names."""
    return re.sub(
        r'"(covariance|covariance_type)": "(VVV|EEE|VVI|VII)"',
        lambda m: f'"{m[1]}": "{OLD_WORDS[m[2]]}"', text,
    )


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("gaussian")])
def test_files_with_the_old_covariance_words_read_the_same(case):
    new_text = golden(f"{case}.emsession")
    old_text = with_old_words(new_text)
    assert old_text != new_text
    # An old session is written back in today's words, otherwise byte for byte.
    assert sessions.dumps(sessions.session_from_dict(json.loads(old_text))) == new_text
    new_doc = params_file.params_from_dict(json.loads(golden(f"{case}.params.json")))
    old_doc = params_file.params_from_dict(
        json.loads(with_old_words(golden(f"{case}.params.json")))
    )
    assert old_doc.options().model_options == new_doc.options().model_options


@pytest.mark.parametrize("word", ["VVV", "full"])
def test_a_params_file_may_name_a_structure_by_either_word(word):
    doc = json.loads(golden("gaussian-full.params.json"))
    doc["covariance"] = word
    assert params_file.params_from_dict(doc).options().model_options["covariance_type"] == "full"


@pytest.mark.parametrize("word", ["vvv", "ful", 3, None, ["VVV"]])
def test_a_params_file_with_another_word_is_refused_with_the_words_to_write(word):
    doc = json.loads(golden("gaussian-full.params.json"))
    doc["covariance"] = word
    with pytest.raises(params_file.SchemaError) as caught:
        params_file.params_from_dict(doc)
    assert str(caught.value).startswith(f"unknown covariance {word!r}; write one of VVV, EEE, ")
