"""Reductions and scans of ``tf.experimental.numpy``: ``sum``, ``mean``, ``std``, ``cumsum``...

``axis`` is None (every axis), an int or a tuple, as in NumPy.  Sums and products of
small integers and booleans accumulate in int64 (NumPy's platform int), means and
variances of integers are floats of the default float type.  The ``nan*`` variants
ignore NaNs.  Built on Fluxion's reductions, so gradients flow through them.
"""

from __future__ import annotations

import builtins

import numpy as np

from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import as_float, asarray, numpy_dtype_of
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops
from fluxion.ops import math as tf_math


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
    a = math_ops.cast(a, _accumulation_dtype(a, dtype))
    return reduce_ops.reduce_sum(a, axis=_axis(axis), keepdims=keepdims)


def prod(a, axis=None, dtype=None, keepdims=False):
    """Product of elements over ``axis``."""
    a = asarray(a)
    a = math_ops.cast(a, _accumulation_dtype(a, dtype))
    return reduce_ops.reduce_prod(a, axis=_axis(axis), keepdims=keepdims)


def mean(a, axis=None, dtype=None, keepdims=False):
    """Arithmetic mean over ``axis``; integers average in the default float type."""
    a = asarray(a, dtype) if dtype is not None else as_float(a)
    return reduce_ops.reduce_mean(a, axis=_axis(axis), keepdims=keepdims)


def var(a, axis=None, dtype=None, ddof=0, keepdims=False):
    """Variance over ``axis``, dividing by ``N - ddof``."""
    a = asarray(a, dtype) if dtype is not None else as_float(a)
    centred = a - reduce_ops.reduce_mean(a, axis=_axis(axis), keepdims=True)
    squares = tf_math.real(centred * tf_math.conj(centred)) if a.dtype.is_complex \
        else math_ops.square(centred)
    count = math_ops.cast(_count(a, axis), squares.dtype)
    return reduce_ops.reduce_sum(squares, axis=_axis(axis), keepdims=keepdims) / (count - ddof)


def std(a, axis=None, dtype=None, ddof=0, keepdims=False):
    """Standard deviation over ``axis``, dividing by ``N - ddof``."""
    return math_ops.sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims))


def _count(a, axis):
    """How many elements a reduction over ``axis`` sees (a scalar tensor)."""
    shape = creation_ops.shape(a, out_type="int64")
    if axis is None:
        return reduce_ops.reduce_prod(shape)
    axes = [axis] if isinstance(axis, int) else list(axis)
    rank = builtins.max(a.shape.rank, 1)
    return reduce_ops.reduce_prod(array_ops.gather(shape, [ax % rank for ax in axes]))


def amax(a, axis=None, keepdims=False):
    """Largest element over ``axis`` (NaN if any is NaN)."""
    a = asarray(a)
    if a.dtype.is_bool:
        return reduce_ops.reduce_any(a, axis=_axis(axis), keepdims=keepdims)
    result = reduce_ops.reduce_max(a, axis=_axis(axis), keepdims=keepdims)
    return _nan_if_any(a, result, axis, keepdims)


def amin(a, axis=None, keepdims=False):
    """Smallest element over ``axis`` (NaN if any is NaN)."""
    a = asarray(a)
    if a.dtype.is_bool:
        return reduce_ops.reduce_all(a, axis=_axis(axis), keepdims=keepdims)
    result = reduce_ops.reduce_min(a, axis=_axis(axis), keepdims=keepdims)
    return _nan_if_any(a, result, axis, keepdims)


max = amax  # noqa: A001 - NumPy's name
min = amin  # noqa: A001


def _nan_if_any(a, result, axis, keepdims):
    if not a.dtype.is_floating:
        return result
    has_nan = reduce_ops.reduce_any(tf_math.is_nan(a), axis=_axis(axis), keepdims=keepdims)
    nans = math_ops.cast(float("nan"), result.dtype) * creation_ops.ones_like(result)
    return array_ops.where(has_nan, nans, result)


def ptp(a, axis=None, keepdims=False):
    """Range (max - min) over ``axis``."""
    return amax(a, axis, keepdims) - amin(a, axis, keepdims)


