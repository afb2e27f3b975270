"""Reading data tables: sniffing, previews, every format and every error message."""

from __future__ import annotations

import gc
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import engine

from emio import tables
from emio.tables import DataError, Table, TextOptions, preview_text, read_table, sniff_text

REPO = Path(__file__).resolve().parents[2]

# Words that betray a parser's internals rather than tell a person what to do.
JARGON = ("pandas", "tokeniz", "C error", "Traceback", "dtype", "Unnamed", "NaN")


def write(tmp_path: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def error_of(*args: object, **kwargs: object) -> str:
    with pytest.raises(DataError) as info:
        read_table(*args, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert not any(word in message for word in JARGON), message
    return message


def faithful_numbers(faithful_csv: Path) -> np.ndarray:
    """faithful.csv parsed by Python's own float(), independently of the reader."""
    lines = faithful_csv.read_text().splitlines()[1:]
    return np.array([[float(value) for value in line.split(",")] for line in lines])


# --------------------------------------------------------------------------- real data


def test_faithful_csv_is_sniffed_and_read_exactly(faithful_csv) -> None:
    assert sniff_text(faithful_csv) == TextOptions(",", ".", header=True, comment=None)
    table = read_table(faithful_csv)
    assert table.columns == ["eruptions", "waiting"]
    assert table.data.shape == (272, 2)
    np.testing.assert_array_equal(table.data, faithful_numbers(faithful_csv))


def test_faithful_semicolon_is_sniffed_with_decimal_comma_and_comment(
    faithful_semicolon_csv
) -> None:
    options = sniff_text(faithful_semicolon_csv)
    assert (options.delimiter, options.decimal, options.header, options.comment) == (
        ";",
        ",",
        True,
        "#",
    )


def test_faithful_semicolon_reads_to_the_same_numbers(
    faithful_csv, faithful_semicolon_csv
) -> None:
    plain, semicolon = read_table(faithful_csv), read_table(faithful_semicolon_csv)
    assert semicolon.columns == plain.columns
    np.testing.assert_array_equal(semicolon.data, plain.data)


def test_table_data_is_float64_c_contiguous_and_read_only(faithful_csv) -> None:
    table = read_table(faithful_csv)
    assert table.data.dtype == np.float64
    assert table.data.flags.c_contiguous
    assert not table.data.flags.writeable
    np.testing.assert_array_equal(table.row_index, np.arange(272))
    assert table.source == faithful_csv
    assert table.dropped_rows == 0
    assert table.notes == ()


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\tb\n1.5\t2\n3\t4\n", TextOptions("\t", ".", True)),
        ("  1.0   2.0\n 3.0 4.0\n5 6\n", TextOptions(" ", ".", False)),
        ("a\tb\n1,5\t2,25\n3\t4\n", TextOptions("\t", ",", True)),
        ("a b\n1,5 2,25\n3 4\n", TextOptions(" ", ",", True)),
        ("1,2\n3,4\n", TextOptions(",", ".", False)),
        ("x, y\n1, 2\n3, 4\n", TextOptions(",", ".", True)),
        # One column with a decimal comma: the header has no comma, so the
        # commas in the rows are decimal separators, not delimiters.
        ("height_cm\n176,5\n163,2\n170\n", TextOptions(";", ",", True)),
        ("height_cm\n176.5\n163.2\n170\n", TextOptions(",", ".", True)),
        ("label,x\nsetosa,5.1\nvirginica,6.3\n", TextOptions(",", ".", True)),
        ("setosa,5.1\nvirginica,6.3\n", TextOptions(",", ".", False)),
        ("# made by hand\nx,y\n1,2\n# a note\n3,4\n", TextOptions(",", ".", True, "#")),
        ("My data, 2020\n\nx;y\n1,5;2\n3;4\n5;6\n", TextOptions(";", ",", True, skip_rows=2)),
        # A single ragged line must not change the delimiter.
        ("x,y\n1,2\n3,4\n5,6\n7,8,9\n", TextOptions(",", ".", True)),
    ],
)
def test_sniff_text(tmp_path: Path, text: str, expected: TextOptions) -> None:
    assert sniff_text(write(tmp_path, "data.csv", text)) == expected


