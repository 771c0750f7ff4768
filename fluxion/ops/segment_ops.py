"""Segment reductions: ``(unsorted_)segment_{sum,mean,max,min,prod}``, ``sqrt_n``.

``out[k] = reduce(data[i] for i where segment_ids[i] == k)`` along the first axes of
``data`` covered by ``segment_ids``.  Sums are composites (a scatter-add into zeros);
max, min and prod share one primitive, ``segment_reduce`` (``core/primitives/segment.py``,
with its gradient).  Negative ids are dropped (their
rows contribute to no segment), as in TF's unsorted ops.  Empty segments hold 0
(sum, mean), 1 (prod), or the dtype's lowest/highest value (max/min).
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.elementwise import (
    cast,
    equal,
    less,
    select,
    sqrt,
)
from fluxion.core.primitives.segment import segment_reduce_p, static_rows, sum_by_segment
from fluxion.core.primitives.shape import reshape
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod",
           "unsorted_segment_sum", "unsorted_segment_mean", "unsorted_segment_max",
           "unsorted_segment_min", "unsorted_segment_prod", "unsorted_segment_sqrt_n"]

def _prepare(data, segment_ids, num_segments, op: str):
    data = convert_to_tensor(data)
    ids = convert_to_tensor(segment_ids)
    if not ids.dtype.is_integer:
        raise TypeError(f"{op}: segment_ids must be integers, got {ids.dtype.name}")
    if num_segments is None:  # sorted ids: the last one tells the count
        from fluxion.ops.reduce_ops import reduce_max

        num_segments = reduce_max(reshape(ids, [-1])) + 1 if ids.shape.num_elements() != 0 \
            else 0
    num = convert_to_tensor(num_segments)
    num = cast(num, dtypes.int32) if num.dtype is not dtypes.int32 else num
    return data, ids, num


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums the rows of ``data`` that share a segment id; ``num_segments`` rows out.

    >>> import fluxion as tf
    >>> tf.math.unsorted_segment_sum(tf.constant([1, 2, 3, 4]), [0, 1, 0, 1], 2).numpy()
    array([4, 6], dtype=int32)
    """
    return sum_by_segment(*_prepare(data, segment_ids, num_segments, "unsorted_segment_sum"))


def _counts(data: Tensor, ids: Tensor, num: Tensor) -> Tensor:
    from fluxion.ops.creation_ops import ones

    count = sum_by_segment(ones(ids.shape.as_list() if ids.shape.is_fully_defined() else
                                _shape_of(ids), data.dtype), ids, num)
    extra = data.shape.rank - ids.shape.rank
    return reshape(count, [-1] + [1] * extra) if extra else count


def _shape_of(x: Tensor):
    from fluxion.ops.creation_ops import shape

    return shape(x)


def _mean(op: str, data, segment_ids, num_segments, root: bool = False) -> Tensor:
    data, ids, num = _prepare(data, segment_ids, num_segments, op)
    if not data.dtype.is_floating and not data.dtype.is_complex:
        raise TypeError(f"{op}: data must be floating point, got {data.dtype.name}")
    total = sum_by_segment(data, ids, num)
    count = _counts(data, ids, num)
    count = select(less(count, count * 0 + 1), count * 0 + 1, count)
    return total / (sqrt(count) if root else count)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None) -> Tensor:
    """The mean of each segment's rows (0 for empty segments)."""
    return _mean("unsorted_segment_mean", data, segment_ids, num_segments)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None) -> Tensor:
    """Each segment's sum divided by the square root of its row count."""
    return _mean("unsorted_segment_sqrt_n", data, segment_ids, num_segments, root=True)


def _reduce(kind: str, op: str, data, segment_ids, num_segments) -> Tensor:
    data, ids, num = _prepare(data, segment_ids, num_segments, op)
    result = bind(segment_reduce_p, data, ids, num, kind=kind)
    static = static_rows(num)
    if static is not None and result.shape[0] is None and \
            data.shape[ids.shape.rank:].is_fully_defined():
        result = reshape(result, [static, *data.shape[ids.shape.rank:].as_list()])
    return result


def unsorted_segment_max(data, segment_ids, num_segments, name=None) -> Tensor:
    """The maximum of each segment's rows (the dtype's lowest value if empty)."""
    return _reduce("max", "unsorted_segment_max", data, segment_ids, num_segments)


def unsorted_segment_min(data, segment_ids, num_segments, name=None) -> Tensor:
    """The minimum of each segment's rows (the dtype's highest value if empty)."""
    return _reduce("min", "unsorted_segment_min", data, segment_ids, num_segments)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None) -> Tensor:
    """The product of each segment's rows (1 if empty)."""
    return _reduce("prod", "unsorted_segment_prod", data, segment_ids, num_segments)


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """Sums rows by sorted ``segment_ids``; ``segment_ids[-1] + 1`` rows out.

    >>> import fluxion as tf
    >>> tf.math.segment_sum(tf.constant([1, 2, 3, 4]), [0, 0, 1, 1]).numpy()
    array([3, 7], dtype=int32)
    """
    return sum_by_segment(*_prepare(data, segment_ids, None, "segment_sum"))


def segment_mean(data, segment_ids, name=None) -> Tensor:
    """The mean of each segment's rows, by sorted ids."""
    return _mean("segment_mean", data, segment_ids, None)


def _empty_as_zero(kind: str, op: str, data, segment_ids) -> Tensor:
    """The sorted ops' max/min: empty segments hold 0, as TF's sorted kernels give."""
    data, ids, num = _prepare(data, segment_ids, None, op)
    result = _reduce(kind, op, data, ids, num)
    count = _counts(data, ids, num)
    return select(equal(count + result * 0, result * 0), result * 0, result)


def segment_max(data, segment_ids, name=None) -> Tensor:
    """The maximum of each segment's rows, by sorted ids (0 for empty segments)."""
    return _empty_as_zero("max", "segment_max", data, segment_ids)


def segment_min(data, segment_ids, name=None) -> Tensor:
    """The minimum of each segment's rows, by sorted ids (0 for empty segments)."""
    return _empty_as_zero("min", "segment_min", data, segment_ids)


def segment_prod(data, segment_ids, name=None) -> Tensor:
    """The product of each segment's rows, by sorted ids (1 for empty segments)."""
    return _reduce("prod", "segment_prod", data, segment_ids, None)
