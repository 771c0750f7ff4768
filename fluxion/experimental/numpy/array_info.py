"""Facts about an array in ``tf.experimental.numpy``: ``ndim``, ``shape``, ``size``."""

from __future__ import annotations

from fluxion.experimental.numpy.conversion import asarray
from fluxion.ops import creation_ops


def ndim(a) -> int:
    """The number of dimensions of ``a``."""
    return asarray(a).shape.rank


def shape(a):
    """The shape of ``a`` (a ``TensorShape``, which compares equal to a tuple)."""
    return asarray(a).shape


def size(x, axis=None):
    """How many elements ``x`` has (along ``axis`` when given)."""
    x = asarray(x)
    if axis is not None:
        length = x.shape[axis]
        return length if length is not None else creation_ops.shape(x)[axis]
    count = x.shape.num_elements()
    return count if count is not None else creation_ops.size(x)