def all(a, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    """True where every element over ``axis`` is nonzero."""
    return reduce_ops.reduce_all(_as_bool(a), axis=_axis(axis), keepdims=keepdims)


def any(a, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    """True where some element over ``axis`` is nonzero."""
    return reduce_ops.reduce_any(_as_bool(a), axis=_axis(axis), keepdims=keepdims)


def _as_bool(a):
    a = asarray(a)
    return a if a.dtype.is_bool else math_ops.not_equal(a, creation_ops.zeros_like(a))


def count_nonzero(a, axis=None):
    """How many elements over ``axis`` are nonzero (int64)."""
    return reduce_ops.reduce_sum(math_ops.cast(_as_bool(a), "int64"), axis=_axis(axis))


def argmax(a, axis=None):
    """Index of the largest element: in the flattened array when ``axis`` is None."""
    a = asarray(a)
    if axis is None:
        return reduce_ops.argmax(array_ops.reshape(a, [-1]), axis=0)
    return reduce_ops.argmax(a, axis=axis)


def argmin(a, axis=None):
    """Index of the smallest element: in the flattened array when ``axis`` is None."""
    a = asarray(a)
    if axis is None:
        return reduce_ops.argmin(array_ops.reshape(a, [-1]), axis=0)
    return reduce_ops.argmin(a, axis=axis)


def cumsum(a, axis=None, dtype=None):
    """Running sum along ``axis`` (of the flattened array when None)."""
    a = asarray(a)
    a = math_ops.cast(a, _accumulation_dtype(a, dtype))
    if axis is None:
        a, axis = array_ops.reshape(a, [-1]), 0
    return tf_math.cumsum(a, axis=axis)


def cumprod(a, axis=None, dtype=None):
    """Running product along ``axis`` (of the flattened array when None)."""
    a = asarray(a)
    a = math_ops.cast(a, _accumulation_dtype(a, dtype))
    if axis is None:
        a, axis = array_ops.reshape(a, [-1]), 0
    return tf_math.cumprod(a, axis=axis)


def average(a, axis=None, weights=None, returned=False):
    """Weighted mean over ``axis``; with ``returned`` also the sum of the weights.

    ``weights`` has ``a``'s shape, or is 1-D along ``axis``.
    """
    a = as_float(a)
    if weights is None:
        result = reduce_ops.reduce_mean(a, axis=_axis(axis))
        total = math_ops.cast(_count(a, axis), a.dtype) * creation_ops.ones_like(result)
    else:
        weights = asarray(weights)
        common = dtype_rules.result_type(a, weights)
        a, weights = math_ops.cast(a, common), math_ops.cast(weights, common)
        if weights.shape.rank == 1 and a.shape.rank != 1 and isinstance(axis, int):
            shape = [1] * a.shape.rank
            shape[axis] = -1
            weights = array_ops.reshape(weights, shape)
        weights = creation_ops.broadcast_to(weights, creation_ops.shape(a))
        total = reduce_ops.reduce_sum(weights, axis=_axis(axis))
        result = reduce_ops.reduce_sum(a * weights, axis=_axis(axis)) / total
    return (result, total) if returned else result


def _without_nans(a, fill):
    a = asarray(a)
    if not (a.dtype.is_floating or a.dtype.is_complex):
        return a
    fills = math_ops.cast(fill, a.dtype) * creation_ops.ones_like(a)
    return array_ops.where(tf_math.is_nan(a), fills, a)


def nansum(a, axis=None, dtype=None, keepdims=False):
    """Sum over ``axis`` treating NaNs as 0."""
    return sum(_without_nans(a, 0), axis=axis, dtype=dtype, keepdims=keepdims)


def nanprod(a, axis=None, dtype=None, keepdims=False):
    """Product over ``axis`` treating NaNs as 1."""
    return prod(_without_nans(a, 1), axis=axis, dtype=dtype, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, keepdims=False):
    """Mean over ``axis`` of the elements that are not NaN."""
    a = asarray(a, dtype) if dtype is not None else as_float(a)
    valid = math_ops.cast(math_ops.logical_not(tf_math.is_nan(a)), a.dtype)
    total = reduce_ops.reduce_sum(_without_nans(a, 0), axis=_axis(axis), keepdims=keepdims)
    return total / reduce_ops.reduce_sum(valid, axis=_axis(axis), keepdims=keepdims)
