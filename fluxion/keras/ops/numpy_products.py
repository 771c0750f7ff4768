"""``keras.ops`` products and diagonals: ``matmul``, ``dot``, ``tensordot``, ``einsum``,
``outer``, ``inner``, ``vdot``, ``cross``, ``kron``, ``diag``, ``diagonal``, ``trace``.

NumPy's rules for vectors (``matmul`` of 1-D operands, ``dot`` of scalars), Keras's
dtype promotion of the operands; ``matmul`` of two int8 tensors gives int32.

>>> from fluxion.keras import ops
>>> ops.matmul([1.0, 2.0], [[1.0], [1.0]]).numpy()
array([3.], dtype=float32)
"""

from __future__ import annotations

from fluxion.keras.ops.promotion import export, promote, tensor
from fluxion.ops import array_ops, creation_ops, linalg_ops, math_ops, reduce_ops

__all__ = [
    "matmul", "dot", "tensordot", "einsum", "outer", "inner", "vdot", "cross", "kron",
    "diag", "diagflat", "diagonal", "trace",
]

_WIDE = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
         "uint16": "uint32"}


def _matmul(a, b):
    if a.dtype.is_bool:
        return math_ops.greater(
            linalg_ops.matmul(array_ops.cast(a, "int32"), array_ops.cast(b, "int32")), 0
        )
    if a.dtype.name == "int8":
        a, b = array_ops.cast(a, "int32"), array_ops.cast(b, "int32")
    return linalg_ops.matmul(a, b)


def matmul(x1, x2):
    """The matrix product, batched over leading axes; 1-D operands act as vectors.

    Args:
      x1, x2: tensors of rank >= 1.

    Returns:
      ``x1 @ x2``.
    """
    a, b = promote(x1, x2)
    if a.ndim == 1 and b.ndim == 1:
        return reduce_ops.reduce_sum(a * b) if not a.dtype.is_bool else reduce_ops.reduce_any(a & b)
    if a.ndim == 1:
        return array_ops.squeeze(_matmul(array_ops.expand_dims(a, 0), b), axis=-2)
    if b.ndim == 1:
        return array_ops.squeeze(_matmul(a, array_ops.expand_dims(b, -1)), axis=-1)
    return _matmul(a, b)


def dot(x1, x2):
    """NumPy's ``dot``: scalars multiply, vectors give the inner product, otherwise the
    sum over the last axis of ``x1`` and the second-to-last of ``x2``."""
    a, b = promote(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1:
        return linalg_ops.tensordot(a, b, [[a.ndim - 1], [0]])
    return linalg_ops.tensordot(a, b, [[a.ndim - 1], [b.ndim - 2]])


def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes`` (an int: the last/first ``axes`` axes; or two lists)."""
    a, b = promote(x1, x2)
    if not isinstance(axes, int):
        first, second = axes
        first = [first] if isinstance(first, int) else list(first)
        second = [second] if isinstance(second, int) else list(second)
        axes = [[i % a.ndim for i in first], [i % b.ndim for i in second]]
    return linalg_ops.tensordot(a, b, axes)


def einsum(subscripts: str, *operands, **kwargs):
    """Einstein summation over the operands (promoted to one dtype)."""
    return linalg_ops.einsum(subscripts, *promote(*operands), **kwargs)


def outer(x1, x2):
    """The outer product of the flattened inputs."""
    a, b = promote(x1, x2)
    return array_ops.reshape(a, [-1, 1]) * array_ops.reshape(b, [1, -1])


def inner(x1, x2):
    """Sum of products over the last axes (a product when either is a scalar)."""
    a, b = promote(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return linalg_ops.tensordot(a, b, [[a.ndim - 1], [b.ndim - 1]])


def vdot(x1, x2):
    """The dot product of the flattened inputs."""
    a, b = promote(x1, x2)
    return reduce_ops.reduce_sum(array_ops.reshape(a, [-1]) * array_ops.reshape(b, [-1]))


def cross(x1, x2, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis=None):
    """The cross product of 3-vectors (or 2-vectors, giving the z component)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = promote(x1, x2)
    a_parts = array_ops.unstack(a, axis=axisa)
    b_parts = array_ops.unstack(b, axis=axisb)
    planar = len(a_parts) == 2 and len(b_parts) == 2
    if len(a_parts) == 2:
        a_parts.append(creation_ops.zeros_like(a_parts[0]))
    if len(b_parts) == 2:
        b_parts.append(creation_ops.zeros_like(b_parts[0]))
    if len(a_parts) != 3 or len(b_parts) != 3:
        raise ValueError(
            f"cross needs vectors of length 2 or 3, got {len(a_parts)} and {len(b_parts)}"
        )
    (a0, a1, a2), (b0, b1, b2) = a_parts, b_parts
    zeros = creation_ops.zeros_like(a0 * b0)
    if planar:
        return a0 * b1 - a1 * b0 + zeros
    result = array_ops.stack(
        [a1 * b2 - a2 * b1 + zeros, a2 * b0 - a0 * b2 + zeros, a0 * b1 - a1 * b0 + zeros], axis=-1
    )
    return array_ops.transpose(result, _moved_last(result.ndim, axisc))


def _moved_last(rank: int, position: int) -> list:
    perm = list(range(rank - 1))
    perm.insert(position % rank, rank - 1)
    return perm


def kron(x1, x2):
    """The Kronecker product."""
    a, b = promote(x1, x2)
    rank = max(a.ndim, b.ndim)
    a = array_ops.reshape(a, [1] * (rank - a.ndim) + list(a.shape))
    b = array_ops.reshape(b, [1] * (rank - b.ndim) + list(b.shape))
    a_wide = array_ops.reshape(a, [d for size in a.shape for d in (size, 1)])
    b_wide = array_ops.reshape(b, [d for size in b.shape for d in (1, size)])
    product = a_wide * b_wide
    return array_ops.reshape(product, [sa * sb for sa, sb in zip(a.shape, b.shape, strict=True)])


def diag(x, k: int = 0):
    """A matrix with ``x`` on its ``k``-th diagonal (1-D ``x``), or the ``k``-th diagonal
    of a matrix ``x``."""
    x = tensor(x)
    if x.ndim == 1:
        return linalg_ops.diag(x, k=k)
    if x.ndim == 2:
        return linalg_ops.diag_part(x, k=k)
    raise ValueError(f"diag needs a 1-D or 2-D input, got shape {tuple(x.shape)}")


def diagflat(x, k: int = 0):
    """A matrix with the flattened ``x`` on its ``k``-th diagonal."""
    return linalg_ops.diag(array_ops.reshape(tensor(x), [-1]), k=k)


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """The ``offset``-th diagonal of the matrices in ``axis1``/``axis2``, as the last axis."""
    x = tensor(x)
    a, b = axis1 % x.ndim, axis2 % x.ndim
    perm = [i for i in range(x.ndim) if i not in (a, b)] + [a, b]
    return linalg_ops.diag_part(array_ops.transpose(x, perm), k=offset)


def trace(x, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """Sum along a diagonal; bool and small integers widen as in ``sum``."""
    x = tensor(x)
    wide = _WIDE.get(x.dtype.name)
    if wide is not None:
        x = array_ops.cast(x, wide)
    return reduce_ops.reduce_sum(diagonal(x, offset, axis1, axis2), axis=-1)


export(globals(), __all__)
