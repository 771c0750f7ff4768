"""Reduction primitives: sums, extrema, products, logical reductions, arg-extrema, scans.

Axes are normalised to a sorted tuple of non-negative ints before binding, and
``keepdims`` is an attribute; gradients re-expand the reduced axes with ``reshape``
and let broadcasting (undone by the walker) do the rest.

Gradient notes:

- ``reduce_max``/``reduce_min`` split the cotangent evenly among tied extrema, as TF.
- ``reduce_prod`` differentiates through "the product of all the others", built from
  exclusive ``cumprod`` s, so inputs holding zeros get exact gradients (no division).
- ``cumprod`` divides by the input in its VJP (as TF does), so its own gradient at an
  exact zero is replaced by 0 (``divide_no_nan``).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define, first_input_axis
from fluxion.core.primitives import elementwise
from fluxion.core.primitives.broadcast import broadcast_like
from fluxion.core.shape_rules import normalize_axes
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple


def reduced_shape(shape: tuple, axes: tuple | None, keepdims: bool) -> tuple:
    if axes is None:  # every axis, whatever the rank at run time
        axes = tuple(range(len(shape)))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduce_rule(x: Aval, axes: tuple | None, keepdims: bool) -> Aval:
    for a in axes or ():
        if not 0 <= a < max(len(x.shape), 1):
            raise ValueError(f"axis {a} is out of range for a tensor of rank {len(x.shape)}")
    return Aval(reduced_shape(x.shape, axes, keepdims), x.dtype)


def all_axes_or(x: Tensor, axis) -> tuple | None:
    """``axis`` as sorted non-negative axes; None ("every axis") for a symbolic scalar.

    A TF 1 placeholder of unknown rank is built as a scalar and fed any shape: for it,
    ``reduce_sum(x)`` must reduce whatever rank arrives, which the kernels do with
    ``axis=None``.  For a true scalar both mean the same.
    """
    shape = shape_tuple(x)
    if axis is None and not shape and x._value is None:
        return None
    return normalize_axes(_axis_value(axis), len(shape))


def keep_reduced_axes(g: Tensor, x: Tensor, axes: tuple, keepdims: bool) -> Tensor:
    """Reshapes a reduced cotangent so it broadcasts against ``x`` again."""
    if keepdims or not axes:
        return g
    from fluxion.core.primitives.shape import reshape

    shape = shape_tuple(x)
    kept = tuple(1 if i in axes else (-1 if d is None else d) for i, d in enumerate(shape))
    if kept.count(-1) > 1:
        from fluxion.core.primitives.shape import expand_dims

        for axis in axes:
            g = expand_dims(g, axis)
        return g
    return reshape(g, kept)


def _sum_vjp(g, xs, out, axes, keepdims):
    return (broadcast_like(keep_reduced_axes(g, xs[0], axes, keepdims), xs[0]),)


def _accumulate_dtype(x: np.ndarray):
    # NumPy widens small integers when summing; TF keeps the input dtype.
    return x.dtype if x.dtype.kind in "iub" else None


reduce_sum_p = define(
    "reduce_sum", lambda x, axes, keepdims: np.sum(x, axis=axes, keepdims=keepdims,
                                                   dtype=_accumulate_dtype(x)),
    _reduce_rule, _sum_vjp)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sum over ``axis`` (all axes when None), as ``tf.reduce_sum``."""
    x = convert_to_tensor(input_tensor)
    axes = all_axes_or(x, axis)
    if x.dtype.is_bool:
        from fluxion.core.dtypes import int32
        from fluxion.core.primitives.elementwise import cast

        x = cast(x, int32)
    return bind(reduce_sum_p, x, axes=axes, keepdims=bool(keepdims))


def _axis_value(axis):
    """A static axis (int, list or None) from a Python value, NumPy value or Tensor."""
    if isinstance(axis, Tensor):
        axis = axis._value
    if isinstance(axis, (np.ndarray, np.generic)):
        return axis.tolist()
    return axis


def _logical_rule(x: Aval, axes: tuple, keepdims: bool) -> Aval:
    if not x.dtype.is_bool:
        raise TypeError(f"expected a bool tensor, got dtype {x.dtype.name}")
    return _reduce_rule(x, axes, keepdims)


# --- extrema ------------------------------------------------------------------------------
def _extremum_kernel(reducer, fill):
    def kernel(x, axes, keepdims):
        if x.size == 0:  # TF reduces an empty set to the identity (-inf for max)
            return reducer(x, axis=axes, keepdims=keepdims, initial=fill(x.dtype))
        return reducer(x, axis=axes, keepdims=keepdims)

    return kernel


def _lowest(dtype):
    return -np.inf if dtype.kind in "fc" else np.iinfo(dtype).min if dtype.kind in "iu" \
        else False


def _highest(dtype):
    return np.inf if dtype.kind in "fc" else np.iinfo(dtype).max if dtype.kind in "iu" \
        else True


def _extremum_vjp(g, xs, out, axes, keepdims):
    """The cotangent goes to the inputs equal to the extremum, split evenly among ties."""
    x = xs[0]
    extremum = keep_reduced_axes(out, x, axes, keepdims)
    hits = elementwise.cast(elementwise.equal(x, extremum), x.dtype)
    count = bind(reduce_sum_p, hits, axes=axes, keepdims=True)
    return (hits * (keep_reduced_axes(g, x, axes, keepdims) / count),)


reduce_max_p = define("reduce_max", _extremum_kernel(np.max, _lowest), _reduce_rule,
                      _extremum_vjp)
reduce_min_p = define("reduce_min", _extremum_kernel(np.min, _highest), _reduce_rule,
                      _extremum_vjp)


