"""A column kept as known labels: read as text, never fitted, kept through dropped rows,
and written back by Export Assignments."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emio import exports
from emio.tables import DataError, Table, read_table

FLOWERS = "length,species,width,plot\n1.5,setosa,0.2,1\n4.5,versicolor,,2\n5.9,,2.1,1\n6.1,virginica,oops,3\n"


@pytest.fixture
def flowers(tmp_path: Path) -> Path:
    path = tmp_path / "flowers.csv"
    path.write_text(FLOWERS, encoding="utf-8")
    return path


def test_a_text_column_is_kept_as_labels_and_not_fitted(flowers):
    table = read_table(flowers, labels="species", bad_rows="keep", na_values=["oops"])
    assert table.columns == ["length", "width", "plot"]
    assert table.label_name == "species"
    assert table.labels.tolist() == ["setosa", "versicolor", "", "virginica"]
    assert table.notes[0] == "kept column 'species' as labels"
    assert not table.labels.flags.writeable


def test_an_integer_column_is_kept_as_labels_in_its_own_digits(flowers):
    table = read_table(flowers, columns=["length"], labels="plot")
    assert table.labels.tolist() == ["1", "2", "1", "3"]
    assert table.columns == ["length"]


def test_labels_follow_the_rows_kept_and_a_missing_label_drops_nothing(flowers):
    table = read_table(flowers, labels="species", bad_rows="drop")
    # Row 2 has a gap in width and row 4 a word: dropped; row 3 only lacks its label.
    assert table.row_index.tolist() == [0, 2]
    assert table.labels.tolist() == ["setosa", ""]


def test_a_label_column_cannot_be_fitted_too(flowers):
    with pytest.raises(DataError, match="kept as labels, so it cannot be fitted too"):
        read_table(flowers, columns=["length", "plot"], labels="plot")


def test_an_unknown_or_empty_label_column_is_refused_in_words(flowers, tmp_path):
    with pytest.raises(DataError, match="no column named 'kind' to keep as labels"):
        read_table(flowers, labels="kind")
    empty = tmp_path / "empty.csv"
    empty.write_text("x,tag\n1,\n2,\n", encoding="utf-8")
    with pytest.raises(DataError, match="holds no values to use as labels"):
        read_table(empty, labels="tag")


def test_without_a_label_column_nothing_changes(flowers):
    table = read_table(flowers, bad_rows="drop")
    assert table.labels is None and table.label_name is None
    assert "plot" in table.columns


def test_a_table_checks_its_labels():
    with pytest.raises(ValueError, match="one entry per row"):
        Table(np.zeros((3, 1)), ["x"], labels=np.array(["a", "b"]), label_name="kind")
    with pytest.raises(ValueError, match="label_name"):
        Table(np.zeros((2, 1)), ["x"], labels=np.array(["a", "b"]))


def test_assignments_keep_the_label_column(tmp_path):
    path = tmp_path / "tagged.csv"
    path.write_text('x,kind\n1,"a, b"\n2,c\n,c\n4,\n', encoding="utf-8")
    table = read_table(path, labels="kind", bad_rows="drop")
    log_resp = np.log(np.full((table.n_samples, 2), 0.5))
    text = exports.assignments_csv(table, log_resp)
    assert text.splitlines()[0] == "x,kind,component,resp_1,resp_2,uncertainty,source_row"
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert frame["kind"].tolist() == ["a, b", "c", ""]
    assert frame["x"].tolist() == [1, 2, 4]
    assert frame["source_row"].tolist() == [1, 2, 4]


def test_a_label_column_named_like_an_added_column_keeps_its_name(tmp_path):
    path = tmp_path / "clash.csv"
    path.write_text("x,component\n1,a\n2,b\n", encoding="utf-8")
    table = read_table(path, labels="component")
    header = exports.assignments_csv(table, np.zeros((2, 1))).splitlines()[0]
    assert header == "x,component,component_em,resp_1,uncertainty"


def test_a_session_reads_the_label_column_back(flowers, tmp_path):
    import json

    import engine
    from emio import session as sessions

    table = read_table(flowers, columns=["length"], labels="species", bad_rows="drop")
    session = sessions.Session(
        data=sessions.data_source(table, "flowers", bad_rows="drop"),
        options=engine.FitOptions(n_components=1),
    )
    path = tmp_path / f"flowers{sessions.SUFFIX}"
    sessions.save_session(path, session)
    assert json.loads(path.read_text())["data"]["label_column"] == "species"
    again = sessions.load_session(path).data.read()
    assert again.label_name == "species"
    assert again.labels.tolist() == table.labels.tolist()

    plain = sessions.Session(
        data=sessions.data_source(read_table(flowers, columns=["length"]), "flowers"),
        options=engine.FitOptions(n_components=1),
    )
    sessions.save_session(path, plain)
    document = json.loads(path.read_text())
    assert "label_column" not in document["data"]
    assert sessions.load_session(path).data.read().labels is None
    document["data"]["label_column"] = 3
    path.write_text(json.dumps(document))
    with pytest.raises(sessions.SessionError, match="label_column"):
        sessions.load_session(path)


def test_assignments_with_expected_values_keep_the_label_beside_the_data(tmp_path):
    path = tmp_path / "gappy.csv"
    path.write_text("x,y,kind\n1,2,a\n,3,b\n4,5,c\n", encoding="utf-8")
    table = read_table(path, labels="kind", bad_rows="keep")
    filled = np.where(np.isnan(table.data), 9.5, table.data)
    text = exports.assignments_csv(table, np.zeros((3, 1)), filled)
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(frame.columns) == ["x", "y", "kind", "x_expected", "component", "resp_1",
                                   "uncertainty"]
    assert frame["kind"].tolist() == ["a", "b", "c"]
    assert frame["x_expected"].tolist() == ["", "9.5", ""]
