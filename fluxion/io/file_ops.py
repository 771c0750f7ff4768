"""Whole files as tensors: ``tf.io.read_file``, ``write_file``, ``matching_files``,
``match_filenames_once``.

They are stateful primitives (they read or change the file system), so a traced
function keeps them in order and runs them on every call, never folding them away.
Paths go through ``fluxion.io.gfile``, so ``file://`` works like a plain path.
"""

from __future__ import annotations

import glob as _glob
import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import NotFoundError
from fluxion.core.primitive import Aval, define
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.io import gfile


def _path(value) -> str:
    value = value.item() if isinstance(value, np.ndarray) else value
    return gfile._local(value.decode() if isinstance(value, bytes) else str(value))


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


def _string_scalar(value, what: str) -> Tensor:
    tensor = convert_to_tensor(value, dtype=dtypes.string)
    if tensor.shape.rank not in (0, None):
        raise ValueError(f"{what} must be a string scalar, got shape {tensor.shape}")
    return tensor


def read_file(filename, name=None) -> Tensor:
    """The contents of the file ``filename`` as a string scalar."""
    return read_file_p.bind(_string_scalar(filename, "read_file: filename"))


def write_file(filename, contents, name=None) -> None:
    """Writes the string scalar ``contents`` to ``filename`` (folders are created).

    Returns None in eager code; inside ``fluxion.function`` the write runs on each call.
    """
    write_file_p.bind(_string_scalar(filename, "write_file: filename"),
                      _string_scalar(contents, "write_file: contents"))


def matching_files(pattern, name=None) -> Tensor:
    """The sorted file names matching the glob ``pattern`` (a string or a list of them)."""
    return matching_files_p.bind(convert_to_tensor(pattern, dtype=dtypes.string))


def match_filenames_once(pattern, name=None):
    """A local variable holding ``matching_files(pattern)``, computed once."""
    from fluxion.core.variable import Variable

    return Variable(matching_files(pattern), trainable=False, name=name or "matching_filenames",
                    shape=[None])
