"""``keras.ops`` array creation: ``arange``, ``linspace``, ``ones``, ``full``, ``eye``,
``tri``/``tril``/``triu``, ``*_like``, ``meshgrid``...

Keras defaults: created arrays are ``floatx()`` unless ``dtype`` says otherwise, except
``arange`` (whose dtype follows its arguments: ints give int32) and ``*_like`` (the
input's dtype).

>>> from fluxion.keras import ops
>>> ops.arange(3).numpy(), ops.ones((2,)).dtype.name
(array([0, 1, 2], dtype=int32), 'float32')
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.keras import config
from fluxion.keras.ops.promotion import export, result_type, standardize_dtype, tensor
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops

__all__ = [
    "arange", "linspace", "logspace", "geomspace", "ones", "zeros", "full", "empty",
    "ones_like", "zeros_like", "full_like", "empty_like", "eye", "identity", "tri", "tril",
    "triu", "meshgrid", "array", "copy",
]


def _dtype(dtype) -> str:
    return standardize_dtype(dtype) or config.floatx()


def _shape(shape):
    if isinstance(shape, int):
        return [shape]
    return shape


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (``[0, start)`` when ``stop`` is None).

    >>> arange(1, 2, 0.25).numpy()
    array([1.  , 1.25, 1.5 , 1.75], dtype=float32)
    """
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    dtype = standardize_dtype(dtype) or result_type(start, stop, step)
    start, stop, step = (tensor(v, dtype) for v in (start, stop, step))
    return creation_ops.range(start, stop, step, dtype=dtype)


def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype=None, axis: int = 0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (included when ``endpoint``).

    Array ``start``/``stop`` give one sequence per element, laid along ``axis``.
    """
    out_dtype = standardize_dtype(dtype) or result_type(start, stop, float)
    compute = out_dtype if dtypes.as_dtype(out_dtype).is_floating else config.floatx()
    start, stop = tensor(start, compute), tensor(stop, compute)
    divisions = num - 1 if endpoint else num
    step = (stop - start) / max(divisions, 1)
    steps = creation_ops.range(num, dtype="int32")
    steps = array_ops.cast(steps, compute)
    shape = [-1] + [1] * max(start.ndim, stop.ndim)
    values = start + array_ops.reshape(steps, shape) * step
    if endpoint and num > 1:
        last = array_ops.expand_dims(stop + creation_ops.zeros_like(values[0]), 0)
        values = array_ops.concat([values[:-1], last], axis=0)
    if values.ndim > 1 and axis != 0:
        axis = axis % values.ndim
        perm = list(range(1, values.ndim))
        perm.insert(axis, 0)
        values = array_ops.transpose(values, perm)
    if not dtypes.as_dtype(out_dtype).is_floating:
        values = array_ops.cast(math_ops.floor(values), out_dtype)
    if retstep:
        return values, step
    return values


def logspace(start, stop, num: int = 50, endpoint: bool = True, base=10, dtype=None,
             axis: int = 0):
    """``base ** linspace(start, stop, num)``."""
    exponents = linspace(start, stop, num, endpoint, dtype=None, axis=axis)
    values = math_ops.pow(array_ops.cast(base, exponents.dtype), exponents)
    return array_ops.cast(values, standardize_dtype(dtype)) if dtype is not None else values


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None, axis: int = 0):
    """``num`` values spaced evenly on a log scale from ``start`` to ``stop``."""
    start, stop = tensor(start, config.floatx()), tensor(stop, config.floatx())
    values = math_ops.exp(
        linspace(math_ops.log(start), math_ops.log(stop), num, endpoint, axis=axis)
    )
    return array_ops.cast(values, standardize_dtype(dtype)) if dtype is not None else values


def ones(shape, dtype=None):
    """A tensor of ones, ``floatx()`` by default."""
    return creation_ops.ones(_shape(shape), dtype=_dtype(dtype))


def zeros(shape, dtype=None):
    """A tensor of zeros, ``floatx()`` by default."""
    return creation_ops.zeros(_shape(shape), dtype=_dtype(dtype))


def empty(shape, dtype=None):
    """A tensor to be overwritten (here: zeros), ``floatx()`` by default."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of ``fill_value`` (``floatx()`` by default); an array value broadcasts."""
    dtype = _dtype(dtype)
    return array_ops.broadcast_to(tensor(fill_value, dtype), _shape(shape))


