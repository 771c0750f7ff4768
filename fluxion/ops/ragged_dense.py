"""Ragged tensors to and from dense (and sparse) ones, and row indexing (``rt[i]``, ``rt[i:j]``,
``rt[:, j]``).

``RaggedTensor``'s own methods (``to_tensor``, ``from_tensor``, ``__getitem__``) run these, so
this module does not import the class: it builds results with the class of the tensor it is
given (``type(rt)``), or the class passed in (``from_tensor``).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitives.elementwise import cast, less, select, sub
from fluxion.core.primitives.gather_scatter import gather
from fluxion.core.primitives.shape import concat, reshape
from fluxion.core.primitives.shape import stack as dense_stack
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.array_ops import boolean_mask as dense_mask
from fluxion.ops.array_ops import sequence_mask, tensor_scatter_nd_update
from fluxion.ops.creation_ops import fill
from fluxion.ops.creation_ops import range as range_op
from fluxion.ops.creation_ops import shape as shape_op
from fluxion.ops.reduce_ops import reduce_all, reduce_max
from fluxion.ops.sparse_tensor import SparseTensor


# --- dense <-> ragged --------------------------------------------------------------------------
def to_tensor(rt, default_value=None, shape=None) -> Tensor:
    """``rt`` padded into a dense tensor (rows to the longest, or to ``shape``)."""
    values = rt.values
    inner = to_tensor(values, default_value) if isinstance(values, type(rt)) else values
    splits = cast(rt.row_splits, dtypes.int64)
    lengths = sub(splits[1:], splits[:-1])
    nrows = shape_op(splits, dtypes.int64)[0] - 1
    width = reduce_max(concat([lengths, convert_to_tensor([0], dtype=dtypes.int64)], 0))
    if shape is not None and list(shape)[1:2] and list(shape)[1] is not None:
        width = convert_to_tensor(int(list(shape)[1]), dtype=dtypes.int64)
    rows = cast(rt.value_rowids(), dtypes.int64)
    columns = range_op(shape_op(rows, dtypes.int64)[0], dtype=dtypes.int64) - gather(splits, rows)
    keep = less(columns, width)
    coords = dense_stack([rows, columns], axis=1)
    if not (width._value is not None and lengths._value is not None
            and bool(np.all(np.asarray(lengths._value) <= int(width._value)))):
        coords, inner = dense_mask(coords, keep), dense_mask(inner, keep)
    default = 0 if default_value is None else default_value
    if rt.dtype is dtypes.string and default_value is None:
        default = b""
    dense_shape = concat([dense_stack([nrows, width]), shape_op(inner, dtypes.int64)[1:]], 0)
    base = fill(dense_shape, convert_to_tensor(default, dtype=rt.dtype))
    result = tensor_scatter_nd_update(base, coords, inner)
    if shape is not None and list(shape)[:1] and list(shape)[0] is not None:
        result = _fit_rows(result, int(list(shape)[0]), default, rt.dtype)
    return result


def _fit_rows(result: Tensor, rows: int, default, dtype) -> Tensor:
    have = int(result.shape[0]) if result.shape[0] is not None else None
    if have is None or have == rows:
        return result
    if have > rows:
        return result[:rows]
    pad = fill([rows - have, *result.shape[1:].as_list()], convert_to_tensor(default, dtype))
    return concat([result, pad], 0)


def from_tensor(ragged_class, tensor, lengths=None, padding=None, ragged_rank=1,
                row_splits_dtype=dtypes.int64):
    """The rows of ``tensor`` as a ``ragged_class``: all of each row, its first
    ``lengths[i]`` values, or the values before its trailing ``padding``."""
    tensor = convert_to_tensor(tensor)
    if ragged_rank > 1:
        rows = reshape(tensor, [-1, *tensor.shape[2:].as_list()])
        inner = from_tensor(ragged_class, rows, None, None, ragged_rank - 1, row_splits_dtype)
        nrows, width = tensor.shape[0], tensor.shape[1]
        splits = convert_to_tensor(np.arange(nrows + 1, dtype=np.int64) * width)
        return ragged_class.from_row_splits(inner, cast(splits, row_splits_dtype))
    width = shape_op(tensor, row_splits_dtype)[1]
    if padding is not None:
        pad = convert_to_tensor(padding, dtype=tensor.dtype)
        is_pad = tensor == pad
        if tensor.shape.rank > 2:
            is_pad = reduce_all(is_pad, axis=list(np.arange(2, tensor.shape.rank)))
        # the length is one past the last position that is not padding
        positions = range_op(width, dtype=row_splits_dtype) + 1
        lengths = reduce_max(select(is_pad, positions * 0, positions), axis=1)
    if lengths is None:
        nrows = shape_op(tensor, row_splits_dtype)[0]
        lengths = fill(reshape(nrows, [1]), width)
    lengths = cast(convert_to_tensor(lengths), row_splits_dtype)
    mask = sequence_mask(lengths, width)
    return ragged_class.from_row_lengths(dense_mask(tensor, mask), lengths)


def to_sparse(rt):
    """The ragged tensor as a SparseTensor (ragged rank 1)."""
    if isinstance(rt.values, type(rt)):
        raise ValueError("to_sparse: only ragged_rank 1 is supported")
    rows = cast(rt.value_rowids(), dtypes.int64)
    splits = cast(rt.row_splits, dtypes.int64)
    columns = range_op(shape_op(rows, dtypes.int64)[0], dtype=dtypes.int64) - gather(splits, rows)
    bounds = rt.bounding_shape()
    return SparseTensor(dense_stack([rows, columns], axis=1), rt.values, bounds[:2])


# --- indexing ----------------------------------------------------------------------------------
def getitem(rt, key):
    """``rt[i]``, ``rt[i:j]``, ``rt[:, j]``, ``rt[i, j]``."""
    items = key if isinstance(key, tuple) else (key,)
    first, rest = items[0], items[1:]
    if isinstance(first, slice):
        start, stop, step = first.indices(int(rt.nrows()))
        if step != 1:
            raise ValueError("ragged indexing: slices of rows must have step 1")
        sliced = _row_slice(rt, start, max(start, stop))
        if not rest:
            return sliced
        if isinstance(rest[0], slice) and rest[0] == slice(None) and len(rest) == 1:
            return sliced
        if len(rest) == 1 and isinstance(rest[0], (int, np.integer)):
            return _column(sliced, int(rest[0]))
        raise ValueError(f"ragged indexing: unsupported key {key!r}")
    row = _row(rt, int(first))
    return row[rest if len(rest) > 1 else rest[0]] if rest else row


def _row_slice(rt, start: int, stop: int):
    splits = rt.row_splits[start:stop + 1]
    begin, end = splits[0], splits[-1]
    values = rt.values
    if isinstance(values, type(rt)):
        inner = _row_slice(values, int(begin), int(end))
    else:
        inner = values[int(begin):int(end)]
    return type(rt).from_row_splits(inner, splits - begin, validate=False)


def _row(rt, index: int):
    count = int(rt.nrows())
    if not -count <= index < count:
        raise IndexError(f"ragged indexing: row {index} is out of range for {count} rows")
    index %= count
    begin, end = int(rt.row_splits[index]), int(rt.row_splits[index + 1])
    values = rt.values
    return _row_slice(values, begin, end) if isinstance(values, type(rt)) \
        else values[begin:end]


def _column(rt, index: int) -> Tensor:
    lengths = np.asarray(rt.row_lengths()._value)
    if np.any(lengths <= (index if index >= 0 else -index - 1)):
        raise IndexError(f"ragged indexing: column {index} is out of range for rows of "
                         f"lengths {lengths.tolist()}")
    anchor = rt.row_splits[:-1] if index >= 0 else rt.row_splits[1:]
    return gather(rt.values, anchor + index)


