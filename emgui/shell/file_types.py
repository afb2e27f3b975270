"""The kinds of data file EM Studio opens, as the open dialogs offer them."""

from __future__ import annotations

#: Suffixes read as text tables (through the import preview when a person opens one).
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".dat", ".tab", ""})
OPEN_FILTERS = ";;".join(
    (
        "Data files (*.csv *.tsv *.txt *.dat *.npy *.npz *.xlsx *.parquet)",
        "Text tables (*.csv *.tsv *.txt *.dat)",
        "NumPy arrays (*.npy *.npz)",
        "Excel workbooks (*.xlsx)",
        "Parquet files (*.parquet)",
        "All files (*)",
    )
)