def test_sniff_detects_encodings(tmp_path: Path) -> None:
    cp1252 = write(tmp_path, "cp.csv", "Temp °C;Druck\n1,5;2\n", "cp1252")
    assert sniff_text(cp1252).encoding == "cp1252"
    assert read_table(cp1252).columns == ["Temp °C", "Druck"]
    bom = write(tmp_path, "bom.csv", "\ufeffx,y\n1,2\n")
    assert read_table(bom).columns == ["x", "y"]
    utf16 = write(tmp_path, "u16.txt", "x\ty\n1\t2\n", "utf-16")
    assert sniff_text(utf16).delimiter == "\t"
    np.testing.assert_array_equal(read_table(utf16).data, [[1.0, 2.0]])


def test_sniff_looks_at_the_first_64_kb_only(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i + 0.5}\n" for i in range(20_000))
    path = write(tmp_path, "big.csv", "a,b\n" + rows + "then,text;everywhere\n" * 50_000)
    assert path.stat().st_size > 10 * tables.SNIFF_BYTES
    assert sniff_text(path) == TextOptions(",", ".", True)


# --------------------------------------------------------------------------- options


def test_title_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "Old measurements\n# by hand\nx,y\n1,2\n3,4\n")
    options = sniff_text(path)
    assert options.skip_rows == 2
    table = read_table(path)
    assert table.columns == ["x", "y"]
    np.testing.assert_array_equal(table.data, [[1, 2], [3, 4]])


def test_headerless_columns_are_named_x1_x2(tmp_path: Path) -> None:
    path = write(tmp_path, "n.txt", "1 2 3\n4 5 6\n")
    table = read_table(path)
    assert table.columns == ["x1", "x2", "x3"]
    header = read_table(path, TextOptions(" ", ".", header=True))
    assert header.columns == ["1", "2", "3"]


def test_explicit_options_override_sniffing(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "a;b\n1,5;2\n")
    np.testing.assert_array_equal(read_table(path, TextOptions(";", ",", True)).data, [[1.5, 2]])
    # Read with a decimal point, "1,5" is text: the column is not numeric.
    assert read_table(path, TextOptions(";", ".", True)).columns == ["b"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"delimiter": "|"}, "comma, semicolon, tab or space"),
        ({"decimal": ":"}, "'.' or ','"),
        ({"delimiter": ",", "decimal": ","}, "both ','"),
        ({"comment": "//"}, "one visible character"),
        ({"skip_rows": -1}, "skip_rows must be a whole number from 0 to 1,000,000, not -1"),
        ({"skip_rows": 10**30}, "skip_rows must be a whole number from 0 to 1,000,000"),
        ({"encoding": "klingon"}, "unknown text encoding"),
    ],
)
def test_text_options_are_validated(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(DataError, match=match):
        TextOptions(**kwargs)  # type: ignore[arg-type]


def test_empty_and_unnamed_header_cells_get_names(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", '"","a","a","x1"\n"1",1.5,2,3\n"2",3,4,5\n')
    assert read_table(path).columns == ["x1", "a", "a.1", "x1 (2)"]


# --------------------------------------------------------------------------- columns


IRIS = "sl,sw,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,2.9,virginica\n"


def test_text_column_is_skipped_with_a_note(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "iris.csv", IRIS))
    assert table.columns == ["sl", "sw"]
    assert table.notes == ("skipped column 'species': text such as 'setosa' in 3 rows",)


def test_columns_are_chosen_by_name_in_order(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "iris.csv", IRIS), columns=["sw", "sl"])
    assert table.columns == ["sw", "sl"]
    np.testing.assert_array_equal(table.data[0], [3.5, 5.1])


def test_unknown_column_names_are_listed(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "iris.csv", IRIS), columns=["sl", "petal"])
    assert "no column named 'petal'" in message
    assert "'sl', 'sw', 'species'" in message


def test_a_chosen_text_column_is_refused(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "iris.csv", IRIS), columns=["sl", "species"])
    assert "'species'" in message and "text such as 'setosa'" in message
    assert "leave it out" in message


def test_column_choice_is_validated(tmp_path: Path) -> None:
    path = write(tmp_path, "iris.csv", IRIS)
    assert "at least one column" in error_of(path, columns=[])
    assert "twice" in error_of(path, columns=["sl", "sl"])
    assert "as a list" in error_of(path, columns="sl")


def test_no_numeric_column(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "t.csv", "name,town\nAda,London\nAlan,Wilmslow\n"))
    assert "no column of numbers" in message and "'name'" in message


def test_empty_column_from_trailing_delimiters_is_skipped(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "t.csv", "x,y,\n1,2,\n3,4,\n"))
    assert table.columns == ["x", "y"]
    assert table.notes == ("skipped column 'x3': no values at all",)


