"""Large files streamed instead of loaded: which files are, Parquet by row group, files at
a URL, the ``convert`` command, and the command line on streamed files."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import emio.sources
from emio.convert import convert_text
from emio.sources import ParquetSource, open_rows
from emio.sources.npy import NpyUrlSource
from emio.tables import DataError


def table(n_rows: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 3.0 * rng.integers(2, size=n_rows)[:, None] + rng.normal(size=(n_rows, 3))


def write_parquet(path: Path, X: np.ndarray, row_group_size: int, label: bool = False) -> Path:
    columns = {"a": X[:, 0], "b": X[:, 1], "c": X[:, 2]}
    if label:
        columns["name"] = np.array(["x"] * X.shape[0])
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
    return path


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of 1000 rows or more count as large, so tests stream small files."""
    monkeypatch.setattr(emio.sources, "STREAM_ROWS", 1000)


def test_small_files_are_read_whole_and_large_ones_streamed(
    tmp_path: Path, small_threshold: None
) -> None:
    np.save(tmp_path / "small.npy", table(999))
    np.save(tmp_path / "large.npy", table(1000))
    assert not open_rows(str(tmp_path / "small.npy")).streamed
    large = open_rows(str(tmp_path / "large.npy"))
    assert large.streamed and large.values.n_samples == 1000
    # A cluster's workers read the file themselves, however small.
    assert open_rows(str(tmp_path / "small.npy"), cluster=True).streamed
    np.testing.assert_array_equal(
        open_rows(str(tmp_path / "large.npy"), ["x3", "x1"]).values.read(0, 1000),
        table(1000)[:, [2, 0]],
    )


def test_parquet_is_read_by_row_group_the_same_as_whole(tmp_path: Path) -> None:
    X = table(2500)
    path = write_parquet(tmp_path / "t.parquet", X, row_group_size=700, label=True)
    source = ParquetSource(str(path))
    assert (source.n_samples, source.feature_names) == (2500, ["a", "b", "c"])
    assert source.notes == ("skipped column 'name': it does not hold numbers",)
    np.testing.assert_array_equal(source.read(650, 1450), X[650:1450])  # across row groups
    rows = np.array([0, 699, 700, 2499])
    np.testing.assert_array_equal(source.take(rows), X[rows])
    np.testing.assert_array_equal(np.concatenate([b for _, b in source.blocks()]), X)
    # A worker reopens it from its reference, never from rows.
    reopened = pickle.loads(pickle.dumps(source.reference())).open()
    np.testing.assert_array_equal(reopened.read(0, 2500), X)


def test_a_folder_of_parquet_files_is_one_table(tmp_path: Path) -> None:
    X = table(3000)
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, start in enumerate(range(0, 3000, 1000)):
        write_parquet(folder / f"part-{i}.parquet", X[start : start + 1000], row_group_size=400)
    rows = open_rows(str(folder), ["c", "a"])
    assert rows.streamed
    np.testing.assert_array_equal(rows.values.read(0, 3000), X[:, [2, 0]])


def test_files_at_a_url_are_streamed(tmp_path: Path) -> None:
    X = table(70_000)
    np.save(tmp_path / "t.npy", X)
    source = NpyUrlSource(f"file://{tmp_path / 't.npy'}")
    np.testing.assert_array_equal(source.read(65_000, 70_000), X[65_000:])
    rows = np.array([3, 65_535, 65_536, 69_999])
    np.testing.assert_array_equal(source.take(rows), X[rows])
    write_parquet(tmp_path / "t.parquet", X, row_group_size=30_000)
    parquet = open_rows(f"file://{tmp_path / 't.parquet'}")
    np.testing.assert_array_equal(parquet.values.read(29_000, 31_000), X[29_000:31_000])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, "
                                 b"'shape': (4000000000, 1), }" + b" " * 49 + b"\n"),
         "says it holds 32,000,000,000 bytes of values but has only 0"),
        (lambda p: p.write_bytes(b"\x93NUMPY garbage"), "is not a valid .npy file"),
        (lambda p: np.save(p, np.array(["a", "b"])), "not real numbers"),
    ],
)
def test_bad_npy_headers_are_refused_without_reading_the_array(
    tmp_path: Path, make: object, message: str
) -> None:
    path = tmp_path / "bad.npy"
    make(path)
    with pytest.raises(DataError, match=message):
        open_rows(str(path), cluster=True)


