"""The one JSON reader: a document, or one message saying what is wrong and what to do.

Hostile files (nested thousands deep, numbers too long or too large, NaN,
other encodings, pipes, devices, folders, huge files) each get their message,
never a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emio import jsonfile
from emio.jsonfile import MAX_DEPTH, JsonFileError, read_json_file

ROOT = Path(__file__).resolve().parents[2]
ADVICE = "use a file EM Studio wrote"


@pytest.fixture(autouse=True, params=["whole", "in pieces"])
def parsing(request, monkeypatch):
    """Every case twice: parsed by one json.loads, and in pieces as long texts are."""
    if request.param == "in pieces":
        monkeypatch.setattr(jsonfile, "PIECES_ABOVE", 0)
        monkeypatch.setattr(jsonfile, "DECODE_PIECE", 3)  # a character across pieces too
    return request.param


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def message(path: Path | str) -> str:
    with pytest.raises(JsonFileError) as caught:
        read_json_file(path, advice=ADVICE)
    return str(caught.value)


def test_a_document_comes_back_as_json_reads_it(tmp_path):
    doc = {"a": [1.5, 2, True, None, "x"], "b": {"c": [[0.1, -3e-7], [1e308, 12]]}}
    assert read_json_file(write(tmp_path, "ok.json", json.dumps(doc))) == doc


def test_the_error_is_a_value_error():
    assert issubclass(JsonFileError, ValueError)


def test_a_utf8_byte_order_mark_is_allowed(tmp_path):
    path = write(tmp_path, "bom.json", b'\xef\xbb\xbf{"a": 1}')
    assert read_json_file(path) == {"a": 1}


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = write(tmp_path, "deep.json", "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    doc = read_json_file(path)
    for _ in range(MAX_DEPTH - 1):
        (doc,) = doc
    assert doc == []


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 5_000, 100_000])
def test_deeper_nesting_is_refused_without_a_recursion_error(tmp_path, depth):
    path = write(tmp_path, "deep.json", "[" * depth + "]" * depth)
    assert message(path) == (
        "deep.json nests lists or objects more than 100 levels deep, which no EM Studio file "
        f"does; {ADVICE}"
    )


def test_deep_objects_are_refused_too(tmp_path):
    path = write(tmp_path, "objects.json", '{"a": ' * 3_000 + "1" + "}" * 3_000)
    assert message(path).startswith("objects.json nests lists or objects more than 100 levels")


def test_a_400_digit_whole_number_is_refused_where_it_stands(tmp_path):
    path = write(tmp_path, "big.json", '{"weights": [1, 1' + "0" * 399 + "]}")
    assert message(path) == (
        "big.json holds a whole number of 400 digits at weights[1], too large for a float "
        f"(above 1.8e308 in size); {ADVICE}"
    )


def test_a_5000_digit_whole_number_is_refused_where_it_stands(tmp_path):
    # Longer than Python converts from text at all: json.loads raises a plain ValueError.
    path = write(tmp_path, "huge.json", '{"w": {"x y": [1, -' + "9" * 5_000 + "]}}")
    assert message(path) == (
        'huge.json holds a whole number of 5000 digits at w["x y"][1], too large for a float '
        f"(above 1.8e308 in size); {ADVICE}"
    )


def test_whole_numbers_a_float_can_hold_are_read(tmp_path):
    path = write(tmp_path, "ints.json", '{"n": [' + "9" * 300 + ", -12]}")
    assert read_json_file(path) == {"n": [int("9" * 300), -12]}


@pytest.mark.parametrize(
    ("text", "literal", "where"),
    [
        ('{"means": [[1, NaN]]}', "NaN", "means[0][1]"),
        ('{"a": [{"b": -Infinity}]}', "-Infinity", "a[0].b"),
        ("Infinity", "Infinity", "the top level"),
    ],
)
def test_nan_and_infinity_are_refused_with_the_key_path(tmp_path, text, literal, where):
    path = write(tmp_path, "nan.json", text)
    assert message(path) == (
        f"nan.json holds {literal} at {where}, which is not a finite number; {ADVICE}"
    )


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" + "0" * 400 + ".5"])
def test_numbers_that_overflow_a_float_are_refused(tmp_path, number):
    path = write(tmp_path, "tol.json", '{"settings": {"tol": ' + number + "}}")
    assert message(path) == (
        "tol.json holds a number too large for a float (above 1.8e308 in size) at settings.tol; "
        f"{ADVICE}"
    )


def test_numbers_that_underflow_read_as_zero(tmp_path):
    assert read_json_file(write(tmp_path, "tiny.json", "[1e-400]")) == [0.0]


def test_latin1_bytes_are_refused_saying_where(tmp_path):
    path = write(tmp_path, "latin.json", '{"name": "café"}'.encode("latin-1"))
    assert message(path) == f"latin.json is not UTF-8 text (byte 0xE9 at position 13); {ADVICE}"


def test_positions_count_the_byte_order_mark(tmp_path):
    path = write(tmp_path, "bom.json", b'\xef\xbb\xbf{"a": "\xff"}')
    assert message(path) == f"bom.json is not UTF-8 text (byte 0xFF at position 10); {ADVICE}"


def test_utf16_text_is_refused(tmp_path):
    path = write(tmp_path, "wide.json", '{"a": 1}'.encode("utf-16"))
    assert message(path) == f"wide.json is not UTF-8 text (byte 0xFF at position 0); {ADVICE}"


@pytest.mark.parametrize("content", [b"", b" \n\t"])
def test_an_empty_file(tmp_path, content):
    assert message(write(tmp_path, "empty.json", content)) == f"empty.json is empty; {ADVICE}"


def test_text_that_is_not_json(tmp_path):
    assert message(write(tmp_path, "bad.json", '{"a": 1,\n "b" 2}')) == (
        f"bad.json is not valid JSON (line 2, column 6: Expecting ':' delimiter); {ADVICE}"
    )


def test_the_advice_has_a_default(tmp_path):
    with pytest.raises(JsonFileError, match="; correct it, or choose a file that EM Studio wrote$"):
        read_json_file(write(tmp_path, "bad.json", "{"))


def test_a_missing_file(tmp_path):
    path = tmp_path / "absent.json"
    assert message(path) == (
        f"cannot read {path}: no such file or folder; check the name and the folder"
    )


def test_a_folder(tmp_path):
    assert message(tmp_path) == (
        f"cannot read {tmp_path}: it is a folder, not a file; choose a file inside it"
    )


def test_permission_denied(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.json", "{}")
    real_open = os.open

    def refuse(file, flags, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, flags, *args, **kwargs)

    # Running as root makes chmod useless here, so the refusal is simulated.
    monkeypatch.setattr(os, "open", refuse)
    assert message(path) == (
        f"cannot read {path}: permission denied; ask for access, or copy the file to a folder of "
        "your own"
    )


NOT_REGULAR = (
    "EM Studio reads JSON from regular files only, as anything else can keep it waiting forever; "
    "save the JSON to a file and choose that"
)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_device():
    assert message("/dev/null") == (
        f"cannot read /dev/null: it is a device, not a regular file; {NOT_REGULAR}"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_a_named_pipe_is_refused_at_once(tmp_path):
    # In a child process with a time limit: a reader that opened the pipe the
    # ordinary way would wait for a writer forever.
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    code = (
        "import sys\nfrom emio.jsonfile import read_json_file, JsonFileError\n"
        "try:\n    read_json_file(sys.argv[1])\nexcept JsonFileError as exc:\n    print(exc)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, str(pipe)], cwd=ROOT, capture_output=True, text=True,
        timeout=60,
    )
    assert completed.stdout.strip() == (
        f"cannot read {pipe}: it is a named pipe, not a regular file; {NOT_REGULAR}"
    ), completed.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_a_pipe_put_in_place_after_the_check_is_refused_too(tmp_path, monkeypatch):
    regular = write(tmp_path, "regular.json", "{}")
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    real_stat = os.stat

    def stat_as_before(file, *args, **kwargs):
        # What stat saw before the file was swapped for a pipe.
        return real_stat(regular if Path(file) == pipe else file, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_as_before)
    assert message(pipe) == (
        f"cannot read {pipe}: it is a named pipe, not a regular file; {NOT_REGULAR}"
    )


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(jsonfile.MAX_BYTES + 1)  # sparse: no disk space, no reading
    assert message(path) == (
        f"cannot read {path}: it is larger than 256 MB, the most EM Studio reads from a JSON "
        "file; its own files are far smaller, so check that this is the file you meant"
    )


def test_a_file_that_grew_past_the_limit_after_the_check_is_refused(tmp_path, monkeypatch):
    path = write(tmp_path, "growing.json", "[" + "1, " * 600 + "1]")
    real_stat = os.stat

    def stat_when_small(file, *args, **kwargs):
        info = real_stat(file, *args, **kwargs)
        if Path(file) != path:
            return info
        fields = list(info)
        fields[6] = 10  # st_size, as it was before the file grew
        return os.stat_result(fields)

    monkeypatch.setattr(os, "stat", stat_when_small)
    monkeypatch.setattr(jsonfile, "MAX_BYTES", 1024)
    assert message(path).startswith(f"cannot read {path}: it is larger than 1 KB, the most")
