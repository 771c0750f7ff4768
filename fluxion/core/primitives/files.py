"""Whole files as primitives: ``read_file``, ``write_file``, ``matching_files``.

They touch the file system, so their effect is ``"io"``: a traced function keeps them
in order and runs them on every call, never folding or dropping them.  Paths may be
plain or ``file://`` URLs (``local_path``, which ``fluxion.io.gfile`` uses too).
"""

from __future__ import annotations

import glob as _glob
import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import NotFoundError, UnimplementedError
from fluxion.core.primitive import Aval, define


def local_path(path) -> str:
    """A local path from a path or a ``file://`` URL (other schemes are not supported)."""
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    if "://" in path and not path.startswith("file://"):
        scheme = path.split("://", 1)[0]
        raise UnimplementedError(None, None, f"File system scheme '{scheme}' not implemented "
                                 f"(file: '{path}'); Fluxion reads only local paths and "
                                 f"file:// URLs")
    return path[len("file://"):] if path.startswith("file://") else path


def _path(value) -> str:
    value = value.item() if isinstance(value, np.ndarray) else value
    return local_path(value.decode() if isinstance(value, bytes) else str(value))


def _read_kernel(filename: np.ndarray) -> np.ndarray:
    path = _path(filename)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"read_file: {path}; No such file or directory") \
            from None
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _write_kernel(filename: np.ndarray, contents: np.ndarray) -> np.ndarray:
    path = _path(filename)
    data = contents.item()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else bytes(data))
    return np.asarray(True)


def _matching_kernel(pattern: np.ndarray) -> np.ndarray:
    names = sorted({name for item in pattern.reshape(-1)
                    for name in _glob.glob(_path(np.asarray(item)))})
    out = np.empty(len(names), dtype=object)
    out[:] = [name.encode() for name in names]
    return out


def _scalar_string_rule(filename: Aval, *_, **__) -> Aval:
    if filename.dtype is not dtypes.string:
        raise TypeError(f"expected a string tensor, got {filename.dtype.name}")
    return Aval((), dtypes.string)


read_file_p = define("read_file", _read_kernel, _scalar_string_rule, effect="io",
                     fresh_output=True)
write_file_p = define("write_file", _write_kernel, lambda *a: Aval((), dtypes.bool_),
                      effect="io", fresh_output=True)
matching_files_p = define("matching_files", _matching_kernel,
                          lambda pattern: Aval((None,), dtypes.string), effect="io",
                          fresh_output=True)
