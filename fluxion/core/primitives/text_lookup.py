"""String and table primitives of the text and lookup layers (``keras.layers``'
``TextVectorization``, ``StringLookup``, ``Hashing``...).

Fluxion strings are NumPy object arrays of ``bytes`` (dtype ``fluxion.string``).  These
primitives' kernels are plain NumPy/Python over such arrays; none has a gradient (their
outputs are strings or integers).  Because they are primitives, the layers built on them
run eagerly, inside ``fluxion.function`` graphs and inside ``Dataset.map``.

Token lists are not ragged here: ``string_split`` returns a dense ``[..., T]`` tensor
padded with ``b""`` to the longest row, and the empty string is the mask token of
``TextVectorization``, so padding looks up to index 0 exactly as Keras pads its ragged
lookups with 0.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define
from fluxion.core.primitives.fingerprint import hash_buckets


def _expect_string(op: str, x: Aval) -> None:
    if x.dtype is not dtypes.string:
        raise TypeError(f"{op} expects a string tensor, got {x.dtype.name}")


def _map_bytes(func, x: np.ndarray) -> np.ndarray:
    out = np.empty(x.shape, dtype=object)
    flat = out.reshape(-1)
    flat[:] = [func(v) for v in x.reshape(-1).tolist()]
    return out


def as_utf8_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


# --- standardization -------------------------------------------------------------------------
def _lower_kernel(x):
    return _map_bytes(lambda s: as_utf8_bytes(s).lower(), x)  # bytes.lower: ASCII only, as TF


def _same_string_rule(x: Aval) -> Aval:
    _expect_string("string_lower", x)
    return x


@functools.lru_cache(maxsize=64)
def _compiled(pattern: bytes):
    return re.compile(pattern)


def _regex_replace_kernel(x, *, pattern, rewrite, replace_global):
    regex = _compiled(pattern)
    count = 0 if replace_global else 1
    return _map_bytes(lambda s: regex.sub(rewrite, as_utf8_bytes(s), count=count), x)


def _regex_rule(x: Aval, **_) -> Aval:
    _expect_string("regex_replace", x)
    return x


string_lower_p = define("string_lower", _lower_kernel, _same_string_rule)
regex_replace_p = define("regex_replace", _regex_replace_kernel, _regex_rule)


# --- tokenization ------------------------------------------------------------------------------
def _pad_rows(rows: list, lead_shape: tuple, length: int | None = None) -> np.ndarray:
    width = max((len(r) for r in rows), default=0) if length is None else length
    out = np.full((len(rows), width), b"", dtype=object)
    for i, row in enumerate(rows):
        row = row[:width]
        out[i, :len(row)] = row
    return out.reshape(lead_shape + (width,))


def _split_kernel(x, *, mode):
    if mode == "whitespace":
        def split(s):
            return as_utf8_bytes(s).split()  # ASCII whitespace runs, as tf.strings.split
    else:
        def split(s):
            return [c.encode("utf-8") for c in as_utf8_bytes(s).decode("utf-8", "replace")]
    return _pad_rows([split(s) for s in x.reshape(-1).tolist()], x.shape)


def _split_rule(x: Aval, *, mode) -> Aval:
    _expect_string("string_split", x)
    if mode not in ("whitespace", "character"):
        raise ValueError(f"split mode must be 'whitespace' or 'character', got {mode!r}")
    return Aval(tuple(x.shape) + (None,), dtypes.string)


def _rows(x: np.ndarray) -> list:
    """The last axis of ``x`` as a list of lists (one per leading position)."""
    if x.shape[-1] == 0:
        return [[] for _ in range(int(np.prod(x.shape[:-1])))]
    return x.reshape(-1, x.shape[-1]).tolist()


def _ngrams_kernel(x, *, widths, separator):
    rows = []
    for row in _rows(x):
        tokens = [t for t in row if t != b""]
        grams = []
        for n in widths:  # all 1-grams, then all 2-grams..., as tf.strings.ngrams
            grams.extend(separator.join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        rows.append(grams)
    return _pad_rows(rows, x.shape[:-1])


def _ngrams_rule(x: Aval, *, widths, separator) -> Aval:
    _expect_string("string_ngrams", x)
    if len(x.shape) < 1:
        raise ValueError("string_ngrams expects tokens of rank >= 1, got a scalar")
    if not widths or any(int(w) < 1 for w in widths):
        raise ValueError(f"ngram widths must be positive integers, got {widths}")
    return Aval(tuple(x.shape[:-1]) + (None,), dtypes.string)


def _fit_length_kernel(x, *, length):
    return _pad_rows(_rows(x), x.shape[:-1], length)


def _fit_length_rule(x: Aval, *, length) -> Aval:
    _expect_string("string_fit_length", x)
    if len(x.shape) < 1:
        raise ValueError("string_fit_length expects a tensor of rank >= 1, got a scalar")
    return Aval(tuple(x.shape[:-1]) + (int(length),), dtypes.string)


string_split_p = define("string_split", _split_kernel, _split_rule)
string_ngrams_p = define("string_ngrams", _ngrams_kernel, _ngrams_rule)
string_fit_length_p = define("string_fit_length", _fit_length_kernel, _fit_length_rule)


# --- numbers, hashes and tables -------------------------------------------------------------------
def _as_string_kernel(x):
    return _map_bytes(lambda v: str(v).encode("ascii"), x)


def _as_string_rule(x: Aval) -> Aval:
    if not x.dtype.is_integer:
        raise TypeError(f"as_string expects an integer tensor, got {x.dtype.name}")
    return Aval(x.shape, dtypes.string)


def _bytes_array(x: np.ndarray) -> np.ndarray:
    """``x`` with every element as ``bytes`` (object arrays may also hold ``str``)."""
    if x.dtype == object and all(type(v) is bytes for v in x.reshape(-1).tolist()):
        return x
    return _map_bytes(as_utf8_bytes, x)


def _hash_kernel(x, *, num_buckets, key):
    return hash_buckets(_bytes_array(x), num_buckets, key)


def _hash_rule(x: Aval, *, num_buckets, key) -> Aval:
    _expect_string("string_hash_bucket", x)
    if num_buckets < 1:
        raise ValueError(f"num_buckets must be >= 1, got {num_buckets}")
    return Aval(x.shape, dtypes.int64)


@functools.lru_cache(maxsize=32)
def _table(keys: tuple, values: tuple) -> dict:
    return dict(zip(keys, values))


def _lookup_kernel(x, *, keys, values, default, dtype):
    table = _table(keys, values)
    get = table.get
    if x.dtype == object:
        x = _bytes_array(x)
    flat = [get(k, default) for k in x.reshape(-1).tolist()]
    if default is None and None in flat:  # no default: every value must be in the table
        missing = sorted({k for k, v in zip(x.reshape(-1).tolist(), flat) if v is None})
        raise ValueError(f"When `num_oov_indices=0` all inputs should be in vocabulary, "
                         f"found OOV values {missing}, consider setting "
                         f"`num_oov_indices=1`.")
    if dtype is dtypes.string:
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(x.shape)
    return np.asarray(flat, dtype=dtype.np_dtype).reshape(x.shape)


def _lookup_rule(x: Aval, *, keys, values, default, dtype) -> Aval:
    if len(keys) != len(values):
        raise ValueError(f"a table needs as many keys as values, got {len(keys)} keys and "
                         f"{len(values)} values")
    key_is_string = bool(keys) and isinstance(keys[0], bytes)
    if keys and key_is_string != (x.dtype is dtypes.string):
        raise TypeError(f"table keys are {'strings' if key_is_string else 'integers'}, but "
                        f"the input is {x.dtype.name}")
    return Aval(x.shape, dtype)


as_string_p = define("as_string", _as_string_kernel, _as_string_rule)
string_hash_bucket_p = define("string_hash_bucket", _hash_kernel, _hash_rule)
table_lookup_p = define("table_lookup", _lookup_kernel, _lookup_rule)