# --------------------------------------------------------------------------- bad rows

# Lines: 1 comment, 2 header, 3 data, 4 blank, 5 data with NA, 6 comment,
# 7 data with text, 8 data with inf, 9 data.
BAD = "# note\nx,y\n1,2\n\n3,NA\n# more\n5,abc\n7,inf\n9,10\n"


def test_bad_row_error_names_column_line_and_value(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "bad.csv", BAD))
    assert message.startswith("column 'y' has a missing value on line 5 of bad.csv")
    assert "3 rows have missing or non-numeric values" in message
    assert message.endswith("fix the file, or choose to drop such rows")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x,y\n1,2\n5,abc\n3,4\n", "column 'y' has the text 'abc' on line 3 of"),
        ("x,y\n1,2\n3,4\n5,-inf\n", "column 'y' has an infinite value (-inf) on line 4 of"),
        ("x,y\n1,2\n,4\n", "column 'x' has a missing value on line 3 of"),
        ("x,y\n1,2\n3," + "9" * 400 + "\n", "column 'y' has a whole number of 400 digits, "
         "beyond the largest a float holds (about 1.8e308) on line 3 of"),
        ("x,y\n-" + "9" * 400 + ",2\n3,4\n", "column 'x' has a whole number of 400 digits"),
    ],
)
def test_each_kind_of_bad_value_is_named(tmp_path: Path, text: str, expected: str) -> None:
    message = error_of(write(tmp_path, "bad.csv", text))
    assert message.startswith(expected)
    assert "(" not in message.split(" of bad.csv")[1]  # one bad row: no count


def test_bad_text_in_decimal_comma_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "x;y\n1,5;2\n?;3\n2,5;4\n3,5;5\n")
    assert error_of(path).startswith("column 'x' has the text '?' on line 3 of bad.csv")
    table = read_table(path, bad_rows="drop")
    np.testing.assert_array_equal(table.data, [[1.5, 2], [2.5, 4], [3.5, 5]])


def test_bad_rows_can_be_dropped(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "bad.csv", BAD), bad_rows="drop")
    np.testing.assert_array_equal(table.data, [[1, 2], [9, 10]])
    np.testing.assert_array_equal(table.row_index, [0, 4])
    assert table.dropped_rows == 3
    assert table.notes == ("dropped 3 rows with missing or non-numeric values",)
    assert table.data.flags.c_contiguous


def test_bad_cells_in_skipped_columns_do_not_count(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "bad.csv", "x,y\n1,2\n3,NA\n"), columns=["x"])
    assert table.dropped_rows == 0 and table.data.shape == (2, 1)


def test_every_row_bad_is_an_error_even_when_dropping(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "bad.csv", "x,y\n1,\n3,NA\n5,inf\n"), bad_rows="drop")
    assert "every row" in message


def test_bad_rows_policy_is_validated(faithful_csv) -> None:
    assert "'error' or 'drop'" in error_of(faithful_csv, bad_rows="ignore")


# --------------------------------------------------------------------------- broken files


def test_missing_file() -> None:
    message = error_of("/no/such/folder/data.csv")
    assert message == "there is no file /no/such/folder/data.csv; check the name and the folder"


def test_directory(tmp_path: Path) -> None:
    assert error_of(tmp_path) == f"{tmp_path} is a folder, not a file; choose a data file inside it"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.csv", "x\n1\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # Running as root makes chmod useless here, so the refusal is simulated.
    monkeypatch.setattr(tables.files, "open", refuse, raising=False)
    message = error_of(path)
    assert message.startswith(f"cannot read {path}: permission denied;")


def test_binary_garbage(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", np.random.default_rng(0).bytes(4000))
    assert "does not look like a text table" in error_of(path)
    assert "does not look like a text table" in error_of(path, TextOptions())


def test_empty_file(tmp_path: Path) -> None:
    assert error_of(write(tmp_path, "e.csv", b"")) == "e.csv is empty; choose a file with data in it"


def test_only_comments(tmp_path: Path) -> None:
    assert "only blank or comment lines" in error_of(write(tmp_path, "c.csv", "# a\n\n# b\n"))


def test_header_only(tmp_path: Path) -> None:
    assert "column names but no rows of data" in error_of(write(tmp_path, "h.csv", "x,y\n"))


def test_ragged_rows(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "r.csv", "x,y\n1,2\n3,4\n5,6\n7,8,9\n10,11\n"))
    assert message.startswith("line 5 of r.csv has 3 values but the header has 2;")
    message = error_of(write(tmp_path, "r.csv", "1,2\n3,4,5\n"), TextOptions(header=False))
    assert message.startswith("line 2 of r.csv has 3 values but the first row has 2;")


