"""Segment reductions: ``(unsorted_)segment_{sum,mean,max,min,prod}``, ``sqrt_n``.

``out[k] = reduce(data[i] for i where segment_ids[i] == k)`` along the first axes of
``data`` covered by ``segment_ids``.  Sums are composites (a scatter-add into zeros);
max, min and prod share one primitive, ``segment_reduce``, whose gradient is written
in ops: max/min share the gradient among tied winners (as TF does), prod divides by
each element with the zero cases handled exactly.  Negative ids are dropped (their
rows contribute to no segment), as in TF's unsorted ops.  Empty segments hold 0
(sum, mean), 1 (prod), or the dtype's lowest/highest value (max/min).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.elementwise import (
    cast,
    equal,
    less,
    logical_and,
    select,
    sqrt,
)
from fluxion.core.primitives.gather_scatter import gather, tensor_scatter_nd_add
from fluxion.core.primitives.shape import concat, expand_dims, reshape
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod",
           "unsorted_segment_sum", "unsorted_segment_mean", "unsorted_segment_max",
           "unsorted_segment_min", "unsorted_segment_prod", "unsorted_segment_sqrt_n"]

_IDENTITY = {"max": lambda dt: _limit(dt, "min"), "min": lambda dt: _limit(dt, "max"),
             "prod": lambda dt: 1}
_UFUNC = {"max": np.maximum, "min": np.minimum, "prod": np.multiply}


def _limit(np_dtype, which: str):
    info = np.finfo(np_dtype) if np.issubdtype(np_dtype, np.floating) else np.iinfo(np_dtype)
    return getattr(info, which)


def _flat_ids(data_shape: tuple, ids: np.ndarray) -> tuple:
    depth = ids.ndim
    return ids.reshape(-1), data_shape[depth:]


def _segment_reduce_kernel(data, ids, num_segments, kind):
    flat_ids, rest = _flat_ids(data.shape, ids)
    count = int(num_segments)
    out = np.full((count, *rest), _IDENTITY[kind](data.dtype), dtype=data.dtype)
    keep = (flat_ids >= 0) & (flat_ids < count)
    rows = data.reshape(-1, *rest)[keep]
    _UFUNC[kind].at(out, flat_ids[keep], rows)
    return out


def _segment_reduce_rule(data: Aval, ids: Aval, num_segments: Aval, kind) -> Aval:
    if not ids.dtype.is_integer:
        raise TypeError(f"segment ids must be integers, got {ids.dtype.name}")
    depth = len(ids.shape)
    if len(data.shape) < depth:
        raise ValueError(f"segment ids of shape {list(ids.shape)} have more dimensions than "
                         f"data of shape {list(data.shape)}")
    for d, i in zip(data.shape, ids.shape):
        if d is not None and i is not None and d != i:
            raise ValueError(f"segment ids of shape {list(ids.shape)} must match the first "
                             f"dimensions of data of shape {list(data.shape)}")
    return Aval((None, *data.shape[depth:]), data.dtype)


def _segment_reduce_vjp(g, xs, out, kind):
    data, ids, num_segments = xs
    safe_ids = _safe_ids(ids, num_segments)
    picked_g = gather(_padded(g), safe_ids)
    if kind in ("max", "min"):
        winners = equal(data, gather(_padded(out), safe_ids))
        ties = unsorted_segment_sum(cast(winners, data.dtype), ids, num_segments)
        share = picked_g / gather(_padded(ties, 1), safe_ids)
        return select(winners, share, share * 0), None, None
    zero = equal(data, data * 0)
    safe = select(zero, data * 0 + 1, data)
    nonzero_prod = bind(segment_reduce_p, safe, ids, num_segments, kind="prod")
    zeros = unsorted_segment_sum(cast(zero, data.dtype), ids, num_segments)
    zeros_here = gather(_padded(zeros), safe_ids)
    others = select(equal(zeros_here, zeros_here * 0), gather(_padded(out), safe_ids) / safe,
                    select(logical_and(zero, equal(zeros_here, zeros_here * 0 + 1)),
                           gather(_padded(nonzero_prod), safe_ids), data * 0))
    return picked_g * others, None, None


def _padded(x: Tensor, value=0) -> Tensor:
    """``x`` with one extra segment at the end, read by rows whose id is dropped."""
    pad = expand_dims(x[0] * 0 + value, 0) if x.shape[0] != 0 else None
    if pad is None:
        from fluxion.ops.creation_ops import zeros

        pad = zeros([1, *x.shape[1:].as_list()], x.dtype) + value
    return concat([x, pad], 0)


segment_reduce_p = define("segment_reduce", _segment_reduce_kernel, _segment_reduce_rule,
                          _segment_reduce_vjp,
                          doc="Max, min or product of the rows of each segment.")


def _safe_ids(ids: Tensor, num_segments: Tensor) -> Tensor:
    """Ids with negative (dropped) ones sent to an extra segment ``num_segments``."""
    ids = cast(ids, dtypes.int32) if ids.dtype is not dtypes.int32 else ids
    n = cast(num_segments, dtypes.int32)
    return select(logical_and(less(ids, n), less(ids * 0 - 1, ids)), ids, ids * 0 + n)


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


def _static_rows(num: Tensor):
    return None if num._value is None else int(num._value)


def _segment_sum(data: Tensor, ids: Tensor, num: Tensor) -> Tensor:
    from fluxion.ops.creation_ops import shape, zeros

    depth = ids.shape.rank
    rest = shape(data)[depth:]
    total = zeros(concat([reshape(num + 1, [1]), rest], 0), data.dtype)
    flat_ids = reshape(_safe_ids(ids, num), [-1, 1])
    rows = reshape(data, concat([convert_to_tensor([-1], dtype=dtypes.int32), rest], 0))
    summed = tensor_scatter_nd_add(total, flat_ids, rows)
    result = summed[:-1]
    static = _static_rows(num)
    if static is not None and result.shape[0] is None:
        result = reshape(result, [static, *[-1 if d is None else d
                                            for d in data.shape[depth:].as_list()]])
    return result


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums the rows of ``data`` that share a segment id; ``num_segments`` rows out.

    >>> import fluxion as tf
    >>> tf.math.unsorted_segment_sum(tf.constant([1, 2, 3, 4]), [0, 1, 0, 1], 2).numpy()
    array([4, 6], dtype=int32)
    """
    return _segment_sum(*_prepare(data, segment_ids, num_segments, "unsorted_segment_sum"))


def _counts(data: Tensor, ids: Tensor, num: Tensor) -> Tensor:
    from fluxion.ops.creation_ops import ones

    count = _segment_sum(ones(ids.shape.as_list() if ids.shape.is_fully_defined() else
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
    total = _segment_sum(data, ids, num)
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
    static = _static_rows(num)
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
    return _segment_sum(*_prepare(data, segment_ids, None, "segment_sum"))


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
