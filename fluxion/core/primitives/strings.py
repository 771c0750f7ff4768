"""The primitives behind ``tf.strings``: NumPy kernels over object arrays of ``bytes``.

String tensors hold ``bytes`` objects in NumPy object arrays (as TensorFlow returns
them).  Elementwise string functions share one primitive, ``string_map``, whose ``kind``
attribute picks the function from ``STRING_FUNCTIONS`` (and whose ``params`` are its
arguments); ops with other shapes (``join``, ``reduce_join``, ``substr``, splits into
rows) have their own.  None is differentiable, as in TensorFlow.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define
from fluxion.core.primitives.fingerprint import hash_buckets, legacy_hash_buckets
from fluxion.core.shape_rules import broadcast_shapes


def as_bytes(value) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def object_array(items, shape) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out.reshape(shape)


@functools.lru_cache(maxsize=256)
def compiled(pattern: bytes):
    """``pattern`` (RE2 syntax; the common subset is Python's) compiled once."""
    try:
        return re.compile(pattern)
    except re.error as error:
        raise InvalidArgumentError(f"invalid regular expression {pattern!r}: {error}") \
            from None


def _rewrite(template: bytes) -> bytes:
    r"""RE2's ``\0`` (the whole match) is Python's ``\g<0>``."""
    return re.sub(rb"\\0", rb"\\g<0>", template)


def _to_number(text: bytes, out_type: str):
    stripped = text.strip()
    try:
        if out_type in ("int32", "int64"):
            value = int(stripped, 10)
            info = np.iinfo(out_type)
            if not info.min <= value <= info.max:
                raise ValueError
            return value
        return float(stripped)
    except ValueError:
        raise InvalidArgumentError(f"StringToNumberOp could not correctly convert string: "
                                   f"{text.decode(errors='replace')}") from None


def _utf8_length(text: bytes) -> int:
    # Count the bytes that start a character (not 10xxxxxx continuation bytes).
    return sum(1 for byte in text if byte & 0xC0 != 0x80)


def _decode(text: bytes, encoding: str, errors: str, replacement: int) -> str:
    if errors == "strict":
        try:
            return text.decode(encoding)
        except UnicodeDecodeError as error:
            raise InvalidArgumentError(f"invalid {encoding} input: {error}") from None
    if errors == "ignore":
        return text.decode(encoding, errors="ignore")
    return text.decode(encoding, errors="replace").replace("\ufffd", chr(replacement))


def _python_encoding(name: str) -> str:
    return {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}.get(
        str(name).upper(), str(name))


STRING_FUNCTIONS = {
    # kind: (function(bytes, *params) -> value, result dtype name)
    "length_bytes": (len, "int32"),
    "length_chars": (_utf8_length, "int32"),
    "lower_ascii": (lambda s: s.lower(), "string"),
    "upper_ascii": (lambda s: s.upper(), "string"),
    "lower_utf8": (lambda s: s.decode("utf-8", "replace").lower().encode(), "string"),
    "upper_utf8": (lambda s: s.decode("utf-8", "replace").upper().encode(), "string"),
    "strip": (lambda s: s.strip(b" \t\n\r\v\f"), "string"),
    "regex_full_match": (lambda s, p: compiled(p).fullmatch(s) is not None, "bool"),
    "regex_replace": (lambda s, p, r, g: compiled(p).sub(_rewrite(r), s, count=0 if g else 1),
                      "string"),
    "to_float32": (lambda s: _to_number(s, "float32"), "float32"),
    "to_float64": (lambda s: _to_number(s, "float64"), "float64"),
    "to_int32": (lambda s: _to_number(s, "int32"), "int32"),
    "to_int64": (lambda s: _to_number(s, "int64"), "int64"),
    "transcode": (lambda s, src, dst, errors, repl: _decode(
        s, _python_encoding(src), errors, repl).encode(_python_encoding(dst)), "string"),
}


def _string_map_kernel(x, *, kind, params):
    function, out = STRING_FUNCTIONS[kind]
    flat = [function(as_bytes(item), *params) for item in x.reshape(-1)]
    if out == "string":
        return object_array(flat, x.shape)
    return np.asarray(flat, dtype=np.dtype(out)).reshape(x.shape)


def _string_map_rule(x: Aval, *, kind, params) -> Aval:
    if x.dtype is not dtypes.string:
        raise TypeError(f"expected a string tensor, got {x.dtype.name}")
    return Aval(x.shape, dtypes.as_dtype(STRING_FUNCTIONS[kind][1]))


string_map_p = define("string_map", _string_map_kernel, _string_map_rule, fresh_output=True)


# --- join (elementwise, broadcasting) ------------------------------------------------------
def _join_kernel(*inputs, separator):
    shape = np.broadcast_shapes(*[x.shape for x in inputs])
    parts = [np.broadcast_to(x, shape).reshape(-1) for x in inputs]
    joined = [separator.join(as_bytes(p[i]) for p in parts) for i in range(int(np.prod(shape)))]
    return object_array(joined, shape)


def _join_rule(*inputs: Aval, separator) -> Aval:
    for x in inputs:
        if x.dtype is not dtypes.string:
            raise TypeError(f"expected string tensors, got {x.dtype.name}")
    return Aval(broadcast_shapes(*[x.shape for x in inputs]), dtypes.string)


string_join_p = define("string_join", _join_kernel, _join_rule, fresh_output=True)


# --- reduce_join ---------------------------------------------------------------------------
def _reduce_join_kernel(x, *, axes, keepdims, separator):
    moved = np.moveaxis(x, axes, list(range(x.ndim - len(axes), x.ndim)))
    lead = moved.shape[:x.ndim - len(axes)]
    rows = moved.reshape(lead + (-1,)) if moved.size else np.empty(lead + (0,), object)
    joined = [separator.join(as_bytes(v) for v in row) for row in rows.reshape(
        (-1, rows.shape[-1]))] if int(np.prod(lead)) else []
    out = object_array(joined, lead)
    if keepdims:
        for axis in sorted(axes):
            out = np.expand_dims(out, axis)
    return out


def _reduce_join_rule(x: Aval, *, axes, keepdims, separator) -> Aval:
    if x.dtype is not dtypes.string:
        raise TypeError(f"expected a string tensor, got {x.dtype.name}")
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keepdims else \
        tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return Aval(shape, dtypes.string)


reduce_join_p = define("string_reduce_join", _reduce_join_kernel, _reduce_join_rule,
                       fresh_output=True)


# --- substr ----------------------------------------------------------------------------------
def _char_offsets(text: bytes) -> list:
    return [i for i, byte in enumerate(text) if byte & 0xC0 != 0x80] + [len(text)]


def _substr_one(text: bytes, pos: int, length: int, chars: bool) -> bytes:
    offsets = _char_offsets(text) if chars else None
    size = len(offsets) - 1 if chars else len(text)
    start = pos + size if pos < 0 else pos
    if not 0 <= start <= size:
        raise InvalidArgumentError(f"substr: position {pos} is out of range for a string "
                                   f"of length {size}")
    stop = min(size, start + max(length, 0))
    if chars:
        return text[offsets[start]:offsets[stop]]
    return text[start:stop]


def _substr_kernel(x, pos, length, *, chars):
    shape = np.broadcast_shapes(x.shape, pos.shape, length.shape)
    flat = zip(np.broadcast_to(x, shape).reshape(-1), np.broadcast_to(pos, shape).reshape(-1),
               np.broadcast_to(length, shape).reshape(-1))
    return object_array([_substr_one(as_bytes(t), int(p), int(n), chars) for t, p, n in flat],
                        shape)


substr_p = define("substr", _substr_kernel,
                  lambda x, pos, length, chars: Aval(broadcast_shapes(x.shape, pos.shape,
                                                                      length.shape),
                                                     dtypes.string), fresh_output=True)


# --- rows of varying length: split and friends ----------------------------------------------
def rows_kernel(x, *, kind, params):
    """Applies a row function to each string: returns (flat values, row splits int64)."""
    function, out = ROW_FUNCTIONS[kind]
    rows = [function(as_bytes(item), *params) for item in x.reshape(-1)]
    splits = np.zeros(len(rows) + 1, np.int64)
    np.cumsum([len(r) for r in rows], out=splits[1:])
    values = [v for row in rows for v in row]
    if out == "string":
        flat = object_array(values, (len(values),))
    else:
        flat = np.asarray(values, dtype=np.dtype(out)).reshape(-1)
    return flat, splits


def _rows_rule(x: Aval, *, kind, params):
    if x.dtype is not dtypes.string:
        raise TypeError(f"expected a string tensor, got {x.dtype.name}")
    return Aval((None,), dtypes.as_dtype(ROW_FUNCTIONS[kind][1])), Aval((None,), dtypes.int64)


def _split(text: bytes, sep, maxsplit: int) -> list:
    if sep is None:
        return text.split(None, maxsplit if maxsplit >= 0 else -1)
    return text.split(sep, maxsplit if maxsplit >= 0 else -1)


def _code_points(text, encoding, errors, replacement, control):
    decoded = _decode(text, _python_encoding(encoding), errors, replacement)
    points = [ord(c) for c in decoded]
    if control:
        points = [replacement if p < 32 or 127 <= p < 160 else p for p in points]
    return points


def _char_starts(text, encoding, errors, replacement, control):
    offsets, position = [], 0
    for char in _decode(text, _python_encoding(encoding), errors, replacement):
        offsets.append(position)
        position += len(char.encode(_python_encoding(encoding), errors="replace"))
    return offsets


def _chars(text, encoding, errors, replacement, control):
    decoded = _decode(text, _python_encoding(encoding), errors, replacement)
    return [c.encode(_python_encoding(encoding)) for c in decoded]


ROW_FUNCTIONS = {
    "split": (_split, "string"),
    "bytes": (lambda s: [bytes([b]) for b in s], "string"),
    "code_points": (_code_points, "int32"),
    "char_starts": (_char_starts, "int64"),
    "chars": (_chars, "string"),
}

string_rows_p = define("string_rows", rows_kernel, _rows_rule, multiple_results=True,
                       fresh_output=True)


# --- unicode_encode: rows of code points -> strings -------------------------------------------
def _encode_kernel(values, splits, *, encoding, errors, replacement):
    out = []
    python = _python_encoding(encoding)
    for start, stop in zip(splits[:-1], splits[1:]):
        chars = []
        for point in values[start:stop]:
            point = int(point)
            if not (0 <= point <= 0x10FFFF) or 0xD800 <= point <= 0xDFFF:
                if errors == "strict":
                    raise InvalidArgumentError(f"unicode_encode: invalid code point {point}")
                if errors == "ignore":
                    continue
                point = replacement
            chars.append(chr(point))
        out.append("".join(chars).encode(python))
    return object_array(out, (len(out),))


unicode_encode_p = define("unicode_encode", _encode_kernel,
                          lambda values, splits, encoding, errors, replacement:
                          Aval((None if splits.shape[0] is None else splits.shape[0] - 1,),
                               dtypes.string), fresh_output=True)


def _hash_kernel(x, *, num_buckets, key, legacy):
    if legacy:
        return legacy_hash_buckets(x, num_buckets)
    return hash_buckets(x, num_buckets, key)


string_hash_p = define("string_to_hash_bucket", _hash_kernel,
                       lambda x, num_buckets, key, legacy: Aval(x.shape, dtypes.int64),
                       fresh_output=True)


def _segment_join_kernel(x, ids, count, *, separator):
    segments = int(count)
    groups = [[] for _ in range(segments * int(np.prod(x.shape[ids.ndim:], dtype=np.int64)))]
    inner = x.shape[ids.ndim:]
    flat_ids = ids.reshape(-1)
    width = int(np.prod(inner, dtype=np.int64))
    rows = x.reshape((flat_ids.size, width))
    for row, segment in zip(rows, flat_ids):
        if 0 <= segment < segments:
            for j, value in enumerate(row):
                groups[segment * width + j].append(as_bytes(value))
    return object_array([separator.join(g) for g in groups], (segments,) + inner)


unsorted_segment_join_p = define(
    "unsorted_segment_join", _segment_join_kernel,
    lambda x, ids, count, separator: Aval((None,) + tuple(x.shape[len(ids.shape):]),
                                          dtypes.string), fresh_output=True)
