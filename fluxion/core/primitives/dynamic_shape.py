"""Reshape and broadcast to a shape known only at run time (a traced shape tensor).

Inside a traced function ``tf.shape(x)`` is symbolic, so ``tf.reshape(y, tf.shape(x))``
or ``tf.broadcast_to(y, [tf.shape(x)[0], 3])`` cannot turn the shape into Python ints.
These primitives take the shape as a tensor input.  Their shape rules keep what is
static: a dimension given as a Python int (or -1 resolved from the others) stays known.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.broadcast import sum_to_like
from fluxion.core.primitives.known_shape_values import known_dims, known_values
from fluxion.core.tensor import Tensor, convert_to_tensor


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
    lambda g, xs, out, static: (_reshape_like(g, xs[0]), None))
broadcast_dynamic_p = define(
    "broadcast_to_dynamic", _dynamic_broadcast_kernel, _dynamic_broadcast_rule,
    lambda g, xs, out, static: (sum_to_like(g, xs[0]), None))


def _reshape_like(g, x):
    from fluxion.core.primitives.shape import reshape_like

    return reshape_like(g, x)


def is_dynamic(shape) -> bool:
    """True when ``shape`` (a tensor or a list) holds values unknown until run time."""
    if isinstance(shape, Tensor):
        return shape._value is None
    if isinstance(shape, (list, tuple)):
        return any(isinstance(d, Tensor) and d._value is None for d in shape)
    return False


def shape_tensor(shape) -> tuple[Tensor, tuple]:
    """The shape as one int tensor, and the dims known statically (None where unknown)."""
    if isinstance(shape, Tensor):  # tf.shape(x), or built from it: keep what is known
        return shape, known_dims(shape) or ()
    from fluxion.core.primitives.elementwise import cast
    from fluxion.core.primitives.shape import stack

    pieces, static = [], []
    for d in shape:
        if isinstance(d, Tensor):
            pieces.append(cast(d, dtypes.int64) if d.dtype is not dtypes.int64 else d)
            known = known_values(d)
            static.append(known if isinstance(known, int) and known >= 0 else None)
        else:
            pieces.append(convert_to_tensor(int(d), dtype=dtypes.int64))
            static.append(int(d) if int(d) >= 0 else None)
    return stack(pieces), tuple(static)


def reshape_dynamic(x: Tensor, shape) -> Tensor:
    tensor, static = shape_tensor(shape)
    return bind(reshape_dynamic_p, x, tensor, static=static)


def broadcast_to_dynamic(x: Tensor, shape) -> Tensor:
    tensor, static = shape_tensor(shape)
    return bind(broadcast_dynamic_p, x, tensor, static=static)
