"""Reductions and scans with TensorFlow's names: ``reduce_*``, ``argmax``, ``cumsum``...

``reduce_sum/max/min/prod/any/all``, ``argmax/argmin`` and ``cumsum/cumprod`` bind the
primitives of ``fluxion.core.primitives.reduce``; the statistics (``reduce_mean``,
``reduce_variance``, ``reduce_std``, ``reduce_logsumexp``...) are composites of them.
``axis`` may be None (every axis), an int, a list, or an integer Tensor; negative axes
count from the end.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError, op_error
from fluxion.core.primitive import bind
from fluxion.core.primitives import elementwise
from fluxion.core.primitives import reduce as reduce_prims
from fluxion.core.shape_rules import normalize_axes, normalize_axis
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple

__all__ = [
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
    "reduce_all", "reduce_logsumexp", "reduce_std", "reduce_variance",
    "reduce_euclidean_norm", "argmax", "argmin", "cumsum", "cumprod", "count_nonzero",
]


def _axes(op: str, x: Tensor, axis) -> tuple:
    """``axis`` as the sorted tuple of non-negative axes the primitives take."""
    try:
        return normalize_axes(reduce_prims._axis_value(axis), len(shape_tuple(x)))
    except (ValueError, TypeError) as error:
        raise op_error(InvalidArgumentError, op, str(error)) from None


def _reduce(prim, op: str, input_tensor, axis, keepdims) -> Tensor:
    x = convert_to_tensor(input_tensor)
    axes = (
        None if axis is None and reduce_prims.all_axes_or(x, None) is None else _axes(op, x, axis)
    )
    return bind(prim, x, axes=axes, keepdims=bool(keepdims))


def _require(op: str, x: Tensor, ok: bool, expected: str) -> None:
    if not ok:
        raise op_error(TypeError, op, f"expected {expected}, got dtype {x.dtype.name}")


# --- primitive reductions ----------------------------------------------------------------------
def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sum of elements across ``axis`` (all axes when None).

    Args:
      input_tensor: the tensor to reduce (bool is summed as int32).
      axis: None, an int, a list of ints or an integer tensor.
      keepdims: keep reduced axes with length 1.

    Returns:
      The reduced tensor.

    >>> reduce_sum([[1, 2], [3, 4]], axis=0).numpy()
    array([4, 6], dtype=int32)
    """
    x = convert_to_tensor(input_tensor)
    if x.dtype.is_bool:
        x = elementwise.cast(x, dtypes.int32)
    axes = (
        None
        if axis is None and reduce_prims.all_axes_or(x, None) is None
        else _axes("reduce_sum", x, axis)
    )
    return bind(reduce_prims.reduce_sum_p, x, axes=axes, keepdims=bool(keepdims))


