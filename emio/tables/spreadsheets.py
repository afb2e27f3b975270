"""Reading Excel workbooks and Parquet files, through the optional packages pandas uses.

Old ``.xls`` workbooks are refused with advice. A missing optional package is a
:class:`DataError` that says which ``pip install`` brings it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.util import find_spec

import pandas as pd

from emio.tables.columns import Source, frame_names, scan_frame
from emio.tables.files import FileHead
from emio.tables.table import DataError, TextOptions


def _require(module: str, extra: str, what: str) -> None:
    if find_spec(module) is None:
        raise DataError(
            f"reading {what} needs the {module} package; install it with: "
            f'pip install "em-studio[{extra}]"'
        )


def _frame_source(frame: pd.DataFrame, name: str, locate: Callable[[int], str]) -> Source:
    if frame.shape[0] == 0:
        raise DataError(f"{name} has no rows of data; choose a file with data in it")
    return Source(name, scan_frame(frame, frame_names(frame, header=True), "."), locate)


def read_excel(file: FileHead, options: TextOptions | None) -> Source:
    """The columns of the first sheet of an ``.xlsx`` workbook, its first row the names."""
    _require("openpyxl", "excel", "Excel .xlsx files")
    try:
        with open(file.path, "rb") as handle:
            frame = pd.read_excel(handle, sheet_name=0, engine="openpyxl")
    # openpyxl raises its own types for damaged or encrypted workbooks; any
    # failure here means the file is not a workbook we can read.
    except Exception:
        raise DataError(
            f"{file.path.name} cannot be read as an Excel workbook (it may be damaged or "
            "password-protected); open it in Excel and save it again, or save it as .csv"
        ) from None
    return _frame_source(
        frame, f"the first sheet of {file.path.name}", lambda row: f"row {row + 2}"
    )


def read_parquet(file: FileHead, options: TextOptions | None) -> Source:
    """The columns of a Parquet file."""
    _require("pyarrow", "parquet", "Parquet files")
    try:
        with open(file.path, "rb") as handle:
            frame = pd.read_parquet(handle, engine="pyarrow")
    # As for Excel: pyarrow has its own exception types for damaged files.
    except Exception:
        raise DataError(
            f"{file.path.name} cannot be read as a Parquet file (it may be damaged); write it again"
        ) from None
    return _frame_source(frame, file.path.name, lambda row: f"row {row + 1}")


def read_xls(file: FileHead, options: TextOptions | None) -> Source:
    """Always a DataError: old ``.xls`` workbooks are not read, only advised on."""
    raise DataError(
        f"{file.path.name} is an old-style .xls workbook, which EM Studio cannot read; save it "
        "as .xlsx or .csv"
    )
