"""Array creation in ``tf.experimental.numpy``: ``zeros``, ``arange``, ``linspace``, ``eye``...

Without ``dtype``, floats come out in the default float type (float64 unless
``prefer_float32``) and integers in int64, as in NumPy.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core import tensor
from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import asarray, numpy_dtype_of, promote
from fluxion.ops import array_ops, creation_ops, math_ops, nd_ops
from fluxion.ops import linalg as tf_linalg
from fluxion.ops import math as tf_math


def _shape_list(shape):
    if isinstance(shape, int) or (isinstance(shape, tensor.Tensor) and shape.shape.rank == 0):
        return [shape]
    return shape


def _dtype_or_float(dtype):
    return dtype_rules.default_float_type() if dtype is None else dtype_rules.numpy_dtype(dtype)


def zeros(shape, dtype=float):
    """A tensor of ``shape`` filled with 0."""
    return creation_ops.zeros(_shape_list(shape), dtype=dtype_rules.numpy_dtype(dtype))


def ones(shape, dtype=float):
    """A tensor of ``shape`` filled with 1."""
    return creation_ops.ones(_shape_list(shape), dtype=dtype_rules.numpy_dtype(dtype))


def empty(shape, dtype=float):
    """A tensor of ``shape``; tensors are never uninitialised, so it holds zeros."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (which may itself be an array)."""
    fill = asarray(fill_value, dtype)
    return creation_ops.broadcast_to(fill, _shape_list(shape))


def zeros_like(a, dtype=None):
    """Zeros with ``a``'s shape and (unless given) dtype."""
    a = asarray(a)
    return creation_ops.zeros_like(a, dtype=dtype_rules.numpy_dtype(dtype) if dtype else a.dtype)


def ones_like(a, dtype=None):
    """Ones with ``a``'s shape and (unless given) dtype."""
    a = asarray(a)
    return creation_ops.ones_like(a, dtype=dtype_rules.numpy_dtype(dtype) if dtype else a.dtype)


def empty_like(a, dtype=None):
    """Same as ``zeros_like``: tensors are never uninitialised."""
    return zeros_like(a, dtype)


def full_like(a, fill_value, dtype=None):
    """``fill_value`` broadcast to ``a``'s shape, in ``a``'s dtype unless given."""
    a = asarray(a)
    target = dtype_rules.numpy_dtype(dtype) if dtype else numpy_dtype_of(a)
    return creation_ops.broadcast_to(asarray(fill_value, target), creation_ops.shape(a))


def eye(N, M=None, k=0, dtype=float):  # noqa: N803 - NumPy's names
    """An ``N x M`` matrix with ones on diagonal ``k`` (above the main one when > 0)."""
    M = N if M is None else M  # noqa: N806
    rows = creation_ops.range(N, dtype="int64")[:, None]
    cols = creation_ops.range(M, dtype="int64")[None, :]
    return math_ops.cast(math_ops.equal(cols - rows, k), dtype_rules.numpy_dtype(dtype))