def test_ragged_line_numbers_count_comment_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "# one\n# two\nx,y\n1,2\n3,4,5\n")
    assert error_of(path).startswith("line 5 of r.csv has 3 values")


def test_more_values_than_header_names(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "x,y\n1,2,3\n4,5,6\n")
    assert "more values than the header has names" in error_of(path, TextOptions())


def test_unclosed_quote(tmp_path: Path) -> None:
    assert "never closed" in error_of(write(tmp_path, "q.csv", 'x,y\n1,2\n3,"4\n5,6\n'))


# --------------------------------------------------------------------------- other formats


def test_npy_2d_and_1d(tmp_path: Path) -> None:
    X = np.arange(12.0).reshape(6, 2)
    np.save(tmp_path / "a.npy", X)
    table = read_table(tmp_path / "a.npy")
    assert table.columns == ["x1", "x2"]
    np.testing.assert_array_equal(table.data, X)
    np.save(tmp_path / "b.npy", np.arange(5, dtype=np.int32))
    assert read_table(tmp_path / "b.npy").data.shape == (5, 1)


def test_npy_is_fortran_order_safe(tmp_path: Path) -> None:
    X = np.asfortranarray(np.arange(12.0).reshape(4, 3))
    np.save(tmp_path / "f.npy", X)
    table = read_table(tmp_path / "f.npy")
    assert table.data.flags.c_contiguous
    np.testing.assert_array_equal(table.data, X)


def test_npy_nan_follows_the_bad_rows_policy(tmp_path: Path) -> None:
    np.save(tmp_path / "n.npy", np.array([[1.0, 2.0], [np.nan, 3.0], [4.0, 5.0]]))
    assert error_of(tmp_path / "n.npy").startswith("column 'x1' has a missing value on row 2 of")
    assert read_table(tmp_path / "n.npy", bad_rows="drop").dropped_rows == 1


@pytest.mark.parametrize(
    ("array", "match"),
    [
        (np.array([{"a": 1}, None], dtype=object), "Python objects"),
        (np.zeros((2, 2, 2)), "3-D array"),
        (np.array([1 + 2j]), "complex numbers"),
        (np.array(["a", "b"]), "holds text"),
        (np.zeros((0, 2)), "empty array"),
    ],
)
def test_npy_rejects_non_numeric_arrays(tmp_path: Path, array: np.ndarray, match: str) -> None:
    np.save(tmp_path / "bad.npy", array, allow_pickle=True)
    assert match in error_of(tmp_path / "bad.npy")


def test_corrupt_npy(tmp_path: Path) -> None:
    write(tmp_path, "junk.npy", b"this is not an array")
    assert "not a valid .npy file" in error_of(tmp_path / "junk.npy")
    np.save(tmp_path / "cut.npy", np.arange(100.0))
    write(tmp_path, "cut.npy", (tmp_path / "cut.npy").read_bytes()[:300])
    assert "not a valid .npy file" in error_of(tmp_path / "cut.npy")


def test_npz_choice_of_array(tmp_path: Path) -> None:
    np.savez(tmp_path / "one.npz", anything=np.ones((3, 2)))
    assert read_table(tmp_path / "one.npz").data.shape == (3, 2)
    np.savez(tmp_path / "x.npz", X=np.ones((4, 2)), labels=np.zeros(4))
    table = read_table(tmp_path / "x.npz")
    assert table.data.shape == (4, 2)
    assert table.notes == ("read the array 'X' of the 2 in x.npz",)
    np.savez(tmp_path / "d.npz", data=np.ones((5, 1)), y=np.zeros(5))
    assert read_table(tmp_path / "d.npz").data.shape == (5, 1)


def test_npz_with_ambiguous_arrays_lists_their_names(tmp_path: Path) -> None:
    np.savez(tmp_path / "many.npz", a=np.ones(3), b=np.ones(3))
    message = error_of(tmp_path / "many.npz")
    assert "several arrays (a, b)" in message and "'X'" in message


