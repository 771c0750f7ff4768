"""The two primitives the autodiff walker uses to undo and redo broadcasting.

``sum_to_like(g, x)`` sums ``g`` down to ``x``'s shape (the adjoint of broadcasting);
``broadcast_like(x, y)`` broadcasts ``x`` to ``y``'s shape.  Both take the target as a
tensor rather than a static shape, so they also work in traced graphs whose
dimensions are unknown (``None``) until run time.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.shape_rules import broadcast_shapes


def sum_to_shape_kernel(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sums ``g`` over the leading and the size-1 axes that broadcasting added."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and g.shape[lead + i] != 1)
    summed = g.sum(axis=axes, keepdims=True) if axes else g
    return summed.reshape(shape)


def _sum_to_like_rule(g: Aval, like: Aval) -> Aval:
    broadcast_shapes(g.shape, like.shape)
    return Aval(like.shape, g.dtype)


def _broadcast_like_rule(x: Aval, like: Aval) -> Aval:
    return Aval(broadcast_shapes(x.shape, like.shape), x.dtype)


sum_to_like_p = define(
    "sum_to_like", lambda g, like: sum_to_shape_kernel(g, like.shape), _sum_to_like_rule,
    lambda gg, xs, out: (broadcast_like(gg, xs[0]), None))
broadcast_like_p = define(
    "broadcast_like", lambda x, like: np.broadcast_to(x, np.broadcast_shapes(x.shape, like.shape)),
    _broadcast_like_rule, lambda gg, xs, out: (sum_to_like(gg, xs[0]), None))


def sum_to_like(g, like):
    return bind(sum_to_like_p, g, like)


def broadcast_like(x, like):
    return bind(broadcast_like_p, x, like)