def identity(n, dtype=float):
    """The ``n x n`` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    """An ``N x M`` matrix with ones at and below diagonal ``k``."""
    M = N if M is None else M  # noqa: N806
    rows = creation_ops.range(N, dtype="int64")[:, None]
    cols = creation_ops.range(M, dtype="int64")[None, :]
    return math_ops.cast(cols - rows <= k, _dtype_or_float(dtype))


def _triangle(m, k, lower: bool):
    m = asarray(m)
    if m.shape.rank is not None and m.shape.rank < 2:
        raise ValueError(f"expected an array of rank >= 2, got rank {m.shape.rank}")
    shape = creation_ops.shape(m, out_type="int64")
    rows = creation_ops.range(shape[-2])[:, None]
    cols = creation_ops.range(shape[-1])[None, :]
    keep = cols - rows <= k if lower else cols - rows >= k
    return array_ops.where(keep, m, creation_ops.zeros_like(m))


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
    values = (math_ops.cast(start, work)
              + creation_ops.range(count, dtype=work) * math_ops.cast(step, work))
    return math_ops.cast(values, target)


builtin_max = max


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=float, axis=0):
    """``num`` evenly spaced samples from ``start`` to ``stop`` (inclusive by default).

    ``start`` and ``stop`` may be arrays; samples then run along ``axis``.
    """
    start, stop = promote(start, stop, dtype=dtype_rules.result_type(start, stop, 1.0))
    divisions = num - 1 if endpoint else num
    step = (stop - start) / math_ops.cast(builtin_max(divisions, 1), start.dtype)
    fractions = math_ops.cast(creation_ops.range(num), start.dtype)
    fractions = array_ops.reshape(fractions, [-1] + [1] * start.shape.rank)
    samples = start[None] + fractions * step[None]
    if endpoint and num > 1:  # the last sample is exactly `stop`
        samples = array_ops.concat([samples[:-1], stop[None]], axis=0)
    if axis != 0:
        samples = _moveaxis(samples, 0, axis)
    samples = _cast_samples(samples, dtype)
    return (samples, step) if retstep else samples


def _moveaxis(x, source, destination):
    rank = x.shape.rank
    order = [i for i in range(rank) if i != source % rank]
    order.insert(destination % rank, source % rank)
    return nd_ops.transpose(x, order)


def _cast_samples(samples, dtype):
    if dtype is float or dtype is None:
        return samples
    target = dtype_rules.numpy_dtype(dtype)
    if np.issubdtype(target, np.integer):
        samples = math_ops.floor(samples)
    return math_ops.cast(samples, target)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base`` to the powers of ``linspace(start, stop, num)``."""
    exponents = linspace(start, stop, num, endpoint=endpoint, axis=axis)
    samples = math_ops.pow(math_ops.cast(base, exponents.dtype), exponents)
    return _cast_samples(samples, dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` samples spaced evenly on a log scale from ``start`` to ``stop``."""
    start, stop = promote(start, stop, dtype=dtype_rules.result_type(start, stop, 1.0))
    sign = math_ops.sign(start)
    samples = sign * logspace(tf_math.log(math_ops.abs(start)) / math.log(10.0),
                              tf_math.log(math_ops.abs(stop)) / math.log(10.0), num,
                              endpoint=endpoint, axis=axis)
    return _cast_samples(samples, dtype)


def diag(v, k=0):
    """The ``k``-th diagonal of a matrix, or a matrix with 1-D ``v`` on diagonal ``k``."""
    v = asarray(v)
    if v.shape.rank == 1:
        return tf_linalg.diag(v, k=k)
    if v.shape.rank != 2:
        raise ValueError(f"diag: expected a 1-D or 2-D array, got rank {v.shape.rank}")
    rows, cols = v.shape.as_list()
    if (k >= 0 and k >= cols) or (k < 0 and -k >= rows):
        return creation_ops.zeros([0], dtype=v.dtype)
    return tf_linalg.diag_part(v, k=k)


def diagflat(v, k=0):
    """A matrix with the flattened ``v`` on diagonal ``k``."""
    return diag(array_ops.reshape(asarray(v), [-1]), k)


def vander(x, N=None, increasing=False):  # noqa: N803
    """The Vandermonde matrix of 1-D ``x``: columns ``x**(N-1) ... x**0``."""
    x = asarray(x)
    N = x.shape[0] if N is None else N  # noqa: N806
    powers = creation_ops.range(N) if increasing else creation_ops.range(N - 1, -1, -1)
    if x.dtype.is_bool:
        x = math_ops.cast(x, "int64")
    return math_ops.pow(x[:, None], math_ops.cast(powers, x.dtype)[None, :])


def meshgrid(*xi, **kwargs):
    """Coordinate matrices from 1-D coordinate vectors (``indexing='xy'`` or ``'ij'``)."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("copy", None)
    sparse = kwargs.pop("sparse", False)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected arguments {sorted(kwargs)}")
    arrays = [array_ops.reshape(asarray(x), [-1]) for x in xi]
    grids = array_ops.meshgrid(*arrays, indexing=indexing)
    if not sparse:
        return grids
    count = len(arrays)
    sparse_grids = []
    for i, array in enumerate(arrays):
        shape = [1] * count
        position = {0: 1, 1: 0}.get(i, i) if indexing == "xy" and count > 1 else i
        shape[position] = -1
        sparse_grids.append(array_ops.reshape(array, shape))
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
            arg = array_ops.reshape(array_ops.where(arg), [-1])
        shape = [1] * count
        shape[i] = -1
        outputs.append(array_ops.reshape(arg, shape))
    return outputs


def diag_indices(n, ndim=2):
    """The indices of the main diagonal of an ``n``-wide array of rank ``ndim``."""
    index = creation_ops.range(n, dtype="int64")
    return tuple(index for _ in range(ndim))
