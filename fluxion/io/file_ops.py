"""Whole files as tensors: ``tf.io.read_file``, ``write_file``, ``matching_files``,
``match_filenames_once``.

They are stateful primitives (they read or change the file system), so a traced
function keeps them in order and runs them on every call, never folding them away.
Paths go through ``fluxion.io.gfile``, so ``file://`` works like a plain path.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitives.files import matching_files_p, read_file_p, write_file_p
from fluxion.core.tensor import Tensor, convert_to_tensor


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
