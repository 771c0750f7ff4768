"""``fluxion.ragged.*`` and the RaggedTensor methods that build dense tensors: ``constant``,
``to_tensor`` / ``from_tensor``, indexing, ``range``, ``stack``, ``boolean_mask``,
``map_flat_values``, segment-id conversions, ``stack_dynamic_partitions``.

Dense results are composites: ``to_tensor`` scatters each value to ``(row, column)``
where the column is the value's position minus its row's start, so gradients flow
back to the flat values through the scatter's rule.
"""

from __future__ import annotations

import builtins

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitives.elementwise import cast, less, sub
from fluxion.core.primitives.gather_scatter import gather
from fluxion.core.primitives.shape import concat, reshape
from fluxion.core.primitives.shape import stack as dense_stack
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.creation_ops import fill
from fluxion.ops.creation_ops import range as range_op
from fluxion.ops.creation_ops import shape as shape_op
from fluxion.ops.ragged_tensor import RaggedTensor
from fluxion.ops.reduce_ops import cumsum, reduce_max

__all__ = ["constant", "map_flat_values", "range", "row_splits_to_segment_ids",
           "segment_ids_to_row_splits", "stack", "boolean_mask", "stack_dynamic_partitions"]


# --- constant ----------------------------------------------------------------------------------
def _depth(value) -> int:
    if not isinstance(value, (list, tuple)):
        return 0
    depths = [_depth(item) for item in value]
    return 1 + (max(depths) if depths else 0)


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64) -> RaggedTensor:
    """A ragged tensor from nested Python lists.

    ``ragged_rank`` defaults to the nesting depth minus one (minus the rank of
    ``inner_shape``): every list level but the innermost is ragged.

    >>> import fluxion as tf
    >>> tf.ragged.constant([[1, 2], [3]]).row_lengths().numpy()
    array([2, 1])
    """
    if isinstance(pylist, RaggedTensor):
        return pylist
    depth = _depth(pylist)
    inner = () if inner_shape is None else tuple(inner_shape)
    if ragged_rank is None:
        ragged_rank = max(0, depth - 1 - len(inner))
    if ragged_rank == 0:
        return convert_to_tensor(pylist, dtype=dtype)
    splits_dtype = dtypes.as_dtype(row_splits_dtype).np_dtype
    level, nested = list(pylist), []
    for _ in builtins.range(ragged_rank):
        lengths = [len(item) for item in level]
        nested.append(np.concatenate([[0], np.cumsum(lengths)]).astype(splits_dtype))
        level = [x for item in level for x in item]
    if level:
        values = convert_to_tensor(level, dtype=dtype)
    else:
        np_dtype = dtypes.float32.np_dtype if dtype is None else dtypes.as_dtype(dtype).np_dtype
        values = convert_to_tensor(np.zeros((0,) + inner, np_dtype))
    return RaggedTensor.from_nested_row_splits(values, [convert_to_tensor(s) for s in nested])


# --- dense <-> ragged --------------------------------------------------------------------------
def to_tensor(rt: RaggedTensor, default_value=None, shape=None) -> Tensor:
    """``rt`` padded into a dense tensor (rows to the longest, or to ``shape``)."""
    values = rt.values
    inner = to_tensor(values, default_value) if isinstance(values, RaggedTensor) else values
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
        from fluxion.ops.array_ops import boolean_mask as dense_mask

        coords, inner = dense_mask(coords, keep), dense_mask(inner, keep)
    default = 0 if default_value is None else default_value
    if rt.dtype is dtypes.string and default_value is None:
        default = b""
    dense_shape = concat([dense_stack([nrows, width]), shape_op(inner, dtypes.int64)[1:]], 0)
    base = fill(dense_shape, convert_to_tensor(default, dtype=rt.dtype))
    from fluxion.ops.array_ops import tensor_scatter_nd_update

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


