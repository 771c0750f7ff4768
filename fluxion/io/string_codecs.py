"""Byte-string codecs of ``tf.io``: ``encode_base64``, ``decode_base64``,
``decode_compressed``, ``decode_json_example``.

Each is an elementwise primitive over a string tensor (a NumPy object array of
``bytes``): the output has the input's shape, so they trace inside
``fluxion.function`` too.  Base64 is the web-safe alphabet (``-`` and ``_``), as in
TensorFlow; decoding accepts it with or without ``=`` padding.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import define
from fluxion.core.primitives.byte_codecs import (
    decode_base64_p,
    decode_compressed_p,
    elementwise_bytes,
    encode_base64_p,
    string_rule,
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
    return decode_json_example_p.bind(_strings(json_examples, "decode_json_example"))


def _json_to_example(data: bytes) -> bytes:
    from google.protobuf import json_format

    from fluxion.io.example_proto import message_classes

    example = message_classes()["Example"]()
    try:
        json_format.Parse(data.decode("utf-8"), example)
    except json_format.ParseError as error:
        raise InvalidArgumentError(f"decode_json_example: not an Example in JSON: "
                                   f"{error}") from None
    return example.SerializeToString(deterministic=True)


decode_json_example_p = define("decode_json_example", elementwise_bytes(_json_to_example),
                               string_rule, fresh_output=True)
