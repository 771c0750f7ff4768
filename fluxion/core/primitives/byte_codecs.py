"""Byte-string codec primitives: base64 (URL-safe, TF's alphabet) and zlib/gzip
decompression, elementwise over string tensors.

(The codecs that need protobuf message classes, ``decode_json_example``,
``serialize_tensor`` and ``decode_proto``, stay in ``fluxion.io``: protobuf is optional
and its classes are built there, and a saved graph's attributes must be plain data.)
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define


def _as_bytes(item) -> bytes:
    return item.encode() if isinstance(item, str) else bytes(item)


def string_rule(strings: Aval, **_) -> Aval:
    if strings.dtype is not dtypes.string:
        raise TypeError(f"expected a string tensor, got {strings.dtype.name}")
    return Aval(tuple(strings.shape), dtypes.string)


def elementwise_bytes(convert):
    """A kernel applying ``convert(bytes, **attrs) -> bytes`` to every element."""

    def kernel(strings: np.ndarray, **attrs) -> np.ndarray:
        flat = [convert(_as_bytes(item), **attrs) for item in strings.reshape(-1)]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(strings.shape)

    return kernel


def _encode(data: bytes, *, pad: bool) -> bytes:
    encoded = base64.urlsafe_b64encode(data)
    return encoded if pad else encoded.rstrip(b"=")


def _decode(data: bytes) -> bytes:
    try:
        return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidArgumentError(f"decode_base64: invalid character or length in "
                                   f"{data[:32]!r}: {error}") from None


def _decompress(data: bytes, *, compression_type: str) -> bytes:
    try:
        if compression_type == "ZLIB":
            return zlib.decompress(data)
        if compression_type == "GZIP":
            return gzip.decompress(data)
    except (OSError, zlib.error) as error:
        raise InvalidArgumentError(f"decode_compressed: the {compression_type} data is "
                                   f"corrupt: {error}") from None
    return data


encode_base64_p = define("encode_base64", elementwise_bytes(_encode), string_rule,
                         fresh_output=True)
decode_base64_p = define("decode_base64", elementwise_bytes(_decode), string_rule,
                         fresh_output=True)
decode_compressed_p = define("decode_compressed", elementwise_bytes(_decompress), string_rule,
                             fresh_output=True)