def test_corrupt_npz(tmp_path: Path) -> None:
    write(tmp_path, "junk.npz", b"not a zip at all")
    assert "not a valid .npz file" in error_of(tmp_path / "junk.npz")
    # Starts like a zip file but is not one: no file handle may leak either.
    write(tmp_path, "cut.npz", b"PK\x03\x04garbage")
    assert "not a valid .npz file" in error_of(tmp_path / "cut.npz")
    gc.collect()
    with zipfile.ZipFile(tmp_path / "odd.npz", "w") as archive:
        archive.writestr("X.npy", b"garbage")
    assert "not a valid .npz file" in error_of(tmp_path / "odd.npz")


def test_unknown_suffix_is_read_as_text(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "data.measurements", "a;b\n1,5;2\n"))
    np.testing.assert_array_equal(table.data, [[1.5, 2.0]])


def test_old_excel_files_are_refused_with_advice(tmp_path: Path) -> None:
    assert "save it as .xlsx or .csv" in error_of(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0"))


@pytest.mark.parametrize(
    ("suffix", "module", "extra"),
    [(".xlsx", "openpyxl", "excel"), (".parquet", "pyarrow", "parquet")],
)
def test_missing_optional_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, module: str, extra: str
) -> None:
    path = write(tmp_path, "data" + suffix, b"PK\x03\x04 whatever")
    monkeypatch.setattr(tables.spreadsheets, "find_spec", lambda name: None)
    message = error_of(path)
    assert f"needs the {module} package" in message
    assert f'pip install "em-studio[{extra}]"' in message


def test_xlsx(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    frame = pd.DataFrame({"x": [1.0, 2.5, 3.0], "label": ["a", "b", "c"], "y": [4, 5, "?"]})
    frame.to_excel(tmp_path / "book.xlsx", index=False)
    message = error_of(tmp_path / "book.xlsx")
    assert message.startswith("column 'y' has the text '?' on row 4 of the first sheet of book.xlsx")
    table = read_table(tmp_path / "book.xlsx", bad_rows="drop")
    assert table.columns == ["x", "y"]
    np.testing.assert_array_equal(table.data, [[1.0, 4.0], [2.5, 5.0]])
    assert "skipped column 'label'" in table.notes[0]


def test_corrupt_xlsx(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    assert "cannot be read as an Excel workbook" in error_of(write(tmp_path, "b.xlsx", b"PK junk"))


def test_parquet(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]}).to_parquet(tmp_path / "t.parquet")
    np.testing.assert_array_equal(read_table(tmp_path / "t.parquet").data, [[1, 3], [2, 4]])


# --------------------------------------------------------------------------- previews


def test_preview_of_faithful_semicolon(faithful_semicolon_csv) -> None:
    preview = preview_text(faithful_semicolon_csv, n_rows=10)
    assert preview.columns == ["eruptions", "waiting"]
    assert preview.numeric == {"eruptions": True, "waiting": True}
    assert preview.reasons == {}
    assert preview.frame.shape == (10, 2)
    assert preview.frame.iloc[0].tolist() == [3.6, 79.0]
    assert (preview.rows_read, preview.whole_file, preview.bad_rows) == (272, True, 0)
    assert preview.options == sniff_text(faithful_semicolon_csv)


def test_preview_reports_text_columns_and_bad_rows(tmp_path: Path) -> None:
    text = "x,y,species\n1,2,setosa\n3,NA,setosa\n5,abc,virginica\n7,8,setosa\n"
    preview = preview_text(write(tmp_path, "p.csv", text))
    assert preview.numeric == {"x": True, "y": True, "species": False}
    assert preview.reasons == {"species": "text such as 'setosa' in 4 rows"}
    assert preview.bad_rows == 2
    assert preview.bad_rows_in(["x"]) == 0
    assert preview.bad_rows_in(["x", "y"]) == 2
    assert preview.bad_cells.shape == (4, 3)
    assert preview.frame["y"].tolist()[2] == "abc"


def test_preview_does_not_fail_without_numbers(tmp_path: Path) -> None:
    preview = preview_text(write(tmp_path, "t.csv", "name\nAda\n"))
    assert preview.numeric == {"name": False}


def test_preview_scans_a_limited_number_of_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", "x\n" + "1\n" * 50 + "NA\n" * 50)
    preview = preview_text(path, n_rows=5, scan_rows=60)
    assert (preview.frame.shape[0], preview.rows_read, preview.whole_file) == (5, 60, False)
    assert preview.bad_rows == 10


