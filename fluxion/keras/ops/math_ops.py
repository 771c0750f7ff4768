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

import fluxion as tf
from fluxion.keras.ops.promotion import export, float_tensor, tensor

__all__ = [
    "logsumexp", "top_k", "in_top_k", "erf", "erfc", "erfinv", "rsqrt", "segment_sum",
    "segment_max", "segment_min", "segment_prod", "extract_sequences",
]


def logsumexp(x, axis=None, keepdims: bool = False):
    """``log(sum(exp(x)))`` over ``axis``, computed stably."""
    axis = axis if axis is None or isinstance(axis, int) else list(axis)
    return tf.reduce_logsumexp(float_tensor(x), axis=axis, keepdims=keepdims)


def top_k(x, k: int, sorted: bool = True):  # noqa: A002 - Keras's name
    """The ``k`` largest values along the last axis and their int32 indices."""
    result = tf.math.top_k(tensor(x), k=k, sorted=sorted)
    return result[0], result[1]


def in_top_k(targets, predictions, k: int):
    """Whether each target class is among the ``k`` highest predictions of its row."""
    return tf.math.in_top_k(tensor(targets), float_tensor(predictions), k)


def erf(x):
    """The error function."""
    return tf.math.erf(float_tensor(x))


def erfc(x):
    """``1 - erf(x)``."""
    return tf.math.erfc(float_tensor(x))


_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
            -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
         -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _polynomial(coefficients, w):
    result = tf.zeros_like(w) + coefficients[0]
    for c in coefficients[1:]:
        result = result * w + c
    return result


def erfinv(x):
    """The inverse error function, on (-1, 1) (+-inf at +-1)."""
    x = float_tensor(x)
    w = -tf.math.log((1 - x) * (1 + x))
    central = _polynomial(_CENTRAL, w - 2.5)
    tail = _polynomial(_TAIL, tf.sqrt(tf.maximum(w, 5.0)) - 3)
    y = tf.where(w < 5, central, tail) * x
    scale = 2 / math.sqrt(math.pi)
    for _ in range(2):  # Newton's method on erf(y) = x sharpens the approximation
        step = (tf.math.erf(y) - x) / (scale * tf.exp(-y * y))
        y = tf.where(tf.math.is_finite(step), y - step, y)
    return y


def rsqrt(x):
    """``1 / sqrt(x)``."""
    return tf.math.rsqrt(float_tensor(x))


def _num_segments(segment_ids, num_segments):
    if num_segments is not None:
        return num_segments
    return tf.reduce_max(segment_ids) + 1


def segment_sum(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    """Sums of the rows of ``data`` that share a segment id; empty segments give 0."""
    data, ids = tensor(data), tensor(segment_ids, "int32")
    count = _num_segments(ids, num_segments)
    zeros = tf.tile(tf.zeros_like(data[:1]), [count] + [1] * (data.ndim - 1))
    return tf.tensor_scatter_nd_add(zeros, tf.expand_dims(ids, -1), data)


def _segment_reduce(reduce_op, fill_of):
    def op(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
        data, ids = tensor(data), tensor(segment_ids, "int32")
        count = _num_segments(ids, num_segments)
        member = tf.equal(tf.expand_dims(ids, 1), tf.reshape(tf.range(count), [1, -1]))
        member = tf.reshape(member, tf.concat([tf.shape(member), [1] * (data.ndim - 1)], 0))
        spread = tf.expand_dims(data, 1)
        fill = tf.cast(fill_of(data.dtype), data.dtype)
        return reduce_op(tf.where(member, spread, fill), axis=0)

    return op


def _lowest(dtype):
    return float("-inf") if dtype.is_floating else dtype.min


def _highest(dtype):
    return float("inf") if dtype.is_floating else dtype.max


segment_max = _segment_reduce(tf.reduce_max, _lowest)
segment_min = _segment_reduce(tf.reduce_min, _highest)
segment_prod = _segment_reduce(tf.reduce_prod, lambda dtype: 1)
for _name in ("segment_max", "segment_min", "segment_prod"):
    globals()[_name].__name__ = globals()[_name].__qualname__ = _name
    globals()[_name].__doc__ = (f"``{_name[8:]}`` of the rows of ``data`` that share a "
                                f"segment id.")


def extract_sequences(x, sequence_length: int, sequence_stride: int):
    """Overlapping frames of the last axis: ``(..., num_frames, sequence_length)``."""
    x = tensor(x)
    size = tf.shape(x)[-1]
    frames = (size - sequence_length) // sequence_stride + 1
    starts = tf.reshape(tf.range(frames) * sequence_stride, [-1, 1])
    offsets = tf.reshape(tf.range(sequence_length), [1, -1])
    return tf.gather(x, starts + offsets, axis=x.ndim - 1)


export(globals(), __all__)
