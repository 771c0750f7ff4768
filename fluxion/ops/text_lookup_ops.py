"""String and table primitives for the text and lookup layers.

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

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.text_lookup import (
    as_string_p,
    as_utf8_bytes,
    regex_replace_p,
    string_fit_length_p,
    string_hash_bucket_p,
    string_lower_p,
    string_ngrams_p,
    string_split_p,
    table_lookup_p,
)
from fluxion.core.tensor import Tensor


# --- binding functions ----------------------------------------------------------------------------
def string_lower(x: Tensor) -> Tensor:
    return bind(string_lower_p, x)


def regex_replace(x: Tensor, pattern: bytes, rewrite: bytes, replace_global: bool = True):
    return bind(regex_replace_p, x, pattern=as_utf8_bytes(pattern), rewrite=as_utf8_bytes(rewrite),
                replace_global=bool(replace_global))


def string_split(x: Tensor, mode: str = "whitespace") -> Tensor:
    return bind(string_split_p, x, mode=mode)


def string_ngrams(x: Tensor, widths: tuple, separator: bytes = b" ") -> Tensor:
    return bind(string_ngrams_p, x, widths=tuple(int(w) for w in widths),
                separator=as_utf8_bytes(separator))


def string_fit_length(x: Tensor, length: int) -> Tensor:
    return bind(string_fit_length_p, x, length=int(length))


def as_string(x: Tensor) -> Tensor:
    return bind(as_string_p, x)


def string_hash_bucket(x: Tensor, num_buckets: int, key: tuple | None = None) -> Tensor:
    """FarmHash (``key=None``) or keyed SipHash buckets of strings, as int64."""
    key = None if key is None else (int(key[0]), int(key[1]))
    return bind(string_hash_bucket_p, x, num_buckets=int(num_buckets), key=key)


def table_lookup(x: Tensor, keys: tuple, values: tuple, default, dtype) -> Tensor:
    """Maps each element of ``x`` through ``dict(zip(keys, values))``; misses give
    ``default``."""
    return bind(table_lookup_p, x, keys=keys, values=values, default=default,
                dtype=dtypes.as_dtype(dtype))