def test_preview_with_wrong_options_raises_a_clear_error(faithful_semicolon_csv) -> None:
    with pytest.raises(DataError, match="more values than the header has names.*by commas"):
        preview_text(faithful_semicolon_csv, TextOptions(",", ".", True, "#"))


# --------------------------------------------------------------------------- Table


def test_table_validates_and_never_freezes_the_callers_array() -> None:
    X = np.ones((3, 2))
    table = Table(X, ["a", "b"])
    assert X.flags.writeable and not table.data.flags.writeable
    np.testing.assert_array_equal(table.row_index, [0, 1, 2])
    assert (table.n_samples, table.n_features) == (3, 2)
    with pytest.raises(ValueError, match="column names"):
        Table(X, ["a"])
    with pytest.raises(ValueError, match="2-D"):
        Table(np.ones(3), ["a"])
    with pytest.raises(ValueError, match="one entry per row"):
        Table(X, ["a", "b"], row_index=np.arange(2))


def test_data_error_is_a_value_error() -> None:
    assert issubclass(DataError, ValueError)


def test_text_tables_remember_the_options_they_were_read_with(faithful_semicolon_csv) -> None:
    detected = read_table(faithful_semicolon_csv)
    assert detected.text_options == sniff_text(faithful_semicolon_csv)
    assert detected.text_options.delimiter == ";" and detected.text_options.decimal == ","
    given = TextOptions(delimiter=";", decimal=",", header=True, comment="#")
    assert read_table(faithful_semicolon_csv, given).text_options == given


def test_columns_are_interleaved_alike_by_one_thread_or_two():
    from emio.tables.layout import PARALLEL_STACK_ROWS, side_by_side

    rng = np.random.default_rng(8)
    for n_rows in (1_000, PARALLEL_STACK_ROWS + 12_345):
        columns = [rng.normal(size=n_rows) for _ in range(7)]
        data = side_by_side(columns)
        assert data.flags.c_contiguous and data.shape == (n_rows, 7)
        np.testing.assert_array_equal(data, np.column_stack(columns))


def test_columns_that_fill_a_block_are_used_where_they_lie():
    from emio.tables.layout import side_by_side

    block = np.random.default_rng(9).normal(size=(4, 5_000))
    whole = side_by_side(list(block))
    assert np.shares_memory(whole, block) and whole.flags.f_contiguous
    np.testing.assert_array_equal(whole, block.T)
    # A subset, or the rows in another order, are copied (a view would keep unused columns).
    for rows in ([0, 1, 2], [1, 0, 2, 3]):
        part = side_by_side([block[j] for j in rows])
        assert not np.shares_memory(part, block) and part.flags.c_contiguous
        np.testing.assert_array_equal(part, block[rows].T)


def test_a_table_in_column_order_is_kept_so_and_fits_as_in_row_order():
    # Large text tables arrive in column order (pandas' block); the engine reads either.
    rng = np.random.default_rng(10)
    X = np.vstack([rng.normal(0, 1, (300, 3)), rng.normal(6, 1, (300, 3))])
    table = Table(data=np.asfortranarray(X), columns=["a", "b", "c"])
    assert table.data.flags.f_contiguous and not table.data.flags.writeable
    options = engine.FitOptions(n_components=2, seed=1, max_iter=20, tol=0.0)
    by_columns = engine.fit(table.data, options)
    by_rows = engine.fit(X, options)
    np.testing.assert_allclose(by_columns.history, by_rows.history, rtol=1e-12)
    np.testing.assert_array_equal(by_columns.labels, by_rows.labels)
    from emio.session import table_digest

    assert table_digest(table) == table_digest(Table(data=X, columns=["a", "b", "c"]))


def test_a_whole_number_beyond_floats_in_a_column_of_numbers_can_be_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "big.csv", "x,y\n1,2\n3," + "9" * 400 + "\n5,6\n")
    table = read_table(path, bad_rows="drop")
    np.testing.assert_array_equal(table.data, [[1, 2], [5, 6]])


def test_a_first_line_longer_than_the_sniffed_head_says_so(tmp_path: Path) -> None:
    wide = ",".join(["1.234567"] * 20_000)
    path = write(tmp_path, "wide.csv", f"{wide}\n{wide}\n")
    assert error_of(path) == (
        "the first line of wide.csv is longer than 64 KB, more than EM Studio reads to tell how "
        "a table is laid out (a table of thousands of columns?); save the data as .npy "
        "(numpy.save) or Parquet and open that"
    )
