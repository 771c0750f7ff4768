"""The segment primitive: max, min or product of the rows that share a segment id.

``segment_reduce`` reduces the rows of ``data`` whose id in ``segment_ids`` is ``k`` into
row ``k`` (negative ids are dropped; empty segments hold the reduction's identity).  Its
gradient is written in Fluxion ops: max/min share it among tied winners (as TF does),
prod divides by each element with the zero cases handled exactly.  ``sum_by_segment`` (a
scatter-add) is here because that gradient needs it; the public ``tf.math.segment_*``
functions are in ``fluxion/ops/segment_ops.py``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.creation import shape_p
from fluxion.core.primitives.elementwise import cast, equal, less, logical_and, select
from fluxion.core.primitives.gather_scatter import gather, tensor_scatter_nd_add
from fluxion.core.primitives.shape import broadcast_to, concat, expand_dims, reshape
from fluxion.core.tensor import Tensor, convert_to_tensor

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
        ties = sum_by_segment(cast(winners, data.dtype), ids, num_segments)
        share = picked_g / gather(_padded(ties, 1), safe_ids)
        return select(winners, share, share * 0), None, None
    zero = equal(data, data * 0)
    safe = select(zero, data * 0 + 1, data)
    nonzero_prod = bind(segment_reduce_p, safe, ids, num_segments, kind="prod")
    zeros = sum_by_segment(cast(zero, data.dtype), ids, num_segments)
    zeros_here = gather(_padded(zeros), safe_ids)
    others = select(equal(zeros_here, zeros_here * 0), gather(_padded(out), safe_ids) / safe,
                    select(logical_and(zero, equal(zeros_here, zeros_here * 0 + 1)),
                           gather(_padded(nonzero_prod), safe_ids), data * 0))
    return picked_g * others, None, None


def _padded(x: Tensor, value=0) -> Tensor:
    """``x`` with one extra segment at the end, read by rows whose id is dropped."""
    pad = expand_dims(x[0] * 0 + value, 0) if x.shape[0] != 0 else None
    if pad is None:
        pad = Tensor(np.zeros([1, *x.shape[1:].as_list()], x.dtype.np_dtype)) + value
    return concat([x, pad], 0)


segment_reduce_p = define("segment_reduce", _segment_reduce_kernel, _segment_reduce_rule,
                          _segment_reduce_vjp,
                          doc="Max, min or product of the rows of each segment.")


def _safe_ids(ids: Tensor, num_segments: Tensor) -> Tensor:
    """Ids with negative (dropped) ones sent to an extra segment ``num_segments``."""
    ids = cast(ids, dtypes.int32) if ids.dtype is not dtypes.int32 else ids
    n = cast(num_segments, dtypes.int32)
    return select(logical_and(less(ids, n), less(ids * 0 - 1, ids)), ids, ids * 0 + n)


def static_rows(num: Tensor):
    """The number of segments when it is known before running, else None."""
    return None if num._value is None else int(num._value)


def sum_by_segment(data: Tensor, ids: Tensor, num: Tensor) -> Tensor:
    """Sums the rows of ``data`` sharing an id in ``ids`` (int32) into ``num`` rows;
    negative ids are dropped.  A scatter-add, so it needs no gradient of its own."""
    depth = ids.shape.rank
    rest = bind(shape_p, data, out_type=dtypes.int32)[depth:]
    total = broadcast_to(Tensor(np.zeros((), data.dtype.np_dtype)),
                         concat([reshape(num + 1, [1]), rest], 0))
    flat_ids = reshape(_safe_ids(ids, num), [-1, 1])
    rows = reshape(data, concat([convert_to_tensor([-1], dtype=dtypes.int32), rest], 0))
    summed = tensor_scatter_nd_add(total, flat_ids, rows)
    result = summed[:-1]
    static = static_rows(num)
    if static is not None and result.shape[0] is None:
        result = reshape(result, [static, *[-1 if d is None else d
                                            for d in data.shape[depth:].as_list()]])
    return result
