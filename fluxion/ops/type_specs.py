"""Type specifications of composite values (``tf.TypeSpec`` and friends), and
``type_spec_from_value``.

``TensorArraySpec`` lives with ``TensorArray`` in ``fluxion.graph.tensor_array``; values of
higher layers tell their spec through a ``_type_spec`` property.

A spec describes a value without holding it: its shape and dtype, plus what the kind
of value adds (ragged rank, element shape...).  ``is_compatible_with`` compares specs
or a spec and a value; ``most_specific_common_supertype`` relaxes differing dimensions.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_shape import TensorShape, as_shape
from fluxion.core.tensor_spec import TensorSpec

__all__ = ["TypeSpec", "SparseTensorSpec", "RaggedTensorSpec", "NoneTensorSpec",
           "OptionalSpec", "IndexedSlicesSpec", "type_spec_from_value"]


class TypeSpec:
    """The base of value specifications: a name and the fields that identify a spec."""

    value_type = object
    _fields: tuple = ()

    def _key(self) -> tuple:
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(str(k) for k in self._key())))

    def is_compatible_with(self, spec_or_value) -> bool:
        other = spec_or_value if isinstance(spec_or_value, TypeSpec) else \
            type_spec_from_value(spec_or_value)
        if type(other) is not type(self):
            return False
        for mine, theirs in zip(self._key(), other._key()):
            if isinstance(mine, TensorShape):
                if not mine.is_compatible_with(theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    def most_specific_common_supertype(self, others):
        result = self
        for other in others:
            if type(other) is not type(self):
                return None
            fields = []
            for mine, theirs in zip(result._key(), other._key()):
                if isinstance(mine, TensorShape):
                    fields.append(mine.most_specific_compatible_shape(theirs))
                elif mine != theirs:
                    return None
                else:
                    fields.append(mine)
            result = type(self)(*fields)
        return result

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(k) for k in self._key())})"


class SparseTensorSpec(TypeSpec):
    """The spec of a ``SparseTensor``: its dense shape and dtype."""

    _fields = ("shape", "dtype")

    def __init__(self, shape=None, dtype=dtypes.float32):
        self.shape = as_shape(shape) if shape is not None else TensorShape(None)
        self.dtype = dtypes.as_dtype(dtype)

    @property
    def value_type(self):
        from fluxion.ops.sparse_tensor import SparseTensor

        return SparseTensor

    @classmethod
    def from_value(cls, value) -> SparseTensorSpec:
        return cls(value.shape, value.dtype)


class RaggedTensorSpec(TypeSpec):
    """The spec of a ``RaggedTensor``: shape (ragged dimensions None), dtype, ragged rank."""

    _fields = ("shape", "dtype", "ragged_rank", "row_splits_dtype")

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None,
                 row_splits_dtype=dtypes.int64, flat_values_spec=None):
        self.shape = as_shape(shape) if shape is not None else TensorShape(None)
        self.dtype = dtypes.as_dtype(dtype)
        if ragged_rank is None:
            if self.shape.rank is None:
                raise ValueError("RaggedTensorSpec: give ragged_rank or a shape of known rank")
            ragged_rank = self.shape.rank - 1
        self.ragged_rank = int(ragged_rank)
        self.row_splits_dtype = dtypes.as_dtype(row_splits_dtype)

    @property
    def value_type(self):
        from fluxion.ops.ragged_tensor import RaggedTensor

        return RaggedTensor

    @classmethod
    def from_value(cls, value) -> RaggedTensorSpec:
        return cls(value.shape, value.dtype, value.ragged_rank, value.row_splits_dtype)


class NoneTensorSpec(TypeSpec):
    """The spec of ``None`` where a tensor could be."""

    value_type = type(None)


class OptionalSpec(TypeSpec):
    """The spec of an optional value: the spec of the value it may hold."""

    _fields = ("element_spec",)

    def __init__(self, element_spec):
        self.element_spec = element_spec


class IndexedSlicesSpec(TypeSpec):
    """The spec of ``IndexedSlices``: dense shape, dtype and index dtype."""

    _fields = ("shape", "dtype", "indices_dtype", "dense_shape_dtype")

    def __init__(self, shape=None, dtype=dtypes.float32, indices_dtype=dtypes.int64,
                 dense_shape_dtype=None, indices_shape=None):
        self.shape = as_shape(shape) if shape is not None else TensorShape(None)
        self.dtype = dtypes.as_dtype(dtype)
        self.indices_dtype = dtypes.as_dtype(indices_dtype)
        self.dense_shape_dtype = None if dense_shape_dtype is None else \
            dtypes.as_dtype(dense_shape_dtype)


def type_spec_from_value(value):
    """The spec describing ``value`` (a tensor, composite tensor, or None)."""
    from fluxion.ops.ragged_tensor import RaggedTensor
    from fluxion.ops.sparse_tensor import SparseTensor

    if value is None:
        return NoneTensorSpec()
    if isinstance(value, RaggedTensor):
        return RaggedTensorSpec.from_value(value)
    if isinstance(value, SparseTensor):
        return SparseTensorSpec.from_value(value)
    if hasattr(value, "_type_spec"):  # a value of a higher layer that knows its spec
        return value._type_spec
    if isinstance(value, Tensor) or hasattr(value, "_read_for_op"):
        return TensorSpec(value.shape, value.dtype)
    from fluxion.core.tensor import convert_to_tensor

    try:
        tensor = convert_to_tensor(value)
    except (TypeError, ValueError):
        raise TypeError(f"type_spec_from_value: no TypeSpec for {type(value).__name__}") \
            from None
    return TensorSpec(tensor.shape, tensor.dtype)
