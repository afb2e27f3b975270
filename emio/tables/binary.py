"""Reading NumPy's own files: ``.npy`` arrays and ``.npz`` archives, never unpickling."""

from __future__ import annotations

import zipfile

import numpy as np

from emio.tables.columns import Column, Source
from emio.tables.files import FileHead
from emio.tables.table import DataError, TextOptions


def _array_source(array: np.ndarray, name: str, notes: tuple[str, ...] = ()) -> Source:
    """Columns of a NumPy array of numbers; 1-D is one column."""
    if array.dtype.names is not None:
        raise DataError(
            f"{name} holds a structured array; save a plain 2-D array of numbers instead"
        )
    if array.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "U": "text", "S": "bytes", "M": "dates", "m": "times"}
        raise DataError(
            f"{name} holds {what.get(array.dtype.kind, array.dtype.name)}, not real numbers; "
            "save an array of numbers, for example with X.astype(float)"
        )
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise DataError(
            f"{name} holds a {array.ndim}-D array; save a 2-D array of shape "
            "(n_samples, n_features)"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise DataError(f"{name} holds an empty array of shape {array.shape}; save some data in it")
    columns = [
        Column(f"x{j + 1}", array[:, j].astype(np.float64), None, None, None)
        for j in range(array.shape[1])
    ]
    return Source(name, columns, lambda row: f"row {row + 1}", notes)


def _corrupt(name: str, kind: str) -> DataError:
    return DataError(f"{name} is not a valid {kind} file (it may be damaged); save it again")


def read_npy(file: FileHead, options: TextOptions | None) -> Source:
    """The columns of a ``.npy`` array (``options`` is for text and ignored)."""
    name = file.path.name
    if not file.head.startswith(b"\x93NUMPY"):
        raise _corrupt(name, ".npy")
    try:
        array = np.load(file.path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{name} holds Python objects, not numbers; save an array of numbers, for "
                "example with X.astype(float)"
            ) from None
        raise _corrupt(name, ".npy") from None
    except (OSError, EOFError):
        raise _corrupt(name, ".npy") from None
    return _array_source(array, name)


def read_npz(file: FileHead, options: TextOptions | None) -> Source:
    """The columns of the one array, or the array ``X`` or ``data``, of a ``.npz``."""
    name = file.path.name
    if not file.head.startswith(b"PK"):
        raise _corrupt(name, ".npz")
    notes: tuple[str, ...] = ()
    try:
        # Our own handle: np.load leaks the one it opens when the archive is damaged.
        with open(file.path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            names = list(archive.files)
            if not names:
                raise DataError(f"{name} holds no arrays; save the data in it with numpy.savez")
            if len(names) == 1:
                chosen = names[0]
            elif "X" in names or "data" in names:
                chosen = "X" if "X" in names else "data"
                notes = (f"read the array {chosen!r} of the {len(names)} in {name}",)
            else:
                raise DataError(
                    f"{name} holds several arrays ({', '.join(names)}) and none is called 'X' "
                    "or 'data'; save the array to fit under the name X"
                )
            array = archive[chosen]
            if not isinstance(array, np.ndarray):
                # A member that is not itself a .npy file comes back as raw bytes.
                raise _corrupt(name, ".npz")
    except DataError:
        raise
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{name} holds Python objects, not numbers; save arrays of numbers"
            ) from None
        raise _corrupt(name, ".npz") from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile):
        raise _corrupt(name, ".npz") from None
    return _array_source(array, f"array {chosen!r} of {name}", notes)
