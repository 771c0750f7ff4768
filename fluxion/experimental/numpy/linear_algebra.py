"""Products and linear algebra in ``tf.experimental.numpy``: ``dot``, ``matmul``,
``einsum``, ``tensordot``, ``inner``, ``outer``, ``vdot``, ``kron``, ``cross``, ``trace``,
``polyval``.

Operands are promoted to their common dtype first (``dot(int32, float32)`` is
float64, as in NumPy).  Built on ``matmul``/``einsum``/``tensordot``, so differentiable.
"""

from __future__ import annotations

from fluxion.experimental.numpy.conversion import broadcast_together, promote
from fluxion.ops import array_ops, creation_ops, linalg_ops, math_ops, nd_ops, reduce_ops
from fluxion.ops import linalg as tf_linalg
from fluxion.ops import math as tf_math


def matmul(x1, x2):
    """Matrix product with NumPy's rules: 1-D operands act as a row / a column vector,
    leading dimensions broadcast."""
    a, b = promote(x1, x2)
    if a.shape.rank == 0 or b.shape.rank == 0:
        raise ValueError("matmul: scalars are not allowed; use multiply")
    if a.dtype.is_bool:
        return math_ops.cast(matmul(math_ops.cast(a, "int64"), math_ops.cast(b, "int64")), "bool")
    squeeze = []
    if a.shape.rank == 1:
        a, squeeze = a[None, :], squeeze + [-2]
    if b.shape.rank == 1:
        b, squeeze = b[:, None], squeeze + [-1]
    result = linalg_ops.matmul(a, b)
    return array_ops.squeeze(result, squeeze) if squeeze else result


def dot(a, b):
    """NumPy's ``dot``: products of scalars, inner product of vectors, matrix product,
    and for N-D arrays a sum over ``a``'s last axis and ``b``'s second-to-last."""
    a, b = promote(a, b)
    if a.shape.rank == 0 or b.shape.rank == 0:
        return a * b
    if b.shape.rank == 1:
        return linalg_ops.tensordot(a, b, [[a.shape.rank - 1], [0]])
    return linalg_ops.tensordot(a, b, [[a.shape.rank - 1], [b.shape.rank - 2]])


def vdot(a, b):
    """Inner product of the flattened arrays, conjugating the first."""
    a, b = promote(a, b)
    a, b = array_ops.reshape(a, [-1]), array_ops.reshape(b, [-1])
    if a.dtype.is_complex:
        a = tf_math.conj(a)
    return reduce_ops.reduce_sum(a * b)


def inner(a, b):
    """Sum of products over the last axes of ``a`` and ``b``."""
    a, b = promote(a, b)
    if a.shape.rank == 0 or b.shape.rank == 0:
        return a * b
    return linalg_ops.tensordot(a, b, [[a.shape.rank - 1], [b.shape.rank - 1]])


def outer(a, b):
    """The outer product of the flattened arrays."""
    a, b = promote(a, b)
    return array_ops.reshape(a, [-1, 1]) * array_ops.reshape(b, [1, -1])


def tensordot(a, b, axes=2):
    """Sum of products over ``axes`` (an int: last of ``a``, first of ``b``; or two lists)."""
    a, b = promote(a, b)
    return linalg_ops.tensordot(a, b, axes)


def einsum(subscripts, *operands, casting="safe", optimize=False):  # noqa: ARG001
    """Einstein summation over the operands, as ``subscripts`` spells it."""
    operands = promote(*operands)
    return linalg_ops.einsum(subscripts, *operands)


def kron(a, b):
    """The Kronecker product: ``b`` scaled by each element of ``a``, as blocks."""
    a, b = promote(a, b)
    rank = max(a.shape.rank, b.shape.rank)
    a = array_ops.reshape(a, [1] * (rank - a.shape.rank) + a.shape.as_list())
    b = array_ops.reshape(b, [1] * (rank - b.shape.rank) + b.shape.as_list())
    # Interleave the axes: (a0, b0, a1, b1, ...) then merge each pair.
    a_wide = array_ops.reshape(a, [d for size in a.shape.as_list() for d in (size, 1)])
    b_wide = array_ops.reshape(b, [d for size in b.shape.as_list() for d in (1, size)])
    merged = [x * y for x, y in zip(a.shape.as_list(), b.shape.as_list())]
    return array_ops.reshape(a_wide * b_wide, merged)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or 2-vectors, padded with z = 0) along the given axes."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = promote(a, b)
    a, b = _vector_last(a, axisa), _vector_last(b, axisb)
    two_d = a.shape[-1] == 2 and b.shape[-1] == 2
    a, b = _as_3_vectors(a), _as_3_vectors(b)
    a, b = broadcast_together(a, b)
    product = tf_linalg.cross(a, b)
    if two_d:
        return product[..., 2]
    rank = product.shape.rank
    order = list(range(rank - 1))
    order.insert(axisc % rank, rank - 1)
    return nd_ops.transpose(product, order)


def _vector_last(x, axis):
    rank = x.shape.rank
    order = [i for i in range(rank) if i != axis % rank] + [axis % rank]
    return nd_ops.transpose(x, order)


def _as_3_vectors(x):
    size = x.shape[-1]
    if size == 3:
        return x
    if size != 2:
        raise ValueError(f"cross: vectors must have 2 or 3 components, got {size}")
    return array_ops.concat([x, creation_ops.zeros_like(x[..., :1])], axis=-1)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    """Sum along the diagonal ``offset`` of the plane (``axis1``, ``axis2``)."""
    from fluxion.experimental.numpy.indexing import diagonal

    result = reduce_ops.reduce_sum(diagonal(a, offset, axis1, axis2), axis=-1)
    return math_ops.cast(result, dtype) if dtype is not None else result


def polyval(p, x):
    """The polynomial with coefficients ``p`` (highest power first) at ``x`` (Horner)."""
    p, x = promote(p, x)
    result = creation_ops.zeros_like(x)
    for coefficient in array_ops.unstack(p):
        result = result * x + coefficient
    return result
