"""``keras.ops`` math extras: ``logsumexp``, ``top_k``, ``in_top_k``, ``erf``/``erfc``/
``erfinv``, ``rsqrt``, ``segment_*`` reductions and ``extract_sequences``.

``erfinv`` is a composite (Giles' rational approximation refined by Newton steps on
``erf``), so it is differentiable like the rest.

>>> from fluxion.keras import ops
>>> ops.segment_sum([1.0, 2.0, 3.0], [0, 0, 1], num_segments=2).numpy()
array([3., 3.], dtype=float32)
"""

from __future__ import annotations

import math

from fluxion.keras.ops.promotion import export, float_tensor, tensor
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops, sort_ops

__all__ = [
    "logsumexp", "top_k", "in_top_k", "erf", "erfc", "erfinv", "rsqrt", "segment_sum",
    "segment_max", "segment_min", "segment_prod", "extract_sequences",
]


def logsumexp(x, axis=None, keepdims: bool = False):
    """``log(sum(exp(x)))`` over ``axis``, computed stably."""
    axis = axis if axis is None or isinstance(axis, int) else list(axis)
    return reduce_ops.reduce_logsumexp(float_tensor(x), axis=axis, keepdims=keepdims)


def top_k(x, k: int, sorted: bool = True):  # noqa: A002 - Keras's name
    """The ``k`` largest values along the last axis and their int32 indices."""
    result = sort_ops.top_k(tensor(x), k=k, sorted=sorted)
    return result[0], result[1]


def in_top_k(targets, predictions, k: int):
    """Whether each target class is among the ``k`` highest predictions of its row."""
    return sort_ops.in_top_k(tensor(targets), float_tensor(predictions), k)


def erf(x):
    """The error function."""
    return math_ops.erf(float_tensor(x))


def erfc(x):
    """``1 - erf(x)``."""
    return math_ops.erfc(float_tensor(x))


_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
            -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
         -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _polynomial(coefficients, w):
    result = creation_ops.zeros_like(w) + coefficients[0]
    for c in coefficients[1:]:
        result = result * w + c
    return result


def erfinv(x):
    """The inverse error function, on (-1, 1) (+-inf at +-1)."""
    x = float_tensor(x)
    w = -math_ops.log((1 - x) * (1 + x))
    central = _polynomial(_CENTRAL, w - 2.5)
    tail = _polynomial(_TAIL, math_ops.sqrt(math_ops.maximum(w, 5.0)) - 3)
    y = array_ops.where(w < 5, central, tail) * x
    scale = 2 / math.sqrt(math.pi)
    for _ in range(2):  # Newton's method on erf(y) = x sharpens the approximation
        step = (math_ops.erf(y) - x) / (scale * math_ops.exp(-y * y))
        y = array_ops.where(math_ops.is_finite(step), y - step, y)
    return y


def rsqrt(x):
    """``1 / sqrt(x)``."""
    return math_ops.rsqrt(float_tensor(x))


def _num_segments(segment_ids, num_segments):
    if num_segments is not None:
        return num_segments
    return reduce_ops.reduce_max(segment_ids) + 1


def segment_sum(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    """Sums of the rows of ``data`` that share a segment id; empty segments give 0."""
    data, ids = tensor(data), tensor(segment_ids, "int32")
    count = _num_segments(ids, num_segments)
    zeros = array_ops.tile(creation_ops.zeros_like(data[:1]), [count] + [1] * (data.ndim - 1))
    return array_ops.tensor_scatter_nd_add(zeros, array_ops.expand_dims(ids, -1), data)


def _segment_reduce(reduce_op, fill_of):
    def op(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
        data, ids = tensor(data), tensor(segment_ids, "int32")
        count = _num_segments(ids, num_segments)
        member = array_ops.equal(
            array_ops.expand_dims(ids, 1), array_ops.reshape(creation_ops.range(count), [1, -1])
        )
        member = array_ops.reshape(
            member, array_ops.concat([creation_ops.shape(member), [1] * (data.ndim - 1)], 0)
        )
        spread = array_ops.expand_dims(data, 1)
        fill = array_ops.cast(fill_of(data.dtype), data.dtype)
        return reduce_op(array_ops.where(member, spread, fill), axis=0)

    return op


def _lowest(dtype):
    return float("-inf") if dtype.is_floating else dtype.min


def _highest(dtype):
    return float("inf") if dtype.is_floating else dtype.max


segment_max = _segment_reduce(reduce_ops.reduce_max, _lowest)
segment_min = _segment_reduce(reduce_ops.reduce_min, _highest)
segment_prod = _segment_reduce(reduce_ops.reduce_prod, lambda dtype: 1)
for _name in ("segment_max", "segment_min", "segment_prod"):
    globals()[_name].__name__ = globals()[_name].__qualname__ = _name
    globals()[_name].__doc__ = f"``{_name[8:]}`` of the rows of ``data`` that share a segment id."


def extract_sequences(x, sequence_length: int, sequence_stride: int):
    """Overlapping frames of the last axis: ``(..., num_frames, sequence_length)``."""
    x = tensor(x)
    size = creation_ops.shape(x)[-1]
    frames = (size - sequence_length) // sequence_stride + 1
    starts = array_ops.reshape(creation_ops.range(frames) * sequence_stride, [-1, 1])
    offsets = array_ops.reshape(creation_ops.range(sequence_length), [1, -1])
    return array_ops.gather(x, starts + offsets, axis=x.ndim - 1)


export(globals(), __all__)
