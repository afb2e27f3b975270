"""What a command writes, all or nothing: outputs that name an input or each other are
refused before any work, a later output that fails leaves the earlier ones as they were,
and a pipe nobody reads is refused at once (issue 13.6)."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emio.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path, faithful_csv) -> Path:
    copy = tmp_path / "data.csv"
    copy.write_bytes(Path(faithful_csv).read_bytes())
    return copy


@pytest.mark.parametrize("flag", ["-o", "--labels", "--impute"])
def test_fit_refuses_to_write_over_its_data(capsys, data, flag):
    before = data.read_bytes()
    code, out, err = run(capsys, "fit", data, "--k", "2", flag, data)
    assert code == 2 and out == ""
    assert err == (
        f"error: {flag} {data} is the file DATA reads ({data}); writing there would replace "
        "what this run reads, so choose another name for the output\n"
    )
    assert data.read_bytes() == before


def test_an_output_linked_to_the_data_is_the_data(capsys, data, tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    code, _, err = run(capsys, "fit", data, "--k", "2", "--labels", link)
    assert code == 2 and f"--labels {link} is the file DATA reads ({data})" in err


def test_predict_and_init_refuse_to_write_over_their_params(capsys, data, tmp_path):
    params = tmp_path / "params.json"
    assert run(capsys, "fit", data, "--k", "2", "--seed", "1", "-o", params)[0] == 0
    before = params.read_bytes()
    code, _, err = run(capsys, "predict", params, data, "-o", params)
    assert code == 2 and f"-o {params} is the file PARAMS.json reads ({params})" in err
    code, _, err = run(capsys, "fit", data, "--init", params, "-o", params)
    assert code == 2 and f"-o {params} is the file --init reads ({params})" in err
    assert params.read_bytes() == before


def test_an_output_inside_a_parquet_folder_given_as_data_is_refused(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    import numpy as np
    import pandas as pd

    folder = tmp_path / "parts"
    folder.mkdir()
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.normal(size=(50, 2)), columns=["a", "b"]).to_parquet(folder / "0.parquet")
    code, _, err = run(capsys, "fit", folder, "--k", "1", "-o", folder / "p.json")
    assert code == 2 and f"is inside the folder DATA reads ({folder})" in err
    assert sorted(p.name for p in folder.iterdir()) == ["0.parquet"]


def test_two_outputs_naming_one_file_are_refused(capsys, data, tmp_path):
    out = tmp_path / "out"
    code, _, err = run(capsys, "fit", data, "--k", "2", "-o", out, "--labels", out)
    assert code == 2
    assert err == f"error: -o and --labels both name {out}; give each output a file of its own\n"
    assert not out.exists()


def test_a_later_output_that_fails_leaves_the_earlier_as_they_were(capsys, data, tmp_path):
    params = tmp_path / "params.json"
    params.write_text("the previous parameters")
    code, out, err = run(capsys, "fit", data, "--k", "2", "-o", params, "--labels", "/dev/full")
    assert code == 2 and out == ""
    assert err == ("error: cannot write /dev/full: the disk is full; free some space or choose "
                   "another drive\n")
    assert params.read_text() == "the previous parameters"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "params.json"]


def test_nothing_reaches_standard_output_when_a_file_output_fails(capsys, data):
    code, out, err = run(capsys, "fit", data, "--k", "2", "--labels", "/dev/full")
    assert code == 2 and out == "" and "cannot write /dev/full" in err


def test_every_output_of_a_run_is_written(capsys, data, tmp_path):
    names = ("params.json", "labels.csv", "imputed.csv")
    code, out, err = run(capsys, "fit", data, "--k", "2", "--seed", "1",
                         "-o", tmp_path / names[0], "--labels", tmp_path / names[1],
                         "--impute", tmp_path / names[2])
    assert code == 0 and out == "", err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["data.csv", *names])
    assert (tmp_path / names[1]).read_text().count("\n") == 273  # a header and 272 rows


def _run_cli(*args: object, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from emio.cli import main; sys.exit(main())",
         *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout,
    )


def test_a_named_pipe_nobody_reads_is_refused_at_once(data, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    result = _run_cli("fit", data, "--k", "2", "-o", fifo)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: cannot write {fifo}: no program is reading from this pipe; start the program "
        "that reads it first, then run again\n"
    )


def test_a_named_pipe_with_a_reader_gets_the_parameters(data, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader, before the writer
    try:
        result = _run_cli("fit", data, "--k", "2", "-o", fifo)
        received = os.read(reader, 1 << 16)  # the parameters fit in the pipe's buffer
    finally:
        os.close(reader)
    assert result.returncode == 0, result.stderr
    assert received.startswith(b'{\n  "format": "em-studio-params"')
    assert received.endswith(b"}\n")


def test_a_dash_is_standard_output_and_an_empty_name_is_refused(capsys, data, tmp_path):
    os.chdir(tmp_path)
    code, out, err = run(capsys, "fit", data, "--k", "2", "-o", "-")
    assert code == 0 and out.startswith('{\n  "format"'), err
    assert not (tmp_path / "-").exists()
    code, _, err = run(capsys, "fit", data, "--k", "2", "-o", "")
    assert code == 2 and "argument -o/--output: the file name is empty; give a file name" in err
    code, _, err = run(capsys, "fit", data, "--k", "2", "--labels", "-")
    assert code == 2 and "standard output (-) carries the main result; give a file name" in err


def test_a_reader_that_stops_early_ends_the_run_quietly(capsys, data, monkeypatch):
    class Closed(io.StringIO):  # standard output whose reader went away (``| head``)
        def write(self, text: str) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    code = main(["fit", str(data), "--k", "2"])
    assert code == 141  # SIGPIPE's status, as Unix tools end
    assert capsys.readouterr().err == ""


def test_convert_into_a_missing_folder_says_so(capsys, data, tmp_path):
    target = tmp_path / "missing" / "out.npy"
    code, _, err = run(capsys, "convert", data, target)
    assert code == 2
    assert err == f"error: cannot write {target}: no such file or folder; choose a folder that exists\n"
    code, _, err = run(capsys, "convert", data, data)
    assert code == 2 and f"OUT {data} is the file DATA reads" in err


@pytest.mark.parametrize("pyarrow_installed", [True, False])
def test_a_folder_without_parquet_files_says_so(capsys, tmp_path, monkeypatch, pyarrow_installed):
    if not pyarrow_installed:
        for name in ("pyarrow", "pyarrow.parquet"):
            monkeypatch.setitem(sys.modules, name, None)  # import fails as if not installed
    (tmp_path / "notes.txt").write_text("not data")
    code, _, err = run(capsys, "fit", tmp_path, "--k", "2")
    assert code == 2
    assert err == f"error: {tmp_path} holds no .parquet files; choose a file or another folder\n"


def test_predict_finds_the_fitted_columns_by_name(capsys, data, tmp_path):
    import pandas as pd

    params = tmp_path / "params.json"
    assert run(capsys, "fit", data, "--k", "2", "--seed", "1", "-o", params)[0] == 0
    frame = pd.read_csv(data)
    _, expected, _ = run(capsys, "predict", params, data)
    variants = {
        "swapped.csv": frame[["waiting", "eruptions"]],
        "extra.csv": frame.assign(extra=1.0)[["extra", "waiting", "eruptions"]],
    }
    for name, variant in variants.items():
        variant.to_csv(tmp_path / name, index=False)
        code, out, err = run(capsys, "predict", params, tmp_path / name)
        assert code == 0 and out == expected, (name, err)
    # Without a header, the columns can only be taken in order.
    frame.to_csv(tmp_path / "bare.csv", index=False, header=False)
    assert run(capsys, "predict", params, tmp_path / "bare.csv")[1] == expected


def test_predict_refuses_columns_named_otherwise_and_takes_them_by_columns(
    capsys, data, tmp_path
):
    import pandas as pd

    params = tmp_path / "params.json"
    assert run(capsys, "fit", data, "--k", "2", "--seed", "1", "-o", params)[0] == 0
    renamed = tmp_path / "renamed.csv"
    pd.read_csv(data).rename(columns={"waiting": "wait"}).to_csv(renamed, index=False)
    code, out, err = run(capsys, "predict", params, renamed)
    assert code == 2 and out == ""
    assert err == (
        f"error: {params} was fitted on the columns 'eruptions', 'waiting', which the data does "
        "not all have (its columns are 'eruptions', 'wait'); name the data's columns that stand "
        "for them, in that order, with --columns\n"
    )
    code, out, err = run(capsys, "predict", params, renamed, "--columns", "eruptions,wait")
    assert code == 0 and out == run(capsys, "predict", params, data)[1], err


@pytest.mark.parametrize(("args", "message"), [
    (("fit", "", "--k", "2"), "argument DATA: the file name is empty; give a file name"),
    (("predict", "", "DATA"), "argument PARAMS.json: the file name is empty; give a file name"),
    (("select", ""), "argument DATA: the file name is empty; give a file name"),
    (("convert", "", "out.npy"), "argument DATA: the file name is empty; give a file name"),
    (("fit", "DATA", "--k", "2", "--init", ""),
     "--init is empty; give kmeans++, random, hc or a PARAMS.json to start from"),
])
def test_an_empty_file_name_is_refused_not_read_as_the_current_folder(capsys, data, args,
                                                                       message):
    code, _, err = run(capsys, *(data if a == "DATA" else a for a in args))
    assert code == 2 and err.startswith(f"error: {message}"), err
