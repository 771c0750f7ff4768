"""The two primitives the autodiff walker uses to undo and redo broadcasting.

``sum_to_like(g, x)`` sums ``g`` down to ``x``'s shape (the adjoint of broadcasting);
``broadcast_like(x, y)`` broadcasts ``x`` to ``y``'s shape.  Both take the target as a
tensor rather than a static shape, so they also work in traced graphs whose
dimensions are unknown (``None``) until run time.
"""

from __future__ import annotations

import math

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
    if axes == tuple(range(lead)) and lead:
        return _sum_leading(g, lead).reshape(shape)
    summed = g.sum(axis=axes, keepdims=True) if axes else g
    return summed.reshape(shape)


def _sum_leading(g: np.ndarray, lead: int) -> np.ndarray:
    """``g`` summed over its ``lead`` leading axes (a bias gradient, typically).

    NumPy reduces the leading axis of a ``[rows, C]`` array one short row at a time; for
    big float arrays a product with a ones vector runs on BLAS, over rows widened to at
    least ~1,000 elements, and is several times faster (and sums in blocks, so it is
    more accurate too).
    """
    # math.prod: np.prod of a shape tuple costs ~2 us, a share of a small step.
    rows, inner = math.prod(g.shape[:lead]), math.prod(g.shape[lead:])
    if (g.dtype not in (np.float32, np.float64) or rows < 256 or not inner
            or not g.flags.c_contiguous):
        return g.sum(axis=tuple(range(lead)))
    fold = 1
    while inner * fold < 1024 and rows % (fold * 2) == 0:
        fold *= 2
    wide = g.reshape(rows // fold, fold * inner)
    return (np.ones(rows // fold, g.dtype) @ wide).reshape(fold, inner).sum(axis=0)


def _sum_to_like_rule(g: Aval, like: Aval) -> Aval:
    broadcast_shapes(g.shape, like.shape)
    return Aval(like.shape, g.dtype)


def _broadcast_like_rule(x: Aval, like: Aval) -> Aval:
    return Aval(broadcast_shapes(x.shape, like.shape), x.dtype)


sum_to_like_p = define(
    "sum_to_like", lambda g, like: sum_to_shape_kernel(g, like.shape), _sum_to_like_rule,
    lambda gg, xs, out: (broadcast_like(gg, xs[0]), None), shape_only=(1,),
    identity_when_same_shape=True)
broadcast_like_p = define(
    "broadcast_like", lambda x, like: np.broadcast_to(x, np.broadcast_shapes(x.shape, like.shape)),
    _broadcast_like_rule, lambda gg, xs, out: (sum_to_like(gg, xs[0]), None), shape_only=(1,),
    identity_when_same_shape=True)


def sum_to_like(g, like):
    return bind(sum_to_like_p, g, like)


def broadcast_like(x, like):
    return bind(broadcast_like_p, x, like)
