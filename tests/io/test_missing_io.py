"""Missing values from files to outputs: reading gaps and their markers, ``--missing``,
``--na-values`` and ``--impute`` on the command line, PARAMS.json and sessions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

import engine
from emio import params_file
from emio import session as sessions
from emio.cli import main
from emio.tables import MISSING_MARKERS, DataError, read_table

# Two clusters in two columns, with gaps written five ways.
GAPPY = """x,y
1.0,2.0
1.2,
,2.4
0.8,NA
1.1,1.9
N/A,2.1
5.0,?
5.2,6.1
-,5.9
4.9,6.0
5.1,nan
,
4.8,6.2
"""
N_ROWS = 13


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text())))
    return rows[0], rows[1:]


# --- reading ---------------------------------------------------------------------------------


def test_gaps_are_kept_with_the_usual_markers(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "g.csv", GAPPY), bad_rows="keep", na_values=MISSING_MARKERS)
    assert table.data.shape == (N_ROWS, 2)
    gaps = np.isnan(table.data)
    assert table.n_missing_values == 9 and table.n_rows_with_gaps == 8
    np.testing.assert_array_equal(np.flatnonzero(gaps[:, 0]), [2, 5, 8, 11])
    np.testing.assert_array_equal(np.flatnonzero(gaps[:, 1]), [1, 3, 6, 10, 11])
    assert table.data[7, 1] == 6.1
    assert "kept 8 rows with missing values (9 values in all)" in table.notes


def test_without_markers_a_question_mark_is_text(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", GAPPY)
    with pytest.raises(DataError, match="column 'y' has the text '\\?' on line 8"):
        read_table(path, bad_rows="keep")
    with pytest.raises(DataError, match="column 'y' has a missing value on line 3 of g.csv"):
        read_table(path, na_values=MISSING_MARKERS)
    dropped = read_table(path, bad_rows="drop", na_values=MISSING_MARKERS)
    assert dropped.n_samples == N_ROWS - 8 and dropped.dropped_rows == 8


def test_a_number_can_mark_a_missing_value(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "a,b\n1,-999\n2,3\n-999,4\n")
    table = read_table(path, bad_rows="keep", na_values=["-999"])
    assert np.isnan(table.data[0, 1]) and np.isnan(table.data[2, 0])
    assert table.data[1].tolist() == [2.0, 3.0]


def test_text_and_infinite_values_are_still_refused_when_gaps_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "a,b\n1,2\n,oops\n3,4\n5,6\n")
    with pytest.raises(DataError, match="column 'b' has the text 'oops' on line 3.*mark such"):
        read_table(path, bad_rows="keep", na_values=MISSING_MARKERS)
    path = write(tmp_path, "i.csv", "a,b\n1,2\n,inf\n3,4\n5,6\n")
    with pytest.raises(DataError, match="column 'b' has an infinite value"):
        read_table(path, bad_rows="keep")


def test_a_file_whose_every_row_is_empty_is_refused(tmp_path: Path) -> None:
    np.save(tmp_path / "e.npy", np.full((4, 2), np.nan))
    with pytest.raises(DataError, match="every row of e.npy is empty"):
        read_table(tmp_path / "e.npy", bad_rows="keep")
    with pytest.raises(DataError, match="no column of numbers"):
        read_table(write(tmp_path, "e.csv", "a,b\n,\n?,-\n,\n"), bad_rows="keep", na_values="?-")


# --- the command line ----------------------------------------------------------------------


def test_fit_keeps_gaps_for_em_by_default_and_says_so(capsys, tmp_path: Path) -> None:
    data = write(tmp_path, "g.csv", GAPPY)
    params, labels = tmp_path / "params.json", tmp_path / "labels.csv"
    code, out, err = run(capsys, "fit", data, "--k", "2", "--seed", "1", "-o", params,
                         "--labels", labels)
    assert code == 0 and out == "", err
    assert "note: 8 rows with missing values (9 values in all) kept for EM" in err
    doc = json.loads(params.read_text())
    assert doc["rows_with_gaps"] == 8 and doc["missing_values"] == 9 and doc["rows_left_out"] == 1
    # Keys in the documented order: the counts after the criteria, before the seed.
    keys = list(doc)
    assert keys.index("icl") < keys.index("rows_with_gaps") < keys.index("seed")
    # BIC counts the rows with a value: 12 of the 13.
    assert doc["bic"] == pytest.approx(-2 * doc["log_likelihood"] + doc["n_parameters"] * np.log(12))
    table = read_table(data, bad_rows="keep", na_values=MISSING_MARKERS)
    expected = engine.fit(table.data, engine.FitOptions(n_components=2, seed=1, accelerate="squarem"))
    assert doc["log_likelihood"] == expected.log_likelihood
    header, rows = read_csv(labels)
    assert header == ["component", "resp_1", "resp_2"] and len(rows) == N_ROWS


def test_complete_data_write_the_same_document_as_before(capsys, tmp_path: Path) -> None:
    data = write(tmp_path, "c.csv", "x,y\n1,2\n1.5,2.5\n5,6\n5.5,6.6\n1.1,2.2\n4.9,6.1\n")
    code, out, err = run(capsys, "fit", data, "--k", "2", "--seed", "0")
    assert code == 0 and err == ""
    assert "rows_with_gaps" not in json.loads(out)


def test_missing_drop_and_error(capsys, tmp_path: Path) -> None:
    data = write(tmp_path, "g.csv", GAPPY)
    code, out, err = run(capsys, "fit", data, "--k", "2", "--seed", "1", "--missing", "drop")
    assert code == 0, err
    assert "note: dropped 8 rows with missing or non-numeric values (--missing drop)" in err
    doc = json.loads(out)
    assert "rows_with_gaps" not in doc
    complete = read_table(data, bad_rows="drop", na_values=MISSING_MARKERS)
    assert doc["log_likelihood"] == engine.fit(
        complete.data, engine.FitOptions(n_components=2, seed=1)
    ).log_likelihood
    code, out, err = run(capsys, "fit", data, "--k", "2", "--missing", "error")
    assert code == 2 and out == ""
    assert err.strip() == (
        "error: column 'y' has a missing value on line 3 of g.csv (8 rows have missing or "
        "non-numeric values); fix the file, or choose to drop such rows (--missing drop)"
    )


def test_na_values_chooses_the_markers(capsys, tmp_path: Path) -> None:
    data = write(tmp_path, "m.csv", "x,y\n1,2\n1.2,missing\n5,6\n5.1,6.2\n0.9,2.1\n5.2,-999\n")
    code, out, err = run(capsys, "fit", data, "--k", "2", "--seed", "1")
    assert code == 2 and "has the text 'missing' on line 3" in err
    code, out, err = run(capsys, "fit", data, "--k", "2", "--seed", "1",
                         "--na-values", "missing,-999")
    assert code == 0, err
    assert json.loads(out)["missing_values"] == 2


def test_impute_writes_the_filled_data_with_a_flag_per_column(capsys, tmp_path: Path) -> None:
    data = write(tmp_path, "g.csv", GAPPY)
    params, filled = tmp_path / "params.json", tmp_path / "filled.csv"
    code, _, err = run(capsys, "fit", data, "--k", "2", "--seed", "1", "-o", params,
                       "--impute", filled)
    assert code == 0, err
    header, rows = read_csv(filled)
    assert header == ["x", "y", "x_imputed", "y_imputed"] and len(rows) == N_ROWS
    values = np.array([[float(v) for v in row[:2]] for row in rows])
    flags = np.array([[int(v) for v in row[2:]] for row in rows], dtype=bool)
    table = read_table(data, bad_rows="keep", na_values=MISSING_MARKERS)
    gaps = np.isnan(table.data)
    np.testing.assert_array_equal(flags, gaps)
    np.testing.assert_array_equal(values[~gaps], table.data[~gaps])
    document = params_file.params_from_dict(json.loads(params.read_text()))
    expected = engine.impute(table.data, document.params, document.options())
    np.testing.assert_array_equal(values, expected.values)
    # A gap in the first cluster is filled near it, in the second near that.
    assert values[1, 1] < 4 and values[6, 1] > 4


def test_impute_after_dropping_says_where_rows_came_from(capsys, tmp_path: Path) -> None:
    data = write(tmp_path, "g.csv", GAPPY)
    filled = tmp_path / "filled.csv"
    code, _, err = run(capsys, "fit", data, "--k", "2", "--seed", "1", "--missing", "drop",
                       "--impute", filled)
    assert code == 0, err
    header, rows = read_csv(filled)
    assert header == ["x", "y", "x_imputed", "y_imputed", "source_row"]
    assert [row[-1] for row in rows] == ["1", "5", "8", "10", "13"]
    assert all(row[2:4] == ["0", "0"] for row in rows)


def test_a_failed_run_writes_no_imputed_file(capsys, tmp_path: Path) -> None:
    data = write(tmp_path, "g.csv", GAPPY)
    filled = tmp_path / "filled.csv"
    filled.write_text("before\n")
    code, _, err = run(capsys, "fit", data, "--k", "20", "--impute", filled)
    assert code == 2 and err.startswith("error: ")
    assert filled.read_text() == "before\n"


def test_predict_judges_rows_with_gaps_on_their_observed_values(capsys, tmp_path: Path) -> None:
    data = write(tmp_path, "g.csv", GAPPY)
    params, labels, filled = tmp_path / "p.json", tmp_path / "l.csv", tmp_path / "f.csv"
    assert run(capsys, "fit", data, "--k", "2", "--seed", "1", "-o", params)[0] == 0
    code, _, err = run(capsys, "predict", params, data, "-o", labels, "--impute", filled)
    assert code == 0, err
    assert "labelled from their observed values (--missing em)" in err  # predict runs no EM
    _, rows = read_csv(labels)
    resp = np.array([[float(v) for v in row[1:]] for row in rows])
    table = read_table(data, bad_rows="keep", na_values=MISSING_MARKERS)
    document = params_file.params_from_dict(json.loads(params.read_text()))
    _, log_resp = engine.predict_log_resp(table.data, document.params, document.options())
    np.testing.assert_allclose(resp, np.exp(log_resp), rtol=1e-15)
    assert len(read_csv(filled)[1]) == N_ROWS


def test_select_fits_data_with_gaps(capsys, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(0, 1, (60, 2)), rng.normal(5, 1, (60, 2))])
    X[rng.uniform(size=X.shape) < 0.15] = np.nan
    np.save(tmp_path / "x.npy", X)
    table_path = tmp_path / "table.csv"
    code, out, err = run(capsys, "select", tmp_path / "x.npy", "--k", "1-3", "--models", "full,diag",
                         "-o", table_path)
    assert code == 0, err
    assert "best: " in out and "kept for EM" in err
    _, rows = read_csv(table_path)
    assert len(rows) == 6 and all(row[4] for row in rows)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_bad_input_with_gaps_gets_one_clear_error_line(capsys, tmp_path: Path, no_gaps_model) -> None:
    column = np.array([[1.0, np.nan], [2.0, np.nan], [3.0, np.nan], [4.0, np.nan]])
    np.save(tmp_path / "column.npy", column)
    code, out, err = run(capsys, "fit", tmp_path / "column.npy", "--k", "2")
    assert code == 2 and out == ""
    assert "column 'x2' has no values at all" in one_error_line(err)
    data = write(tmp_path, "c.csv", "a,b\n1,\n2,\n3,\n")
    code, _, err = run(capsys, "fit", data, "--k", "1", "--columns", "a,b")
    assert code == 2 and "column 'b' of c.csv cannot be used: it holds no values at all" in (
        one_error_line(err)
    )
    np.save(tmp_path / "empty.npy", np.full((5, 2), np.nan))
    code, _, err = run(capsys, "fit", tmp_path / "empty.npy", "--k", "1")
    assert code == 2 and "every row of empty.npy is empty" in one_error_line(err)
    counts = write(tmp_path, "n.csv", "a,b\n1,2\n,3\n4,5\n")
    code, _, err = run(capsys, "fit", counts, "--k", "1", "--model", no_gaps_model,
                       "--missing", "em")
    assert code == 2 and "the nogaps model cannot fit rows with missing values; use --missing drop" in (
        one_error_line(err)
    )
    # Unless told, such a model refuses the gap, naming it.
    code, _, err = run(capsys, "fit", counts, "--k", "1", "--model", no_gaps_model)
    assert code == 2 and "column 'a' has a missing value on line 3" in one_error_line(err)


def test_a_refusal_names_the_flag_that_changes_it(capsys, tmp_path: Path) -> None:
    # The reader's advice ("choose to drop such rows", "mark such values as missing") is
    # the window's wording; at a terminal the choice is a flag, and the line names it.
    data = write(tmp_path, "g.csv", "a,b\n1,2\n3,\n5,6\n7,8\n")
    code, _, err = run(capsys, "fit", data, "--k", "1", "--missing", "error")
    line = one_error_line(err)
    assert code == 2 and "column 'b' has a missing value on line 3" in line
    assert line.endswith("fix the file, or choose to drop such rows (--missing drop)")
    marked = write(tmp_path, "m.csv", "a,b\n1,2\n3,unknown\n5,6\n7,8\n")
    for command in (("fit", marked, "--k", "1"), ("select", marked, "--k", "1")):
        code, _, err = run(capsys, *command)
        line = one_error_line(err)
        assert code == 2 and "column 'b' has the text 'unknown' on line 3" in line
        assert line.endswith(
            "fix the file, mark such values as missing (--na-values), or choose to drop such "
            "rows (--missing drop)"
        )


def test_a_column_without_values_left_out_of_a_csv_is_named_not_dropped_silently(
    capsys, tmp_path: Path
) -> None:
    # Without --columns the reader takes the columns of numbers; a column with no value
    # at all (or only text) is left out, and each command that fits says so. predict takes
    # the columns PARAMS.json names, so the others are not its to mention.
    data = write(tmp_path, "c.csv", "a,b,name\n1,,x\n2,,y\n3,NA,z\n4,,w\n")
    params = tmp_path / "p.json"
    for args in (("fit", data, "--k", "1", "-o", params), ("select", data, "--k", "1-2")):
        code, _, err = run(capsys, *args)
        assert code == 0, err
        assert "note: skipped column 'b': no values at all" in err.splitlines(), (args, err)
        assert "note: skipped column 'name': text such as 'x' in 4 rows" in err.splitlines()
    assert json.loads(params.read_text())["feature_names"] == ["a"]
    code, out, err = run(capsys, "predict", params, data)
    assert code == 0 and err == "" and out.count("\n") == 5


# --- sessions ------------------------------------------------------------------------------


def test_a_session_keeps_the_counts_of_missing_values(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "g.csv", GAPPY), bad_rows="keep", na_values=MISSING_MARKERS)
    result = engine.fit(table.data, engine.FitOptions(n_components=2, seed=1))
    document = params_file.result_to_dict(result, table.columns)
    assert params_file.missing_counts(result) == {
        "rows_with_gaps": 8, "missing_values": 9, "rows_left_out": 1
    }
    session = sessions.Session(
        data=sessions.data_source(table, "g.csv", bad_rows="keep"),
        options=result.options,
        result=result,
    )
    again = sessions.session_from_dict(json.loads(sessions.dumps(session))).result
    assert (again.n_rows_with_gaps, again.n_missing_values, again.n_empty_rows) == (8, 9, 1)
    assert again.bic == result.bic
    assert document["rows_left_out"] == 1