def ones_like(x, dtype=None):
    """Ones shaped like ``x``, in ``x``'s dtype unless ``dtype`` is given."""
    return creation_ops.ones_like(tensor(x), dtype=standardize_dtype(dtype))


def zeros_like(x, dtype=None):
    """Zeros shaped like ``x``, in ``x``'s dtype unless ``dtype`` is given."""
    return creation_ops.zeros_like(tensor(x), dtype=standardize_dtype(dtype))


def empty_like(x, dtype=None):
    """Same as ``zeros_like``."""
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    """``fill_value`` shaped like ``x``, in ``x``'s dtype unless ``dtype`` is given."""
    x = tensor(x)
    dtype = standardize_dtype(dtype) or x.dtype.name
    return array_ops.broadcast_to(tensor(fill_value, dtype), creation_ops.shape(x))


def _band(rows, cols, k: int, lower: bool):
    row = array_ops.reshape(creation_ops.range(rows), [-1, 1])
    col = array_ops.reshape(creation_ops.range(cols), [1, -1])
    return (col - row <= k) if lower else (col - row >= k)


def eye(N, M=None, k: int = 0, dtype=None):
    """An ``N x M`` matrix with ones on the ``k``-th diagonal."""
    M = N if M is None else M
    row = array_ops.reshape(creation_ops.range(N), [-1, 1])
    col = array_ops.reshape(creation_ops.range(M), [1, -1])
    return array_ops.cast(array_ops.equal(col - row, k), _dtype(dtype))


def identity(n, dtype=None):
    """The ``n x n`` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k: int = 0, dtype=None):
    """An ``N x M`` matrix with ones at and below the ``k``-th diagonal."""
    M = N if M is None else M
    return array_ops.cast(_band(N, M, k, lower=True), _dtype(dtype))


def _triangle(x, k: int, lower: bool):
    x = tensor(x)
    rows, cols = x.shape[-2], x.shape[-1]
    if rows is not None and cols is not None:
        mask = _band(rows, cols, k, lower)
    else:  # sizes known only at run time: index grids from running sums of ones
        ones = creation_ops.ones_like(x, "int32")
        row, col = reduce_ops.cumsum(ones, axis=-2), reduce_ops.cumsum(ones, axis=-1)
        mask = (col - row <= k) if lower else (col - row >= k)
    return array_ops.where(mask, x, creation_ops.zeros_like(x))


def tril(x, k: int = 0):
    """``x`` with the elements above the ``k``-th diagonal zeroed (last two axes)."""
    return _triangle(x, k, lower=True)


def triu(x, k: int = 0):
    """``x`` with the elements below the ``k``-th diagonal zeroed (last two axes)."""
    return _triangle(x, k, lower=False)


def meshgrid(*x, indexing: str = "xy"):
    """Coordinate grids from 1-D arrays; ``indexing`` is "xy" (Cartesian) or "ij"."""
    if indexing not in ("xy", "ij"):
        raise ValueError(
            f"Valid values for `indexing` are 'xy' and 'ij'. Received: indexing={indexing!r}"
        )
    return array_ops.meshgrid(*[tensor(v) for v in x], indexing=indexing)


def array(x, dtype=None):
    """``x`` as a tensor (cast to ``dtype`` when given)."""
    return tensor(x, standardize_dtype(dtype))


def copy(x):
    """A copy of ``x``."""
    return creation_ops.identity(tensor(x))


export(globals(), __all__)