def test_convert_writes_npy_and_parquet_a_block_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("emio.convert.BLOCK_ROWS", 1000)
    X = np.round(table(4500), 6)
    text = tmp_path / "t.csv"
    with open(text, "w") as file:
        file.write("a;b;label;c\n")
        for row in X:
            file.write(f"{row[0]:.6f};{row[1]:.6f};g;{row[2]:.6f}\n".replace(".", ","))
    progress: list[tuple[int, int, int]] = []
    converted = convert_text(text, tmp_path / "t.npy", progress=lambda *p: progress.append(p))
    assert converted.n_rows == 4500 and converted.columns == ["a", "b", "c"]
    np.testing.assert_array_equal(np.load(tmp_path / "t.npy"), X)
    assert [rows for _, _, rows in progress] == [1000, 2000, 3000, 4000, 4500]
    assert progress[-1][0] == progress[-1][1] == text.stat().st_size
    convert_text(text, tmp_path / "t.parquet", columns=["c", "a"])
    np.testing.assert_array_equal(ParquetSource(str(tmp_path / "t.parquet")).read(0, 4500),
                                  X[:, [2, 0]])


def test_convert_stops_at_a_bad_row_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: object
) -> None:
    monkeypatch.setattr("emio.convert.BLOCK_ROWS", 100)
    lines = ["x,y"] + [f"{i},{i * 2}" for i in range(250)]
    lines[201] = "200,oops"
    text = tmp_path / "t.csv"
    text.write_text("\n".join(lines) + "\n")
    target = tmp_path / "t.npy"
    code, _, err = run_cli("convert", text, target)
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ")
    assert "column 'y' has the text 'oops' in data row 201 of t.csv" in err
    assert list(tmp_path.iterdir()) == [text]
    code, _, err = run_cli("convert", text, target, "--bad-rows", "drop")
    assert code == 0 and "wrote 249 rows of 2 columns (x, y)" in err
    assert np.load(target).shape == (249, 2)


@pytest.mark.parametrize("suffix", [".npy", ".parquet"])
def test_a_conversion_stopped_half_way_closes_its_writer_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    # The window cancels a conversion by raising from the progress callback. pyarrow's
    # writer left open then wrote its footer from __del__ into the closed temporary
    # file at the next garbage collection, in whichever test ran then.
    import gc
    import sys

    monkeypatch.setattr("emio.convert.BLOCK_ROWS", 100)
    text = tmp_path / "t.csv"
    text.write_text("x,y\n" + "".join(f"{i},{i * 2}\n" for i in range(450)))

    class Stop(Exception):
        pass

    def stop_after_two(read: int, total: int, rows: int) -> None:
        if rows >= 200:
            raise Stop

    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(Stop):
        convert_text(text, tmp_path / f"t{suffix}", progress=stop_after_two)
    gc.collect()
    assert unraisable == []
    assert list(tmp_path.iterdir()) == [text]


def test_the_command_line_fits_a_streamed_file_as_it_fits_the_rows_in_memory(
    run_cli: object, tmp_path: Path, small_threshold: None
) -> None:
    X = table(5000)
    np.savetxt(tmp_path / "t.csv", X, delimiter=",", header="x1,x2,x3", comments="")
    code, _, err = run_cli("convert", tmp_path / "t.csv", tmp_path / "t.npy")
    assert code == 0, err
    fit = ["fit", "--k", "2", "--seed", "4", "--labels"]
    code, streamed, err = run_cli(*fit[:1], tmp_path / "t.npy", *fit[1:],
                              tmp_path / "streamed.csv")
    assert code == 0, err
    code, whole, err = run_cli(*fit[:1], tmp_path / "t.csv", *fit[1:],
                           tmp_path / "whole.csv")
    assert code == 0, err
    assert json.loads(streamed)["history"] == json.loads(whole)["history"]
    assert (tmp_path / "streamed.csv").read_text() == (tmp_path / "whole.csv").read_text()
    (tmp_path / "params.json").write_text(streamed)
    code, predicted, err = run_cli("predict", tmp_path / "params.json", tmp_path / "t.npy")
    assert code == 0, err
    assert predicted == (tmp_path / "whole.csv").read_text()


