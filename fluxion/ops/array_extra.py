"""More array ops of the ``tf`` top level, composed from primitives: truncating division,
``unravel_index``, ``dynamic_partition`` / ``dynamic_stitch``, ``reverse_sequence``,
``tensor_scatter_nd_max/min``, space-to-batch and back, depth-to-space and back,
fixed-width histograms, ``parallel_stack``; and ``bitcast`` (a primitive: a view).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.elementwise import (
    abs_,
    binary_operands,
    cast,
    equal,
    floor,
    floordiv,
    floormod,
    less,
    maximum,
    minimum,
    select,
    sign,
)
from fluxion.core.primitives.gather_scatter import gather, gather_nd, tensor_scatter_nd_update
from fluxion.core.primitives.layout import bitcast_p
from fluxion.core.primitives.shape import concat, reshape, stack, transpose
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["truncatediv", "truncatemod", "unravel_index", "dynamic_partition",
           "dynamic_stitch", "reverse_sequence", "tensor_scatter_nd_max",
           "tensor_scatter_nd_min", "bitcast", "space_to_batch_nd", "space_to_batch",
           "batch_to_space", "required_space_to_batch_paddings", "parallel_stack",
           "histogram_fixed_width", "histogram_fixed_width_bins", "approx_top_k"]


def truncatediv(x, y, name=None) -> Tensor:
    """Division rounding toward zero (C's ``/``)."""
    x, y = binary_operands("truncatediv", x, y)
    if x.dtype.is_integer:
        return sign(x) * sign(y) * floordiv(abs_(x), abs_(y))
    quotient = x / y
    return sign(quotient) * floor(abs_(quotient))


def truncatemod(x, y, name=None) -> Tensor:
    """The remainder of ``truncatediv`` (it has the sign of ``x``, as C's ``%``)."""
    x, y = binary_operands("truncatemod", x, y)
    if x.dtype.is_integer:
        return x - truncatediv(x, y) * y
    remainder = floormod(abs_(x), abs_(y))
    return sign(x) * remainder


def unravel_index(indices, dims, name=None) -> Tensor:
    """The coordinates of flat ``indices`` in an array of shape ``dims``
    (``[len(dims)]`` or ``[len(dims), n]``)."""
    from fluxion.ops.reduce_ops import cumprod

    indices = convert_to_tensor(indices)
    dims = convert_to_tensor(dims, dtype=indices.dtype)
    strides = cumprod(dims, exclusive=True, reverse=True)
    flat = reshape(indices, [1, -1])
    coords = floormod(floordiv(flat, reshape(strides, [-1, 1])), reshape(dims, [-1, 1]))
    return reshape(coords, [-1]) if indices.shape.rank == 0 else coords


def dynamic_partition(data, partitions, num_partitions, name=None) -> list:
    """``num_partitions`` tensors: part ``p`` holds the rows of ``data`` whose partition is
    ``p``, in order."""
    from fluxion.ops.array_ops import boolean_mask

    data = convert_to_tensor(data)
    partitions = convert_to_tensor(partitions)
    return [boolean_mask(data, equal(partitions, p)) for p in range(int(num_partitions))]


def dynamic_stitch(indices, data, name=None) -> Tensor:
    """Interleaves ``data`` so that ``result[indices[m][i]] = data[m][i]`` (later win)."""
    from fluxion.ops.creation_ops import zeros
    from fluxion.ops.reduce_ops import reduce_max

    indices = [cast(convert_to_tensor(i), dtypes.int32) for i in indices]
    data = [convert_to_tensor(d) for d in data]
    inner = data[0].shape[indices[0].shape.rank:].as_list()
    flat_index = concat([reshape(i, [-1]) for i in indices], 0)
    flat_data = concat([reshape(d, [-1, *inner]) for d, i in zip(data, indices)], 0)
    size = reduce_max(flat_index) + 1
    base = zeros(concat([reshape(size, [1]), convert_to_tensor(inner, dtype=dtypes.int32)],
                        0), data[0].dtype)
    return tensor_scatter_nd_update(base, reshape(flat_index, [-1, 1]), flat_data)


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None,  # noqa: A002
                     seq_dim=None, batch_dim=None) -> Tensor:
    """Reverses the first ``seq_lengths[b]`` entries along ``seq_axis`` of each batch ``b``."""
    from fluxion.ops.creation_ops import range as range_op
    from fluxion.ops.creation_ops import shape

    x = convert_to_tensor(input)
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = (batch_dim if batch_dim is not None else 0) if batch_axis is None \
        else batch_axis
    rank = x.shape.rank
    seq_axis, batch_axis = seq_axis % rank, batch_axis % rank
    rest = [a for a in range(rank) if a not in (batch_axis, seq_axis)]
    perm = [batch_axis, seq_axis] + rest
    moved = transpose(x, perm)
    lengths = reshape(cast(convert_to_tensor(seq_lengths), dtypes.int32), [-1, 1])
    steps = reshape(range_op(shape(moved)[1]), [1, -1])
    picks = select(less(steps, lengths), lengths - 1 - steps, steps + lengths * 0)
    reversed_ = gather(moved, picks, axis=1, batch_dims=1)
    return transpose(reversed_, list(np.argsort(perm)))


