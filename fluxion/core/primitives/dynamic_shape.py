"""Reshape and broadcast to a shape known only at run time (a traced shape tensor).

Inside a traced function ``tf.shape(x)`` is symbolic, so ``tf.reshape(y, tf.shape(x))``
or ``tf.broadcast_to(y, [tf.shape(x)[0], 3])`` cannot turn the shape into Python ints.
These primitives take the shape as a tensor input.  Their shape rules keep what is
static: a dimension given as a Python int (or -1 resolved from the others) stays known.
``reshape_like`` reshapes to another tensor's run-time shape (the shape gradients' tool).
The composites that build the shape tensor (``shape.reshape_dynamic``) sit with ``stack``
in ``shape``, above this module.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.broadcast import sum_to_like
from fluxion.core.tensor import Tensor, shape_tuple


def _static_dims(shape: Aval, static: tuple) -> tuple:
    rank = shape.shape[0]
    if rank is None:
        raise ValueError("the target shape must have a known number of dimensions")
    return tuple(static) if static else (None,) * rank


def _dynamic_reshape_kernel(x, shape, static):
    return x.reshape(tuple(int(d) for d in shape))


def _dynamic_reshape_rule(x: Aval, shape: Aval, static: tuple) -> Aval:
    return Aval(_static_dims(shape, static), x.dtype)


def _dynamic_broadcast_kernel(x, shape, static):
    return np.broadcast_to(x, tuple(int(d) for d in shape))


def _dynamic_broadcast_rule(x: Aval, shape: Aval, static: tuple) -> Aval:
    return Aval(_static_dims(shape, static), x.dtype)


reshape_dynamic_p = define(
    "reshape_dynamic", _dynamic_reshape_kernel, _dynamic_reshape_rule,
    lambda g, xs, out, static: (reshape_like(g, xs[0]), None), shape_values_input=1)
broadcast_dynamic_p = define(
    "broadcast_to_dynamic", _dynamic_broadcast_kernel, _dynamic_broadcast_rule,
    lambda g, xs, out, static: (sum_to_like(g, xs[0]), None), shape_values_input=1)


reshape_like_p = define(
    "reshape_like", lambda x, like: x.reshape(like.shape),
    lambda x, like: Aval(like.shape, x.dtype),
    lambda g, xs, out: (reshape_like(g, xs[0]), None), shape_only=(1,),
    identity_when_same_shape=True)


def reshape_like(tensor: Tensor, like: Tensor) -> Tensor:
    """Reshapes to the (run-time) shape of ``like``; used by gradients of shape ops."""
    if shape_tuple(tensor) == shape_tuple(like) and None not in shape_tuple(like):
        return tensor
    return bind(reshape_like_p, tensor, like)


def is_dynamic(shape) -> bool:
    """True when ``shape`` (a tensor or a list) holds values unknown until run time."""
    if isinstance(shape, Tensor):
        return shape._value is None
    if isinstance(shape, (list, tuple)):
        return any(isinstance(d, Tensor) and d._value is None for d in shape)
    return False
