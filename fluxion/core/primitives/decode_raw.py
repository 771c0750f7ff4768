"""``decode_raw`` (``tf.io.decode_raw``): the bytes of string tensors reinterpreted as
numbers of ``out_type``, little- or big-endian, optionally cut or padded to
``fixed_length`` bytes.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define

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
