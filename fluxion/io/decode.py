"""``tf.io.decode_raw``: reinterpret the bytes of string tensors as numbers."""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define
from fluxion.core.tensor import Tensor, convert_to_tensor

_ALLOWED = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
            "uint16", "uint32", "uint64", "complex64", "complex128", "bool")


def _decode_raw_kernel(strings: np.ndarray, *, out_type: str, little_endian: bool,
                       fixed_length: int | None) -> np.ndarray:
    dtype = np.dtype(out_type).newbyteorder("<" if little_endian else ">")
    items = [s.encode() if isinstance(s, str) else bytes(s) for s in strings.reshape(-1)]
    if fixed_length is not None:
        width = fixed_length // dtype.itemsize
        items = [s[:width * dtype.itemsize].ljust(width * dtype.itemsize, b"\0") for s in items]
    else:
        sizes = {len(s) for s in items}
        if len(sizes) > 1:
            first = len(items[0])
            bad = next(i for i, s in enumerate(items) if len(s) != first)
            raise InvalidArgumentError(
                f"decode_raw requires input strings to all be the same size, but element "
                f"{bad} has size {len(items[bad])} != {first}")
        size = sizes.pop() if sizes else 0
        if size % dtype.itemsize:
            raise InvalidArgumentError(
                f"decode_raw: input size {size} is not a multiple of {dtype.itemsize}, the "
                f"size of {out_type}")
        width = size // dtype.itemsize
    flat = np.frombuffer(b"".join(items), dtype=dtype).astype(np.dtype(out_type))
    return flat.reshape(strings.shape + (width,))


def _decode_raw_rule(strings: Aval, *, out_type: str, little_endian: bool,
                     fixed_length: int | None) -> Aval:
    if strings.dtype is not dtypes.string:
        raise TypeError(f"decode_raw: `input_bytes` must be a string tensor, got "
                        f"{strings.dtype.name}")
    width = None
    if fixed_length is not None:
        width = fixed_length // np.dtype(out_type).itemsize
    return Aval(tuple(strings.shape) + (width,), dtypes.as_dtype(out_type))


decode_raw_p = define("decode_raw", _decode_raw_kernel, _decode_raw_rule, fresh_output=True)


def decode_raw(input_bytes, out_type, little_endian: bool = True, fixed_length=None,
               name=None) -> Tensor:
    """Reinterprets the bytes of each string as a vector of ``out_type`` (``tf.io.decode_raw``).

    Args:
      input_bytes: a string tensor; without ``fixed_length`` all strings must have the
        same length.
      out_type: the element dtype (a numeric dtype or bool).
      little_endian: the byte order of the input.
      fixed_length: if given, each string is truncated or zero-padded to this many bytes.

    Returns:
      A tensor of shape ``input_bytes.shape + [length // out_type.size]``.

    >>> decode_raw(b"\\x01\\x00\\x02\\x00", "int16").numpy()
    array([1, 2], dtype=int16)
    """
    out = dtypes.as_dtype(out_type).name
    if out not in _ALLOWED:
        raise TypeError(f"decode_raw: out_type must be one of {', '.join(_ALLOWED)}, got {out}")
    tensor = convert_to_tensor(input_bytes, dtype=dtypes.string)
    length = None if fixed_length is None else int(fixed_length)
    return decode_raw_p.bind(tensor, out_type=out, little_endian=bool(little_endian),
                             fixed_length=length)
