"""Array manipulation with TensorFlow's names: shape and layout changes, gather/scatter,
masks, ``where``, slicing, ``one_hot``, ``repeat``, ``meshgrid``.

The shape ops (``reshape``, ``concat``...) are the primitives' own binding functions,
re-exported; the rest are thin wrappers that normalise TF's arguments and bind, or
composites of those (``one_hot``, ``repeat``, ``meshgrid``, ``roll``, ``sequence_mask``).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitives import gather_scatter, indexing, layout
from fluxion.core.primitives.dynamic_shape import is_dynamic
from fluxion.core.primitives.elementwise import cast, equal, less, select
from fluxion.core.primitives.shape import (
    _as_int_list,
    broadcast_to,
    concat,
    expand_dims,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
    unstack,
)
from fluxion.core.shape_rules import normalize_axis
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple

__all__ = ["reshape", "transpose", "expand_dims", "squeeze", "concat", "stack", "unstack",
           "split", "tile", "pad", "broadcast_to", "reverse", "gather", "gather_nd",
           "scatter_nd", "tensor_scatter_nd_update", "tensor_scatter_nd_add",
           "tensor_scatter_nd_sub", "boolean_mask", "where", "slice", "strided_slice",
           "one_hot", "repeat", "meshgrid", "roll", "sequence_mask"]


def tile(input, multiples, name=None) -> Tensor:
    """Repeats ``input`` ``multiples[i]`` times along each axis ``i``.

    Args:
      input: a tensor.
      multiples: one non-negative int per dimension of ``input``.

    Returns:
      A tensor of shape ``input.shape[i] * multiples[i]``.

    >>> import fluxion as tf
    >>> tf.tile([[1, 2]], [2, 2]).numpy().tolist()
    [[1, 2, 1, 2], [1, 2, 1, 2]]
    """
    if is_dynamic(multiples):  # traced, with multiples known only at run time
        return _tile_dynamic(convert_to_tensor(input), multiples)
    return layout.tile(input, multiples)


def _dims_at_run_time(x: Tensor) -> list:
    """``x``'s dimensions: ints where known, int64 scalar tensors where traced."""
    from fluxion.ops.creation_ops import shape

    static = shape_tuple(x)
    if None not in static:
        return list(static)
    run_time = shape(x, out_type=dtypes.int64)
    return [d if d is not None else run_time[i] for i, d in enumerate(static)]