def from_tensor(tensor, lengths=None, padding=None, ragged_rank=1,
                row_splits_dtype=dtypes.int64) -> RaggedTensor:
    """The rows of ``tensor``: all of each row, its first ``lengths[i]`` values, or the
    values before its trailing ``padding``."""
    from fluxion.ops.array_ops import sequence_mask

    tensor = convert_to_tensor(tensor)
    if ragged_rank > 1:
        inner = from_tensor(reshape(tensor, [-1, *tensor.shape[2:].as_list()]), None, None,
                            ragged_rank - 1, row_splits_dtype)
        nrows, width = tensor.shape[0], tensor.shape[1]
        splits = convert_to_tensor(np.arange(nrows + 1, dtype=np.int64) * width)
        return RaggedTensor.from_row_splits(inner, cast(splits, row_splits_dtype))
    width = shape_op(tensor, row_splits_dtype)[1]
    if padding is not None:
        from fluxion.ops.reduce_ops import reduce_all

        pad = convert_to_tensor(padding, dtype=tensor.dtype)
        is_pad = tensor == pad
        if tensor.shape.rank > 2:
            is_pad = reduce_all(is_pad, axis=list(np.arange(2, tensor.shape.rank)))
        # the length is one past the last position that is not padding
        from fluxion.core.primitives.elementwise import select

        positions = range_op(width, dtype=row_splits_dtype) + 1
        lengths = reduce_max(select(is_pad, positions * 0, positions), axis=1)
    if lengths is None:
        nrows = shape_op(tensor, row_splits_dtype)[0]
        lengths = fill(reshape(nrows, [1]), width)
    lengths = cast(convert_to_tensor(lengths), row_splits_dtype)
    mask = sequence_mask(lengths, width)
    from fluxion.ops.array_ops import boolean_mask as dense_mask

    return RaggedTensor.from_row_lengths(dense_mask(tensor, mask), lengths)


def to_sparse(rt: RaggedTensor):
    """The ragged tensor as a SparseTensor (ragged rank 1)."""
    from fluxion.ops.sparse_tensor import SparseTensor

    if isinstance(rt.values, RaggedTensor):
        raise ValueError("to_sparse: only ragged_rank 1 is supported")
    rows = cast(rt.value_rowids(), dtypes.int64)
    splits = cast(rt.row_splits, dtypes.int64)
    columns = range_op(shape_op(rows, dtypes.int64)[0], dtype=dtypes.int64) - gather(splits, rows)
    bounds = rt.bounding_shape()
    return SparseTensor(dense_stack([rows, columns], axis=1), rt.values, bounds[:2])


# --- indexing ----------------------------------------------------------------------------------
def getitem(rt: RaggedTensor, key):
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


def _row_slice(rt: RaggedTensor, start: int, stop: int) -> RaggedTensor:
    splits = rt.row_splits[start:stop + 1]
    begin, end = splits[0], splits[-1]
    values = rt.values
    if isinstance(values, RaggedTensor):
        inner = _row_slice(values, int(begin), int(end))
    else:
        inner = values[int(begin):int(end)]
    return RaggedTensor.from_row_splits(inner, splits - begin, validate=False)


def _row(rt: RaggedTensor, index: int):
    count = int(rt.nrows())
    if not -count <= index < count:
        raise IndexError(f"ragged indexing: row {index} is out of range for {count} rows")
    index %= count
    begin, end = int(rt.row_splits[index]), int(rt.row_splits[index + 1])
    values = rt.values
    return _row_slice(values, begin, end) if isinstance(values, RaggedTensor) \
        else values[begin:end]


def _column(rt: RaggedTensor, index: int) -> Tensor:
    lengths = np.asarray(rt.row_lengths()._value)
    if np.any(lengths <= (index if index >= 0 else -index - 1)):
        raise IndexError(f"ragged indexing: column {index} is out of range for rows of "
                         f"lengths {lengths.tolist()}")
    anchor = rt.row_splits[:-1] if index >= 0 else rt.row_splits[1:]
    return gather(rt.values, anchor + index)


# --- namespace functions -----------------------------------------------------------------------
def map_flat_values(op, *args, **kwargs):
    """Applies ``op`` to the flat values of the ragged arguments (same row partitions)."""
    ragged = [a for a in list(args) + list(kwargs.values()) if isinstance(a, RaggedTensor)]
    if not ragged:
        return op(*args, **kwargs)

    def flat(a):
        return a.flat_values if isinstance(a, RaggedTensor) else a

    result = op(*[flat(a) for a in args], **{k: flat(v) for k, v in kwargs.items()})
    return ragged[0].with_flat_values(result)


