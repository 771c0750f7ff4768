"""Selecting and ordering elements in ``tf.experimental.numpy``: ``take``, ``where``,
``nonzero``, ``compress``, ``select``, ``sort``, ``argsort``, ``diagonal``, ``diff``.

Indices are int64, as NumPy's on 64-bit platforms.  ``take`` and ``take_along_axis``
gather (and so differentiate) like ``tf.gather``.
"""

from __future__ import annotations

from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import asarray, promote
from fluxion.ops import array_ops, clip_ops, creation_ops, math_ops, nd_ops, sort_ops
from fluxion.ops import linalg as tf_linalg
from fluxion.ops import math as tf_math


def take(a, indices, axis=None, mode=None):
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened array when None).

    ``mode`` 'clip' clamps out-of-range indices, 'wrap' wraps them; the default
    raises on them.
    """
    a = asarray(a)
    if axis is None:
        a, axis = array_ops.reshape(a, [-1]), 0
    indices = asarray(indices, "int64")
    length = creation_ops.shape(a, out_type="int64")[axis]
    if mode == "clip":
        indices = clip_ops.clip_by_value(indices, 0, length - 1)
    elif mode == "wrap":
        indices = tf_math.floormod(indices, length)
    elif mode not in (None, "raise"):
        raise ValueError(f"take: mode must be 'raise', 'clip' or 'wrap', got {mode!r}")
    else:
        indices = array_ops.where(indices < 0, indices + length, indices)
    return array_ops.gather(a, indices, axis=axis)


def take_along_axis(arr, indices, axis):
    """Elements picked by ``indices`` (same rank as ``arr``) along ``axis``.

    Example: ``take_along_axis(a, argsort(a, 1), 1)`` sorts each row.
    """
    arr = asarray(arr)
    indices = asarray(indices, "int64")
    if axis is None:
        arr, indices, axis = array_ops.reshape(arr, [-1]), array_ops.reshape(indices, [-1]), 0
    rank = arr.shape.rank
    axis %= rank
    length = creation_ops.shape(arr, out_type="int64")[axis]
    indices = array_ops.where(indices < 0, indices + length, indices)
    # Broadcast the other axes of `arr` and `indices` against each other.
    arr_shape = creation_ops.shape(arr, out_type="int64")
    index_shape = creation_ops.shape(indices, out_type="int64")
    other = array_ops.one_hot(axis, rank, on_value=0, off_value=1, dtype="int64")
    common = math_ops.maximum(arr_shape * other, index_shape * other)
    arr = creation_ops.broadcast_to(arr, common + arr_shape * (1 - other))
    indices = creation_ops.broadcast_to(indices, common + index_shape * (1 - other))
    # gather along `axis` with the leading axes as batch dimensions.
    order = [i for i in range(rank) if i != axis] + [axis]
    inverse = [order.index(i) for i in range(rank)]
    gathered = array_ops.gather(nd_ops.transpose(arr, order), nd_ops.transpose(indices, order),
                                axis=rank - 1, batch_dims=rank - 1)
    return nd_ops.transpose(gathered, inverse)


def where(condition, x=None, y=None):
    """``x`` where ``condition`` holds, else ``y``; with only ``condition``, ``nonzero``."""
    condition = asarray(condition)
    if x is None and y is None:
        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither")
    if not condition.dtype.is_bool:
        condition = math_ops.not_equal(condition, creation_ops.zeros_like(condition))
    x, y = promote(x, y)
    return array_ops.where(condition, x, y)


def nonzero(a):
    """A tuple with, per axis, the indices of the nonzero elements (row-major order)."""
    a = asarray(a)
    mask = a if a.dtype.is_bool else math_ops.not_equal(a, creation_ops.zeros_like(a))
    coordinates = array_ops.where(mask)
    return tuple(coordinates[:, i] for i in range(a.shape.rank))


def compress(condition, a, axis=None):
    """The slices of ``a`` along ``axis`` where ``condition`` is True.

    A shorter ``condition`` than the axis selects among the first elements only.
    """
    a = asarray(a)
    condition = asarray(condition, "bool")
    if axis is None:
        a, axis = array_ops.reshape(a, [-1]), 0
    count = condition.shape[0]
    if count is not None and a.shape[axis] is not None and count < a.shape[axis]:
        a = array_ops.gather(a, creation_ops.range(count), axis=axis)
    return array_ops.boolean_mask(a, condition, axis=axis)


def select(condlist, choicelist, default=0):
    """Per element, the choice of the first condition that holds, else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions but {len(choicelist)} "
                         "choices; give one choice per condition")
    choices = promote(*choicelist, default)
    result = choices[-1]
    for condition, choice in zip(reversed(condlist), reversed(choices[:-1])):
        result = array_ops.where(asarray(condition, "bool"), choice, result)
    return result


def sort(a, axis=-1, kind="quicksort", order=None):  # noqa: ARG001 - NumPy's signature
    """``a`` sorted ascending along ``axis`` (of the flattened array when None)."""
    a = asarray(a)
    if axis is None:
        a, axis = array_ops.reshape(a, [-1]), 0
    if a.dtype.is_bool:
        return math_ops.cast(sort_ops.sort(math_ops.cast(a, "int8"), axis=axis), "bool")
    return sort_ops.sort(a, axis=axis)


def argsort(a, axis=-1, kind="quicksort", order=None):  # noqa: ARG001
    """Indices that sort ``a`` along ``axis``; ties keep their order (stable)."""
    a = asarray(a)
    if axis is None:
        a, axis = array_ops.reshape(a, [-1]), 0
    if a.dtype.is_bool:
        a = math_ops.cast(a, "int8")
    return math_ops.cast(sort_ops.argsort(a, axis=axis, stable=True), "int64")


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal ``offset`` of the plane (``axis1``, ``axis2``), as the last axis."""
    a = asarray(a)
    rank = a.shape.rank
    axis1, axis2 = axis1 % rank, axis2 % rank
    order = [i for i in range(rank) if i not in (axis1, axis2)] + [axis1, axis2]
    moved = nd_ops.transpose(a, order)
    rows, cols = moved.shape[-2], moved.shape[-1]
    if (offset >= 0 and offset >= cols) or (offset < 0 and -offset >= rows):
        return creation_ops.zeros(moved.shape.as_list()[:-2] + [0], dtype=a.dtype)
    return tf_linalg.diag_part(moved, k=offset)


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The ``n``-th discrete difference along ``axis``; booleans differ by xor."""
    a = asarray(a)
    extras = [value for value in (prepend, append) if value is not None]
    if extras:
        a = asarray(a, dtype_rules.result_type(a, *extras))
    pieces = [a]
    if prepend is not None:
        pieces.insert(0, _along(asarray(prepend, a.dtype), a, axis))
    if append is not None:
        pieces.append(_along(asarray(append, a.dtype), a, axis))
    if len(pieces) > 1:
        a = array_ops.concat(pieces, axis)
    rank = a.shape.rank
    for _ in range(n):
        head = [slice(None)] * rank
        tail = [slice(None)] * rank
        head[axis], tail[axis] = slice(1, None), slice(None, -1)
        later, earlier = a[tuple(head)], a[tuple(tail)]
        a = math_ops.not_equal(later, earlier) if a.dtype.is_bool else later - earlier
    return a


def _along(value, like, axis):
    """A scalar ``value`` widened to one slice of ``like`` along ``axis``."""
    if value.shape.rank == like.shape.rank:
        return value
    shape = array_ops.tensor_scatter_nd_update(creation_ops.shape(like),
                                               [[axis % like.shape.rank]], [1])
    return creation_ops.broadcast_to(value, shape)
