"""``keras.ops`` reductions, scans, sorting and statistics (``sum``, ``mean``, ``argmax``,
``cumsum``, ``sort``, ``median``, ``quantile``, the ``nan*`` family...).

``axis`` is None (every axis), an int or a tuple/list of ints, as in NumPy.  Keras's
result dtypes: ``sum``/``prod`` widen bool and small integers (to int32, or uint32 for
unsigned); ``mean``, ``var``, ``std``, ``median``... give ``floatx()`` for integers;
``argmax``, ``argsort`` and ``count_nonzero`` give int32.

>>> from fluxion.keras import ops
>>> ops.sum([[1, 2], [3, 4]], axis=0).numpy()
array([4, 6], dtype=int32)
"""

from __future__ import annotations

from fluxion.keras.ops.promotion import export, float_tensor, standardize_dtype, tensor
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops, sort_ops

__all__ = [
    "sum", "prod", "mean", "max", "min", "amax", "amin", "all", "any", "var", "std",
    "argmax", "argmin", "cumsum", "cumprod", "count_nonzero", "sort", "argsort", "median",
    "quantile", "percentile", "average", "ptp", "diff", "nansum", "nanmean", "nanmax",
    "nanmin", "nanprod", "nanvar", "nanstd", "trapezoid",
]

_WIDE = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
         "uint16": "uint32"}


def _axis(axis):
    if axis is None or isinstance(axis, int):
        return axis
    return list(axis)


def _widened(x):
    wide = _WIDE.get(x.dtype.name)
    return array_ops.cast(x, wide) if wide is not None else x


def sum(x, axis=None, keepdims: bool = False):  # noqa: A001 - Keras's name
    """Sum over ``axis``; bool and 8/16-bit integers are summed as 32-bit integers."""
    return reduce_ops.reduce_sum(_widened(tensor(x)), axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims: bool = False, dtype=None):
    """Product over ``axis``; ``dtype`` casts first."""
    x = tensor(x, standardize_dtype(dtype))
    return reduce_ops.reduce_prod(_widened(x), axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False):
    """Arithmetic mean over ``axis``; integers give ``floatx()``."""
    return reduce_ops.reduce_mean(float_tensor(x), axis=_axis(axis), keepdims=keepdims)


def _extreme(reduce_op, combine):
    def op(x, axis=None, keepdims: bool = False, initial=None):
        x = tensor(x)
        result = reduce_op(x, axis=_axis(axis), keepdims=keepdims)
        if initial is not None:
            result = combine(result, array_ops.cast(initial, result.dtype))
        return result

    return op


def _bool_extreme(reduce_op, bool_op):
    def op(x, axis=None, keepdims: bool = False):
        return (bool_op if x.dtype.is_bool else reduce_op)(x, axis=axis, keepdims=keepdims)

    return op


_max = _extreme(_bool_extreme(reduce_ops.reduce_max, reduce_ops.reduce_any), math_ops.maximum)
_min = _extreme(_bool_extreme(reduce_ops.reduce_min, reduce_ops.reduce_all), math_ops.minimum)


def max(x, axis=None, keepdims: bool = False, initial=None):  # noqa: A001 - Keras's name
    """Largest element over ``axis``; ``initial`` is a lower bound for the result."""
    return _max(x, axis, keepdims, initial)


def min(x, axis=None, keepdims: bool = False, initial=None):  # noqa: A001 - Keras's name
    """Smallest element over ``axis``; ``initial`` is an upper bound for the result."""
    return _min(x, axis, keepdims, initial)


def amax(x, axis=None, keepdims: bool = False):
    """Same as ``max``."""
    return _max(x, axis, keepdims)


def amin(x, axis=None, keepdims: bool = False):
    """Same as ``min``."""
    return _min(x, axis, keepdims)


def _as_bool(x):
    x = tensor(x)
    return x if x.dtype.is_bool else math_ops.not_equal(x, creation_ops.zeros_like(x))


def all(x, axis=None, keepdims: bool = False):  # noqa: A001 - Keras's name
    """Whether every element over ``axis`` is true (nonzero)."""
    return reduce_ops.reduce_all(_as_bool(x), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims: bool = False):  # noqa: A001 - Keras's name
    """Whether some element over ``axis`` is true (nonzero)."""
    return reduce_ops.reduce_any(_as_bool(x), axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims: bool = False):
    """Population variance over ``axis`` (NumPy's ``ddof=0``)."""
    return reduce_ops.reduce_variance(float_tensor(x), axis=_axis(axis), keepdims=keepdims)


def std(x, axis=None, keepdims: bool = False):
    """Population standard deviation over ``axis``."""
    return reduce_ops.reduce_std(float_tensor(x), axis=_axis(axis), keepdims=keepdims)


def _flat_or(x, axis):
    """``(x, axis)``, with ``x`` flattened and axis 0 when ``axis`` is None."""
    x = tensor(x)
    if axis is None:
        return array_ops.reshape(x, [-1]), 0
    return x, axis


