"""Elementwise and reducing ``tf.strings`` ops: ``length``, ``lower``/``upper``, ``strip``,
``join``, ``reduce_join``, ``substr``, ``regex_full_match``/``regex_replace``,
``to_number``, hashing into buckets, ``unsorted_segment_join``, ``unicode_transcode``."""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.strings import (
    as_bytes,
    reduce_join_p,
    string_hash_p,
    string_join_p,
    string_map_p,
    substr_p,
    unsorted_segment_join_p,
)
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["length", "lower", "upper", "strip", "join", "reduce_join", "substr",
           "regex_full_match", "regex_replace", "to_number", "string_to_number",
           "to_hash_bucket", "to_hash_bucket_fast", "to_hash_bucket_strong",
           "unsorted_segment_join", "unicode_transcode"]


def strings(op: str, value) -> Tensor:
    """``value`` as a string tensor, or a clear error."""
    tensor = convert_to_tensor(value) if not isinstance(value, Tensor) else value
    if tensor.dtype is not dtypes.string:
        raise op_error(TypeError, op, f"expected a string tensor, got {tensor.dtype.name}")
    return tensor


def _text(value) -> bytes:
    if isinstance(value, Tensor):
        value = value.numpy()
    return as_bytes(value)


def length(input, unit="BYTE", name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The length of each string in bytes (``unit="BYTE"``) or UTF-8 characters
    (``"UTF8_CHAR"``), int32.

    >>> length(["héllo"], unit="UTF8_CHAR").numpy().tolist()
    [5]
    """
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise op_error(ValueError, "length", f"unit must be BYTE or UTF8_CHAR, got {unit!r}")
    kind = "length_bytes" if unit == "BYTE" else "length_chars"
    return string_map_p.bind(strings("length", input), kind=kind, params=())


def lower(input, encoding="", name=None) -> Tensor:  # noqa: A002
    """Lower-cases ASCII letters (all letters with ``encoding="utf-8"``)."""
    kind = "lower_utf8" if str(encoding).lower().replace("-", "") == "utf8" else "lower_ascii"
    return string_map_p.bind(strings("lower", input), kind=kind, params=())


def upper(input, encoding="", name=None) -> Tensor:  # noqa: A002
    """Upper-cases ASCII letters (all letters with ``encoding="utf-8"``)."""
    kind = "upper_utf8" if str(encoding).lower().replace("-", "") == "utf8" else "upper_ascii"
    return string_map_p.bind(strings("upper", input), kind=kind, params=())


def strip(input, name=None) -> Tensor:  # noqa: A002
    """Removes leading and trailing whitespace."""
    return string_map_p.bind(strings("strip", input), kind="strip", params=())


def join(inputs, separator="", name=None) -> Tensor:
    """Joins string tensors elementwise (with broadcasting) with ``separator``.

    >>> join([["a", "b"], "c"], separator="-").numpy().tolist()
    [b'a-c', b'b-c']
    """
    tensors = [strings("join", x) for x in inputs]
    if not tensors:
        raise op_error(ValueError, "join", "needs at least one input")
    return string_join_p.bind(*tensors, separator=_text(separator))


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None) -> Tensor:
    """Joins the strings along ``axis`` (all axes by default) with ``separator``."""
    x = strings("reduce_join", inputs)
    rank = x.ndim
    if axis is None:
        axes = tuple(range(rank))
    else:
        axes = tuple(sorted({int(a) % max(rank, 1) for a in np.asarray(axis).reshape(-1)}))
    return reduce_join_p.bind(x, axes=axes, keepdims=bool(keepdims),
                              separator=_text(separator))


def substr(input, pos, len, unit="BYTE", name=None) -> Tensor:  # noqa: A002
    """Substrings starting at ``pos`` (negative counts from the end) of ``len`` bytes or
    UTF-8 characters; ``pos`` and ``len`` broadcast against ``input``."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise op_error(ValueError, "substr", f"unit must be BYTE or UTF8_CHAR, got {unit!r}")
    x = strings("substr", input)
    pos = convert_to_tensor(pos, dtype=dtypes.int64) if not isinstance(pos, Tensor) else pos
    size = convert_to_tensor(len, dtype=dtypes.int64) if not isinstance(len, Tensor) else len
    return substr_p.bind(x, pos, size, chars=unit == "UTF8_CHAR")


def regex_full_match(input, pattern, name=None) -> Tensor:  # noqa: A002
    """Whether each whole string matches ``pattern`` (bool).

    >>> regex_full_match(["abc", "abd"], "ab[c]").numpy().tolist()
    [True, False]
    """
    return string_map_p.bind(strings("regex_full_match", input), kind="regex_full_match",
                             params=(_text(pattern),))


def regex_replace(input, pattern, rewrite, replace_global=True, name=None) -> Tensor:  # noqa: A002
    r"""Replaces matches of ``pattern`` with ``rewrite`` (``\1`` groups, ``\0`` the match);
    only the first match unless ``replace_global``."""
    return string_map_p.bind(strings("regex_replace", input), kind="regex_replace",
                             params=(_text(pattern), _text(rewrite), bool(replace_global)))


def to_number(input, out_type=dtypes.float32, name=None) -> Tensor:  # noqa: A002
    """Parses each string as a number of ``out_type`` (float32/64, int32/64); an
    unparsable string is an ``InvalidArgumentError``."""
    out = dtypes.as_dtype(out_type)
    kinds = {"float32": "to_float32", "float64": "to_float64", "int32": "to_int32",
             "int64": "to_int64"}
    if out.name not in kinds:
        raise op_error(TypeError, "to_number", f"out_type must be float32, float64, int32 or "
                                               f"int64, got {out.name}")
    return string_map_p.bind(strings("to_number", input), kind=kinds[out.name], params=())


string_to_number = to_number


def _buckets(op: str, num_buckets) -> int:
    count = int(num_buckets)
    if count < 1:
        raise op_error(ValueError, op, f"num_buckets must be >= 1, got {count}")
    return count


def to_hash_bucket_fast(input, num_buckets, name=None) -> Tensor:  # noqa: A002
    """``Fingerprint64(s) % num_buckets`` (FarmHash, as TF), int64."""
    return string_hash_p.bind(strings("to_hash_bucket_fast", input),
                              num_buckets=_buckets("to_hash_bucket_fast", num_buckets),
                              key=None, legacy=False)


def to_hash_bucket_strong(input, num_buckets, key, name=None) -> Tensor:  # noqa: A002
    """``SipHash-2-4(key, s) % num_buckets`` with a two-integer ``key``, int64."""
    key = tuple(int(k) for k in np.asarray(key).reshape(-1))
    if len(key) != 2:
        raise op_error(ValueError, "to_hash_bucket_strong", f"key must have 2 integers, got "
                                                            f"{list(key)}")
    return string_hash_p.bind(strings("to_hash_bucket_strong", input),
                              num_buckets=_buckets("to_hash_bucket_strong", num_buckets),
                              key=key, legacy=False)


def to_hash_bucket(input, num_buckets, name=None) -> Tensor:  # noqa: A002
    """The legacy hash bucketing (TF's ``Hash64``); prefer ``to_hash_bucket_fast``."""
    return string_hash_p.bind(strings("to_hash_bucket", input),
                              num_buckets=_buckets("to_hash_bucket", num_buckets),
                              key=None, legacy=True)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None) -> Tensor:
    """Joins the strings of each segment (rows with equal ``segment_ids``) in order."""
    x = strings("unsorted_segment_join", inputs)
    ids = convert_to_tensor(segment_ids)
    count = convert_to_tensor(num_segments)
    return unsorted_segment_join_p.bind(x, ids, count, separator=_text(separator))


def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa: A002
                      replacement_char=65533, replace_control_characters=False,
                      name=None) -> Tensor:
    """Re-encodes each string from ``input_encoding`` to ``output_encoding`` (UTF-8,
    UTF-16-BE, UTF-32-BE); ``errors`` is ``"replace"``, ``"ignore"`` or ``"strict"``."""
    if errors not in ("replace", "ignore", "strict"):
        raise op_error(ValueError, "unicode_transcode", f"errors must be replace, ignore or "
                                                        f"strict, got {errors!r}")
    return string_map_p.bind(strings("unicode_transcode", input), kind="transcode",
                             params=(str(input_encoding), str(output_encoding), errors,
                                     int(replacement_char)))
