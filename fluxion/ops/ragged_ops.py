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
from fluxion.core.primitives.elementwise import cast
from fluxion.core.primitives.gather_scatter import gather
from fluxion.core.primitives.shape import concat, reshape
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.creation_ops import fill
from fluxion.ops.ragged_dense import (  # noqa: F401 - re-exported
    getitem,
    to_sparse,
    to_tensor,
)
from fluxion.ops.ragged_tensor import RaggedTensor
from fluxion.ops.reduce_ops import cumsum

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