def range(starts, limits=None, deltas=1, dtype=None, name=None,  # noqa: A001 - TF's name
          row_splits_dtype=dtypes.int64) -> RaggedTensor:
    """Row ``i`` is ``range(starts[i], limits[i], deltas[i])``.

    >>> import fluxion as tf
    >>> tf.ragged.range([0, 5], [3, 7]).to_list()
    [[0, 1, 2], [5, 6]]
    """
    if limits is None:
        starts, limits = 0, starts
    starts, limits, deltas = (convert_to_tensor(v, dtype=dtype) for v in (starts, limits,
                                                                          deltas))
    count = max(int(np.size(starts._value)), int(np.size(limits._value)),
                int(np.size(deltas._value)))
    starts, limits, deltas = (np.broadcast_to(np.asarray(v._value), (count,))
                              for v in (starts, limits, deltas))
    rows = [np.arange(s, e, d) for s, e, d in zip(starts, limits, deltas)]
    lengths = np.array([len(r) for r in rows], dtypes.as_dtype(row_splits_dtype).np_dtype)
    flat = np.concatenate(rows).astype(starts.dtype) if rows else np.zeros(0, starts.dtype)
    return RaggedTensor.from_row_lengths(convert_to_tensor(flat), lengths)


def row_splits_to_segment_ids(splits, name=None, out_type=None) -> Tensor:
    """The row id of every value, from row splits."""
    splits = convert_to_tensor(splits)
    rt = RaggedTensor.from_row_splits(fill(reshape(splits[-1], [1]), 0), splits)
    ids = rt.value_rowids()
    return ids if out_type is None else cast(ids, dtypes.as_dtype(out_type))


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None,
                              name=None) -> Tensor:
    """Row splits from sorted row ids."""
    from fluxion.ops.math_extra import bincount

    ids = convert_to_tensor(segment_ids)
    out = dtypes.as_dtype(out_type) if out_type is not None else dtypes.int64
    counts = bincount(cast(ids, dtypes.int32), minlength=num_segments, maxlength=num_segments)
    return concat([convert_to_tensor([0], dtype=out), cumsum(cast(counts, out))], 0)


def stack(values, axis=0, name=None) -> RaggedTensor:
    """Stacks ragged (or dense) tensors along a new first axis (``axis=0``)."""
    if axis != 0:
        raise ValueError("ragged.stack: only axis=0 is supported")
    parts = [v if isinstance(v, RaggedTensor) else RaggedTensor.from_tensor(v) for v in values]
    splits, flat, offset = [], [], 0
    for part in parts:
        splits.append(cast(part.row_splits[:-1], dtypes.int64) + offset)
        offset = offset + cast(part.row_splits[-1], dtypes.int64)
        flat.append(part.values)
    inner = RaggedTensor.from_row_splits(
        concat(flat, 0), concat(splits + [reshape(offset, [1])], 0))
    outer = np.cumsum([0] + [int(p.nrows()) for p in parts]).astype(np.int64)
    return RaggedTensor.from_row_splits(inner, outer)


def boolean_mask(data, mask, name=None):
    """The elements of ``data`` where ``mask`` is True, row by row (a ragged result)."""
    from fluxion.ops.array_ops import boolean_mask as dense_mask

    mask = convert_to_tensor(mask) if not isinstance(mask, RaggedTensor) else mask
    if isinstance(data, RaggedTensor):
        flat_mask = mask.values if isinstance(mask, RaggedTensor) else mask
        kept = dense_mask(data.values, flat_mask)
        lengths = _true_per_row(data, flat_mask)
        return RaggedTensor.from_row_lengths(kept, lengths)
    data = convert_to_tensor(data)
    if mask.shape.rank == 1:
        return dense_mask(data, mask)
    lengths = cast(reshape(_count_true(mask), [-1]), dtypes.int64)
    return RaggedTensor.from_row_lengths(dense_mask(data, mask), lengths)


def _count_true(mask: Tensor) -> Tensor:
    from fluxion.ops.reduce_ops import reduce_sum

    return reduce_sum(cast(mask, dtypes.int64), axis=-1)


def _true_per_row(rt: RaggedTensor, flat_mask: Tensor) -> Tensor:
    from fluxion.ops.segment_ops import unsorted_segment_sum

    return unsorted_segment_sum(cast(flat_mask, dtypes.int64), rt.value_rowids(), rt.nrows())


def stack_dynamic_partitions(data, partitions, num_partitions, name=None) -> RaggedTensor:
    """Row ``p`` holds the elements of ``data`` whose partition is ``p``, in order."""
    from fluxion.ops.sort_ops import argsort

    data = convert_to_tensor(data)
    partitions = convert_to_tensor(partitions)
    order = argsort(partitions, stable=True)
    rt = RaggedTensor.from_value_rowids(gather(data, order), gather(partitions, order),
                                        nrows=int(num_partitions))
    return rt

