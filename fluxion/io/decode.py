"""``tf.io.decode_raw``: reinterpret the bytes of string tensors as numbers."""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitives.decode_raw import _ALLOWED, decode_raw_p
from fluxion.core.tensor import Tensor, convert_to_tensor


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