def test_a_streamed_file_with_gaps_is_fitted_checked_or_refused_by_missing(
    run_cli: object, tmp_path: Path, small_threshold: None
) -> None:
    X = table(3000)
    X[[10, 1500, 2999], [1, 0, 2]] = np.nan
    np.save(tmp_path / "gaps.npy", X)
    np.savetxt(tmp_path / "gaps.csv", X, delimiter=",", header="x1,x2,x3", comments="")
    # --missing em (the default): the same fit as the file read whole, and the same note.
    code, streamed, streamed_err = run_cli("fit", tmp_path / "gaps.npy", "--k", "2", "--seed", "4",
                                           "--labels", tmp_path / "streamed.csv")
    assert code == 0, streamed_err
    code, whole, whole_err = run_cli("fit", tmp_path / "gaps.csv", "--k", "2", "--seed", "4",
                                     "--labels", tmp_path / "whole.csv")
    assert code == 0, whole_err
    assert json.loads(streamed)["history"] == json.loads(whole)["history"]
    assert (tmp_path / "streamed.csv").read_text() == (tmp_path / "whole.csv").read_text()
    assert "3 rows with missing values (3 values in all) kept for EM" in streamed_err
    assert "3 rows with missing values (3 values in all) kept for EM" in whole_err
    # --missing error: the fit's scan names the first gap; nothing is written.
    code, out, err = run_cli("fit", tmp_path / "gaps.npy", "--k", "2", "--missing", "error",
                             "--labels", tmp_path / "refused.csv")
    assert code != 0 and out == ""
    assert "x2" in err and "row 11" in err and "Traceback" not in err
    assert not (tmp_path / "refused.csv").exists()
    # --missing drop and --impute need the file whole: refused before any work, saying why.
    code, _, err = run_cli("fit", tmp_path / "gaps.npy", "--k", "2", "--missing", "drop")
    assert code != 0 and "streamed" in err and "--missing em" in err
    code, _, err = run_cli("fit", tmp_path / "gaps.npy", "--k", "2",
                           "--impute", tmp_path / "filled.csv")
    assert code != 0 and "--impute" in err and "streamed" in err
    assert not (tmp_path / "filled.csv").exists()


def test_convert_names_a_whole_number_beyond_floats(tmp_path: Path, run_cli: object) -> None:
    text = tmp_path / "t.csv"
    text.write_text("x,y\n1,2\n3," + "9" * 400 + "\n5,6\n")
    code, _, err = run_cli("convert", text, tmp_path / "t.npy")
    assert code == 2
    assert err == (
        f"error: column 'y' has a whole number of 400 digits, beyond the largest a float holds "
        "(about 1.8e308) in data row 2 of t.csv; fix the file, or convert with --bad-rows drop "
        "to leave such rows out\n"
    )


def test_convert_refuses_a_column_chosen_twice_and_counts_one_column(
    tmp_path: Path, run_cli: object
) -> None:
    text = tmp_path / "t.csv"
    text.write_text("x,y\n1,2\n3,4\n")
    code, _, err = run_cli("convert", text, tmp_path / "t.npy", "--columns", "y,y")
    assert code == 2 and err == "error: column 'y' is chosen twice; choose each column once\n"
    code, _, err = run_cli("convert", text, tmp_path / "t.npy", "--columns", "y")
    assert code == 0 and err.startswith("wrote 2 rows of 1 column (y) to ")
