"""``TensorSpec``: the shape and dtype a tensor must have (``tf.TensorSpec``)."""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.tensor_shape import TensorShape, as_shape


class TensorSpec:
    """Describes a tensor: ``shape`` (dimensions may be None) and ``dtype``.

    >>> spec = TensorSpec([None, 3], "float32")
    >>> spec.is_compatible_with(TensorSpec([8, 3]))
    True
    """

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape, dtype=dtypes.float32, name: str | None = None):
        self.shape = as_shape(shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name: str | None = None) -> TensorSpec:
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, other) -> bool:
        """True if ``other`` (a spec or tensor) has this dtype and a compatible shape."""
        return (dtypes.as_dtype(other.dtype) is self.dtype
                and self.shape.is_compatible_with(TensorShape(other.shape)))

    def most_specific_common_supertype(self, others) -> TensorSpec | None:
        shape = self.shape
        for other in others:
            if other.dtype is not self.dtype:
                return None
            shape = shape.most_specific_compatible_shape(other.shape)
        return TensorSpec(shape, self.dtype, self.name)

    def __eq__(self, other) -> bool:
        return (isinstance(other, TensorSpec) and self.shape == other.shape
                and self.dtype is other.dtype)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.name!r})"
