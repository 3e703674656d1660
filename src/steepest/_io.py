"""Saving and loading models in a format that cannot run code: NumPy's .npz, without pickle.

A file holds arrays only (``allow_pickle=False`` on both sides), one of which is a UTF-8 JSON
header: the format name, its version, what kind of model it is and the model's scalars. Loading
checks every key, dtype, shape and value it reads, and rejects anything else with ValueError:
a truncated or corrupted file, a hostile one (pickled objects, unknown keys, wrong shapes,
non-finite coefficients, huge headers), or a newer format version.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any, Union

import numpy as np

FORMAT = "steepest-model"
VERSION = 1
MAX_HEADER_BYTES = 1 << 20  # a header is a few kilobytes; more is not ours
PathLike = Union[str, "os.PathLike[str]"]


class ModelFileError(ValueError):
    """The file is not a steepest model this version can read."""


def _jsonable(value: Any) -> Any:
    """A parameter as JSON: numbers, strings, booleans, None, lists and string-keyed dicts;
    anything else (a Generator, a schedule object) by its repr, marked as such."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_jsonable(k), _jsonable(v)] for k, v in value.items()]}
    return {"__repr__": repr(value)}


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__dict__"} and isinstance(value["__dict__"], list):
            return {_hashable(_from_json(k)): _from_json(v) for k, v in value["__dict__"]}
        if set(value) == {"__repr__"} and isinstance(value["__repr__"], str):
            return value["__repr__"]
        return {key: _from_json(item) for key, item in value.items()}
    return value


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def save_arrays(path: PathLike, kind: str, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` and a JSON header to path (.npz, compressed), refusing object arrays."""
    for name, array in arrays.items():
        if array.dtype.hasobject:
            raise ValueError(f"{name} holds Python objects, which this format does not store (no pickle)")
    text = json.dumps({"format": FORMAT, "version": VERSION, "kind": kind, **header}, allow_nan=False)
    payload: dict[str, Any] = {"header": np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}
    with open(path, "wb") as file:
        np.savez_compressed(file, **payload)


def load_arrays(path: PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(header, arrays) from a file save_arrays wrote; ModelFileError for anything else."""
    name = os.fspath(path)
    if not Path(name).is_file():
        raise FileNotFoundError(f"no such model file: {name!r}")
    try:
        # Our own file object, closed whatever np.load makes of the bytes.
        with open(name, "rb") as file:
            loaded = np.load(file, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                raise ModelFileError(f"{name!r} is a single NumPy array, not a steepest model file")
            with loaded as archive:
                keys = list(archive.keys())
                if "header" not in keys:
                    raise ModelFileError(f"{name!r} is not a steepest model file (no header)")
                raw = archive["header"]
                if raw.dtype != np.uint8 or raw.ndim != 1 or raw.size > MAX_HEADER_BYTES:
                    raise ModelFileError(f"{name!r}: the header is not a UTF-8 JSON text")
                arrays = {key: archive[key] for key in keys if key != "header"}
    except ModelFileError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as err:
        # np.load raises ValueError for pickled arrays under allow_pickle=False, and for files
        # that are neither .npy nor .npz; truncated archives raise BadZipFile or EOFError.
        raise ModelFileError(f"{name!r} is not a readable steepest model file: {err}") from None
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelFileError(f"{name!r}: the header is not valid JSON ({err})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{name!r} is not a steepest model file")
    version = header.get("version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{name!r}: invalid format version {version!r}")
    if version > VERSION:
        raise ModelFileError(
            f"{name!r} was written by a newer steepest (format version {version}; this one reads up to {VERSION})"
        )
    return {key: _from_json(value) for key, value in header.items()}, arrays


def expect_array(arrays: dict[str, np.ndarray], name: str, *, ndim: int, kinds: str = "f",
                 finite: bool = True) -> np.ndarray:
    """arrays[name], checked: present, of ndim dimensions, of a dtype kind in `kinds`, finite."""
    if name not in arrays:
        raise ModelFileError(f"the model file has no {name!r} array")
    array = arrays[name]
    if array.ndim != ndim or array.dtype.kind not in kinds or array.dtype.hasobject:
        raise ModelFileError(f"{name!r} has shape {array.shape} and dtype {array.dtype}: not what this format writes")
    if finite and array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ModelFileError(f"{name!r} holds NaN or infinity")
    return array


def expect(header: dict[str, Any], name: str, types: Any) -> Any:
    if name not in header or not isinstance(header[name], types) or isinstance(header[name], bool) and bool not in (
        types if isinstance(types, tuple) else (types,)
    ):
        raise ModelFileError(f"the model file's header has no valid {name!r}")
    return header[name]
