"""Reductions and scans of ``tf.experimental.numpy``: ``sum``, ``mean``, ``std``, ``cumsum``...

``axis`` is None (every axis), an int or a tuple, as in NumPy.  Sums and products of
small integers and booleans accumulate in int64 (NumPy's platform int), means and
variances of integers are floats of the default float type.  The ``nan*`` variants
ignore NaNs.  Built on Fluxion's reductions, so gradients flow through them.
"""

from __future__ import annotations

import builtins

import numpy as np

import fluxion as tf
from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import as_float, asarray, numpy_dtype_of


def _axis(axis):
    return list(axis) if isinstance(axis, tuple) else axis


def _accumulation_dtype(x, dtype):
    """int64 for sums of narrow ints and bools (NumPy's rule), else ``x``'s dtype."""
    if dtype is not None:
        return dtype_rules.numpy_dtype(dtype)
    np_dtype = numpy_dtype_of(x)
    if np_dtype == np.bool_ or (np.issubdtype(np_dtype, np.signedinteger)
                                and np_dtype.itemsize < 8):
        return np.dtype(np.int64)
    if np.issubdtype(np_dtype, np.unsignedinteger) and np_dtype.itemsize < 8:
        return np.dtype(np.uint64)
    return np_dtype


def sum(a, axis=None, dtype=None, keepdims=False):  # noqa: A001 - NumPy's name
    """Sum of elements over ``axis``."""
    a = asarray(a)
    a = tf.cast(a, _accumulation_dtype(a, dtype))
    return tf.reduce_sum(a, axis=_axis(axis), keepdims=keepdims)


def prod(a, axis=None, dtype=None, keepdims=False):
    """Product of elements over ``axis``."""
    a = asarray(a)
    a = tf.cast(a, _accumulation_dtype(a, dtype))
    return tf.reduce_prod(a, axis=_axis(axis), keepdims=keepdims)


def mean(a, axis=None, dtype=None, keepdims=False):
    """Arithmetic mean over ``axis``; integers average in the default float type."""
    a = asarray(a, dtype) if dtype is not None else as_float(a)
    return tf.reduce_mean(a, axis=_axis(axis), keepdims=keepdims)


def var(a, axis=None, dtype=None, ddof=0, keepdims=False):
    """Variance over ``axis``, dividing by ``N - ddof``."""
    a = asarray(a, dtype) if dtype is not None else as_float(a)
    centred = a - tf.reduce_mean(a, axis=_axis(axis), keepdims=True)
    squares = tf.math.real(centred * tf.math.conj(centred)) if a.dtype.is_complex \
        else tf.square(centred)
    count = tf.cast(_count(a, axis), squares.dtype)
    return tf.reduce_sum(squares, axis=_axis(axis), keepdims=keepdims) / (count - ddof)


def std(a, axis=None, dtype=None, ddof=0, keepdims=False):
    """Standard deviation over ``axis``, dividing by ``N - ddof``."""
    return tf.sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims))


def _count(a, axis):
    """How many elements a reduction over ``axis`` sees (a scalar tensor)."""
    shape = tf.shape(a, out_type="int64")
    if axis is None:
        return tf.reduce_prod(shape)
    axes = [axis] if isinstance(axis, int) else list(axis)
    return tf.reduce_prod(tf.gather(shape, [ax % builtins.max(a.shape.rank, 1) for ax in axes]))


def amax(a, axis=None, keepdims=False):
    """Largest element over ``axis`` (NaN if any is NaN)."""
    a = asarray(a)
    if a.dtype.is_bool:
        return tf.reduce_any(a, axis=_axis(axis), keepdims=keepdims)
    result = tf.reduce_max(a, axis=_axis(axis), keepdims=keepdims)
    return _nan_if_any(a, result, axis, keepdims)


def amin(a, axis=None, keepdims=False):
    """Smallest element over ``axis`` (NaN if any is NaN)."""
    a = asarray(a)
    if a.dtype.is_bool:
        return tf.reduce_all(a, axis=_axis(axis), keepdims=keepdims)
    result = tf.reduce_min(a, axis=_axis(axis), keepdims=keepdims)
    return _nan_if_any(a, result, axis, keepdims)


max = amax  # noqa: A001 - NumPy's name
min = amin  # noqa: A001