# --- product ------------------------------------------------------------------------------
def _product_of_others(x: Tensor, axes: tuple) -> Tensor:
    """For each element, the product of all the *other* elements of its reduced block.

    With reduced axes a1..an, the other elements j of i's block split by the first axis
    a_m on which j differs from i; their product is the exclusive product along a_m of
    x already multiplied out over a_(m+1)..a_n.  No division, so zeros are exact.
    """
    result = None
    for m, axis in enumerate(axes):
        rest = axes[m + 1:]
        block = bind(reduce_prod_p, x, axes=rest, keepdims=True) if rest else x
        before = cumprod(block, axis, exclusive=True)
        after = cumprod(block, axis, exclusive=True, reverse=True)
        term = before * after
        result = term if result is None else result * term
    return result


def _prod_vjp(g, xs, out, axes, keepdims):
    x = xs[0]
    g = keep_reduced_axes(g, x, axes, keepdims)
    if not axes:
        return (g,)
    return (g * _product_of_others(x, axes),)


reduce_prod_p = define(
    "reduce_prod", lambda x, axes, keepdims: np.prod(x, axis=axes, keepdims=keepdims,
                                                     dtype=_accumulate_dtype(x)),
    _reduce_rule, _prod_vjp)


# --- logical reductions (no gradient) ---------------------------------------------------------
reduce_any_p = define(
    "reduce_any", lambda x, axes, keepdims: np.any(x, axis=axes, keepdims=keepdims),
    _logical_rule)
reduce_all_p = define(
    "reduce_all", lambda x, axes, keepdims: np.all(x, axis=axes, keepdims=keepdims),
    _logical_rule)


# --- arg-extrema (integer outputs, no gradient) --------------------------------------------
def _arg_rule(x: Aval, axis: int, output_type) -> Aval:
    rank = len(x.shape)
    if not 0 <= axis < rank:
        raise ValueError(f"axis {axis} is out of range for a tensor of rank {rank} "
                         f"(shape {list(x.shape)})")
    if output_type not in (dtypes.int32, dtypes.int64, dtypes.int16, dtypes.uint16):
        raise TypeError(f"output_type must be int32, int64, int16 or uint16, got "
                        f"{output_type.name}")
    if x.shape[axis] == 0:
        raise ValueError(f"cannot take the arg-extremum over an empty axis {axis} "
                         f"(shape {list(x.shape)})")
    return Aval(x.shape[:axis] + x.shape[axis + 1:], output_type)


argmax_p = define(
    "argmax", lambda x, axis, output_type: np.argmax(x, axis=axis).astype(
        output_type.np_dtype), _arg_rule)
argmin_p = define(
    "argmin", lambda x, axis, output_type: np.argmin(x, axis=axis).astype(
        output_type.np_dtype), _arg_rule)


# --- scans --------------------------------------------------------------------------------
def _scan_kernel(accumulate, identity):
    def kernel(x, axis, exclusive, reverse):
        if reverse:
            x = np.flip(x, axis)
        out = accumulate(x, axis=axis, dtype=x.dtype)
        if exclusive and x.shape[axis]:
            out = np.roll(out, 1, axis=axis)
            out[(slice(None),) * axis + (0,)] = identity
        if reverse:
            out = np.flip(out, axis)
        return np.ascontiguousarray(out)

    return kernel


def _scan_rule(x: Aval, axis: int, exclusive: bool, reverse: bool) -> Aval:
    rank = len(x.shape)
    if not 0 <= axis < rank:
        raise ValueError(f"axis {axis} is out of range for a tensor of rank {rank} "
                         f"(shape {list(x.shape)})")
    if x.dtype.is_bool:
        raise TypeError("expected a numeric tensor, got dtype bool")
    return x


def _cumsum_vjp(g, xs, out, axis, exclusive, reverse):
    return (cumsum(g, axis, exclusive=exclusive, reverse=not reverse),)


def _cumprod_vjp(g, xs, out, axis, exclusive, reverse):
    # d out_k / d x_i = out_k / x_i for every k that includes i: TF's rule.
    x = xs[0]
    summed = cumsum(g * out, axis, exclusive=exclusive, reverse=not reverse)
    nonzero = elementwise.not_equal(x, elementwise.zeros_like(x))
    safe_x = elementwise.select(nonzero, x, elementwise.ones_like(x))
    return (elementwise.select(nonzero, summed / safe_x, elementwise.zeros_like(summed)),)


cumsum_p = define("cumsum", _scan_kernel(np.cumsum, 0), _scan_rule, _cumsum_vjp,
                  canonicalize=first_input_axis())
cumprod_p = define("cumprod", _scan_kernel(np.cumprod, 1), _scan_rule, _cumprod_vjp,
                   canonicalize=first_input_axis())


def cumsum(x, axis=0, exclusive=False, reverse=False) -> Tensor:
    """Cumulative sum along ``axis`` (the core of ``tf.math.cumsum``)."""
    x = convert_to_tensor(x)
    axis = _scan_axis(axis, x)
    return bind(cumsum_p, x, axis=axis, exclusive=bool(exclusive), reverse=bool(reverse))


def cumprod(x, axis=0, exclusive=False, reverse=False) -> Tensor:
    """Cumulative product along ``axis`` (the core of ``tf.math.cumprod``)."""
    x = convert_to_tensor(x)
    axis = _scan_axis(axis, x)
    return bind(cumprod_p, x, axis=axis, exclusive=bool(exclusive), reverse=bool(reverse))


def _scan_axis(axis, x: Tensor) -> int:
    from fluxion.core.shape_rules import normalize_axis

    return normalize_axis(int(_axis_value(axis)), len(shape_tuple(x)))
