"""``SparseTensor``: a tensor stored as its non-default entries (``tf.SparseTensor``).

Three plain tensors: ``indices`` (int64 ``[n, rank]``, the coordinates of the stored
entries), ``values`` (``[n]``) and ``dense_shape`` (int64 ``[rank]``).  It is a composite
tensor, so it passes through ``function``, ``while_loop`` and ``cond`` as those three.
The ops on it (``fluxion.sparse.*``) are composites of dense primitives over these
components; gradients reach ``values`` (and dense operands) through them.

Entries are kept in the order given; ``fluxion.sparse.reorder`` sorts them row-major,
as most TF ops expect.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.composite import CompositeTensor
from fluxion.core.primitives.elementwise import cast, div, mul
from fluxion.core.primitives.gather_scatter import gather_nd
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.ops.array_ops import broadcast_to

__all__ = ["SparseTensor", "SparseTensorValue"]


class SparseTensor(CompositeTensor):
    """A sparse tensor: ``indices`` ``[n, rank]``, ``values`` ``[n]``, ``dense_shape``.

    >>> import fluxion as tf
    >>> st = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    >>> tf.sparse.to_dense(st).numpy()
    array([[1., 0., 0., 0.],
           [0., 0., 2., 0.],
           [0., 0., 0., 0.]], dtype=float32)
    """

    __slots__ = ("_indices", "_values", "_dense_shape")

    def __init__(self, indices, values, dense_shape):
        dense_shape = _int64(dense_shape)
        if not isinstance(indices, Tensor) and np.size(indices) == 0:
            indices = np.zeros((0, dense_shape.shape[0] or 0), np.int64)
        indices = _int64(indices)
        values = convert_to_tensor(values)
        if indices.shape.rank != 2:
            raise ValueError(f"SparseTensor: indices must be a matrix [n, rank], got shape "
                             f"{indices.shape}")
        if values.shape.rank != 1:
            raise ValueError(f"SparseTensor: values must be a vector [n], got shape "
                             f"{values.shape}")
        if dense_shape.shape.rank != 1:
            raise ValueError(f"SparseTensor: dense_shape must be a vector, got shape "
                             f"{dense_shape.shape}")
        n_idx, n_val = indices.shape[0], values.shape[0]
        if n_idx is not None and n_val is not None and n_idx != n_val:
            raise ValueError(f"SparseTensor: {n_idx} indices but {n_val} values")
        rank_idx, rank = indices.shape[1], dense_shape.shape[0]
        if rank_idx is not None and rank is not None and rank_idx != rank:
            raise ValueError(f"SparseTensor: indices have {rank_idx} columns but dense_shape "
                             f"has rank {rank}")
        self._indices, self._values, self._dense_shape = indices, values, dense_shape

    @classmethod
    def from_value(cls, value) -> SparseTensor:
        if isinstance(value, SparseTensor):
            return value
        if isinstance(value, SparseTensorValue):
            return cls(value.indices, value.values, value.dense_shape)
        raise TypeError(f"SparseTensor.from_value: expected a SparseTensor or "
                        f"SparseTensorValue, got {type(value).__name__}")

    # --- components --------------------------------------------------------------------------
    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def dense_shape(self) -> Tensor:
        return self._dense_shape

    def _to_components(self) -> list:
        return [self._indices, self._values, self._dense_shape]

    def _with_components(self, components: list) -> SparseTensor:
        other = object.__new__(SparseTensor)
        other._indices, other._values, other._dense_shape = components
        return other

    def _static_key(self):
        return ("SparseTensor",)

    def with_values(self, new_values) -> SparseTensor:
        """The same sparsity pattern holding ``new_values``."""
        return SparseTensor(self._indices, new_values, self._dense_shape)

    # --- metadata ----------------------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.DType:
        return self._values.dtype

    @property
    def shape(self) -> TensorShape:
        shape = self._dense_shape
        if isinstance(shape, Tensor) and shape._value is not None:
            return TensorShape([int(d) for d in np.asarray(shape._value)])
        rank = shape.shape[0] if isinstance(shape, Tensor) else None
        return TensorShape(None if rank is None else [None] * rank)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self):
        return self.shape.rank

    def numpy(self):
        raise AttributeError("SparseTensor has no numpy(); use fluxion.sparse.to_dense first")

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self._indices!r}, values={self._values!r}, "
                f"dense_shape={self._dense_shape!r})")

    # --- arithmetic with dense values (on the stored entries) ----------------------------------
    def __mul__(self, other):
        return self._times_dense(other, mul)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return self._times_dense(other, div)

    def _times_dense(self, other, combine) -> SparseTensor:
        """``self * dense`` or ``self / dense``: the dense operand read at the stored
        positions (``combine`` is ``mul`` or ``div``)."""
        other = convert_to_tensor(other, dtype=self.dtype)
        if other.shape.rank == 0:
            picked = other
        else:
            picked = gather_nd(broadcast_to(other, self.dense_shape), self.indices)
        return self.with_values(combine(self.values, picked))

    def __neg__(self) -> SparseTensor:
        return self.with_values(-self._values)

    def __abs__(self) -> SparseTensor:
        from fluxion.core.primitives.elementwise import abs_

        return self.with_values(abs_(self._values))


class SparseTensorValue(tuple):
    """TF 1's ``(indices, values, dense_shape)`` value of a sparse tensor."""

    def __new__(cls, indices, values, dense_shape):
        return super().__new__(cls, (indices, values, dense_shape))

    indices = property(lambda self: self[0])
    values = property(lambda self: self[1])
    dense_shape = property(lambda self: self[2])


def _int64(value) -> Tensor:
    tensor = convert_to_tensor(value) if isinstance(value, Tensor) else \
        convert_to_tensor(np.asarray(value, dtype=np.int64))
    if not tensor.dtype.is_integer:
        raise TypeError(f"SparseTensor: indices and dense_shape must be integers, got "
                        f"{tensor.dtype.name}")
    return tensor if tensor.dtype is dtypes.int64 else cast(tensor, dtypes.int64)
