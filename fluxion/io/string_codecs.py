"""Byte-string codecs of ``tf.io``: ``encode_base64``, ``decode_base64``,
``decode_compressed``, ``decode_json_example`` (their primitives are in
``fluxion.core.primitives.string_codecs``; they trace inside ``fluxion.function``).
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitives.string_codecs import (
    decode_base64_p,
    decode_compressed_p,
    decode_json_example_p,
    encode_base64_p,
)
from fluxion.core.tensor import Tensor, convert_to_tensor


def _strings(value, op: str) -> Tensor:
    tensor = convert_to_tensor(value)
    if tensor.dtype is not dtypes.string:
        raise TypeError(f"{op}: expected a string tensor, got {tensor.dtype.name}")
    return tensor


def encode_base64(input, pad: bool = False, name=None) -> Tensor:  # noqa: A002 - TF's name
    """Web-safe base64 of each string; ``pad`` keeps the trailing ``=``.

    >>> encode_base64(b"hi?>").numpy()
    b'aGk_Pg'
    """
    return encode_base64_p.bind(_strings(input, "encode_base64"), pad=bool(pad))


def decode_base64(input, name=None) -> Tensor:  # noqa: A002
    """The bytes each web-safe base64 string encodes (padding optional)."""
    return decode_base64_p.bind(_strings(input, "decode_base64"))


def decode_compressed(bytes, compression_type: str = "", name=None) -> Tensor:  # noqa: A002
    """Each string decompressed: ``compression_type`` is '' (none), 'ZLIB' or 'GZIP'."""
    kind = (compression_type or "").upper()
    if kind not in ("", "ZLIB", "GZIP"):
        raise ValueError(f"decode_compressed: compression_type must be '', 'ZLIB' or "
                         f"'GZIP', got {compression_type!r}")
    return decode_compressed_p.bind(_strings(bytes, "decode_compressed"),
                                    compression_type=kind)


def decode_json_example(json_examples, name=None) -> Tensor:
    """Each ``tf.train.Example`` written in JSON, as its binary serialization.

    Needs the optional ``protobuf`` package.
    """
    from fluxion.io.example_proto import message_classes

    return decode_json_example_p.bind(_strings(json_examples, "decode_json_example"),
                                       example_class=message_classes()["Example"])
