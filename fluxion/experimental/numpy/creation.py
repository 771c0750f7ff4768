"""Array creation in ``tf.experimental.numpy``: ``zeros``, ``arange``, ``linspace``, ``eye``...

Without ``dtype``, floats come out in the default float type (float64 unless
``prefer_float32``) and integers in int64, as in NumPy.
"""

from __future__ import annotations

import math

import numpy as np

import fluxion as tf
from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import asarray, numpy_dtype_of, promote


def _shape_list(shape):
    if isinstance(shape, int) or (isinstance(shape, tf.Tensor) and shape.shape.rank == 0):
        return [shape]
    return shape


def _dtype_or_float(dtype):
    return dtype_rules.default_float_type() if dtype is None else dtype_rules.numpy_dtype(dtype)


def zeros(shape, dtype=float):
    """A tensor of ``shape`` filled with 0."""
    return tf.zeros(_shape_list(shape), dtype=dtype_rules.numpy_dtype(dtype))


def ones(shape, dtype=float):
    """A tensor of ``shape`` filled with 1."""
    return tf.ones(_shape_list(shape), dtype=dtype_rules.numpy_dtype(dtype))


def empty(shape, dtype=float):
    """A tensor of ``shape``; tensors are never uninitialised, so it holds zeros."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (which may itself be an array)."""
    fill = asarray(fill_value, dtype)
    return tf.broadcast_to(fill, _shape_list(shape))


def zeros_like(a, dtype=None):
    """Zeros with ``a``'s shape and (unless given) dtype."""
    a = asarray(a)
    return tf.zeros_like(a, dtype=dtype_rules.numpy_dtype(dtype) if dtype else a.dtype)


def ones_like(a, dtype=None):
    """Ones with ``a``'s shape and (unless given) dtype."""
    a = asarray(a)
    return tf.ones_like(a, dtype=dtype_rules.numpy_dtype(dtype) if dtype else a.dtype)


def empty_like(a, dtype=None):
    """Same as ``zeros_like``: tensors are never uninitialised."""
    return zeros_like(a, dtype)


def full_like(a, fill_value, dtype=None):
    """``fill_value`` broadcast to ``a``'s shape, in ``a``'s dtype unless given."""
    a = asarray(a)
    target = dtype_rules.numpy_dtype(dtype) if dtype else numpy_dtype_of(a)
    return tf.broadcast_to(asarray(fill_value, target), tf.shape(a))


def eye(N, M=None, k=0, dtype=float):  # noqa: N803 - NumPy's names
    """An ``N x M`` matrix with ones on diagonal ``k`` (above the main one when > 0)."""
    M = N if M is None else M  # noqa: N806
    rows = tf.range(N, dtype="int64")[:, None]
    cols = tf.range(M, dtype="int64")[None, :]
    return tf.cast(tf.equal(cols - rows, k), dtype_rules.numpy_dtype(dtype))


def identity(n, dtype=float):
    """The ``n x n`` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    """An ``N x M`` matrix with ones at and below diagonal ``k``."""
    M = N if M is None else M  # noqa: N806
    rows = tf.range(N, dtype="int64")[:, None]
    cols = tf.range(M, dtype="int64")[None, :]
    return tf.cast(cols - rows <= k, _dtype_or_float(dtype))


def _triangle(m, k, lower: bool):
    m = asarray(m)
    if m.shape.rank is not None and m.shape.rank < 2:
        raise ValueError(f"expected an array of rank >= 2, got rank {m.shape.rank}")
    shape = tf.shape(m, out_type="int64")
    rows = tf.range(shape[-2])[:, None]
    cols = tf.range(shape[-1])[None, :]
    keep = cols - rows <= k if lower else cols - rows >= k
    return tf.where(keep, m, tf.zeros_like(m))


def tril(m, k=0):
    """``m`` with the elements above diagonal ``k`` zeroed (on the last two axes)."""
    return _triangle(m, k, lower=True)


def triu(m, k=0):
    """``m`` with the elements below diagonal ``k`` zeroed (on the last two axes)."""
    return _triangle(m, k, lower=False)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in ``[start, stop)``, ``step`` apart.

    Example: ``arange(3)`` is ``[0, 1, 2]`` (int64); ``arange(0, 1, 0.5)`` float64.
    """
    if stop is None:
        start, stop = 0, start
    target = dtype_rules.numpy_dtype(dtype) if dtype is not None \
        else dtype_rules.result_type(start, stop, step)
    if step == 0:
        raise ValueError("arange: step must not be 0")
    count = builtin_max(0, math.ceil((float(stop) - float(start)) / float(step)))
    work = np.float64 if np.issubdtype(target, np.inexact) else np.int64
    values = tf.cast(start, work) + tf.range(count, dtype=work) * tf.cast(step, work)
    return tf.cast(values, target)