def _arg(engine_op):
    def op(x, axis=None, keepdims: bool = False):
        x = tensor(x)
        if x.dtype.is_bool:
            x = array_ops.cast(x, "int32")
        flat, along = _flat_or(x, axis)
        result = engine_op(flat, axis=along, output_type="int32")
        if keepdims:
            if axis is None:
                return array_ops.reshape(result, [1] * x.ndim)
            return array_ops.expand_dims(result, axis)
        return result

    return op


_argmax = _arg(reduce_ops.argmax)
_argmin = _arg(reduce_ops.argmin)


def argmax(x, axis=None, keepdims: bool = False):
    """Index (int32) of the largest element along ``axis`` (of the flattened ``x`` when
    None); the first one on ties."""
    return _argmax(x, axis, keepdims)


def argmin(x, axis=None, keepdims: bool = False):
    """Index (int32) of the smallest element along ``axis``; the first one on ties."""
    return _argmin(x, axis, keepdims)


def _scan(engine_op, x, axis, dtype):
    x = tensor(x, standardize_dtype(dtype))
    if x.dtype.is_bool:
        x = array_ops.cast(x, "int32")
    x, axis = _flat_or(x, axis)
    return engine_op(x, axis=axis)


def cumsum(x, axis=None, dtype=None):
    """Running sum along ``axis`` (of the flattened ``x`` when None)."""
    return _scan(reduce_ops.cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    """Running product along ``axis`` (of the flattened ``x`` when None)."""
    return _scan(reduce_ops.cumprod, x, axis, dtype)


def count_nonzero(x, axis=None):
    """Number of nonzero elements over ``axis``, as int32."""
    return reduce_ops.count_nonzero(tensor(x), axis=_axis(axis), dtype="int32")


def sort(x, axis: int = -1):
    """``x`` sorted ascending along ``axis`` (the flattened ``x`` when None)."""
    x, axis = _flat_or(x, axis)
    if x.dtype.is_bool:
        return array_ops.cast(sort_ops.sort(array_ops.cast(x, "int32"), axis=axis), "bool")
    return sort_ops.sort(x, axis=axis)


def argsort(x, axis: int = -1):
    """The int32 indices that sort ``x`` along ``axis`` (stable)."""
    x, axis = _flat_or(x, axis)
    if x.dtype.is_bool:
        x = array_ops.cast(x, "int32")
    return sort_ops.argsort(x, axis=axis, stable=True)


def _quantiles(x, q, axis, keepdims: bool, method: str):
    """Quantiles ``q`` (in [0, 1]) along ``axis``, with NumPy's interpolation methods."""
    x = float_tensor(x)
    ndim = x.ndim
    axes = list(range(ndim)) if axis is None else (
        [axis] if isinstance(axis, int) else list(axis))
    axes = sorted(a % ndim for a in axes) if ndim else []
    kept = [a for a in range(ndim) if a not in axes]
    # Move the reduced axes last and merge them, then sort along the last axis.
    moved = array_ops.transpose(x, kept + axes) if ndim else array_ops.reshape(x, [1])
    kept_shape = [x.shape[a] for a in kept]
    flat = array_ops.reshape(moved, [-1 if d is None else d for d in kept_shape] + [-1])
    ordered = sort_ops.sort(flat, axis=-1)
    count = array_ops.cast(creation_ops.shape(ordered)[-1], x.dtype)
    q = array_ops.cast(tensor(q), x.dtype)
    position = q * (count - 1)
    low, high = math_ops.floor(position), math_ops.ceil(position)
    if method == "lower":
        position = low
    elif method == "higher":
        position = high
    elif method == "nearest":
        position = math_ops.round(position)
    elif method == "midpoint":
        position = (low + high) / 2
    elif method != "linear":
        raise ValueError(f"`method` must be one of 'linear', 'lower', 'higher', 'midpoint' "
                         f"or 'nearest'. Received: method={method!r}")
    low, high = math_ops.floor(position), math_ops.ceil(position)
    below = array_ops.gather(ordered, array_ops.cast(low, "int32"), axis=-1)
    above = array_ops.gather(ordered, array_ops.cast(high, "int32"), axis=-1)
    fraction = position - low
    result = below + (above - below) * fraction
    # Quantile axes (if q is a vector) come first, as in NumPy.
    if q.ndim:
        result = array_ops.transpose(result, [result.ndim - 1] + list(range(result.ndim - 1)))
    if keepdims:
        shape = [1 if a in axes else (-1 if x.shape[a] is None else x.shape[a])
                 for a in range(ndim)]
        result = array_ops.reshape(result, list(q.shape) + shape)
    return result


def median(x, axis=None, keepdims: bool = False):
    """The median over ``axis``; integers give ``floatx()``."""
    return _quantiles(x, 0.5, axis, keepdims, "linear")


def quantile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """The ``q``-th quantiles (``q`` in [0, 1]) over ``axis``, as ``numpy.quantile``."""
    return _quantiles(x, q, axis, keepdims, method)


def percentile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """The ``q``-th percentiles (``q`` in [0, 100]) over ``axis``."""
    return _quantiles(x, array_ops.cast(tensor(q), "float64") / 100, axis, keepdims, method)


def average(x, axis=None, weights=None):
    """The mean of ``x`` over ``axis``, weighted by ``weights`` (1-D along ``axis``, or
    ``x``'s shape)."""
    if weights is None:
        return mean(x, axis)
    from fluxion.keras.ops.promotion import promote_to_float

    x, weights = promote_to_float(x, weights)
    if axis is not None and weights.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        weights = array_ops.reshape(weights, shape)
    total = reduce_ops.reduce_sum(x * weights, axis=axis)
    return total / reduce_ops.reduce_sum(weights * creation_ops.ones_like(x), axis=axis)


def ptp(x, axis=None, keepdims: bool = False):
    """``max - min`` over ``axis``."""
    x = tensor(x)
    return (reduce_ops.reduce_max(x, axis=_axis(axis), keepdims=keepdims)
            - reduce_ops.reduce_min(x, axis=_axis(axis), keepdims=keepdims))


def diff(a, n: int = 1, axis: int = -1):
    """The ``n``-th discrete difference along ``axis``."""
    x = tensor(a)
    axis = axis % x.ndim
    upper = tuple([slice(None)] * axis + [slice(1, None)])
    lower = tuple([slice(None)] * axis + [slice(None, -1)])
    for _ in range(n):
        x = math_ops.not_equal(x[upper], x[lower]) if x.dtype.is_bool else x[upper] - x[lower]
    return x


def _nan_reduce(reduce_op, fill):
    def op(x, axis=None, keepdims: bool = False):
        x = tensor(x)
        if x.dtype.is_floating:
            x = array_ops.where(math_ops.is_nan(x), array_ops.cast(fill, x.dtype), x)
        return reduce_op(x, axis, keepdims)

    return op


def _nan_masked_stat(stat):
    def op(x, axis=None, keepdims: bool = False):
        x = float_tensor(x)
        valid = math_ops.logical_not(math_ops.is_nan(x))
        count = reduce_ops.reduce_sum(array_ops.cast(valid, x.dtype), axis=_axis(axis),
                                      keepdims=True)
        clean = array_ops.where(valid, x, creation_ops.zeros_like(x))
        mu = reduce_ops.reduce_sum(clean, axis=_axis(axis), keepdims=True) / count
        if stat == "mean":
            result = mu
        else:
            deviation = array_ops.where(valid, x - mu, creation_ops.zeros_like(x))
            result = (
                reduce_ops.reduce_sum(deviation * deviation, axis=_axis(axis), keepdims=True)
                / count
            )
            if stat == "std":
                result = math_ops.sqrt(result)
        if keepdims:
            return result
        return (
            array_ops.squeeze(result, axis=_axis(axis))
            if axis is not None
            else array_ops.reshape(result, [])
        )

    return op


def _nan_extreme(reduce_op):
    def op(x, axis=None, keepdims: bool = False):
        x = tensor(x)
        if not x.dtype.is_floating:
            return reduce_op(x, axis=_axis(axis), keepdims=keepdims)
        nan = math_ops.is_nan(x)
        fill = array_ops.cast(
            float("-inf") if reduce_op is reduce_ops.reduce_max else float("inf"), x.dtype
        )
        result = reduce_op(array_ops.where(nan, fill, x), axis=_axis(axis), keepdims=keepdims)
        all_nan = reduce_ops.reduce_all(nan, axis=_axis(axis), keepdims=keepdims)
        return array_ops.where(all_nan, array_ops.cast(float("nan"), x.dtype), result)

    return op


nansum = _nan_reduce(sum, 0)
nanprod = _nan_reduce(prod, 1)
nanmean = _nan_masked_stat("mean")
nanvar = _nan_masked_stat("var")
nanstd = _nan_masked_stat("std")
nanmax = _nan_extreme(reduce_ops.reduce_max)
nanmin = _nan_extreme(reduce_ops.reduce_min)
for _name in ("nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin"):
    globals()[_name].__name__ = globals()[_name].__qualname__ = _name
    globals()[_name].__doc__ = f"``{_name[3:]}`` over ``axis``, ignoring NaNs."


def trapezoid(y, x=None, dx: float = 1.0, axis: int = -1):
    """Integral of ``y`` along ``axis`` by the trapezoidal rule."""
    y = float_tensor(y)
    axis = axis % y.ndim
    upper = tuple([slice(None)] * axis + [slice(1, None)])
    lower = tuple([slice(None)] * axis + [slice(None, -1)])
    if x is None:
        widths = array_ops.cast(dx, y.dtype)
    else:
        x = array_ops.cast(tensor(x), y.dtype)
        if x.ndim == 1:
            shape = [1] * y.ndim
            shape[axis] = -1
            x = array_ops.reshape(x, shape)
            widths = x[upper] - x[lower]
        else:
            widths = x[upper] - x[lower]
    return reduce_ops.reduce_sum(widths * (y[upper] + y[lower]) / 2, axis=axis)


export(globals(), __all__)
