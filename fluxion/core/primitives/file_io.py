"""Whole files as tensors (``tf.io.read_file``, ``write_file``, ``matching_files``):
primitives with the ``"io"`` effect, since they read or change the file system, so a
traced function keeps them in order and runs them on every call.  ``file://`` paths
work like plain ones.
"""

from __future__ import annotations

import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import NotFoundError
from fluxion.core.primitive import Aval, define


def _path(value) -> str:
    value = value.item() if isinstance(value, np.ndarray) else value
    path = value.decode() if isinstance(value, bytes) else str(value)
    return path[len("file://"):] if path.startswith("file://") else path


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
    import glob as _glob  # on first use: `import fluxion` stays light
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