def reduce_max(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Maximum across ``axis``; the gradient is split evenly among tied maxima.

    >>> reduce_max([[1.0, 5.0], [3.0, 2.0]], axis=1).numpy()
    array([5., 3.], dtype=float32)
    """
    return _reduce(reduce_prims.reduce_max_p, "reduce_max", input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Minimum across ``axis``; the gradient is split evenly among tied minima.

    >>> float(reduce_min([[1.0, 5.0], [3.0, 2.0]]))
    1.0
    """
    return _reduce(reduce_prims.reduce_min_p, "reduce_min", input_tensor, axis, keepdims)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Product across ``axis``; its gradient is exact even where inputs are zero.

    >>> reduce_prod([[1.0, 2.0], [3.0, 4.0]], axis=0).numpy()
    array([3., 8.], dtype=float32)
    """
    return _reduce(reduce_prims.reduce_prod_p, "reduce_prod", input_tensor, axis, keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical OR across ``axis`` of a bool tensor.

    >>> reduce_any([[True, False], [False, False]], axis=1).numpy()
    array([ True, False])
    """
    x = convert_to_tensor(input_tensor, dtype=dtypes.bool_)
    return bind(
        reduce_prims.reduce_any_p, x, axes=_axes("reduce_any", x, axis), keepdims=bool(keepdims)
    )


def reduce_all(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical AND across ``axis`` of a bool tensor.

    >>> reduce_all([[True, False], [True, True]], axis=1).numpy()
    array([False,  True])
    """
    x = convert_to_tensor(input_tensor, dtype=dtypes.bool_)
    return bind(
        reduce_prims.reduce_all_p, x, axes=_axes("reduce_all", x, axis), keepdims=bool(keepdims)
    )


# --- statistics (composites) ----------------------------------------------------------------
def _count(x: Tensor, axes: tuple, keepdims: bool):
    """The number of elements reduced: a Python int, or a tensor if a dim is unknown."""
    shape = shape_tuple(x)
    dims = [shape[a] for a in axes]
    if None not in dims:
        return int(np.prod(dims, dtype=np.int64))
    return bind(reduce_prims.reduce_sum_p, elementwise.ones_like(x), axes=axes, keepdims=keepdims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Mean across ``axis``.  Integer tensors give the truncated integer mean, as TF.

    >>> reduce_mean([[1.0, 2.0], [3.0, 4.0]], axis=1).numpy()
    array([1.5, 3.5], dtype=float32)
    >>> int(reduce_mean([1, 2]))
    1
    """
    x = convert_to_tensor(input_tensor)
    _require("reduce_mean", x, not x.dtype.is_bool, "a numeric tensor")
    axes = _axes("reduce_mean", x, axis)
    total = bind(reduce_prims.reduce_sum_p, x, axes=axes, keepdims=bool(keepdims))
    count = _count(x, axes, bool(keepdims))
    if not isinstance(count, Tensor):  # a constant of x's dtype: skips operand conversion
        count = Tensor(np.asarray(count, dtype=x.dtype.np_dtype))
    if x.dtype.is_integer:  # C-style division: truncates toward zero
        return elementwise.sign(total) * bind(
            elementwise.floordiv_p, elementwise.abs_(total), count
        )
    return bind(elementwise.div_p, total, count)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Population variance across ``axis`` (floating-point or complex input).

    >>> float(reduce_variance([1.0, 2.0, 3.0, 4.0]))
    1.25
    """
    x = convert_to_tensor(input_tensor)
    _require(
        "reduce_variance",
        x,
        x.dtype.is_floating or x.dtype.is_complex,
        "a floating-point or complex tensor",
    )
    means = reduce_mean(x, axis, keepdims=True)
    deviations = x - means
    if x.dtype.is_complex:
        deviations = elementwise.abs_(deviations)
    return reduce_mean(elementwise.square(deviations), axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Population standard deviation across ``axis`` (floating-point input).

    >>> float(reduce_std([1.0, 3.0]))
    1.0
    """
    x = convert_to_tensor(input_tensor)
    _require(
        "reduce_std",
        x,
        x.dtype.is_floating or x.dtype.is_complex,
        "a floating-point or complex tensor",
    )
    return elementwise.sqrt(reduce_variance(x, axis, keepdims))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """``log(sum(exp(x)))`` across ``axis``, computed without overflow.

    The (finite) maximum is subtracted before ``exp`` and added back; its gradient is
    stopped, so the derivative is exactly ``softmax(x)``.

    >>> float(reduce_logsumexp([1000.0, 1000.0]))
    1000.6931...
    """
    from fluxion.ops.creation_ops import stop_gradient

    x = convert_to_tensor(input_tensor)
    _require("reduce_logsumexp", x, x.dtype.is_floating, "a floating-point tensor")
    axes = _axes("reduce_logsumexp", x, axis)
    raw_max = bind(reduce_prims.reduce_max_p, x, axes=axes, keepdims=True)
    shift = stop_gradient(
        elementwise.select(elementwise.is_finite(raw_max), raw_max, elementwise.zeros_like(raw_max))
    )
    summed = bind(
        reduce_prims.reduce_sum_p, elementwise.exp(x - shift), axes=axes, keepdims=bool(keepdims)
    )
    if not keepdims:  # drop the length-1 axes of the shift (a sum over size-1 axes)
        shift = bind(reduce_prims.reduce_sum_p, shift, axes=axes, keepdims=False)
    return elementwise.log(summed) + shift


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """``sqrt(sum(x ** 2))`` across ``axis``; integer inputs give a truncated integer.

    >>> float(reduce_euclidean_norm([3.0, 4.0]))
    5.0
    """
    x = convert_to_tensor(input_tensor)
    _require("reduce_euclidean_norm", x, x.dtype.is_numeric, "a numeric tensor")
    axes = _axes("reduce_euclidean_norm", x, axis)
    if x.dtype.is_integer:
        squares = elementwise.square(elementwise.cast(x, dtypes.float64))
        norm = elementwise.sqrt(
            bind(reduce_prims.reduce_sum_p, squares, axes=axes, keepdims=bool(keepdims))
        )
        return elementwise.cast(norm, x.dtype)
    squares = (
        elementwise.square(elementwise.abs_(x)) if x.dtype.is_complex else elementwise.square(x)
    )
    return elementwise.sqrt(
        bind(reduce_prims.reduce_sum_p, squares, axes=axes, keepdims=bool(keepdims))
    )


def count_nonzero(
    input,
    axis=None,
    keepdims=None,
    dtype=dtypes.int64,  # noqa: A002
    name=None,
) -> Tensor:
    """The number of non-zero (non-False) elements across ``axis``, as ``dtype``.

    >>> count_nonzero([[1, 0], [0, 3]], axis=1).numpy()
    array([1, 1])
    """
    x = convert_to_tensor(input)
    axes = _axes("count_nonzero", x, axis)
    nonzero = elementwise.cast(elementwise.not_equal(x, elementwise.zeros_like(x)), dtypes.int64)
    counted = bind(reduce_prims.reduce_sum_p, nonzero, axes=axes, keepdims=bool(keepdims))
    return elementwise.cast(counted, dtypes.as_dtype(dtype))


# --- arg-extrema ------------------------------------------------------------------------------
def _arg(prim, op: str, input, axis, output_type) -> Tensor:
    x = convert_to_tensor(input)
    rank = len(shape_tuple(x))
    axis = 0 if axis is None else reduce_prims._axis_value(axis)
    try:
        axis = normalize_axis(int(axis), rank)
    except ValueError as error:
        raise op_error(InvalidArgumentError, op, str(error)) from None
    if x.dtype.is_bool or x.dtype.is_complex:
        raise op_error(TypeError, op, f"expected a real numeric tensor, got dtype {x.dtype.name}")
    return bind(prim, x, axis=axis, output_type=dtypes.as_dtype(output_type))


def argmax(input, axis=None, output_type=dtypes.int64, name=None) -> Tensor:  # noqa: A002
    """The index of the largest value along ``axis`` (0 when None); first one on ties.

    >>> argmax([[1, 9], [7, 2]], axis=1).numpy()
    array([1, 0])
    """
    return _arg(reduce_prims.argmax_p, "argmax", input, axis, output_type)


def argmin(input, axis=None, output_type=dtypes.int64, name=None) -> Tensor:  # noqa: A002
    """The index of the smallest value along ``axis`` (0 when None); first one on ties.

    >>> argmin([[1, 9], [7, 2]], axis=1).numpy()
    array([0, 1])
    """
    return _arg(reduce_prims.argmin_p, "argmin", input, axis, output_type)


# --- scans ------------------------------------------------------------------------------------
def _scan(fn, op: str, x, axis, exclusive, reverse) -> Tensor:
    x = convert_to_tensor(x)
    if x.dtype.is_bool:
        raise op_error(TypeError, op, "expected a numeric tensor, got dtype bool")
    try:
        return fn(x, axis, exclusive, reverse)
    except ValueError as error:
        if isinstance(error, InvalidArgumentError):
            raise
        raise op_error(InvalidArgumentError, op, str(error)) from None


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Cumulative sum along ``axis``.

    Args:
      x: the tensor.
      axis: the axis to scan (an int or scalar tensor).
      exclusive: leave each element out of its own sum (the first output is 0).
      reverse: scan from the end.

    >>> cumsum([1, 2, 3], exclusive=True, reverse=True).numpy()
    array([5, 3, 0], dtype=int32)
    """
    return _scan(reduce_prims.cumsum, "cumsum", x, axis, exclusive, reverse)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Cumulative product along ``axis`` (``exclusive``/``reverse`` as in ``cumsum``).

    >>> cumprod([1.0, 2.0, 3.0]).numpy()
    array([1., 2., 6.], dtype=float32)
    """
    return _scan(reduce_prims.cumprod, "cumprod", x, axis, exclusive, reverse)