def _tile_dynamic(x: Tensor, multiples) -> Tensor:
    """``tile`` as a composite: a new axis before each axis, broadcast to its multiple,
    then each pair of axes merged, so sizes known only at run time work."""
    static = shape_tuple(x)

    def as_int64(d):
        return cast(d, dtypes.int64) if isinstance(d, Tensor) and d.dtype != dtypes.int64 \
            else d

    dims = _dims_at_run_time(x)
    if isinstance(multiples, Tensor):
        multiples = [multiples[i] for i in range(len(static))]
    if len(multiples) != len(static):
        raise ValueError(f"tile: multiples must have one entry per dimension "
                         f"({len(static)} for shape {list(static)}), got {len(multiples)}")
    multiples = [as_int64(m) for m in multiples]
    spread = reshape(x, [v for d in dims for v in (1, d)])
    repeated = broadcast_to(spread, [v for m, d in zip(multiples, dims) for v in (m, d)])
    return reshape(repeated, [m * d for m, d in zip(multiples, dims)])


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """Pads ``tensor``; ``paddings[i] = [before, after]`` for dimension ``i``.

    Args:
      tensor: the tensor to pad.
      paddings: an int array of shape ``[rank, 2]``.
      mode: ``"CONSTANT"`` (fill with ``constant_values``), ``"REFLECT"`` (mirror without
        the edge) or ``"SYMMETRIC"`` (mirror with the edge); case-insensitive.
      constant_values: the scalar fill for ``CONSTANT``.

    Returns:
      The padded tensor.

    >>> import fluxion as tf
    >>> tf.pad([1, 2, 3], [[2, 1]], mode="REFLECT").numpy().tolist()
    [3, 2, 1, 2, 3, 2]
    """
    return layout.pad(tensor, paddings, mode, constant_values)


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverses the order of elements along each axis in ``axis``.

    >>> import fluxion as tf
    >>> tf.reverse([[1, 2], [3, 4]], axis=[1]).numpy().tolist()
    [[2, 1], [4, 3]]
    """
    return layout.reverse(tensor, axis)


def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001 - TF's name
    """The block of ``input_`` that starts at ``begin`` and has extent ``size``.

    Args:
      input_: a tensor.
      begin: the start index, one per dimension.
      size: the extent, one per dimension; -1 takes everything to the end.

    >>> import fluxion as tf
    >>> tf.slice([[1, 2, 3], [4, 5, 6]], [0, 1], [2, -1]).numpy().tolist()
    [[2, 3], [5, 6]]
    """
    return layout.slice_(input_, begin, size)


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, var=None,
                  name=None) -> Tensor:
    """``input_[begin:end:strides]`` per dimension, with TF's bit masks.

    Bit ``i`` of ``begin_mask``/``end_mask`` ignores ``begin[i]``/``end[i]`` (full
    range); ``ellipsis_mask`` makes spec entry ``i`` an ellipsis, ``new_axis_mask`` a new
    axis of size 1, and ``shrink_axis_mask`` takes the single index ``begin[i]``.

    >>> import fluxion as tf
    >>> x = tf.reshape(tf.range(12), [3, 4])
    >>> tf.strided_slice(x, [0, 1], [3, 4], [2, 2]).numpy().tolist()
    [[1, 3], [9, 11]]
    """
    return indexing.strided_slice(input_, begin, end, strides, begin_mask, end_mask,
                                  ellipsis_mask, new_axis_mask, shrink_axis_mask)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0,
           name=None) -> Tensor:
    """Slices of ``params`` along ``axis`` at ``indices``.

    Args:
      params: the tensor to take from.
      indices: int32/int64 indices into ``params.shape[axis]``; out-of-range is an error.
      axis: the axis to gather along (default ``batch_dims``).
      batch_dims: leading dimensions shared by ``params`` and ``indices``.

    Returns:
      A tensor of shape ``params.shape[:axis] + indices.shape[batch_dims:] +
      params.shape[axis + 1:]``.

    >>> import fluxion as tf
    >>> tf.gather([10, 20, 30], [2, 0, 2]).numpy().tolist()
    [30, 10, 30]
    """
    return gather_scatter.gather(params, indices, _axis(axis), _axis(batch_dims))


def gather_nd(params, indices, batch_dims=0, name=None) -> Tensor:
    """Slices of ``params`` at the coordinates held in the last axis of ``indices``.

    >>> import fluxion as tf
    >>> tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]]).numpy().tolist()
    [3, 2]
    """
    return gather_scatter.gather_nd(params, indices, _axis(batch_dims))


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """A zero tensor of ``shape`` with ``updates`` added at ``indices`` (duplicates add).

    >>> import fluxion as tf
    >>> tf.scatter_nd([[1], [1], [3]], [1.0, 2.0, 5.0], [4]).numpy().tolist()
    [0.0, 3.0, 0.0, 5.0]
    """
    return gather_scatter.scatter_nd(indices, updates, shape)


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with the slices at ``indices`` replaced by ``updates``.

    >>> import fluxion as tf
    >>> tf.tensor_scatter_nd_update([1, 2, 3], [[0], [2]], [9, 8]).numpy().tolist()
    [9, 2, 8]
    """
    return gather_scatter.tensor_scatter_nd_update(tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with ``updates`` added at ``indices`` (duplicates add).

    >>> import fluxion as tf
    >>> tf.tensor_scatter_nd_add([1, 2, 3], [[0], [0]], [5, 5]).numpy().tolist()
    [11, 2, 3]
    """
    return gather_scatter.tensor_scatter_nd_add(tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with ``updates`` subtracted at ``indices``.

    >>> import fluxion as tf
    >>> tf.tensor_scatter_nd_sub([1, 2, 3], [[1]], [2]).numpy().tolist()
    [1, 0, 3]
    """
    tensor = convert_to_tensor(tensor)
    updates = convert_to_tensor(updates, dtype=tensor.dtype)
    return gather_scatter.tensor_scatter_nd_add(tensor, indices, -updates)


def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> Tensor:
    """The slices of ``tensor`` where ``mask`` is true.

    Args:
      tensor: a tensor.
      mask: a bool tensor matching ``tensor.shape[axis:axis + mask.ndim]``.
      axis: the first dimension the mask covers (default 0).

    Returns:
      A tensor whose covered dimensions are replaced by one of size ``sum(mask)``.

    >>> import fluxion as tf
    >>> tf.boolean_mask([1, 2, 3], [True, False, True]).numpy().tolist()
    [1, 3]
    """
    return gather_scatter.boolean_mask(tensor, mask, _axis(axis))


def where(condition, x=None, y=None, name=None) -> Tensor:
    """Elementwise ``x if condition else y`` (broadcasting), or with ``condition`` alone
    the coordinates of its true elements as int64 of shape ``[n, rank]``.

    >>> import fluxion as tf
    >>> tf.where([True, False, True]).numpy().tolist()
    [[0], [2]]
    >>> tf.where([True, False], 1.0, 0.0).numpy().tolist()
    [1.0, 0.0]
    """
    if x is None and y is None:
        return gather_scatter.where_indices(condition)
    if x is None or y is None:
        raise ValueError("where: x and y must both be given (select) or both be None "
                         "(coordinates of true elements)")
    return select(condition, x, y)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
            name=None) -> Tensor:
    """One-hot vectors: ``on_value`` where the class equals ``indices``, else ``off_value``.

    Args:
      indices: integer class ids; ids outside ``[0, depth)`` give all-``off_value`` rows.
      depth: the number of classes.
      on_value, off_value: the two fill values (default 1 and 0).
      axis: where the new class axis goes (default -1, last).
      dtype: the result's dtype (default: that of ``on_value``/``off_value``, else float32).

    >>> import fluxion as tf
    >>> tf.one_hot([0, 2], 3).numpy().tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    indices = convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        raise TypeError(f"one_hot: indices must be integers, got {indices.dtype.name}")
    if dtype is None:
        given = [convert_to_tensor(v) for v in (on_value, off_value) if v is not None]
        dtype = given[0].dtype if given else dtypes.float32
    dtype = dtypes.as_dtype(dtype)
    on = convert_to_tensor(1 if on_value is None else on_value, dtype=dtype)
    off = convert_to_tensor(0 if off_value is None else off_value, dtype=dtype)
    rank = len(shape_tuple(indices)) + 1
    axis = normalize_axis(-1 if axis is None else int(axis), rank)
    depth = int(_axis(depth))
    classes_shape = [1] * rank
    classes_shape[axis] = depth
    classes = Tensor(np.arange(depth, dtype=indices.dtype.np_dtype).reshape(classes_shape))
    hits = equal(expand_dims(indices, axis), classes)
    return select(hits, on, off)


def repeat(input, repeats, axis=None, name=None) -> Tensor:
    """Repeats each element (or slice along ``axis``) ``repeats`` times, as ``np.repeat``.

    >>> import fluxion as tf
    >>> tf.repeat([[1, 2], [3, 4]], [1, 2], axis=0).numpy().tolist()
    [[1, 2], [3, 4], [3, 4]]
    """
    input = convert_to_tensor(input)
    if axis is None:
        input = reshape(input, [-1])
        axis = 0
    axis = normalize_axis(int(_axis(axis)), len(shape_tuple(input)))
    count = shape_tuple(input)[axis]
    if isinstance(repeats, Tensor) and repeats._value is None:
        # traced repeats, known only at run time: one count for every element
        if repeats.shape.num_elements() != 1:
            raise ValueError(f"repeat: repeats known only at run time must be a single "
                             f"count, got a tensor of shape {repeats.shape}")
        return _repeat_each(input, axis, cast(reshape(repeats, []), dtypes.int64))
    counts = np.asarray(repeats._value if isinstance(repeats, Tensor) else repeats)
    if count is None and counts.size == 1 and counts.dtype.kind in "iu":
        # traced, the axis's length unknown: a new axis after it, tiled, then merged
        return _repeat_each(input, axis, int(counts.reshape(-1)[0]))
    if counts.ndim > 1 or (counts.ndim == 1 and counts.size not in (1, count)):
        raise ValueError(f"repeat: repeats must be a scalar or have one entry per element of "
                         f"dimension {axis} ({count}), got shape {list(counts.shape)}")
    if counts.size and counts.min() < 0:
        raise ValueError(f"repeat: repeats must be non-negative, got {counts.tolist()}")
    picks = np.repeat(np.arange(count, dtype=np.int64), counts.reshape(-1)
                      if counts.ndim else int(counts))
    return gather_scatter.gather(input, Tensor(picks), axis=axis)


def _repeat_each(input: Tensor, axis: int, times) -> Tensor:
    """Each element along ``axis`` repeated ``times`` (an int or a traced int64 scalar):
    a new axis after ``axis``, tiled, then merged into it."""
    multiples = [1] * (len(shape_tuple(input)) + 1)
    multiples[axis + 1] = times
    tiled = _tile_dynamic(expand_dims(input, axis + 1), multiples)
    dims = _dims_at_run_time(input)
    dims[axis] = dims[axis] * times
    return reshape(tiled, dims)


def meshgrid(*args, **kwargs) -> list:
    """Coordinate grids from 1-D tensors; ``indexing="xy"`` (default) or ``"ij"``.

    >>> import fluxion as tf
    >>> xs, ys = tf.meshgrid([1, 2, 3], [4, 5])
    >>> xs.shape
    TensorShape([2, 3])
    """
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected keyword arguments {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    vectors = [reshape(convert_to_tensor(a), [-1]) for a in args]
    sizes = [shape_tuple(v)[0] for v in vectors]
    swap = indexing == "xy" and len(vectors) > 1
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        position = {0: 1, 1: 0}.get(i, i) if swap else i
        shape = [1] * len(vectors)
        shape[position] = -1
        grids.append(broadcast_to(reshape(v, shape), sizes))
    return grids


def roll(input, shift, axis, name=None) -> Tensor:
    """Rotates elements along ``axis`` by ``shift`` places (``np.roll``).

    >>> import fluxion as tf
    >>> tf.roll([0, 1, 2, 3, 4], shift=2, axis=0).numpy().tolist()
    [3, 4, 0, 1, 2]
    """
    input = convert_to_tensor(input)
    shape = shape_tuple(input)
    shifts, axes = _as_int_list(shift), _as_int_list(axis)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift and axis must have the same length, got {shifts} "
                         f"and {axes}")
    totals: dict = {}
    for s, a in zip(shifts, axes, strict=False):
        a = normalize_axis(a, len(shape))
        totals[a] = totals.get(a, 0) + s
    for a, s in totals.items():
        size = shape[a]
        if size is None:  # known only when it runs: rotate with run-time indices
            input = _roll_run_time(input, s, a)
            continue
        s = s % size if size else 0
        if s:
            head = layout.slice_(input, [0] * a + [size - s] + [0] * (len(shape) - a - 1),
                                 [-1] * len(shape))
            tail = layout.slice_(input, [0] * len(shape),
                                 [-1] * a + [size - s] + [-1] * (len(shape) - a - 1))
            input = concat([head, tail], axis=a)
    return input


def _roll_run_time(x: Tensor, shift: int, axis: int) -> Tensor:
    """``roll`` along an axis of unknown size: gather at ``(i - shift) mod n``."""
    from fluxion.ops.creation_ops import range as arange
    from fluxion.ops.creation_ops import shape as run_time_shape
    from fluxion.ops.math_ops import floormod

    n = run_time_shape(x)[axis]
    positions = floormod(arange(n) - shift, _at_least_one(n))
    return gather(x, positions, axis=axis)


def _at_least_one(n: Tensor) -> Tensor:
    """``max(n, 1)``: a modulus that is never zero (an empty axis rolls to itself)."""
    from fluxion.core.primitives.elementwise import maximum

    return maximum(n, 1)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool_, name=None) -> Tensor:
    """``mask[..., j] = j < lengths[...]``, with ``maxlen`` columns (default max length).

    >>> import fluxion as tf
    >>> tf.sequence_mask([1, 3], 4).numpy().astype(int).tolist()
    [[1, 0, 0, 0], [1, 1, 1, 0]]
    """
    lengths = convert_to_tensor(lengths)
    if maxlen is None:
        maxlen = int(lengths._value.max()) if lengths._value.size else 0
    columns = Tensor(np.arange(int(_axis(maxlen)), dtype=lengths.dtype.np_dtype))
    mask = less(columns, expand_dims(lengths, -1))
    dtype = dtypes.as_dtype(dtype)
    return mask if dtype is dtypes.bool_ else cast(mask, dtype)


def _axis(value):
    """A scalar Tensor argument (axis, depth...) as a Python int; other values unchanged."""
    if isinstance(value, Tensor) and value.ndim == 0:
        return int(value._value)
    return value