def _nan_if_any(a, result, axis, keepdims):
    if not a.dtype.is_floating:
        return result
    has_nan = tf.reduce_any(tf.math.is_nan(a), axis=_axis(axis), keepdims=keepdims)
    return tf.where(has_nan, tf.cast(float("nan"), result.dtype) * tf.ones_like(result),
                    result)


def ptp(a, axis=None, keepdims=False):
    """Range (max - min) over ``axis``."""
    return amax(a, axis, keepdims) - amin(a, axis, keepdims)


def all(a, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    """True where every element over ``axis`` is nonzero."""
    return tf.reduce_all(_as_bool(a), axis=_axis(axis), keepdims=keepdims)


def any(a, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    """True where some element over ``axis`` is nonzero."""
    return tf.reduce_any(_as_bool(a), axis=_axis(axis), keepdims=keepdims)


def _as_bool(a):
    a = asarray(a)
    return a if a.dtype.is_bool else tf.not_equal(a, tf.zeros_like(a))


def count_nonzero(a, axis=None):
    """How many elements over ``axis`` are nonzero (int64)."""
    return tf.reduce_sum(tf.cast(_as_bool(a), "int64"), axis=_axis(axis))


def argmax(a, axis=None):
    """Index of the largest element: in the flattened array when ``axis`` is None."""
    a = asarray(a)
    if axis is None:
        return tf.argmax(tf.reshape(a, [-1]), axis=0)
    return tf.argmax(a, axis=axis)


def argmin(a, axis=None):
    """Index of the smallest element: in the flattened array when ``axis`` is None."""
    a = asarray(a)
    if axis is None:
        return tf.argmin(tf.reshape(a, [-1]), axis=0)
    return tf.argmin(a, axis=axis)


def cumsum(a, axis=None, dtype=None):
    """Running sum along ``axis`` (of the flattened array when None)."""
    a = asarray(a)
    a = tf.cast(a, _accumulation_dtype(a, dtype))
    if axis is None:
        a, axis = tf.reshape(a, [-1]), 0
    return tf.math.cumsum(a, axis=axis)


def cumprod(a, axis=None, dtype=None):
    """Running product along ``axis`` (of the flattened array when None)."""
    a = asarray(a)
    a = tf.cast(a, _accumulation_dtype(a, dtype))
    if axis is None:
        a, axis = tf.reshape(a, [-1]), 0
    return tf.math.cumprod(a, axis=axis)


def average(a, axis=None, weights=None, returned=False):
    """Weighted mean over ``axis``; with ``returned`` also the sum of the weights.

    ``weights`` has ``a``'s shape, or is 1-D along ``axis``.
    """
    a = as_float(a)
    if weights is None:
        result = tf.reduce_mean(a, axis=_axis(axis))
        total = tf.cast(_count(a, axis), a.dtype) * tf.ones_like(result)
    else:
        weights = asarray(weights)
        common = dtype_rules.result_type(a, weights)
        a, weights = tf.cast(a, common), tf.cast(weights, common)
        if weights.shape.rank == 1 and a.shape.rank != 1 and isinstance(axis, int):
            shape = [1] * a.shape.rank
            shape[axis] = -1
            weights = tf.reshape(weights, shape)
        weights = tf.broadcast_to(weights, tf.shape(a))
        total = tf.reduce_sum(weights, axis=_axis(axis))
        result = tf.reduce_sum(a * weights, axis=_axis(axis)) / total
    return (result, total) if returned else result


def _without_nans(a, fill):
    a = asarray(a)
    if not (a.dtype.is_floating or a.dtype.is_complex):
        return a
    return tf.where(tf.math.is_nan(a), tf.cast(fill, a.dtype) * tf.ones_like(a), a)


def nansum(a, axis=None, dtype=None, keepdims=False):
    """Sum over ``axis`` treating NaNs as 0."""
    return sum(_without_nans(a, 0), axis=axis, dtype=dtype, keepdims=keepdims)


def nanprod(a, axis=None, dtype=None, keepdims=False):
    """Product over ``axis`` treating NaNs as 1."""
    return prod(_without_nans(a, 1), axis=axis, dtype=dtype, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, keepdims=False):
    """Mean over ``axis`` of the elements that are not NaN."""
    a = asarray(a, dtype) if dtype is not None else as_float(a)
    valid = tf.cast(tf.logical_not(tf.math.is_nan(a)), a.dtype)
    total = tf.reduce_sum(_without_nans(a, 0), axis=_axis(axis), keepdims=keepdims)
    return total / tf.reduce_sum(valid, axis=_axis(axis), keepdims=keepdims)
