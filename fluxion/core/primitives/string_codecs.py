"""Byte-string codecs (``tf.io.encode_base64``, ``decode_base64``, ``decode_compressed``,
``decode_json_example``): elementwise primitives over string tensors (NumPy object
arrays of ``bytes``), whose output has the input's shape.

Base64 is the web-safe alphabet (``-`` and ``_``), as in TensorFlow; decoding accepts it
with or without ``=`` padding.  ``decode_json_example``'s ``example_class`` attribute is
the ``tf.train.Example`` message class (``fluxion.io.example_proto``), so this module
needs no protobuf itself.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define


def _as_bytes(item) -> bytes:
    return item.encode() if isinstance(item, str) else bytes(item)


def _string_rule(strings: Aval, **_) -> Aval:
    if strings.dtype is not dtypes.string:
        raise TypeError(f"expected a string tensor, got {strings.dtype.name}")
    return Aval(tuple(strings.shape), dtypes.string)


def _elementwise(convert):
    """A kernel applying ``convert(bytes, **attrs) -> bytes`` to every element."""

    def kernel(strings: np.ndarray, **attrs) -> np.ndarray:
        flat = [convert(_as_bytes(item), **attrs) for item in strings.reshape(-1)]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(strings.shape)

    return kernel


# The codec modules are imported on first use, so `import fluxion` stays light.
def _encode(data: bytes, *, pad: bool) -> bytes:
    import base64

    encoded = base64.urlsafe_b64encode(data)
    return encoded if pad else encoded.rstrip(b"=")


def _decode(data: bytes) -> bytes:
    import base64
    import binascii

    try:
        return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidArgumentError(f"decode_base64: invalid character or length in "
                                   f"{data[:32]!r}: {error}") from None


def _decompress(data: bytes, *, compression_type: str) -> bytes:
    import gzip
    import zlib

    try:
        if compression_type == "ZLIB":
            return zlib.decompress(data)
        if compression_type == "GZIP":
            return gzip.decompress(data)
    except (OSError, zlib.error) as error:
        raise InvalidArgumentError(f"decode_compressed: the {compression_type} data is "
                                   f"corrupt: {error}") from None
    return data


def _json_to_example(data: bytes, *, example_class) -> bytes:
    from google.protobuf import json_format  # present: example_class is a protobuf class

    example = example_class()
    try:
        json_format.Parse(data.decode("utf-8"), example)
    except json_format.ParseError as error:
        raise InvalidArgumentError(f"decode_json_example: not an Example in JSON: "
                                   f"{error}") from None
    return example.SerializeToString(deterministic=True)


encode_base64_p = define("encode_base64", _elementwise(_encode), _string_rule,
                         fresh_output=True)
decode_base64_p = define("decode_base64", _elementwise(_decode), _string_rule,
                         fresh_output=True)
decode_compressed_p = define("decode_compressed", _elementwise(_decompress), _string_rule,
                             fresh_output=True)
decode_json_example_p = define("decode_json_example", _elementwise(_json_to_example),
                               _string_rule, fresh_output=True)