builtin_max = max


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=float, axis=0):
    """``num`` evenly spaced samples from ``start`` to ``stop`` (inclusive by default).

    ``start`` and ``stop`` may be arrays; samples then run along ``axis``.
    """
    start, stop = promote(start, stop, dtype=dtype_rules.result_type(start, stop, 1.0))
    divisions = num - 1 if endpoint else num
    step = (stop - start) / tf.cast(builtin_max(divisions, 1), start.dtype)
    fractions = tf.cast(tf.range(num), start.dtype)
    fractions = tf.reshape(fractions, [-1] + [1] * start.shape.rank)
    samples = start[None] + fractions * step[None]
    if endpoint and num > 1:  # the last sample is exactly `stop`
        samples = tf.concat([samples[:-1], stop[None]], axis=0)
    if axis != 0:
        samples = _moveaxis(samples, 0, axis)
    samples = _cast_samples(samples, dtype)
    return (samples, step) if retstep else samples


def _moveaxis(x, source, destination):
    rank = x.shape.rank
    order = [i for i in range(rank) if i != source % rank]
    order.insert(destination % rank, source % rank)
    return tf.transpose(x, order)


def _cast_samples(samples, dtype):
    if dtype is float or dtype is None:
        return samples
    target = dtype_rules.numpy_dtype(dtype)
    if np.issubdtype(target, np.integer):
        samples = tf.floor(samples)
    return tf.cast(samples, target)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base`` to the powers of ``linspace(start, stop, num)``."""
    exponents = linspace(start, stop, num, endpoint=endpoint, axis=axis)
    samples = tf.pow(tf.cast(base, exponents.dtype), exponents)
    return _cast_samples(samples, dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` samples spaced evenly on a log scale from ``start`` to ``stop``."""
    start, stop = promote(start, stop, dtype=dtype_rules.result_type(start, stop, 1.0))
    sign = tf.sign(start)
    samples = sign * logspace(tf.math.log(tf.abs(start)) / math.log(10.0),
                              tf.math.log(tf.abs(stop)) / math.log(10.0), num,
                              endpoint=endpoint, axis=axis)
    return _cast_samples(samples, dtype)


def diag(v, k=0):
    """The ``k``-th diagonal of a matrix, or a matrix with 1-D ``v`` on diagonal ``k``."""
    v = asarray(v)
    if v.shape.rank == 1:
        return tf.linalg.diag(v, k=k)
    if v.shape.rank != 2:
        raise ValueError(f"diag: expected a 1-D or 2-D array, got rank {v.shape.rank}")
    rows, cols = v.shape.as_list()
    if (k >= 0 and k >= cols) or (k < 0 and -k >= rows):
        return tf.zeros([0], dtype=v.dtype)
    return tf.linalg.diag_part(v, k=k)


def diagflat(v, k=0):
    """A matrix with the flattened ``v`` on diagonal ``k``."""
    return diag(tf.reshape(asarray(v), [-1]), k)


def vander(x, N=None, increasing=False):  # noqa: N803
    """The Vandermonde matrix of 1-D ``x``: columns ``x**(N-1) ... x**0``."""
    x = asarray(x)
    N = x.shape[0] if N is None else N  # noqa: N806
    powers = tf.range(N) if increasing else tf.range(N - 1, -1, -1)
    if x.dtype.is_bool:
        x = tf.cast(x, "int64")
    return tf.pow(x[:, None], tf.cast(powers, x.dtype)[None, :])


def meshgrid(*xi, **kwargs):
    """Coordinate matrices from 1-D coordinate vectors (``indexing='xy'`` or ``'ij'``)."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("copy", None)
    sparse = kwargs.pop("sparse", False)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected arguments {sorted(kwargs)}")
    arrays = [tf.reshape(asarray(x), [-1]) for x in xi]
    grids = tf.meshgrid(*arrays, indexing=indexing)
    if not sparse:
        return grids
    count = len(arrays)
    sparse_grids = []
    for i, array in enumerate(arrays):
        shape = [1] * count
        position = {0: 1, 1: 0}.get(i, i) if indexing == "xy" and count > 1 else i
        shape[position] = -1
        sparse_grids.append(tf.reshape(array, shape))
    return sparse_grids


def ix_(*args):
    """Open mesh of index arrays: the i-th has shape ``(1, ..., n_i, ..., 1)``.

    Boolean arrays are turned into the indices of their True entries.
    """
    count = len(args)
    outputs = []
    for i, arg in enumerate(args):
        arg = asarray(arg)
        if arg.dtype.is_bool:
            arg = tf.reshape(tf.where(arg), [-1])
        shape = [1] * count
        shape[i] = -1
        outputs.append(tf.reshape(arg, shape))
    return outputs


def diag_indices(n, ndim=2):
    """The indices of the main diagonal of an ``n``-wide array of rank ``ndim``."""
    index = tf.range(n, dtype="int64")
    return tuple(index for _ in range(ndim))
