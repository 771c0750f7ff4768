"""Reduction primitives: sums, extrema, products, logical reductions over axes.

Axes are normalised to a sorted tuple of non-negative ints before binding, and
``keepdims`` is an attribute; gradients re-expand the reduced axes with ``reshape``
and let broadcasting (undone by the walker) do the rest.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.broadcast import broadcast_like
from fluxion.core.shape_rules import normalize_axes
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple


def reduced_shape(shape: tuple, axes: tuple, keepdims: bool) -> tuple:
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduce_rule(x: Aval, axes: tuple, keepdims: bool) -> Aval:
    for a in axes:
        if not 0 <= a < max(len(x.shape), 1):
            raise ValueError(f"axis {a} is out of range for a tensor of rank {len(x.shape)}")
    return Aval(reduced_shape(x.shape, axes, keepdims), x.dtype)


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


reduce_sum_p = define(
    "reduce_sum", lambda x, axes, keepdims: np.sum(x, axis=axes, keepdims=keepdims),
    _reduce_rule, _sum_vjp)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sum over ``axis`` (all axes when None), as ``tf.reduce_sum``."""
    x = convert_to_tensor(input_tensor)
    axes = normalize_axes(_axis_value(axis), len(shape_tuple(x)))
    if x.dtype.is_bool:
        from fluxion.core.dtypes import int32
        from fluxion.core.primitives.elementwise import cast

        x = cast(x, int32)
    return bind(reduce_sum_p, x, axes=axes, keepdims=bool(keepdims))


def _axis_value(axis):
    if isinstance(axis, Tensor):
        value = axis._value
        return int(value) if value.ndim == 0 else [int(a) for a in value]
    return axis
