"""``RaggedTensor``: rows of different lengths (``tf.RaggedTensor``).

A ragged tensor is ``values`` (a tensor, or another ragged tensor for more ragged
dimensions) cut into rows by ``row_splits``: row ``i`` is
``values[row_splits[i]:row_splits[i + 1]]``.  The other encodings (row lengths, value
row ids, row starts/limits) are computed from the splits.  It is a composite tensor
(components: the flat values and each level's splits), so it crosses ``function``
and control flow.  Every method is a composite of dense ops on those components, so
gradients reach the flat values.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.composite import CompositeTensor
from fluxion.core.primitives.elementwise import cast, sub
from fluxion.core.primitives.shape import concat, reshape, stack
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.ops import ragged_dense
from fluxion.ops.creation_ops import range as range_op
from fluxion.ops.creation_ops import shape as shape_op
from fluxion.ops.reduce_ops import cumsum, reduce_max

__all__ = ["RaggedTensor"]


def _splits(value, dtype=dtypes.int64) -> Tensor:
    tensor = convert_to_tensor(value) if isinstance(value, Tensor) else \
        convert_to_tensor(np.asarray(value, dtype=dtype.np_dtype))
    if not tensor.dtype.is_integer:
        raise TypeError(f"RaggedTensor: row partitions must be integers, got "
                        f"{tensor.dtype.name}")
    return tensor


class RaggedTensor(CompositeTensor):
    """Rows of varying length over a flat ``values`` tensor.

    Build one with ``fluxion.ragged.constant`` or the ``from_*`` class methods.

    >>> import fluxion as tf
    >>> rt = tf.RaggedTensor.from_row_lengths([3, 1, 4, 1, 5], row_lengths=[2, 0, 3])
    >>> rt.to_list()
    [[3, 1], [], [4, 1, 5]]
    """

    __slots__ = ("_values", "_row_splits")

    def __init__(self, values, row_splits, internal=False):
        if not internal:
            raise ValueError("RaggedTensor is built with fluxion.ragged.constant or the "
                             "RaggedTensor.from_* methods, not its constructor")
        self._values = values
        self._row_splits = row_splits

    # --- construction --------------------------------------------------------------------------
    @classmethod
    def _make(cls, values, row_splits) -> RaggedTensor:
        if not isinstance(values, RaggedTensor):
            values = convert_to_tensor(values)
            if values.shape.rank == 0:
                raise ValueError("RaggedTensor: values must have rank >= 1")
        return cls(values, row_splits, internal=True)

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True) -> RaggedTensor:
        """Rows ``values[row_splits[i]:row_splits[i + 1]]``."""
        splits = _splits(row_splits)
        if validate and splits._value is not None:
            array = np.asarray(splits._value)
            if array.ndim != 1 or array.size == 0 or array[0] != 0 or np.any(
                    np.diff(array) < 0):
                raise ValueError(f"RaggedTensor.from_row_splits: row_splits must be a "
                                 f"non-empty, non-decreasing vector starting at 0, got "
                                 f"{array.tolist()}")
        return cls._make(values, splits)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True) -> RaggedTensor:
        """Consecutive rows of ``row_lengths[i]`` values each."""
        lengths = _splits(row_lengths)
        return cls._make(values, concat([_zero(lengths.dtype), cumsum(lengths)], 0))

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None,
                          validate=True) -> RaggedTensor:
        """Row ``i`` holds the values whose (sorted) row id is ``i``."""
        from fluxion.ops.math_extra import bincount

        ids = _splits(value_rowids)
        counts = bincount(cast(ids, dtypes.int32), minlength=nrows, maxlength=nrows)
        return cls.from_row_lengths(values, cast(counts, ids.dtype))

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True) -> RaggedTensor:
        starts = _splits(row_starts)
        total = cast(shape_op(_flat(values))[:1], starts.dtype) if not isinstance(
            values, RaggedTensor) else cast(reshape(values.nrows(), [1]), starts.dtype)
        return cls._make(values, concat([starts, total], 0))

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True) -> RaggedTensor:
        limits = _splits(row_limits)
        return cls._make(values, concat([_zero(limits.dtype), limits], 0))

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None,
                                validate=True, name=None) -> RaggedTensor:
        length = int(uniform_row_length)
        total = int(_flat(values).shape[0]) if not isinstance(values, RaggedTensor) \
            else int(values.nrows())
        count = total // length if nrows is None else int(nrows)
        return cls._make(values, convert_to_tensor(np.arange(count + 1, dtype=np.int64) *
                                                   length))

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None,
                               validate=True) -> RaggedTensor:
        result = flat_values
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None,
                                validate=True) -> RaggedTensor:
        result = flat_values
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=dtypes.int64) -> RaggedTensor:
        """Rows of a dense tensor, cut to ``lengths`` or before trailing ``padding``."""
        return ragged_dense.from_tensor(cls, tensor, lengths, padding, ragged_rank,
                                      dtypes.as_dtype(row_splits_dtype))

    # --- the composite protocol ------------------------------------------------------------------
    def _to_components(self) -> list:
        return [self._values, self._row_splits]

    def _with_components(self, components: list) -> RaggedTensor:
        values, splits = components
        return RaggedTensor(values, splits, internal=True)

    def _static_key(self):
        return ("RaggedTensor", self.ragged_rank)

    # --- structure -------------------------------------------------------------------------------
    @property
    def values(self):
        return self._values

    @property
    def row_splits(self) -> Tensor:
        return self._row_splits

    @property
    def flat_values(self) -> Tensor:
        values = self._values
        while isinstance(values, RaggedTensor):
            values = values._values
        return values

    @property
    def nested_row_splits(self) -> tuple:
        splits, node = [], self
        while isinstance(node, RaggedTensor):
            splits.append(node._row_splits)
            node = node._values
        return tuple(splits)

    @property
    def ragged_rank(self) -> int:
        return len(self.nested_row_splits)

    @property
    def dtype(self) -> dtypes.DType:
        return self.flat_values.dtype

    @property
    def row_splits_dtype(self) -> dtypes.DType:
        return self._row_splits.dtype

    @property
    def shape(self) -> TensorShape:
        splits_dim = self._row_splits.shape[0]
        nrows = None if splits_dim is None else splits_dim - 1
        inner = self._values.shape
        return TensorShape([nrows, None, *inner[1:].as_list()])

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self) -> int:
        return self.shape.rank

    def nrows(self, out_type=None, name=None) -> Tensor:
        count = shape_op(self._row_splits, self._row_splits.dtype)[0] - 1
        return count if out_type is None else cast(count, dtypes.as_dtype(out_type))

    def row_starts(self, name=None) -> Tensor:
        return self._row_splits[:-1]

    def row_limits(self, name=None) -> Tensor:
        return self._row_splits[1:]

    def row_lengths(self, axis=1, name=None) -> Tensor:
        """The length of each row (``axis=1``), or of each row of a deeper level."""
        if axis in (1, -self.ndim + 1 if self.ndim else 1):
            return sub(self._row_splits[1:], self._row_splits[:-1])
        if axis == 0:
            return self.nrows()
        if not isinstance(self._values, RaggedTensor):
            raise ValueError(f"row_lengths: axis {axis} is not a ragged dimension")
        return self.with_values(self._values.row_lengths(axis - 1))

    def nested_row_lengths(self, name=None) -> tuple:
        return tuple(sub(s[1:], s[:-1]) for s in self.nested_row_splits)

    def value_rowids(self, name=None) -> Tensor:
        """The row index of each value."""
        from fluxion.ops.search_ops import searchsorted

        positions = range_op(shape_op(_flat(self._values) if not isinstance(
            self._values, RaggedTensor) else self._values._row_splits[1:])[0],
            dtype=self._row_splits.dtype)
        return searchsorted(self._row_splits, positions, side="right",
                            out_type=self._row_splits.dtype) - 1

    def bounding_shape(self, axis=None, name=None, out_type=None) -> Tensor:
        """The shape of the smallest dense tensor holding this one."""
        widest = reduce_max(self.row_lengths()) if self._row_splits.shape[0] != 1 \
            else convert_to_tensor(0, dtype=self._row_splits.dtype)
        widest = cast(widest, dtypes.int64)
        head = stack([cast(self.nrows(), dtypes.int64), widest])
        if isinstance(self._values, RaggedTensor):
            inner = self._values.bounding_shape()[1:]
        else:
            inner = shape_op(self._values, dtypes.int64)[1:]
        result = concat([head, inner], 0)
        return result if axis is None else result[axis]

    def with_values(self, new_values) -> RaggedTensor:
        return RaggedTensor._make(new_values, self._row_splits)

    def with_flat_values(self, new_values) -> RaggedTensor:
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype) -> RaggedTensor:
        dtype = dtypes.as_dtype(dtype)
        values = self._values.with_row_splits_dtype(dtype) if isinstance(
            self._values, RaggedTensor) else self._values
        return RaggedTensor._make(values, cast(self._row_splits, dtype))

    # --- conversion ------------------------------------------------------------------------------
    def to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
        """The dense tensor, rows padded with ``default_value`` (0) to the longest."""
        return ragged_dense.to_tensor(self, default_value, shape)

    def to_list(self) -> list:
        splits = np.asarray(self._row_splits._value)
        inner = self._values.to_list() if isinstance(self._values, RaggedTensor) \
            else np.asarray(self._values._value).tolist()
        return [inner[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]

    def numpy(self):
        splits = np.asarray(self._row_splits._value)
        inner = self._values.numpy()
        rows = [inner[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
        result = np.empty(len(rows), dtype=object)
        result[:] = rows
        return result

    def to_sparse(self, name=None):
        return ragged_dense.to_sparse(self)

    def merge_dims(self, outer_axis, inner_axis):
        if (outer_axis, inner_axis) not in ((0, 1), (0, -1)) or self.ragged_rank != 1:
            raise ValueError("merge_dims: only merging the two outer dimensions of a ragged "
                             "tensor of ragged_rank 1 is supported")
        return self._values

    def __repr__(self) -> str:
        if self._row_splits._value is None:
            return f"<tf.RaggedTensor shape={self.shape} dtype={self.dtype.name}>"
        return f"<tf.RaggedTensor {self.to_list()}>"

    # --- indexing and arithmetic ---------------------------------------------------------------
    def __getitem__(self, key):
        return ragged_dense.getitem(self, key)

    def __len__(self) -> int:
        return int(self.nrows())

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def _elementwise(self, other, fn, reverse=False):
        if isinstance(other, RaggedTensor):
            if other.ragged_rank != self.ragged_rank:
                raise ValueError("elementwise ops need ragged tensors of the same ragged_rank")
            a, b = self.flat_values, other.flat_values
        else:
            other = convert_to_tensor(other, dtype=self.dtype)
            if other.shape.rank not in (0, None) and other.shape.rank >= self.ndim - \
                    self.ragged_rank:
                raise ValueError("a dense operand of a ragged tensor must broadcast against "
                                 "its values (a scalar or the inner dimensions)")
            a, b = self.flat_values, other
        return self.with_flat_values(fn(b, a) if reverse else fn(a, b))

    def __add__(self, other):
        return self._elementwise(other, lambda a, b: a + b)

    def __radd__(self, other):
        return self._elementwise(other, lambda a, b: a + b, reverse=True)

    def __sub__(self, other):
        return self._elementwise(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._elementwise(other, lambda a, b: a - b, reverse=True)

    def __mul__(self, other):
        return self._elementwise(other, lambda a, b: a * b)

    def __rmul__(self, other):
        return self._elementwise(other, lambda a, b: a * b, reverse=True)

    def __truediv__(self, other):
        return self._elementwise(other, lambda a, b: a / b)

    def __pow__(self, other):
        return self._elementwise(other, lambda a, b: a ** b)

    def __neg__(self):
        return self.with_flat_values(-self.flat_values)

    def __eq__(self, other):
        return self._elementwise(other, lambda a, b: a == b)

    def __ne__(self, other):
        return self._elementwise(other, lambda a, b: a != b)

    def __lt__(self, other):
        return self._elementwise(other, lambda a, b: a < b)

    def __gt__(self, other):
        return self._elementwise(other, lambda a, b: a > b)

    __hash__ = None


def _zero(dtype) -> Tensor:
    return convert_to_tensor(np.zeros(1, dtype.np_dtype))


def _flat(values) -> Tensor:
    return values if isinstance(values, Tensor) else convert_to_tensor(values)

