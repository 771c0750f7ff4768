"""``tf.strings`` ops whose results have a varying length per string: ``split``,
``bytes_split``, ``unicode_decode`` (+ ``_with_offsets``), ``unicode_split``
(+ ``_with_offsets``), ``unicode_encode`` and ``ngrams``.

A scalar input gives a dense 1-D tensor, as in TensorFlow; a batch of strings gives a
``RaggedTensor`` ``[..., None]``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.strings import (
    as_bytes,
    object_array,
    string_rows_p,
    unicode_encode_p,
)
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.ragged_tensor import RaggedTensor
from fluxion.ops.strings.basic_ops import strings

__all__ = ["split", "bytes_split", "unicode_decode", "unicode_decode_with_offsets",
           "unicode_split", "unicode_split_with_offsets", "unicode_encode", "ngrams"]


def rows_result(values: Tensor, splits: Tensor, lead_shape: tuple):
    """Flat ``values`` cut by ``splits`` into one row per input string of ``lead_shape``."""
    if not lead_shape:
        return values
    result = RaggedTensor.from_row_splits(values, splits, validate=False)
    for size in reversed(lead_shape[1:]):
        result = RaggedTensor.from_uniform_row_length(result, size)
    return result


def _rows(op: str, input, kind: str, params: tuple):
    x = strings(op, input)
    shape = shape_tuple(x)
    if any(d is None for d in shape):
        raise op_error(ValueError, op, f"needs a known input shape, got {list(shape)}")
    values, splits = string_rows_p.bind(x, kind=kind, params=params)
    return values, splits, shape


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002 - TF's argument name
    """Splits each string on ``sep`` (runs of whitespace when None, dropping empties).

    Returns a 1-D string tensor for a scalar input, else a ``RaggedTensor`` with one row
    per string.

    >>> split("a b  c").numpy().tolist()
    [b'a', b'b', b'c']
    """
    separator = None if sep is None else as_bytes(sep.numpy() if isinstance(sep, Tensor)
                                                  else sep)
    if separator == b"":
        raise op_error(ValueError, "split", "sep must not be empty; use bytes_split")
    values, splits, shape = _rows("split", input, "split", (separator, int(maxsplit)))
    return rows_result(values, splits, shape)


def bytes_split(input, name=None):  # noqa: A002
    """Splits each string into its single bytes."""
    values, splits, shape = _rows("bytes_split", input, "bytes", ())
    return rows_result(values, splits, shape)


def _unicode_params(op, input_encoding, errors, replacement_char, control):
    if errors not in ("replace", "ignore", "strict"):
        raise op_error(ValueError, op, f"errors must be replace, ignore or strict, got "
                                       f"{errors!r}")
    return (str(input_encoding), errors, int(replacement_char), bool(control))


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   replace_control_characters=False, name=None):
    """Each string's code points (int32), one row per string.

    >>> unicode_decode("héllo", "UTF-8").numpy().tolist()
    [104, 233, 108, 108, 111]
    """
    params = _unicode_params("unicode_decode", input_encoding, errors, replacement_char,
                             replace_control_characters)
    values, splits, shape = _rows("unicode_decode", input, "code_points", params)
    return rows_result(values, splits, shape)


def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=65533, replace_control_characters=False,
                                name=None):
    """``(code points, byte offsets where each character starts)``."""
    params = _unicode_params("unicode_decode_with_offsets", input_encoding, errors,
                             replacement_char, replace_control_characters)
    values, splits, shape = _rows("unicode_decode_with_offsets", input, "code_points", params)
    starts, start_splits, _ = _rows("unicode_decode_with_offsets", input, "char_starts",
                                    params)
    return rows_result(values, splits, shape), rows_result(starts, start_splits, shape)


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                  name=None):
    """Each string split into its characters (as encoded substrings)."""
    params = _unicode_params("unicode_split", input_encoding, errors, replacement_char, False)
    values, splits, shape = _rows("unicode_split", input, "chars", params)
    return rows_result(values, splits, shape)


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=65533, name=None):
    """``(characters, byte offsets where each starts)``."""
    params = _unicode_params("unicode_split_with_offsets", input_encoding, errors,
                             replacement_char, False)
    values, splits, shape = _rows("unicode_split_with_offsets", input, "chars", params)
    starts, start_splits, _ = _rows("unicode_split_with_offsets", input, "char_starts",
                                    params)
    return rows_result(values, splits, shape), rows_result(starts, start_splits, shape)


def _code_point_rows(input):
    """``(flat int32 values, int64 splits, lead shape)`` of code points given as a dense
    tensor ``[..., n]``, a ``RaggedTensor``, or nested lists."""
    if isinstance(input, RaggedTensor):
        values = convert_to_tensor(input.flat_values, dtype=dtypes.int32)
        return values.numpy(), np.asarray(input.row_splits.numpy()), \
            (int(input.row_splits.shape[0]) - 1,)
    try:
        dense = np.asarray(input._value if isinstance(input, Tensor) else input)
        if dense.dtype == object:
            raise ValueError
    except ValueError:  # rows of different lengths given as Python lists
        rows = [np.asarray(r, np.int32).reshape(-1) for r in input]
        splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
        return (np.concatenate(rows) if rows else np.zeros(0, np.int32)), splits, \
            (len(rows),)
    dense = dense.astype(np.int32)
    if dense.ndim == 0:
        raise ValueError("unicode_encode needs at least one axis of code points")
    lead = dense.shape[:-1]
    width = dense.shape[-1]
    splits = np.arange(int(np.prod(lead)) + 1, dtype=np.int64) * width
    return dense.reshape(-1), splits, lead


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   name=None) -> Tensor:
    """Encodes rows of code points ``[..., n]`` (dense, ragged or lists) into strings
    ``[...]``.

    >>> unicode_encode([104, 105], "UTF-8").numpy()
    b'hi'
    """
    if errors not in ("replace", "ignore", "strict"):
        raise op_error(ValueError, "unicode_encode", f"errors must be replace, ignore or "
                                                     f"strict, got {errors!r}")
    values, splits, lead = _code_point_rows(input)
    out = unicode_encode_p.bind(Tensor(values), Tensor(splits), encoding=str(output_encoding),
                                errors=errors, replacement=int(replacement_char))
    return Tensor(out.numpy().reshape(lead)) if lead != (len(splits) - 1,) else out


def _row_ngrams(row: list, widths, separator, pads, padding_width, preserve) -> list:
    grams = []
    for width in widths:
        pad = width - 1 if padding_width is None else min(int(padding_width), width - 1)
        padded = [pads[0]] * pad + row + [pads[1]] * pad if pads else row
        count = len(padded) - width + 1
        grams += [separator.join(padded[i:i + width]) for i in range(max(count, 0))]
    if preserve and not grams and row:
        pad = 0 if not pads else (min(widths) - 1 if padding_width is None
                                  else int(padding_width))
        grams = [separator.join([pads[0]] * pad + row + [pads[1]] * pad if pads else row)]
    return grams


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """Joins each window of ``ngram_width`` consecutive strings of the innermost axis.

    Args:
      data: strings ``[..., n]`` (dense; a ``RaggedTensor`` gives ragged rows).
      ngram_width: one width or a list (their n-grams are concatenated in order).
      pad_values: a string or ``(left, right)`` pair to pad each row with
        ``padding_width`` (default ``width - 1``) copies.
      preserve_short_sequences: give a row too short for any window one n-gram of it all.

    >>> ngrams(["a", "b", "c"], 2).numpy().tolist()
    [b'a b', b'b c']
    """
    widths = [int(w) for w in np.asarray(ngram_width).reshape(-1)]
    if any(w < 1 for w in widths):
        raise op_error(ValueError, "ngrams", f"ngram_width must be >= 1, got {widths}")
    sep = as_bytes(separator)
    pads = None
    if pad_values is not None:
        pads = (pad_values, pad_values) if isinstance(pad_values, (str, bytes)) else \
            tuple(pad_values)
        pads = (as_bytes(pads[0]), as_bytes(pads[1]))
    args = (widths, sep, pads, padding_width, bool(preserve_short_sequences))
    if isinstance(data, RaggedTensor):
        flat, bounds = data.flat_values.numpy(), np.asarray(data.row_splits.numpy())
        rows = [_row_ngrams([as_bytes(v) for v in flat[a:b]], *args)
                for a, b in zip(bounds[:-1], bounds[1:])]
        splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
        values = object_array([g for r in rows for g in r], (int(splits[-1]),))
        return rows_result(Tensor(values), Tensor(splits), (len(rows),))
    x = strings("ngrams", data)
    array = x.numpy()
    if array.ndim == 0:
        raise op_error(ValueError, "ngrams", "data must have at least one axis")
    lead = array.shape[:-1]
    rows = [_row_ngrams([as_bytes(v) for v in row], *args)
            for row in array.reshape((-1, array.shape[-1]))]
    counts = {len(r) for r in rows}
    if len(counts) <= 1:  # dense rows of equal length, as TF returns for dense input
        width = counts.pop() if counts else 0
        return Tensor(object_array([g for r in rows for g in r], lead + (width,)))
    splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    values = object_array([g for r in rows for g in r], (int(splits[-1]),))
    return rows_result(Tensor(values), Tensor(splits), lead)