def _scatter_reduce(tensor, indices, updates, combine, segment_op, op: str) -> Tensor:
    from fluxion.ops.creation_ops import shape
    from fluxion.ops.reduce_ops import cumprod, reduce_sum
    from fluxion.ops.unique_ops import unique

    tensor = convert_to_tensor(tensor)
    indices = cast(convert_to_tensor(indices), dtypes.int64)
    updates = convert_to_tensor(updates, dtype=tensor.dtype)
    depth = indices.shape[-1]
    dims = cast(shape(tensor)[:depth], dtypes.int64)
    flat_indices = reshape(indices, [-1, depth])
    linear = reduce_sum(flat_indices * reshape(cumprod(dims, exclusive=True, reverse=True),
                                               [1, -1]), axis=1)
    positions, slot = unique(linear, out_idx=dtypes.int32)
    inner = tensor.shape[depth:].as_list()
    rows = reshape(updates, [-1, *inner])
    merged = segment_op(rows, slot, shape(positions)[0])
    coords = transpose(unravel_index(positions, dims), [1, 0])
    return tensor_scatter_nd_update(tensor, coords, combine(gather_nd(tensor, coords), merged))


def tensor_scatter_nd_max(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with ``max(tensor[index], updates...)`` at each index."""
    from fluxion.ops.segment_ops import unsorted_segment_max

    return _scatter_reduce(tensor, indices, updates, maximum, unsorted_segment_max,
                           "tensor_scatter_nd_max")


def tensor_scatter_nd_min(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with ``min(tensor[index], updates...)`` at each index."""
    from fluxion.ops.segment_ops import unsorted_segment_min

    return _scatter_reduce(tensor, indices, updates, minimum, unsorted_segment_min,
                           "tensor_scatter_nd_min")


def bitcast(input, type, name=None) -> Tensor:  # noqa: A002 - TF's names
    """The same bytes read as ``type`` (a last axis is added or removed when sizes differ)."""
    return bind(bitcast_p, convert_to_tensor(input), dtype=dtypes.as_dtype(type))


def space_to_batch_nd(input, block_shape, paddings, name=None) -> Tensor:  # noqa: A002
    """Moves blocks of the spatial dimensions into the batch dimension (after padding)."""
    from fluxion.ops.array_ops import pad

    x = convert_to_tensor(input)
    block = [int(b) for b in np.asarray(block_shape).reshape(-1)]
    pads = np.asarray(paddings, np.int64).reshape(len(block), 2)
    m = len(block)
    full = [[0, 0]] + pads.tolist() + [[0, 0]] * (x.shape.rank - 1 - m)
    x = pad(x, full)
    shape = x.shape.as_list()
    batch, spatial, rest = shape[0], shape[1:1 + m], shape[1 + m:]
    split = [batch]
    for size, b in zip(spatial, block):
        split += [size // b, b]
    x = reshape(x, split + rest)
    # [batch, s0/b0, b0, s1/b1, b1, ..., rest] -> [b0, b1, ..., batch, s0/b0, s1/b1, ..., rest]
    order = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    x = transpose(x, order)
    return reshape(x, [batch * int(np.prod(block))] + [s // b for s, b in zip(spatial, block)]
                   + rest)


def space_to_batch(input, block_shape, paddings, name=None) -> Tensor:  # noqa: A002
    """``space_to_batch_nd`` (TF 2's ``space_to_batch``)."""
    return space_to_batch_nd(input, block_shape, paddings)


def batch_to_space(input, block_shape, crops, name=None) -> Tensor:  # noqa: A002
    """The inverse of ``space_to_batch_nd``: blocks of the batch back into space, cropped."""
    x = convert_to_tensor(input)
    block = [int(b) for b in np.asarray(block_shape).reshape(-1)]
    crops = np.asarray(crops, np.int64).reshape(len(block), 2)
    m = len(block)
    shape = x.shape.as_list()
    batch = shape[0] // int(np.prod(block))
    spatial, rest = shape[1:1 + m], shape[1 + m:]
    x = reshape(x, block + [batch] + spatial + rest)
    order = [m]
    for i in range(m):
        order += [m + 1 + i, i]
    order += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    x = transpose(x, order)
    x = reshape(x, [batch] + [s * b for s, b in zip(spatial, block)] + rest)
    key = [slice(None)] + [slice(int(lo), s * b - int(hi)) for (lo, hi), s, b in
                           zip(crops, spatial, block)]
    return x[tuple(key)]


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None,
                                     name=None):
    """``(paddings, crops)`` making ``input_shape`` (plus ``base_paddings``) divisible by
    ``block_shape``."""
    shape = np.asarray(input_shape, np.int64).reshape(-1)
    block = np.asarray(block_shape, np.int64).reshape(-1)
    base = np.zeros((len(block), 2), np.int64) if base_paddings is None else \
        np.asarray(base_paddings, np.int64).reshape(len(block), 2)
    padded = shape + base[:, 0] + base[:, 1]
    extra = (block - padded % block) % block
    paddings = np.stack([base[:, 0], base[:, 1] + extra], axis=1)
    crops = np.stack([np.zeros_like(extra), extra], axis=1)
    return (convert_to_tensor(paddings.astype(np.int32)),
            convert_to_tensor(crops.astype(np.int32)))


def parallel_stack(values, name="parallel_stack") -> Tensor:
    """``stack(values)``."""
    return stack([convert_to_tensor(v) for v in values])


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=dtypes.int32,
                               name=None) -> Tensor:
    """The bin of each value among ``nbins`` equal bins over ``value_range`` (clamped)."""
    values = convert_to_tensor(values)
    lo, hi = (convert_to_tensor(v, dtype=values.dtype) for v in
              np.asarray(value_range).reshape(2)) if not isinstance(value_range, Tensor) \
        else (value_range[0], value_range[1])
    scaled = floor((values - lo) / (hi - lo) * nbins)
    index = cast(scaled, dtypes.as_dtype(dtype))
    return minimum(maximum(index, 0), int(nbins) - 1)


def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32,
                          name=None) -> Tensor:
    """Counts of ``values`` in ``nbins`` equal bins over ``value_range`` (ends clamped)."""
    from fluxion.ops.math_extra import bincount

    bins = histogram_fixed_width_bins(values, value_range, nbins, dtypes.int32)
    return bincount(reshape(bins, [-1]), minlength=int(nbins), maxlength=int(nbins),
                    dtype=dtype)


def approx_top_k(input, k, reduction_dimension=-1, recall_target=0.95, is_max_k=True,  # noqa: A002
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` largest (or smallest, ``is_max_k=False``) values along an axis and their
    indices; exact here (recall 1)."""
    from fluxion.ops.math_extra import _top_k_along

    return _top_k_along(convert_to_tensor(input), int(k), int(reduction_dimension),
                        largest=bool(is_max_k))
